"""Authorisation matrix over the outcomes and statistics routes, for every named user: a denied request answers
403 or 404 (anonymous: the sign-in page) and changes nothing."""

from __future__ import annotations

import pytest

from jalin.events import services
from jalin.events.models import Event, EventStatus, Meeting, MeetingOutcome, Participant
from tests.authz import Case, assert_matrix
from tests.events_factory import make_world

pytestmark = pytest.mark.django_db

MANAGERS = frozenset({"officer", "regional"})  # the event is in Tegal
PARTIES = MANAGERS | {"owner", "colleague", "outsider", "buyer"}  # everyone taking part, and its officers
OWN_MEETING = MANAGERS | {"owner", "colleague", "buyer"}  # the owner's IKM meets the buyer


@pytest.fixture
def objects(people):
    w = make_world(people, status=EventStatus.PUBLISHED)
    meeting = services.book(w.own_request, w.slots[0], w.tables[0], actor=None)
    services.mark_held(meeting, actor=None)
    return {"event": w.event, "meeting": meeting, "own": w.own, "buyer": w.buyer}


def cases() -> list[Case]:
    def event(suffix):
        return lambda o: f"/events/{o['event'].pk}/{suffix}"

    def record(o):
        return f"/events/{o['event'].pk}/meetings/{o['meeting'].pk}/outcome/"

    def side(key):
        return lambda o: {"side": o[key].pk, "interest": "high", "next_step": "mou", "note": "authz"}

    return [
        Case("outcomes", event("outcomes/"), PARTIES),
        Case("outcomes filtered", event("outcomes/?recorded=missing&step=mou&round=0"), PARTIES),
        Case("record form", record, OWN_MEETING),
        Case("record form, other side", lambda o: record(o) + f"?side={o['buyer'].pk}", OWN_MEETING),
        Case("record IKM side", record, MANAGERS | {"owner", "colleague"}, method="post", data=side("own")),
        Case("record buyer side", record, MANAGERS | {"buyer"}, method="post", data=side("buyer")),
        Case("follow-up", event("follow-up/"), MANAGERS, method="post", data=lambda o: {}),
        Case("stats", event("stats/"), MANAGERS),
        Case("stats CSV", event("stats.csv"), MANAGERS),
    ]


def test_matrix(client_for, people, objects):
    checked = assert_matrix(
        client_for, people, cases(), objects=objects, watch=[Event, Meeting, MeetingOutcome, Participant]
    )
    assert checked == len(cases()) * len(people)


def test_allowed_writes_do_write(client_for, people, objects):
    """The matrix rolls back each case; check once that an allowed POST really records (not a silent 200)."""
    client = client_for(people["owner"])
    response = client.post(
        f"/events/{objects['event'].pk}/meetings/{objects['meeting'].pk}/outcome/",
        {"side": objects["own"].pk, "interest": "high", "next_step": "mou"},
    )
    assert response.status_code == 302
    assert MeetingOutcome.objects.filter(participant=objects["own"], next_step="mou").exists()
