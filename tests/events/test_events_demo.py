"""The demo events: the 2018 Link and Match with its real signing pairs, and the generated 2019 event."""

from __future__ import annotations

import time

import icalendar
import pytest

from jalin.accounts.models import User
from jalin.companies.models import BuyerType, Company, CompanyKind, Verification
from jalin.core.models import ObjectChange
from jalin.demo.loader import load_demo
from jalin.events import agenda, demo, planning, scheduler
from jalin.events.models import (
    ACTIVE_MEETING,
    Event,
    EventStatus,
    Meeting,
    MeetingOutcome,
    MeetingRequest,
    MeetingStatus,
    Participant,
    ParticipantSide,
    ParticipantStatus,
)
from jalin.events.stats import event_stats
from jalin.matching.index import reset_index
from jalin.matching.models import Candidate

pytestmark = pytest.mark.django_db

#: Real companies (and groups) whose names an invented buyer must never take.
REAL_NAMES = ("astra", "denso", "toyota", "honda", "yamaha", "suzuki", "daihatsu", "komatsu", "indomobil", "gajah")


@pytest.fixture
def loaded(monkeypatch):
    """The registry demo (with a population large enough for 100 IKM), then the events, timed. The matching
    index is per process: start from a fresh one (the demo ranks the demo needs to invite candidates)."""
    reset_index()
    timings = {}
    real = demo.load_demo_events

    def timed(report):
        started = time.monotonic()
        result = real(report)
        timings["events"] = time.monotonic() - started
        return result

    monkeypatch.setattr(demo, "load_demo_events", timed)
    messages = []
    load_demo(messages.append, companies=300)
    yield {"messages": messages, "seconds": timings.get("events")}
    reset_index()


def test_the_demo_events(loaded):
    """One load (it takes a while) checked from every side."""
    check_load_is_reported(loaded)
    check_lm_2018_has_the_real_signing_pairs()
    check_the_invented_buyers()
    check_lm_2019_is_big_enough_and_has_the_demo_users_meeting()
    check_the_schedule_is_feasible_and_the_demo_users_have_agendas()
    check_outcomes_moved_the_invited_candidates()
    check_a_second_run_writes_nothing()


def check_load_is_reported(loaded):
    # How long it takes is reported (and measured by `time jalin demo`), not asserted: no timed unit tests.
    assert loaded["seconds"] is not None
    created = [m for m in loaded["messages"] if m.startswith("demo events:")]
    assert any("LM-2018 created" in m for m in created) and any("LM-2019 created" in m for m in created), created


def check_lm_2018_has_the_real_signing_pairs():
    event = Event.objects.get(reference="LM-2018")
    assert event.status == EventStatus.CLOSED and event.follow_up_opened
    mou_pairs = set()
    for outcome in MeetingOutcome.objects.filter(meeting__event=event, round=0, next_step="mou").select_related(
        "meeting__request__requester__company", "meeting__request__recipient__company"
    ):
        r = outcome.meeting.request
        mou_pairs.add((r.recipient.company.legal_name, r.requester.company.legal_name))
    assert mou_pairs == set(demo.SIGNED_2018)
    assert not Meeting.objects.filter(event=event).exclude(status=MeetingStatus.HELD).exists()
    assert MeetingOutcome.objects.filter(meeting__event=event, round=1).exists()


def check_the_invented_buyers():
    invented = Company.objects.filter(nib__startswith=demo.INVENTED_NIB_PREFIX)
    assert invented.count() == len(demo.BUYERS_2019) == 27
    nibs = list(invented.values_list("nib", flat=True))
    assert all(len(n) == 13 and n.isdigit() and not n.startswith(("91", "812")) for n in nibs)
    assert len(set(nibs)) == len(nibs)
    names = [c.legal_name.lower() for c in invented]
    assert not [n for n in names if any(real in n for real in REAL_NAMES)], names
    assert all(c.kind == CompanyKind.INDUSTRY and c.verification == Verification.VERIFIED for c in invented)
    assert {c.buyer_type for c in invented} >= {
        BuyerType.APM_4W,
        BuyerType.APM_2W,
        BuyerType.TIER_1,
        BuyerType.TIER_2,
        BuyerType.HEAVY,
        BuyerType.APPLIANCE,
    }
    for company in invented:
        assert company.processes.exists() and company.materials.exists() and company.product_items.exists()
        assert company.certifications.filter(certification_type__code="iso-9001").exists()
    assert invented.values("region").distinct().count() >= 8  # spread over the industrial areas
    # written through the registry services: logged
    assert ObjectChange.objects.filter(content_type__model="company", object_id__in=[str(c.pk) for c in invented])


