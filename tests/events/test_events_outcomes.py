"""Outcomes of meetings: who records which side, rounds, refusals, the follow-up round and the candidate moves."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jalin.core.models import ObjectChange
from jalin.events import outcomes, services
from jalin.events.models import (
    EventStatus,
    MeetingOutcome,
    MeetingStatus,
    Slot,
)
from jalin.matching.models import Candidate, CandidateEvent, CandidateStatus
from tests.events_factory import make_world
from tests.test_sourcing_services import make_need

pytestmark = pytest.mark.django_db


def shift_to_past(event):
    """Move every slot of ``event`` 30 days back, keeping their order (the meetings are over)."""
    delta = datetime.timedelta(days=30) + (
        Slot.objects.filter(event=event).order_by("index").last().ends_at - timezone.now()
    )
    for slot in Slot.objects.filter(event=event):
        slot.starts_at -= delta
        slot.ends_at -= delta
        slot.save(update_fields=["starts_at", "ends_at"])


@pytest.fixture
def world(people):
    w = make_world(people, status=EventStatus.PUBLISHED)
    slots, tables = w.slots, w.tables
    w.own_meeting = services.book(w.own_request, slots[0], tables[0], actor=None)
    w.other_meeting = services.book(w.other_request, slots[1], tables[0], actor=None)
    services.mark_held(w.own_meeting, actor=None)
    return w


def record(meeting, user, side, **fields):
    values = {"interest": "high", "next_step": "sample", "note": ""}
    values.update(fields)
    return outcomes.record_outcome(meeting, actor=user, participant=side, **values)


def test_a_side_records_its_own_outcome_and_it_is_logged(world, owner):
    before = ObjectChange.objects.count()
    outcome = record(world.own_meeting, owner, world.own, note="  Kirim sampel 10 pcs  ")
    assert (outcome.round, outcome.interest, outcome.next_step, outcome.note) == (
        0,
        "high",
        "sample",
        "Kirim sampel 10 pcs",
    )
    assert outcome.recorded_by == owner
    assert ObjectChange.objects.count() == before + 1
    # recording again in the same round replaces the answer
    again = record(world.own_meeting, owner, world.own, interest="low", next_step="none")
    assert again.pk == outcome.pk and MeetingOutcome.objects.count() == 1
    assert MeetingOutcome.objects.get().next_step == "none"


def test_a_side_cannot_record_the_other_side(world, owner, buyer, outsider, colleague):
    with pytest.raises(PermissionDenied):
        record(world.own_meeting, owner, world.buyer)
    with pytest.raises(PermissionDenied):
        record(world.own_meeting, buyer, world.own)
    with pytest.raises(PermissionDenied):  # a co-participant of the event, not a party of the meeting
        record(world.own_meeting, outsider, world.own)
    assert not MeetingOutcome.objects.exists()
    assert record(world.own_meeting, colleague, world.own).recorded_by == colleague  # same company
    assert record(world.own_meeting, buyer, world.buyer).participant == world.buyer


def test_officers_record_either_side(world, officer, regional, regional_other):
    record(world.own_meeting, officer, world.buyer)
    record(world.own_meeting, regional, world.own)
    assert MeetingOutcome.objects.count() == 2
    with pytest.raises(PermissionDenied):
        record(world.own_meeting, regional_other, world.own)


def test_no_show_cancelled_and_future_meetings_refuse_an_outcome(world, officer, owner, outsider):
    with pytest.raises(ValidationError, match="not taken place yet"):
        record(world.other_meeting, outsider, world.other)
    services.mark_no_show(world.other_meeting, actor=officer, participant=world.other)
    with pytest.raises(ValidationError, match="no-show"):
        record(world.other_meeting, officer, world.buyer)
    services.release(world.own_meeting, status=MeetingStatus.CANCELLED, actor=officer)
    with pytest.raises(ValidationError, match="cancelled"):
        record(world.own_meeting, owner, world.own)
    assert not MeetingOutcome.objects.exists()


def test_a_scheduled_meeting_whose_slot_ended_is_marked_held(world, outsider):
    shift_to_past(world.event)
    record(world.other_meeting, outsider, world.other)
    world.other_meeting.refresh_from_db()
    assert world.other_meeting.status == MeetingStatus.HELD
    change = ObjectChange.objects.filter(object_id=str(world.other_meeting.pk), action="update").latest("pk")
    assert change.actor == outsider and change.after["status"] == "held"


def test_follow_up_round(world, officer, owner):
    first = record(world.own_meeting, owner, world.own, next_step="sample")
    with pytest.raises(PermissionDenied):
        outcomes.open_follow_up(world.event, actor=owner)
    outcomes.open_follow_up(world.event, actor=officer)
    world.event.refresh_from_db()
    assert world.event.follow_up_opened is not None
    with pytest.raises(ValidationError, match="already open"):
        outcomes.open_follow_up(world.event, actor=officer)
    second = record(world.own_meeting, owner, world.own, next_step="mou", interest="high")
    assert second.round == 1 and second.pk != first.pk
    first.refresh_from_db()
    assert first.next_step == "sample"  # the answer at the event stays


def test_follow_up_needs_a_published_event_with_held_meetings(people, officer):
    w = make_world(people, reference="LM-F", status=EventStatus.OPEN)
    with pytest.raises(ValidationError, match="after the event"):
        outcomes.open_follow_up(w.event, actor=officer)
    w.event.status = EventStatus.PUBLISHED
    w.event.save()
    with pytest.raises(ValidationError, match="No meeting has been held"):
        outcomes.open_follow_up(w.event, actor=officer)


# ------------------------------------------------------------------------------------ candidates


@pytest.fixture
def linked(world):
    need = make_need(world.buyer.company, "Muffler assembly")
    candidate = Candidate.objects.create(need=need, company=world.own.company, status=CandidateStatus.INVITED)
    world.own_request.candidate = candidate
    world.own_request.save(update_fields=["candidate"])
    return candidate


def test_an_ikm_outcome_moves_the_candidate_as_the_system_with_a_note(world, linked, owner):
    record(world.own_meeting, owner, world.own, next_step="none")
    linked.refresh_from_db()
    assert linked.status == CandidateStatus.MET
    event = CandidateEvent.objects.filter(candidate=linked).latest("pk")
    assert event.actor is None
    assert event.note.startswith(f"Temu bisnis {world.event.reference}:") and owner.email in event.note
    record(world.own_meeting, owner, world.own, next_step="quotation")
    linked.refresh_from_db()
    assert linked.status == CandidateStatus.EVALUATING


def test_the_buyer_moves_the_candidate_in_its_own_name(world, linked, buyer):
    record(world.own_meeting, buyer, world.buyer, next_step="mou")
    linked.refresh_from_db()
    assert linked.status == CandidateStatus.EVALUATING
    moves = list(CandidateEvent.objects.filter(candidate=linked).order_by("pk"))
    assert [(m.from_status, m.to_status, m.actor) for m in moves[-2:]] == [
        ("invited", "met", buyer),
        ("met", "evaluating", buyer),
    ]


def test_candidates_beyond_evaluation_stay_put(world, linked, buyer):
    Candidate.objects.filter(pk=linked.pk).update(status=CandidateStatus.QUALIFIED)
    record(world.own_meeting, buyer, world.buyer, next_step="mou")
    linked.refresh_from_db()
    assert linked.status == CandidateStatus.QUALIFIED


# ------------------------------------------------------------------------------------ pages


def test_participant_page_shows_own_meetings_and_own_outcome_only(world, client_for, owner, buyer):
    record(world.own_meeting, buyer, world.buyer, note="Buyer's private note")
    page = client_for(owner).get(f"/events/{world.event.pk}/outcomes/")
    assert page.status_code == 200
    html = page.content.decode()
    assert str(world.buyer.company) in html
    assert "Buyer&#x27;s private note" not in html and "Buyer's private note" not in html
    assert f"/events/{world.event.pk}/meetings/{world.own_meeting.pk}/outcome/" in html
    assert f"/meetings/{world.other_meeting.pk}/outcome/" not in html


def test_manager_page_filters_and_counts(world, client_for, officer, buyer, owner):
    shift_to_past(world.event)
    record(world.own_meeting, buyer, world.buyer, next_step="mou")
    record(world.own_meeting, owner, world.own, next_step="mou")
    client = client_for(officer)
    page = client.get(f"/events/{world.event.pk}/outcomes/")
    assert page.status_code == 200
    assert [page.context["counts"][k] for k in ("all", "complete", "missing")] == [2, 1, 1]
    missing = client.get(f"/events/{world.event.pk}/outcomes/?recorded=missing")
    assert [r["meeting"].pk for r in missing.context["rows"]] == [world.other_meeting.pk]
    mou = client.get(f"/events/{world.event.pk}/outcomes/?step=mou")
    assert [r["meeting"].pk for r in mou.context["rows"]] == [world.own_meeting.pk]
    none = client.get(f"/events/{world.event.pk}/outcomes/?step=quotation")
    assert none.context["rows"] == [] and "No meeting matches" in none.content.decode()


def test_record_form_get_and_post(world, client_for, owner):
    client = client_for(owner)
    url = f"/events/{world.event.pk}/meetings/{world.own_meeting.pk}/outcome/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"side": world.own.pk, "interest": "huge", "next_step": "mou"})
    assert bad.status_code == 400 and not MeetingOutcome.objects.exists()
    other_side = client.post(url, {"side": world.buyer.pk, "interest": "high", "next_step": "mou"})
    assert other_side.status_code == 403 and not MeetingOutcome.objects.exists()
    ok = client.post(url, {"side": world.own.pk, "interest": "medium", "next_step": "quotation", "note": "RFQ"})
    assert ok.status_code == 302
    assert MeetingOutcome.objects.get().participant == world.own


def test_record_form_refuses_a_no_show_with_a_message(world, client_for, officer):
    services.mark_no_show(world.other_meeting, actor=officer)
    client = client_for(officer)
    url = f"/events/{world.event.pk}/meetings/{world.other_meeting.pk}/outcome/"
    page = client.get(url)
    assert "no-show" in page.content.decode()
    response = client.post(url, {"side": world.buyer.pk, "interest": "high", "next_step": "mou"}, follow=True)
    assert "no-show" in response.content.decode() and not MeetingOutcome.objects.exists()


def test_follow_up_button(world, client_for, officer, owner):
    record(world.own_meeting, owner, world.own)
    response = client_for(officer).post(f"/events/{world.event.pk}/follow-up/", follow=True)
    assert "follow-up round is open" in response.content.decode()
    page = client_for(owner).get(f"/events/{world.event.pk}/outcomes/")
    html = page.content.decode()
    assert "Follow-up" in html and "At the event" in html
    assert page.context["current_round"] == 1
