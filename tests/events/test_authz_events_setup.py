"""Authorisation matrix over every event setup and request route, for every named user. The event is in Tegal
(the regional officer's area) and open; the owner's and the outsider's IKM and the buyer take part. A denied
request answers 403 or 404 (anonymous: the sign-in page) and changes nothing."""

from __future__ import annotations

import pytest

from jalin.events import setup
from jalin.events.models import (
    Event,
    Meeting,
    MeetingRequest,
    MeetingTable,
    Participant,
    Representative,
    Session,
    Slot,
)
from jalin.matching.models import Candidate
from tests.authz import Case, assert_matrix
from tests.events.test_events_setup import _need_with_shortlist
from tests.events_factory import make_world

pytestmark = pytest.mark.django_db

SIGNED_IN = frozenset({"officer", "regional", "regional_other", "owner", "colleague", "outsider", "buyer", "assessor"})
MANAGERS = frozenset({"officer", "regional"})
COMPANIES = frozenset({"owner", "colleague", "outsider", "buyer"})
PARTY = MANAGERS | COMPANIES
OWN = MANAGERS | {"owner", "colleague"}


def cases() -> list[Case]:
    def ev(suffix=""):
        return lambda o: f"/events/{o['event'].pk}/{suffix}"

    return [
        Case("list", lambda o: "/events/", SIGNED_IN),
        Case("list filtered", lambda o: "/events/?status=open&year=2030&q=LM&sort=-name", SIGNED_IN),
        Case("add", lambda o: "/events/new/", MANAGERS | {"regional_other"}),
        Case("detail", ev(), SIGNED_IN),
        Case("detail (draft)", lambda o: f"/events/{o['draft'].pk}/", {"officer", "regional"}),
        Case("edit", ev("edit/"), MANAGERS),
        Case(
            "edit POST",
            ev("edit/"),
            MANAGERS,
            method="post",
            data=lambda o: {
                "reference": "LM-T",
                "name": "Renamed",
                "venue": "Hall",
                "region": o["event"].region_id,
                "starts_on": "2030-03-12",
                "ends_on": "2030-03-12",
                "timezone": "Asia/Jakarta",
                "slot_minutes": 20,
                "max_meetings": 10,
            },
        ),
        Case("delete page", ev("delete/"), {"officer"}),
        Case(
            "delete POST (draft)",
            lambda o: f"/events/{o['draft'].pk}/delete/",
            {"officer"},
            method="post",
            data=lambda o: {},
        ),
        Case("history", ev("history/"), MANAGERS),
        Case("status POST", ev("status/"), MANAGERS, method="post", data=lambda o: {"status": "published"}),
        Case("sessions", ev("sessions/"), MANAGERS),
        Case(
            "sessions POST",
            ev("sessions/"),
            MANAGERS,
            method="post",
            data=lambda o: {"name": "Sore", "date": "2030-03-12", "start": "15:00", "end": "16:00"},
        ),
        Case("tables", ev("tables/"), MANAGERS),
        Case(
            "tables POST", ev("tables/"), MANAGERS, method="post", data=lambda o: {"action": "add", "label": "Meja 9"}
        ),
        Case("participants", ev("participants/"), SIGNED_IN),
        Case("participants search", ev("participants/?company=Logam&side=ikm&q=a"), SIGNED_IN),
        Case(
            "participants POST cancel",
            ev("participants/"),
            MANAGERS,
            method="post",
            data=lambda o: {"action": "cancel", "participant": o["other"].pk},
        ),
        Case("participant (own)", lambda o: f"/events/{o['event'].pk}/participants/{o['own'].pk}/", PARTY),
        Case("participant edit (own)", lambda o: f"/events/{o['event'].pk}/participants/{o['own'].pk}/edit/", OWN),
        Case(
            "participant edit POST (own)",
            lambda o: f"/events/{o['event'].pk}/participants/{o['own'].pk}/edit/",
            OWN,
            method="post",
            data=lambda o: {"max_meetings": 5, "note": "x"},
        ),
        Case(
            "representative add",
            lambda o: f"/events/{o['event'].pk}/participants/{o['own'].pk}/representatives/new/",
            OWN,
            method="post",
            data=lambda o: {"name": "Budi", "position": "Direktur"},
        ),
        Case(
            "representative delete",
            lambda o: f"/events/{o['event'].pk}/participants/{o['own'].pk}/representatives/{o['rep'].pk}/delete/",
            OWN,
            method="post",
            data=lambda o: {},
        ),
        Case("register POST", ev("register/"), COMPANIES, method="post", data=lambda o: {}),
        Case("decline POST", ev("decline/"), COMPANIES, method="post", data=lambda o: {}),
        Case("invite", ev("invite/"), MANAGERS),
        Case(
            "invite POST",
            ev("invite/"),
            MANAGERS,
            method="post",
            data=lambda o: {"candidate": o["candidate"].pk},
        ),
        Case("requests", ev("requests/"), PARTY),
        Case("requests filtered", ev("requests/?box=out&status=accepted&priority=must&mutual=1"), PARTY),
        Case("request form", lambda o: f"/events/{o['event'].pk}/requests/new/?to={o['buyer'].pk}", COMPANIES),
        Case(
            "request POST (to the buyer)",
            lambda o: f"/events/{o['event'].pk}/requests/new/",
            COMPANIES,
            method="post",
            data=lambda o: {"to": o["buyer"].pk, "priority": "want"},
            allowed_status=frozenset({200, 302, 400}),
        ),
        Case(
            "request from candidate",
            lambda o: f"/events/{o['event'].pk}/requests/from-candidate/{o['candidate'].pk}/",
            {"officer", "buyer"},
            method="post",
            data=lambda o: {"priority": "must"},
        ),
        Case(
            "respond (to the buyer)",
            lambda o: f"/events/{o['event'].pk}/requests/{o['own_request'].pk}/respond/",
            MANAGERS | {"buyer"},
            method="post",
            data=lambda o: {"answer": "decline", "reason": "no"},
        ),
        Case(
            "withdraw (owner's)",
            lambda o: f"/events/{o['event'].pk}/requests/{o['own_request'].pk}/withdraw/",
            OWN,
            method="post",
            data=lambda o: {},
        ),
    ]


def test_events_setup_matrix(people, client_for):
    world = make_world(people)
    _need, candidate = _need_with_shortlist(people, world)
    setup.invite(world.event, [candidate], actor=None)
    MeetingRequest.objects.filter(candidate=candidate).delete()
    from jalin.matching.models import CandidateStatus

    Candidate.objects.filter(pk=candidate.pk).update(status=CandidateStatus.SHORTLISTED)
    draft = Event.objects.create(
        reference="DRAFT-1",
        name="Draft",
        venue="X",
        region=world.event.region,
        starts_on=world.event.starts_on,
        ends_on=world.event.ends_on,
    )
    rep = Representative.objects.create(participant=world.own, name="Sari")
    objects = {
        "event": world.event,
        "draft": draft,
        "own": world.own,
        "other": world.other,
        "buyer": world.buyer,
        "own_request": world.own_request,
        "candidate": candidate,
        "rep": rep,
    }
    checked = assert_matrix(
        client_for,
        people,
        cases(),
        objects=objects,
        watch=[Event, Session, Slot, MeetingTable, Participant, Representative, MeetingRequest, Meeting, Candidate],
    )
    assert checked == len(cases()) * len(people)
