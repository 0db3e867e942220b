"""From the database to the scheduler and back: build the problem of an event, solve it, write the meetings.

The pure core (:mod:`jalin.events.scheduler`) knows nothing of Django; this module feeds it the event's
registered participants, their available slots and caps, fixed tables and accepted requests, keeps locked
meetings (and those already held or under way) where they are, and passes the current schedule as
``previous`` so that a re-run moves as few meetings as possible.

Writing the result is one transaction under a lock on the event row. If the schedule changed while the
solver ran (someone booked or cancelled a meeting), nothing is written and the run says so: run it again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jalin.core.jobs import job_handler
from jalin.core.models import ChangeAction
from jalin.core.services import ensure_can, log_change, snapshot

from . import scheduler
from .models import (
    ACTIVE_MEETING,
    Event,
    Meeting,
    MeetingRequest,
    MeetingSeat,
    MeetingStatus,
    MeetingTable,
    Participant,
    ParticipantStatus,
    RequestStatus,
    ScheduleRun,
    Slot,
)

SCHEDULE_JOB = "events.schedule"
#: Time limits an officer may choose on the page; the command line takes any positive value.
TIME_LIMITS = (10, 30, 60, 120)


@dataclass
class Built:
    """The problem and what its ids stand for."""

    problem: scheduler.Problem
    slots: dict[int, Slot]  # scheduler slot index -> Slot
    requests: dict[int, MeetingRequest]
    kept: dict[int, Meeting] = field(default_factory=dict)  # request id -> active meeting (locked or not)
    fingerprint: tuple = ()
    skipped_requests: int = 0  # accepted requests with a side that is not registered


def _fingerprint(event: Event) -> tuple:
    """Changes to the event's meetings between building and writing show up here."""
    agg = Meeting.objects.filter(event=event).aggregate(n=Count("pk"), last=Max("updated"))
    return (agg["n"], agg["last"])


def build_problem(event: Event, *, now=None) -> Built:
    now = now or timezone.now()
    slot_rows = list(Slot.objects.filter(event=event).order_by("index"))
    slots = {s.index: s for s in slot_rows}
    sched_slots = [scheduler.Slot(index=s.index, session=s.session_id) for s in slot_rows]
    tables = [scheduler.Table(id=t.pk) for t in MeetingTable.objects.filter(event=event)]
    by_session: dict[int, list[int]] = {}
    for s in slot_rows:
        by_session.setdefault(s.session_id, []).append(s.index)
    every = frozenset(slots)

    registered = (
        Participant.objects.filter(event=event, status=ParticipantStatus.REGISTERED)
        .prefetch_related("available_sessions")
        .select_related("event")
    )
    # Available slots per participant: its sessions (none ticked = all), and only slots still to come —
    # a slot that has started takes no new meeting (its own locked or held meetings stay, below).
    future = frozenset(s.index for s in slot_rows if s.starts_at > now)
    base: dict[int, tuple[frozenset, object]] = {}
    for p in registered:
        sessions = [s.pk for s in p.available_sessions.all()]
        available = frozenset(i for sid in sessions for i in by_session.get(sid, ())) if sessions else every
        base[p.pk] = (available, p)
    ids = set(base)

    accepted = list(MeetingRequest.objects.filter(event=event, status=RequestStatus.ACCEPTED).order_by("created", "pk"))
    requests = {}
    sched_requests = []
    skipped = 0
    for order, r in enumerate(accepted):
        if r.requester_id not in ids or r.recipient_id not in ids:
            skipped += 1
            continue
        requests[r.pk] = r
        sched_requests.append(
            scheduler.Request(
                id=r.pk, a=r.requester_id, b=r.recipient_id, priority=r.priority, mutual=r.mutual, order=order
            )
        )

    locked, previous, kept = [], [], {}
    for m in Meeting.objects.filter(event=event, status__in=ACTIVE_MEETING).select_related("slot"):
        if m.request_id not in requests:
            continue
        kept[m.request_id] = m
        assignment = scheduler.Assignment(request_id=m.request_id, slot=m.slot.index, table=m.table_id)
        # Held meetings, meetings under way or past, and locked ones stay where they are.
        if m.locked or m.status == MeetingStatus.HELD or m.slot.starts_at <= now:
            locked.append(assignment)
        else:
            previous.append(assignment)
    kept_slots: dict[int, set[int]] = {}
    for a in locked:
        request = requests[a.request_id]
        for pid in (request.requester_id, request.recipient_id):
            kept_slots.setdefault(pid, set()).add(a.slot)
    participants = [
        scheduler.Participant(
            id=pid,
            available=available & (future | kept_slots.get(pid, set())),
            max_meetings=p.cap,
            fixed_table=p.fixed_table_id,
        )
        for pid, (available, p) in base.items()
    ]
    problem = scheduler.Problem(
        slots=sched_slots,
        tables=tables,
        participants=participants,
        requests=sched_requests,
        locked=locked,
        previous=previous,
    )
    return Built(problem, slots, requests, kept, _fingerprint(event), skipped)


