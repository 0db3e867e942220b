"""The one write path for slots and meetings: generating slots from sessions, booking a meeting into a
slot and table, releasing it (cancelled, no-show), rescheduling, marking it held, and check-in.

Booking checks what it can in Python for a clear message, then relies on the database: a meeting
holds one :class:`~jalin.events.models.MeetingSeat` per participant (unique per participant and slot)
and its table (unique per slot among active meetings). Two people booking the same participant or
table at the same moment: one commits, the other gets :class:`BookingError`.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jalin.core.models import ChangeAction
from jalin.core.services import ensure_can, log_change, snapshot

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
    Session,
    Slot,
)


class BookingError(ValidationError):
    """A meeting cannot take this slot or table; the message says why, in the user's language."""


# ----------------------------------------------------------------------------------------------- slots


def slot_times(session: Session, minutes: int, tz: str) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The (start, end) of every whole slot of ``minutes`` that fits in the session, as aware datetimes."""
    zone = zoneinfo.ZoneInfo(tz)
    start = datetime.datetime.combine(session.date, session.start, tzinfo=zone)
    end = datetime.datetime.combine(session.date, session.end, tzinfo=zone)
    step = datetime.timedelta(minutes=minutes)
    times = []
    while start + step <= end:
        times.append((start, start + step))
        start += step
    return times


def has_meetings(event: Event) -> bool:
    return Meeting.objects.filter(event=event).exists()


def refuse_if_booked(event: Event) -> None:
    """Sessions and the meeting length stay as they are once meetings are booked."""
    if has_meetings(event):
        raise ValidationError(
            _("Meetings are already booked: cancel them before changing the sessions or the meeting length.")
        )


@transaction.atomic
def regenerate_slots(event: Event) -> list[Slot]:
    """Rebuild the event's slots from its sessions and slot length, numbered 1… in time order.

    Refused once meetings are booked: moving slots under booked meetings would silently change agendas.
    """
    refuse_if_booked(event)
    Slot.objects.filter(event=event).delete()
    slots = []
    index = 1
    for session in Session.objects.filter(event=event).order_by("date", "start"):
        for start, end in slot_times(session, event.slot_minutes, event.timezone):
            slots.append(Slot(event=event, session=session, index=index, starts_at=start, ends_at=end))
            index += 1
    return Slot.objects.bulk_create(slots)


def participant_slots(participant: Participant) -> set[int]:
    """Slot ids in which the participant can meet: its available sessions (none ticked = all)."""
    sessions = list(participant.available_sessions.values_list("pk", flat=True))
    slots = Slot.objects.filter(event_id=participant.event_id)
    if sessions:
        slots = slots.filter(session_id__in=sessions)
    return set(slots.values_list("pk", flat=True))


# ----------------------------------------------------------------------------------------------- booking


def _busy(participant: Participant, slot: Slot, exclude: Meeting | None = None) -> bool:
    seats = MeetingSeat.objects.filter(participant=participant, slot=slot)
    if exclude is not None:
        seats = seats.exclude(meeting=exclude)
    return seats.exists()


def _table_taken(table: MeetingTable, slot: Slot) -> bool:
    return Meeting.objects.filter(table=table, slot=slot, status__in=ACTIVE_MEETING).exists()


def _meetings_of(participant: Participant) -> int:
    return MeetingSeat.objects.filter(participant=participant).count()


def booking_problems(request: MeetingRequest, slot: Slot, table: MeetingTable) -> list[str]:
    """Why ``request`` cannot be booked into ``slot`` at ``table`` (empty: it can)."""
    problems = []
    if slot.event_id != request.event_id or table.event_id != request.event_id:
        problems.append(_("The slot and the table must belong to this event."))
        return problems
    if request.status != RequestStatus.ACCEPTED:
        problems.append(_("Only an accepted request can be booked."))
    if Meeting.objects.filter(request=request, status__in=ACTIVE_MEETING).exists():
        problems.append(_("This pair already has a meeting."))
    if _table_taken(table, slot):
        problems.append(_("%(table)s is taken in this slot.") % {"table": table.label})
    for party in (request.requester, request.recipient):
        if party.status not in (ParticipantStatus.INVITED, ParticipantStatus.REGISTERED):
            problems.append(_("%(company)s no longer takes part.") % {"company": party.company})
            continue
        if _busy(party, slot):
            problems.append(_("%(company)s already has a meeting in this slot.") % {"company": party.company})
        elif slot.pk not in participant_slots(party):
            problems.append(_("%(company)s is not available in this session.") % {"company": party.company})
        if _meetings_of(party) >= party.cap:
            problems.append(
                _("%(company)s has reached its cap of %(cap)s meetings.") % {"company": party.company, "cap": party.cap}
            )
        if party.fixed_table_id and party.fixed_table_id != table.pk:
            problems.append(
                _("%(company)s receives its meetings at %(table)s.")
                % {"company": party.company, "table": party.fixed_table}
            )
    return problems


def _create_meeting(request, slot, table, *, locked=False, rescheduled_from=None) -> Meeting:
    """Insert the meeting and its two seats; the database refuses a double booking."""
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                event_id=request.event_id,
                request=request,
                slot=slot,
                table=table,
                locked=locked,
                rescheduled_from=rescheduled_from,
            )
            MeetingSeat.objects.bulk_create(
                [
                    MeetingSeat(meeting=meeting, participant_id=request.requester_id, slot=slot),
                    MeetingSeat(meeting=meeting, participant_id=request.recipient_id, slot=slot),
                ]
            )
    except IntegrityError as exc:
        raise BookingError(
            _("Someone booked this slot or table a moment ago. Reload the page and choose another."),
            code="double_booking",
        ) from exc
    return meeting


@transaction.atomic
def book(
    request: MeetingRequest,
    slot: Slot,
    table: MeetingTable,
    *,
    actor,
    locked: bool = False,
    rescheduled_from: Meeting | None = None,
    check: bool = True,
) -> Meeting:
    """Book an accepted request into ``slot`` at ``table``. Raises :class:`BookingError` with every reason."""
    ensure_can(actor, "change", request.event)
    request = MeetingRequest.objects.select_related("requester__company", "recipient__company", "event").get(
        pk=request.pk
    )
    if check:
        problems = booking_problems(request, slot, table)
        if problems:
            raise BookingError(problems, code="unavailable")
    meeting = _create_meeting(request, slot, table, locked=locked, rescheduled_from=rescheduled_from)
    log_change(actor=actor, action=ChangeAction.CREATE, obj=meeting, before=None, after=snapshot(meeting))
    return meeting


@transaction.atomic
def release(meeting: Meeting, *, status: str, actor, no_show: Participant | None = None) -> Meeting:
    """End a meeting's hold on its slot and table: cancelled or no-show."""
    ensure_can(actor, "change", meeting)
    if status not in (MeetingStatus.CANCELLED, MeetingStatus.NO_SHOW):
        raise ValueError(status)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status not in ACTIVE_MEETING:
        raise ValidationError(_("This meeting is already %(status)s.") % {"status": meeting.get_status_display()})
    before = snapshot(meeting)
    meeting.status = status
    meeting.no_show = no_show if status == MeetingStatus.NO_SHOW else None
    meeting.save(update_fields=["status", "no_show", "updated"])
    MeetingSeat.objects.filter(meeting=meeting).delete()
    log_change(actor=actor, action=ChangeAction.UPDATE, obj=meeting, before=before, after=snapshot(meeting))
    return meeting


