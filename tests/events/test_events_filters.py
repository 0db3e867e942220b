"""The filters of the events list pages (django-filter FilterSets in ``jalin.events.filters``): each query
parameter filters as before, and a value that does not validate is ignored — the page answers 200 with that
filter left out and shown empty — never a server error."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jalin.companies.services import derive
from jalin.events import outcomes, services
from jalin.events.filters import EventFilter, OutcomeFilter, ParticipantFilter, RequestFilter
from jalin.events.models import Event, EventStatus, MeetingRequest, OutcomeRound, Participant, Priority, RequestStatus
from tests.events.test_events_outcomes import shift_to_past
from tests.events_factory import company_for, make_event, make_world

pytestmark = pytest.mark.django_db

NUL = "a\x00b"


def listed(response) -> list:
    return list(response.context["page"].object_list)


# ------------------------------------------------------------------------------------------- events list


@pytest.fixture
def events(db):
    draft = make_event(reference="LM-DRAFT", status=EventStatus.DRAFT)
    open_ = make_event(reference="LM-OPEN", status=EventStatus.OPEN)
    later = make_event(reference="KR-LATER", status=EventStatus.OPEN)
    later.starts_on = later.ends_on = datetime.date(2031, 5, 1)
    later.venue = "Balai Kota"
    later.save(update_fields=["starts_on", "ends_on", "venue"])
    return {"draft": draft, "open": open_, "later": later}


def test_event_list_filters_by_status_year_and_search(events, client_for, officer):
    client = client_for(officer)
    by_status = client.get("/events/?status=draft")
    assert [e.reference for e in listed(by_status)] == ["LM-DRAFT"]
    assert by_status.context["filters"] == {"status": "draft", "year": "", "q": "", "active": True}
    by_year = client.get("/events/?year=2031")
    assert [e.reference for e in listed(by_year)] == ["KR-LATER"]
    assert by_year.context["filters"]["year"] == "2031"
    by_venue = client.get("/events/?q=+balai+")
    assert [e.reference for e in listed(by_venue)] == ["KR-LATER"] and by_venue.context["filters"]["q"] == "balai"
    by_reference = client.get("/events/?q=lm-&status=open&year=2030")
    assert [e.reference for e in listed(by_reference)] == ["LM-OPEN"]
    assert client.get("/events/").context["filters"] == {"status": "", "year": "", "q": "", "active": False}


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "year=abc",
        "year=-1",
        "year=0",
        "year=99999",
        "year=999999999999999999999999",
        "year=2030.5",
        f"q={NUL}",
        "status=&year=&q=",
    ],
)
def test_event_list_ignores_an_invalid_filter(events, client_for, officer, query):
    response = client_for(officer).get("/events/", dict(pair.split("=", 1) for pair in query.split("&")))
    assert response.status_code == 200
    assert len(listed(response)) == 3
    assert response.context["filters"] == {"status": "", "year": "", "q": "", "active": False}


def test_event_list_keeps_the_valid_filters_beside_an_invalid_one(events, client_for, officer):
    response = client_for(officer).get("/events/", {"status": "open", "year": "nineteen", "q": "LM"})
    assert response.status_code == 200
    assert [e.reference for e in listed(response)] == ["LM-OPEN"]
    assert response.context["filters"] == {"status": "open", "year": "", "q": "LM", "active": True}


def test_event_filter_on_its_own(events):
    everything = Event.objects.all()
    assert EventFilter({"year": "2031"}, everything).qs.get() == events["later"]
    assert EventFilter({"year": "10000"}, everything).qs.count() == 3
    assert EventFilter({"status": "closed"}, everything).qs.count() == 0
    assert EventFilter({}, everything).values()["active"] is False


# ------------------------------------------------------------------------------------------ participants


def participants_url(world) -> str:
    return f"/events/{world.event.pk}/participants/"


def test_participant_list_filters(people, client_for):
    world = make_world(people)
    world.other.checked_in_at = timezone.now()
    world.other.save(update_fields=["checked_in_at"])
    client = client_for(people["officer"])
    url = participants_url(world)
    assert set(listed(client.get(url, {"side": "ikm"}))) == {world.own, world.other}
    assert listed(client.get(url, {"side": "buyer"})) == [world.buyer]
    assert listed(client.get(url, {"checked_in": "1"})) == [world.other]
    assert set(listed(client.get(url, {"checked_in": "0"}))) == {world.buyer, world.own}
    assert listed(client.get(url, {"q": " logam "})) == [world.own]
    assert listed(client.get(url, {"status": "invited"})) == []
    response = client.get(url, {"side": "ikm", "status": "registered", "checked_in": "0", "q": "PT"})
    assert listed(response) == [world.own]
    assert response.context["filters"] == {
        "q": "PT",
        "side": "ikm",
        "status": "registered",
        "checked_in": "0",
        "active": True,
    }


def test_adding_a_participant_searches_the_registry_by_words_and_nib(people, client_for):
    """The officer's "add a company" search: words of the name or products and NIB prefixes, the companies
    not yet taking part, in name order; nothing for a word no company has."""
    world = make_world(people)
    newcomer = company_for(people["assessor"].organisation)
    newcomer.products = "Knalpot racing"
    derive(newcomer)  # as every write through the services does: the search reads search_text
    newcomer.save()
    client = client_for(people["officer"])

    def found(q: str) -> list:
        return client.get(participants_url(world), {"company": q}).context["companies"]

    assert found(newcomer.legal_name.split()[-1]) == [newcomer]
    assert found("knal") == [newcomer]
    assert found(newcomer.nib[:7]) == [newcomer]
    assert found(world.own.company.nib) == []  # already taking part
    assert found("zzzq") == []
    assert found("%%") == found("--") == []  # no word to look for


@pytest.mark.parametrize(
    "params",
    [{"side": "seller"}, {"status": "maybe"}, {"checked_in": "yes"}, {"checked_in": "2"}, {"q": NUL}],
)
def test_participant_list_ignores_an_invalid_filter(people, client_for, params):
    world = make_world(people)
    response = client_for(people["officer"]).get(participants_url(world), params)
    assert response.status_code == 200
    assert len(listed(response)) == 3
    assert response.context["filters"] == {"q": "", "side": "", "status": "", "checked_in": "", "active": False}


def test_participant_filter_on_its_own(people):
    world = make_world(people)
    everyone = Participant.objects.filter(event=world.event)
    assert ParticipantFilter({"checked_in": "1"}, everyone).qs.count() == 0
    assert ParticipantFilter({"checked_in": "nope"}, everyone).qs.count() == 3


# -------------------------------------------------------------------------------------- meeting requests


def test_request_list_filters(people, client_for):
    world = make_world(people)
    MeetingRequest.objects.filter(pk=world.own_request.pk).update(mutual=True)
    client = client_for(people["officer"])
    url = f"/events/{world.event.pk}/requests/"
    assert listed(client.get(url, {"priority": "must"})) == [world.other_request]
    assert listed(client.get(url, {"mutual": "1"})) == [world.own_request]
    assert listed(client.get(url, {"q": "klaten"})) == [world.other_request]
    assert listed(client.get(url, {"status": "pending"})) == []
    response = client.get(url, {"status": "accepted", "priority": "want", "q": "otomotif"})
    assert listed(response) == [world.own_request]
    assert response.context["filters"] == {
        "q": "otomotif",
        "status": "accepted",
        "priority": "want",
        "mutual": "",
        "active": True,
    }


@pytest.mark.parametrize(
    "params",
    [{"status": "lost"}, {"priority": "urgent"}, {"mutual": "0"}, {"mutual": "yes"}, {"q": NUL}, {"box": "nope"}],
)
def test_request_list_ignores_an_invalid_filter(people, client_for, params):
    world = make_world(people)
    response = client_for(people["officer"]).get(f"/events/{world.event.pk}/requests/", params)
    assert response.status_code == 200
    assert len(listed(response)) == 2
    assert response.context["filters"] == {"q": "", "status": "", "priority": "", "mutual": "", "active": False}


def test_request_filter_on_its_own(people):
    world = make_world(people)
    every = MeetingRequest.objects.filter(event=world.event)
    assert RequestFilter({"status": RequestStatus.ACCEPTED, "priority": Priority.MUST}, every).qs.get() == (
        world.other_request
    )
    assert RequestFilter({"priority": "urgent"}, every).qs.count() == 2


# ---------------------------------------------------------------------------------------------- check-in


@pytest.mark.parametrize("query", [NUL, "   "])
def test_checkin_search_ignores_an_invalid_or_blank_query(people, client_for, query):
    world = make_world(people)
    response = client_for(people["officer"]).get(f"/events/{world.event.pk}/checkin/", {"q": query})
    assert response.status_code == 200
    assert response.context["results"] is None and response.context["query"] == ""


def test_checkin_search_is_cut_to_100_characters(people, client_for):
    world = make_world(people)
    client = client_for(people["officer"])
    found = client.get(f"/events/{world.event.pk}/checkin/", {"q": " Logam" + "x" * 200})
    assert found.context["query"] == "Logam" + "x" * 95
    assert list(found.context["results"]) == []
    hit = client.get(f"/events/{world.event.pk}/checkin/", {"q": " logam "})
    assert hit.context["query"] == "logam" and list(hit.context["results"]) == [world.own]


# ---------------------------------------------------------------------------------------------- outcomes


@pytest.fixture
def held(people):
    world = make_world(people, status=EventStatus.PUBLISHED)
    world.own_meeting = services.book(world.own_request, world.slots[0], world.tables[0], actor=None)
    world.other_meeting = services.book(world.other_request, world.slots[1], world.tables[0], actor=None)
    shift_to_past(world.event)
    for user, side in ((people["buyer"], world.buyer), (people["owner"], world.own)):
        outcomes.record_outcome(
            world.own_meeting, actor=user, participant=side, interest="high", next_step="mou", note=""
        )
    return world


@pytest.mark.parametrize(
    "params",
    [{"recorded": "all"}, {"step": "lunch"}, {"round": "1"}, {"round": "x"}, {"round": "-1"}, {"step": NUL}],
)
def test_outcome_list_ignores_an_invalid_filter(held, client_for, officer, params):
    response = client_for(officer).get(f"/events/{held.event.pk}/outcomes/", params)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 2
    assert response.context["filters"] == {"recorded": "", "step": "", "round": "0", "active": False}
    assert not response.context["filtered"]
    assert [response.context["counts"][k] for k in ("all", "complete", "missing")] == [2, 1, 1]


def test_outcome_list_filters_in_the_round_chosen(held, client_for, officer):
    client = client_for(officer)
    url = f"/events/{held.event.pk}/outcomes/"
    complete = client.get(url, {"recorded": "complete", "round": "0"})
    assert [r["meeting"].pk for r in complete.context["rows"]] == [held.own_meeting.pk]
    assert complete.context["filters"] == {"recorded": "complete", "step": "", "round": "0", "active": True}
    outcomes.open_follow_up(held.event, actor=officer)
    follow_up = client.get(url, {"step": "mou"})  # the follow-up round is now the current one: no answers yet
    assert follow_up.context["filters"]["round"] == str(OutcomeRound.FOLLOW_UP)
    assert follow_up.context["rows"] == []
    at_event = client.get(url, {"step": "mou", "round": "0"})
    assert [r["meeting"].pk for r in at_event.context["rows"]] == [held.own_meeting.pk]


def test_outcome_filter_on_its_own(held):
    found = OutcomeFilter(
        {"round": "1", "recorded": "missing"},
        held.event.meetings.all(),
        event=held.event,
        rounds=[OutcomeRound.EVENT],
        current=OutcomeRound.EVENT,
    )
    assert found.round == 0  # round 1 is not open: the current round
    assert list(found.qs) == [held.other_meeting]
