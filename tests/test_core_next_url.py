"""``core.views.next_url``: the one check every "back to where you were" redirect goes through."""

import pytest

from jalin.core.views import next_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/events/1/board/?slot=3", "/events/1/board/?slot=3"),
        ("", "/default/"),
        ("//evil.example/x", "/default/"),
        ("https://evil.example/x", "/default/"),
        ("http://testserver/events/", "/default/"),  # only paths, not absolute URLs
        ("/\\evil.example", "/default/"),
        ("javascript:alert(1)", "/default/"),
    ],
)
def test_next_url_keeps_paths_on_this_site(rf, given, expected):
    assert next_url(rf.post("/x/", {"next": given}), "/default/") == expected
    assert next_url(rf.get("/x/", {"next": given}), "/default/") == expected