def mark_no_show(meeting: Meeting, *, actor, participant: Participant | None = None) -> Meeting:
    """Record that ``participant`` (or, if None, both sides) did not come; frees the slot and table."""
    if participant is not None and participant.pk not in (meeting.request.requester_id, meeting.request.recipient_id):
        raise ValidationError(_("Only one of the two sides of this meeting can be marked as absent."))
    return release(meeting, status=MeetingStatus.NO_SHOW, actor=actor, no_show=participant)


@transaction.atomic
def mark_held(meeting: Meeting, *, actor) -> Meeting:
    ensure_can(actor, "change", meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled meeting can be marked as held."))
    before = snapshot(meeting)
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["status", "updated"])
    log_change(actor=actor, action=ChangeAction.UPDATE, obj=meeting, before=before, after=snapshot(meeting))
    return meeting


@dataclass(frozen=True)
class Option:
    slot: Slot
    table: MeetingTable


def free_options(request: MeetingRequest, *, after: datetime.datetime | None = None, limit: int = 10) -> list[Option]:
    """Slots (from ``after`` on, default now) where both sides are free and available, each with a free table
    (a party's fixed table if it has one). Earliest first."""
    after = after or timezone.now()
    parties = [request.requester, request.recipient]
    busy = set(MeetingSeat.objects.filter(participant__in=parties).values_list("slot_id", flat=True))
    possible = participant_slots(parties[0]) & participant_slots(parties[1])
    fixed = next((p.fixed_table for p in parties if p.fixed_table_id), None)
    reserved = set(
        Participant.objects.filter(event_id=request.event_id, fixed_table__isnull=False).values_list(
            "fixed_table_id", flat=True
        )
    )
    tables = [fixed] if fixed else list(MeetingTable.objects.filter(event_id=request.event_id).exclude(pk__in=reserved))
    taken: dict[int, set[int]] = {}
    for slot_id, table_id in Meeting.objects.filter(event_id=request.event_id, status__in=ACTIVE_MEETING).values_list(
        "slot_id", "table_id"
    ):
        taken.setdefault(slot_id, set()).add(table_id)
    options = []
    slots = Slot.objects.filter(event_id=request.event_id, pk__in=possible - busy, starts_at__gte=after)
    for slot in slots.order_by("index"):
        table = next((t for t in tables if t.pk not in taken.get(slot.pk, set())), None)
        if table is not None:
            options.append(Option(slot, table))
            if len(options) >= limit:
                break
    return options


