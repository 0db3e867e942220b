"""The scheduler fed from the database: what it schedules, what stays put, re-runs, the job and the command."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from jalin.core.jobs import execute, start_job
from jalin.core.models import ObjectChange
from jalin.events import planning, scheduler, services
from jalin.events.models import (
    Meeting,
    MeetingSeat,
    MeetingStatus,
    Participant,
    ParticipantStatus,
    Priority,
    ScheduleRun,
    Session,
)
from tests.events_factory import accepted, company_for, join, make_world

pytestmark = pytest.mark.django_db


def active(event):
    return Meeting.objects.filter(event=event, status__in=["scheduled", "held"])


def test_schedule_books_every_feasible_request_and_checks_out(people):
    world = make_world(people)
    run = planning.schedule_event(world.event, actor=people["officer"], time_limit=5)
    assert run.meetings == 2 and run.unscheduled == 0
    assert run.objective == run.bound and run.gap == 0
    meetings = list(active(world.event))
    assert {m.request_id for m in meetings} == {world.own_request.pk, world.other_request.pk}
    assert all(m.table == world.tables[0] for m in meetings)  # the buyer's fixed table
    assert MeetingSeat.objects.count() == 4
    built = planning.build_problem(world.event)
    assigned = [scheduler.Assignment(m.request_id, m.slot.index, m.table_id) for m in meetings]
    assert scheduler.check(built.problem, assigned) == []
    assert ObjectChange.objects.filter(content_type__model="schedulerun", actor=people["officer"]).exists()


def test_must_meet_wins_when_the_buyer_has_one_meeting_left(people):
    world = make_world(people)
    world.buyer.max_meetings = 1
    world.buyer.save()
    run = planning.schedule_event(world.event, actor=None, time_limit=5)
    assert run.meetings == 1 and run.unscheduled == 1
    assert active(world.event).get().request == world.other_request  # priority "must"


def test_invited_and_cancelled_participants_are_not_scheduled(people):
    world = make_world(people)
    Participant.objects.filter(pk=world.other.pk).update(status=ParticipantStatus.INVITED)
    run = planning.schedule_event(world.event, actor=None, time_limit=5)
    assert run.meetings == 1 and run.details["skipped_requests"] == 1


def test_a_rerun_keeps_what_it_can_and_locked_meetings_stay(people):
    world = make_world(people)
    planning.schedule_event(world.event, actor=None, time_limit=5)
    before = {m.request_id: (m.slot_id, m.table_id) for m in active(world.event)}
    again = planning.schedule_event(world.event, actor=None, time_limit=5)
    assert again.moved == 0 and again.details["created"] == 0 and again.details["removed"] == 0
    assert {m.request_id: (m.slot_id, m.table_id) for m in active(world.event)} == before

    # Lock one meeting in an odd place; a new participant's request must fit around it.
    Meeting.objects.filter(event=world.event).delete()
    services.book(world.own_request, world.slots[5], world.tables[0], actor=None, locked=True)
    late = join(world.event, company_for(people["regional_other"].organisation))
    accepted(world.event, late, world.buyer, priority=Priority.MAYBE)
    run = planning.schedule_event(world.event, actor=None, time_limit=5)
    assert run.meetings == 3
    kept = active(world.event).get(request=world.own_request)
    assert kept.locked and kept.slot == world.slots[5]


def test_unavailable_sessions_are_respected(people):
    world = make_world(people)
    afternoon = Session.objects.get(event=world.event, name="Siang")
    world.buyer.available_sessions.set([afternoon])
    planning.schedule_event(world.event, actor=None, time_limit=5)
    assert {m.slot.session_id for m in active(world.event)} == {afternoon.pk}


def test_nothing_to_schedule_is_a_clear_error_and_writes_nothing(people):
    world = make_world(people)
    world.own_request.status = world.other_request.status = "pending"
    world.own_request.save()
    world.other_request.save()
    with pytest.raises(ValidationError, match="no accepted requests"):
        planning.schedule_event(world.event, actor=None, time_limit=5)
    assert not ScheduleRun.objects.exists()


def test_only_managers_schedule(people):
    from django.core.exceptions import PermissionDenied

    world = make_world(people)
    for name in ("buyer", "owner", "regional_other"):
        with pytest.raises(PermissionDenied):
            planning.schedule_event(world.event, actor=people[name], time_limit=5)
    assert not Meeting.objects.exists()


def test_a_schedule_changed_while_solving_is_not_written(people, monkeypatch):
    world = make_world(people)
    real = scheduler.solve

    def solve_while_someone_books(problem, **kwargs):
        result = real(problem, **kwargs)
        services.book(world.own_request, world.slots[2], world.tables[0], actor=None)
        return result

    monkeypatch.setattr(planning.scheduler, "solve", solve_while_someone_books)
    with pytest.raises(ValidationError, match="Run it again"):
        planning.schedule_event(world.event, actor=None, time_limit=5)
    assert active(world.event).count() == 1  # only the concurrent booking


def test_the_job_reports_progress_and_errors(people):
    world = make_world(people)
    job = start_job(
        kind=planning.SCHEDULE_JOB,
        label="t",
        actor=people["officer"],
        params={"event": world.event.pk, "time_limit": 5},
    )
    job = execute(job)
    assert job.result["ok"] and job.result["meetings"] == 2 and job.done == 100
    Meeting.objects.update(status=MeetingStatus.CANCELLED)
    MeetingSeat.objects.all().delete()
    world.own_request.status = world.other_request.status = "declined"
    world.own_request.save()
    world.other_request.save()
    job = execute(
        start_job(kind=planning.SCHEDULE_JOB, label="t", actor=people["officer"], params={"event": world.event.pk})
    )
    assert job.result["ok"] is False and "accepted requests" in job.result["errors"][0]


def test_command_prints_json_and_rejects_unknown_events(people, capsys):
    world = make_world(people)
    call_command("schedule", world.event.reference, "--time-limit", "5", "--json")
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["event"] == world.event.reference and figures["meetings"] == 2 and figures["gap"] == 0
    call_command("schedule", world.event.reference.lower(), "--time-limit", "5")
    out = capsys.readouterr().out
    assert "meetings" in out and "moved" in out
    with pytest.raises(CommandError, match="No event"):
        call_command("schedule", "NOPE")
    with pytest.raises(CommandError, match="positive"):
        call_command("schedule", world.event.reference, "--time-limit", "0")


def test_conflicting_locked_meetings_are_reported_and_nothing_is_removed(people):
    world = make_world(people)
    services.book(world.own_request, world.slots[0], world.tables[0], actor=None, locked=True)
    services.book(world.other_request, world.slots[1], world.tables[0], actor=None, locked=True)
    # The buyer can no longer meet in the morning: both locked meetings are now impossible.
    afternoon = Session.objects.get(event=world.event, name="Siang")
    world.buyer.available_sessions.set([afternoon])
    with pytest.raises(ValidationError):
        planning.schedule_event(world.event, actor=None, time_limit=5)
    assert active(world.event).count() == 2


def test_slots_that_have_started_take_no_new_meetings(people, monkeypatch):
    import datetime

    from django.utils import timezone

    world = make_world(people)
    slots = world.slots
    held = services.book(world.own_request, slots[0], world.tables[0], actor=None)
    services.mark_held(held, actor=None)
    # The day is under way: slots 1–4 have started, 5 and 6 are still to come.
    now = slots[3].starts_at + datetime.timedelta(minutes=5)
    built = planning.build_problem(world.event, now=now)
    by_id = {p.id: p.available for p in built.problem.participants}
    assert by_id[world.other.pk] == {5, 6}
    assert by_id[world.own.pk] == {1, 5, 6}  # its held meeting's slot stays its own
    monkeypatch.setattr(timezone, "now", lambda: now)
    planning.schedule_event(world.event, actor=None, time_limit=5)
    other = active(world.event).get(request=world.other_request)
    assert other.slot.index in (5, 6)
    assert active(world.event).get(request=world.own_request).slot == slots[0]  # the held one stays
