"""Authorisation matrix over every route of agendas and the day: each route × each named user. The event is
in Tegal (the regional officer's area); a second event is in Klaten. A denied request answers 403 or 404 (or
the sign-in page for anonymous) and changes nothing."""

from __future__ import annotations

import pytest

from jalin.events import services
from jalin.events.models import Meeting, MeetingRequest, MeetingSeat, Participant
from tests.authz import Case, assert_matrix
from tests.events_factory import make_event, make_world

pytestmark = pytest.mark.django_db

MANAGERS = frozenset({"officer", "regional"})
OWN_AGENDA = MANAGERS | {"owner", "colleague"}
BUYER_AGENDA = MANAGERS | {"buyer"}
OTHER_AGENDA = MANAGERS | {"outsider"}
PARTICIPANTS = frozenset({"owner", "colleague", "outsider", "buyer"})


@pytest.fixture
def objects(people):
    world = make_world(people)
    slots, tables = world.slots, world.tables
    own_meeting = services.book(world.own_request, slots[0], tables[0], actor=None)
    no_show = services.book(world.other_request, slots[2], tables[0], actor=None)
    services.mark_no_show(no_show, actor=None, participant=world.other)
    option = services.free_options(world.other_request, after=slots[2].ends_at, limit=1)[0]
    klaten = make_event(reference="LM-K", region_code="33.10")
    return {
        "e": world.event.pk,
        "own": world.own,
        "buyer": world.buyer,
        "other": world.other,
        "meeting": own_meeting.pk,
        "no_show": no_show.pk,
        "option": f"{option.slot.pk}:{option.table.pk}",
        "klaten": klaten.pk,
    }


def cases() -> list[Case]:
    def ev(suffix):
        return lambda o: f"/events/{o['e']}/{suffix}"

    def agenda(key, suffix="/"):
        return lambda o: f"/events/{o['e']}/agenda/{o[key].pk}{suffix}"

    def code(key):
        return lambda o: f"/events/{o['e']}/checkin/{o[key].checkin_code}/"

    def meeting(key, action):
        return lambda o: f"/events/{o['e']}/meetings/{o[key]}/{action}/"

    return [
        # ---- agendas
        Case("my agenda", ev("my-agenda/"), PARTICIPANTS),
        Case("agenda (owner's IKM)", agenda("own"), OWN_AGENDA),
        Case("agenda (buyer)", agenda("buyer"), BUYER_AGENDA),
        Case("agenda (outsider's IKM)", agenda("other"), OTHER_AGENDA),
        Case("agenda PDF", agenda("own", ".pdf"), OWN_AGENDA),
        Case("agenda PDF (buyer)", agenda("buyer", ".pdf"), BUYER_AGENDA),
        Case("agenda iCalendar", agenda("own", ".ics"), OWN_AGENDA),
        Case("agenda iCalendar (buyer)", agenda("buyer", ".ics"), BUYER_AGENDA),
        Case("agenda QR", agenda("own", "/qr.svg"), OWN_AGENDA),
        # ---- signage
        Case("signage", ev("signage/"), MANAGERS),
        Case("signage PDF", ev("signage.pdf"), MANAGERS),
        Case("signage (Klaten event)", lambda o: f"/events/{o['klaten']}/signage/", {"officer", "regional_other"}),
        # ---- check-in
        Case("check-in", ev("checkin/"), MANAGERS),
        Case("check-in search", ev("checkin/?q=logam&partial=results"), MANAGERS),
        Case("check-in (Klaten event)", lambda o: f"/events/{o['klaten']}/checkin/", {"officer", "regional_other"}),
        Case("check-in POST", ev("checkin/"), MANAGERS, method="post", data=lambda o: {"participant": o["own"].pk}),
        Case("QR code page (owner's code)", code("own"), OWN_AGENDA),
        Case("QR code page (buyer's code)", code("buyer"), BUYER_AGENDA),
        Case("QR code check-in POST", code("own"), MANAGERS, method="post", data=lambda o: {}),
        # ---- the board
        Case("board", ev("board/"), MANAGERS),
        Case("board fragment", ev("board/fragment/?slot=2"), MANAGERS),
        Case("board (Klaten event)", lambda o: f"/events/{o['klaten']}/board/", {"officer", "regional_other"}),
        # ---- meeting actions
        Case("held POST", meeting("meeting", "held"), MANAGERS, method="post", data=lambda o: {}),
        Case(
            "no-show POST",
            meeting("meeting", "no-show"),
            MANAGERS,
            method="post",
            data=lambda o: {"side": o["own"].pk},
        ),
        Case(
            "no-show POST (both)",
            meeting("meeting", "no-show"),
            MANAGERS,
            method="post",
            data=lambda o: {"side": "both"},
        ),
        Case("reschedule page", meeting("no_show", "reschedule"), MANAGERS),
        Case(
            "reschedule POST",
            meeting("no_show", "reschedule"),
            MANAGERS,
            method="post",
            data=lambda o: {"option": o["option"]},
        ),
    ]


def test_day_matrix(client_for, people, objects):
    checked = assert_matrix(
        client_for,
        people,
        cases(),
        objects=objects,
        watch=[Meeting, MeetingSeat, Participant, MeetingRequest],
    )
    assert checked == len(cases()) * len(people)


def test_allowed_writes_really_write(client_for, people, objects):
    """The matrix's allowed cases are rolled back; check once that they change what they should."""
    client = client_for(people["regional"])
    client.post(f"/events/{objects['e']}/checkin/{objects['own'].checkin_code}/")
    client.post(f"/events/{objects['e']}/meetings/{objects['no_show']}/reschedule/", {"option": objects["option"]})
    objects["own"].refresh_from_db()
    assert objects["own"].checked_in_at is not None
    assert Meeting.objects.filter(rescheduled_from_id=objects["no_show"]).exists()