@transaction.atomic
def reschedule(
    meeting: Meeting, *, actor, slot: Slot | None = None, table: MeetingTable | None = None, after=None
) -> Meeting:
    """Book a released meeting (no-show or cancelled) again: into ``slot``/``table`` or the earliest free option.

    The old meeting keeps its status for the statistics; the new one points back to it.
    """
    ensure_can(actor, "change", meeting)
    meeting = Meeting.objects.select_related("request__requester", "request__recipient").get(pk=meeting.pk)
    if meeting.status in ACTIVE_MEETING:
        raise ValidationError(_("This meeting is still on the schedule; mark it as a no-show or cancel it first."))
    if meeting.rescheduled_to.filter(status__in=ACTIVE_MEETING).exists():
        raise ValidationError(_("This meeting has already been rescheduled."))
    if slot is None:
        options = free_options(meeting.request, after=after, limit=1)
        if not options:
            raise BookingError(_("There is no later slot in which both sides and a table are free."), code="no_slot")
        slot, table = options[0].slot, options[0].table
    elif table is None:
        choice = next(
            (o for o in free_options(meeting.request, after=slot.starts_at, limit=100) if o.slot == slot), None
        )
        if choice is None:
            raise BookingError(_("Both sides and a table are not free in that slot."), code="unavailable")
        table = choice.table
    return book(meeting.request, slot, table, actor=actor, rescheduled_from=meeting)


@transaction.atomic
def cancel_meetings_of(participant: Participant, *, actor) -> int:
    """Cancel every active meeting of a participant that withdraws; returns how many."""
    count = 0
    for meeting in Meeting.objects.filter(seats__participant=participant, status=MeetingStatus.SCHEDULED):
        release(meeting, status=MeetingStatus.CANCELLED, actor=actor)
        count += 1
    return count


@transaction.atomic
def check_in(participant: Participant, *, actor) -> Participant:
    """Mark the participant as arrived (idempotent: the first time is kept)."""
    ensure_can(actor, "manage", participant)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.checked_in_at is None:
        before = snapshot(participant)
        participant.checked_in_at = timezone.now()
        participant.save(update_fields=["checked_in_at", "updated"])
        log_change(actor=actor, action=ChangeAction.UPDATE, obj=participant, before=before, after=snapshot(participant))
    return participant