def _write(event: Event, built: Built, result: scheduler.Result) -> tuple[int, int]:
    """Make the event's active meetings equal to ``result``; returns (created, removed)."""
    wanted = {a.request_id: a for a in result.assignments}
    remove = []
    for request_id, meeting in built.kept.items():
        a = wanted.get(request_id)
        if a is not None and a.slot == meeting.slot.index and a.table == meeting.table_id:
            del wanted[request_id]
        else:
            remove.append(meeting.pk)
    # Meetings the solver moved or dropped were never held (held and past ones are locked): remove them.
    MeetingSeat.objects.filter(meeting_id__in=remove).delete()
    Meeting.objects.filter(pk__in=remove).delete()
    new = [
        Meeting(
            event=event,
            request_id=a.request_id,
            slot=built.slots[a.slot],
            table_id=a.table,
            status=MeetingStatus.SCHEDULED,
        )
        for a in wanted.values()
    ]
    Meeting.objects.bulk_create(new, batch_size=1000)
    # bulk_create sets primary keys on PostgreSQL and SQLite ≥ 3.35; read them back to be safe elsewhere.
    created = {
        m.request_id: m
        for m in Meeting.objects.filter(event=event, request_id__in=wanted, status=MeetingStatus.SCHEDULED)
    }
    seats = []
    for request_id, a in wanted.items():
        meeting = created[request_id]
        request = built.requests[request_id]
        slot = built.slots[a.slot]
        seats.append(MeetingSeat(meeting=meeting, participant_id=request.requester_id, slot=slot))
        seats.append(MeetingSeat(meeting=meeting, participant_id=request.recipient_id, slot=slot))
    MeetingSeat.objects.bulk_create(seats, batch_size=2000)
    return len(new), len(remove)