def check_lm_2019_is_big_enough_and_has_the_demo_users_meeting():
    event = Event.objects.get(reference="LM-2019")
    assert event.status == EventStatus.PUBLISHED
    assert Participant.objects.filter(event=event, side=ParticipantSide.IKM).count() >= 100
    assert Participant.objects.filter(event=event, side=ParticipantSide.BUYER).count() >= 30
    assert Participant.objects.filter(event=event, side=ParticipantSide.BUYER, fixed_table__isnull=False).count() == 20
    assert Meeting.objects.filter(event=event, status__in=ACTIVE_MEETING).count() >= 300
    regions = Participant.objects.filter(event=event, side=ParticipantSide.IKM).values("company__region").distinct()
    assert regions.count() >= 5  # spread over the clusters
    dharma = Participant.objects.get(event=event, company__legal_name=demo.DHARMA)
    sadiyah = Participant.objects.get(event=event, company__legal_name=demo.SADIYAH)
    assert User.objects.filter(email="buyer@jalin.demo", organisation=dharma.company.organisation).exists()
    assert User.objects.filter(email="ikm@jalin.demo", organisation=sadiyah.company.organisation).exists()
    theirs = Meeting.objects.filter(event=event, request__requester=sadiyah, request__recipient=dharma)
    assert theirs.filter(status=MeetingStatus.HELD).exists()
    assert Meeting.objects.filter(event=event, seats__participant=dharma).count() >= 5
    # ikm@jalin.demo still has an outcome to record
    assert not MeetingOutcome.objects.filter(meeting__in=theirs, participant=sadiyah).exists()
    stats = event_stats(event)
    assert stats.requests > 400 and 0.1 < stats.mutual / stats.requests < 0.35
    assert stats.by_status.get("declined") and stats.by_status.get("expired")
    assert not stats.by_status.get("pending")  # publishing expired what was still pending
    assert 0.6 < stats.by_status["accepted"] / stats.requests < 0.8
    asked_by_buyers = MeetingRequest.objects.filter(event=event, requester__side=ParticipantSide.BUYER).count()
    assert 0.1 < asked_by_buyers / stats.requests < 0.4
    assert stats.held > 250 and stats.no_show > 0 and stats.rescheduled > 0
    assert sum(stats.outcomes[0].values()) > 300
    assert MeetingRequest.objects.filter(event=event, mutual=True, status="accepted").count() == stats.mutual


def check_the_schedule_is_feasible_and_the_demo_users_have_agendas():
    event = Event.objects.get(reference="LM-2019")
    built = planning.build_problem(event)
    active = Meeting.objects.filter(event=event, status__in=ACTIVE_MEETING).select_related("slot")
    assignments = [scheduler.Assignment(request_id=m.request_id, slot=m.slot.index, table=m.table_id) for m in active]
    assert len(assignments) >= 300 and scheduler.check(built.problem, assignments) == []
    for email in ("buyer@jalin.demo", "ikm@jalin.demo"):
        user = User.objects.get(email=email)
        participant = Participant.objects.get(
            event=event, company__organisation=user.organisation, status=ParticipantStatus.REGISTERED
        )
        assert sum(day.meetings for day in agenda.agenda(participant)) >= 2
        calendar = icalendar.Calendar.from_ical(agenda.ical(participant))
        assert len(calendar.walk("VEVENT")) == agenda.meetings_of(participant).count() >= 1


def check_outcomes_moved_the_invited_candidates():
    event = Event.objects.get(reference="LM-2019")
    linked = MeetingRequest.objects.filter(event=event, candidate__isnull=False)
    assert linked.count() >= 10
    assert all(r.requester.side == ParticipantSide.IKM for r in linked.select_related("requester"))
    assert all(r.candidate.company_id == r.requester.company_id for r in linked.select_related("candidate"))
    stats = event_stats(event)
    assert stats.candidates_met + stats.candidates_evaluating >= 10
    assert Candidate.objects.filter(pk__in=linked.values("candidate"), status="evaluating").exists()


def counts():
    return (
        ObjectChange.objects.count(),
        Company.objects.count(),
        Candidate.objects.count(),
        MeetingRequest.objects.count(),
        Meeting.objects.count(),
        MeetingOutcome.objects.count(),
    )


def check_a_second_run_writes_nothing():
    before = counts()
    messages = []
    result = demo.load_demo_events(messages.append)
    assert result.created == [] and set(result.existing) == {"LM-2018", "LM-2019"}
    assert counts() == before
    assert messages == ["demo events: LM-2018, LM-2019 already there"]
    load_demo(companies=300)  # the whole demo again, as a second `jalin demo`
    assert counts() == before


def test_a_small_registry_gets_no_2019_event_and_no_invented_buyers(db):
    reset_index()
    messages = []
    load_demo(messages.append, companies=40)
    assert Event.objects.filter(reference="LM-2018").exists() and not Event.objects.filter(reference="LM-2019")
    assert any(m.startswith("demo events: LM-2019 skipped (only") for m in messages), messages
    assert not Company.objects.filter(nib__startswith=demo.INVENTED_NIB_PREFIX).exists()
    assert not Candidate.objects.exists()
    reset_index()


def test_without_the_registry_demo_nothing_is_made(db):
    messages = []
    result = demo.load_demo_events(messages.append)
    assert result.skipped == ["LM-2018", "LM-2019"] and not Event.objects.exists()