def _solve(problem, *, time_limit, workers, progress, deterministic=False):
    """Run the solver; report its progress from *this* thread.

    CP-SAT calls back from its own threads, and a callback that writes (a job's progress row) must use
    this thread's database connection: the solver runs in a helper thread and the latest news is passed on
    here once a second.
    """
    if progress is None:
        return scheduler.solve(problem, time_limit=time_limit, workers=workers, deterministic=deterministic)
    latest: dict = {}
    outcome: dict = {}

    def remember(info: dict) -> None:
        latest["info"] = dict(info)

    def run() -> None:
        try:
            outcome["result"] = scheduler.solve(
                problem, time_limit=time_limit, workers=workers, progress=remember, deterministic=deterministic
            )
        except BaseException as exc:  # re-raised below, in the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="scheduler", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(1.0)
        info = latest.pop("info", None)
        if info is not None:
            progress(info)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def schedule_event(
    event: Event,
    *,
    actor,
    time_limit: float = 30.0,
    workers: int = 2,
    progress: Callable[[dict], None] | None = None,
    deterministic: bool = False,
    now=None,
) -> ScheduleRun:
    """Solve and write the event's schedule; returns the run with its figures.

    Slots that have started by ``now`` (default: now) take no new meetings; the demo, which builds a 2019
    event today, schedules it as of the eve of the event. ``deterministic=True`` with ``workers=1`` gives the
    same schedule for the same data (the limit is then the solver's deterministic time, not seconds): the
    demo uses it.

    Raises ``ValidationError`` (nothing written) when the event has no slots, tables or accepted requests
    between registered participants, when locked meetings conflict, or when the schedule changed meanwhile.
    """
    ensure_can(actor, "change", event)
    if time_limit <= 0:
        raise ValidationError(_("The time limit must be a positive number of seconds."))
    built = build_problem(event, now=now)
    problems = scheduler.validate(built.problem)
    if not built.problem.slots:
        problems.insert(0, _("The event has no slots yet: add sessions first."))
    if not built.problem.tables:
        problems.insert(0, _("The event has no tables yet."))
    if not built.problem.requests:
        problems.insert(0, _("There are no accepted requests between registered participants to schedule."))
    if problems:
        raise ValidationError(problems)
    started = time.monotonic()
    result = _solve(
        built.problem, time_limit=time_limit, workers=workers, progress=progress, deterministic=deterministic
    )
    if result.status in ("infeasible_locked", "invalid"):
        raise ValidationError(result.errors or [_("The locked meetings conflict with each other.")])
    violations = scheduler.check(built.problem, result.assignments)
    if violations:  # never write an infeasible schedule, whatever the solver said
        raise ValidationError(_("The scheduler returned an invalid schedule: %(first)s") % {"first": violations[0]})
    with transaction.atomic():
        Event.objects.select_for_update().get(pk=event.pk)
        if _fingerprint(event) != built.fingerprint:
            raise ValidationError(
                _("Meetings were booked or cancelled while the scheduler ran; nothing was changed. Run it again.")
            )
        created, removed = _write(event, built, result)
        details = result.as_dict()
        details.pop("assignments", None)
        details.update(created=created, removed=removed, skipped_requests=built.skipped_requests)
        run = ScheduleRun.objects.create(
            event=event,
            actor=actor,
            time_limit=time_limit,
            status=result.status,
            objective=result.objective,
            bound=result.bound,
            gap=result.gap,
            meetings=result.meetings,
            unscheduled=len(result.unscheduled),
            idle_gaps=result.idle_gaps,
            table_changes=result.table_changes,
            moved=result.moved,
            seconds=round(time.monotonic() - started, 3),
            details=details,
        )
        log_change(actor=actor, action=ChangeAction.CREATE, obj=run, before=None, after=snapshot(run))
    return run


@job_handler(SCHEDULE_JOB)
def schedule_job(job, progress):
    """Run the scheduler for ``params["event"]`` as the job's owner, reporting the solver's progress."""
    event = Event.objects.get(pk=job.params["event"])
    limit = float(job.params.get("time_limit", 30))
    progress.total(100, _("Building the problem…"))
    started = time.monotonic()

    def report(info: dict) -> None:
        done = min(99, int(100 * (time.monotonic() - started) / max(limit, 1)))
        parts = [str(info.get("phase", ""))]
        if info.get("objective") is not None:
            parts.append(_("weighted meetings %(value)s") % {"value": info["objective"]})
        if info.get("bound") is not None:
            parts.append(_("bound %(value)s") % {"value": info["bound"]})
        progress.advance(done, " · ".join(parts), force=True)

    try:
        run = schedule_event(event, actor=job.owner, time_limit=limit, progress=report)
    except ValidationError as exc:
        progress.advance(100, " ".join(exc.messages), force=True)
        return {"ok": False, "errors": exc.messages}
    progress.advance(
        100,
        _("%(meetings)s meetings scheduled, %(gap)s from the bound")
        % {"meetings": run.meetings, "gap": f"{100 * (run.gap or 0):.1f}%"},
        force=True,
    )
    return {"ok": True, "run": run.pk, "meetings": run.meetings}
