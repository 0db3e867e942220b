"""Every write of event setup, participation, invitations and meeting requests (issue #5 points 1 and 2).

Views, the API and the command line call these functions. Each takes the acting user (``None`` is the
system), checks object-level permission first, runs in ``transaction.atomic`` and writes the change log.

Meeting requests and pairs: the scheduler books one meeting per accepted request, so a pair of companies
keeps a single live request. When a company asks one that has already asked it, no second request is
made: the earlier one becomes accepted and *mutual* (worth more to the scheduler) with the higher of the two
priorities.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jalin.companies.models import Company, CompanyKind
from jalin.core.models import ChangeAction
from jalin.core.permissions import can
from jalin.core.roles import Role
from jalin.core.services import create_object, delete_object, ensure_can, log_change, snapshot, update_object
from jalin.matching.services import company_of

from . import services
from .models import (
    ACTIVE_MEETING,
    Event,
    EventStatus,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    MeetingTable,
    Participant,
    ParticipantSide,
    ParticipantStatus,
    Priority,
    Representative,
    RequestStatus,
    Session,
)

#: Statuses in which a participant takes part (may be asked, scheduled, listed to others).
ACTIVE_PARTICIPANT = (ParticipantStatus.INVITED, ParticipantStatus.REGISTERED)

#: Statuses in which a request still counts (it may become, or is, a meeting).
LIVE_REQUEST = (RequestStatus.PENDING, RequestStatus.ACCEPTED)

PRIORITY_RANK = {Priority.MUST: 3, Priority.WANT: 2, Priority.MAYBE: 1}

#: The event's workflow: from each status, the statuses it may move to.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    EventStatus.DRAFT: (EventStatus.OPEN,),
    EventStatus.OPEN: (EventStatus.PUBLISHED, EventStatus.DRAFT),
    EventStatus.PUBLISHED: (EventStatus.CLOSED, EventStatus.OPEN),
    EventStatus.CLOSED: (EventStatus.PUBLISHED,),
}


def _deny(message: str | None = None):
    raise PermissionDenied(message or _("You do not have permission to do this."))


def _log_update(actor, obj, before: dict) -> None:
    after = snapshot(obj)
    if after != before:
        log_change(actor=actor, action=ChangeAction.UPDATE, obj=obj, before=before, after=after)


def side_for(company: Company) -> str:
    """A large industry takes part as a buyer, an IKM as an IKM."""
    return ParticipantSide.BUYER if company.kind == CompanyKind.INDUSTRY else ParticipantSide.IKM


# ================================================================================================ events


def _check_region(actor, region) -> None:
    """A regional officer runs events inside its own area only."""
    if actor is None or actor.is_superuser or actor.role != Role.REGIONAL_OFFICER:
        return
    scope = actor.region_scope
    if region is None or scope is None or not (region.code == scope.code or region.code.startswith(scope.code + ".")):
        raise ValidationError(
            {"region": _("As a regional officer you run events in %(area)s only.") % {"area": scope or "—"}}
        )


@transaction.atomic
def create_event(*, actor, **fields) -> Event:
    _check_region(actor, fields.get("region"))
    fields.setdefault("status", EventStatus.DRAFT)
    return create_object(Event, actor=actor, **fields)


@transaction.atomic
def update_event(event: Event, *, actor, **fields) -> Event:
    ensure_can(actor, "change", event)
    if "region" in fields:
        _check_region(actor, fields["region"])
    old = Event.objects.get(pk=event.pk)
    reslot = any(
        name in fields and fields[name] != getattr(old, name)
        for name in ("slot_minutes", "timezone", "starts_on", "ends_on")
    )
    if reslot and services.has_meetings(event):
        raise ValidationError(
            _("Meetings are already booked: cancel them before changing the dates, time zone or meeting length.")
        )
    fields.pop("status", None)  # the status moves only through set_status
    event = update_object(event, actor=actor, **fields)
    if reslot:
        outside = Session.objects.filter(event=event).filter(Q(date__lt=event.starts_on) | Q(date__gt=event.ends_on))
        if outside.exists():
            raise ValidationError(
                _("Some sessions fall outside the new dates: move or delete them first (%(sessions)s).")
                % {"sessions": ", ".join(s.name for s in outside)}
            )
        services.regenerate_slots(event)
    return event


@transaction.atomic
def delete_event(event: Event, *, actor) -> None:
    ensure_can(actor, "delete", event)
    if event.status != EventStatus.DRAFT:
        raise ValidationError(_("Only a draft event can be deleted; close this one instead."))
    if services.has_meetings(event):
        raise ValidationError(_("This event has meetings: it cannot be deleted."))
    delete_object(event, actor=actor, check=False)


def status_problems(event: Event, target: str) -> list[str]:
    """Why ``event`` cannot move to ``target`` now (empty: it can)."""
    if target not in EventStatus.values:
        return [_("Unknown status: %(status)s.") % {"status": target}]
    if target not in TRANSITIONS.get(event.status, ()):
        return [
            _("An event cannot move from “%(from)s” to “%(to)s”.")
            % {"from": EventStatus(event.status).label, "to": EventStatus(target).label}
        ]
    problems = []
    if target in (EventStatus.OPEN, EventStatus.PUBLISHED) and not event.slots.exists():
        problems.append(_("Add at least one session long enough for a meeting: the event has no slots."))
    if target == EventStatus.PUBLISHED and not event.tables.exists():
        problems.append(_("Add the tables before publishing the schedule."))
    if target == EventStatus.DRAFT and event.participants.exists():
        problems.append(_("Companies have joined this event: it can no longer go back to draft."))
    return problems


@transaction.atomic
def set_status(event: Event, *, actor, status: str) -> Event:
    """Move the event along draft → open → published → closed. Publishing expires the pending requests."""
    ensure_can(actor, "change", event)
    event = Event.objects.select_for_update().get(pk=event.pk)
    problems = status_problems(event, status)
    if problems:
        raise ValidationError(problems)
    before = snapshot(event)
    event.status = status
    event.save(update_fields=["status", "updated"])
    _log_update(actor, event, before)
    if status == EventStatus.PUBLISHED:
        expire_requests(event)
    return event


def requests_closed(event: Event, now: datetime.datetime | None = None) -> bool:
    """Whether new requests and answers are over: the event is not open, or its closing time has passed."""
    now = now or timezone.now()
    return event.status != EventStatus.OPEN or (event.requests_close is not None and event.requests_close <= now)


@transaction.atomic
def expire_requests(event: Event, now: datetime.datetime | None = None) -> int:
    """Pending requests of ``event`` become *expired* (once published, or once ``requests_close`` has passed).

    Returns how many expired. Idempotent; logged as done by the system.
    """
    now = now or timezone.now()
    due = event.status in (EventStatus.PUBLISHED, EventStatus.CLOSED) or (
        event.requests_close is not None and event.requests_close <= now
    )
    if not due:
        return 0
    count = 0
    for request in MeetingRequest.objects.select_for_update().filter(event=event, status=RequestStatus.PENDING):
        before = snapshot(request)
        request.status = RequestStatus.EXPIRED
        request.expires_at = request.expires_at or now
        request.save(update_fields=["status", "expires_at", "updated"])
        _log_update(None, request, before)
        count += 1
    return count


def expire_if_due(event: Event) -> int:
    """Called on page loads: expire pending requests once ``requests_close`` has passed (cheap when not)."""
    if event.requests_close is None and event.status == EventStatus.OPEN:
        return 0
    if event.status == EventStatus.DRAFT:
        return 0
    if event.status == EventStatus.OPEN and event.requests_close > timezone.now():
        return 0
    if not MeetingRequest.objects.filter(event=event, status=RequestStatus.PENDING).exists():
        return 0
    return expire_requests(event)


# ================================================================================================ sessions


def _session_problems(event: Event, *, date, start, end, exclude: Session | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if date is not None and not (event.starts_on <= date <= event.ends_on):
        errors.setdefault("date", []).append(
            _("The date must fall within the event (%(first)s to %(last)s).")
            % {"first": event.starts_on.strftime("%d-%m-%Y"), "last": event.ends_on.strftime("%d-%m-%Y")}
        )
    if start is not None and end is not None:
        if end <= start:
            errors.setdefault("end", []).append(_("The session must end after it starts."))
        else:
            others = Session.objects.filter(event=event, date=date, start__lt=end, end__gt=start)
            if exclude is not None and exclude.pk:
                others = others.exclude(pk=exclude.pk)
            clash = others.first()
            if clash is not None:
                errors.setdefault("start", []).append(
                    _("It overlaps “%(session)s” (%(start)s–%(end)s).")
                    % {"session": clash.name, "start": f"{clash.start:%H:%M}", "end": f"{clash.end:%H:%M}"}
                )
            minutes = (datetime.datetime.combine(date, end) - datetime.datetime.combine(date, start)).seconds // 60
            if not errors and minutes < event.slot_minutes:
                errors.setdefault("end", []).append(
                    _("The session is shorter than one meeting (%(n)s minutes).") % {"n": event.slot_minutes}
                )
    return errors


@transaction.atomic
def save_session(event: Event, *, actor, session: Session | None = None, name, date, start, end) -> Session:
    """Add or change a session (within the event's dates, not overlapping another); the slots are rebuilt."""
    ensure_can(actor, "change", event)
    Event.objects.select_for_update().get(pk=event.pk)  # serialise the event's setup writes
    services.refuse_if_booked(event)
    errors = _session_problems(event, date=date, start=start, end=end, exclude=session)
    if errors:
        raise ValidationError(errors)
    if session is None:
        session = create_object(
            Session, actor=actor, check=False, event=event, name=name, date=date, start=start, end=end
        )
    else:
        if session.event_id != event.pk:
            _deny()
        session = update_object(session, actor=actor, check=False, name=name, date=date, start=start, end=end)
    services.regenerate_slots(event)
    return session


@transaction.atomic
def delete_session(session: Session, *, actor) -> None:
    event = session.event
    ensure_can(actor, "change", event)
    services.refuse_if_booked(event)
    delete_object(session, actor=actor, check=False)
    services.regenerate_slots(event)


# ================================================================================================ tables


def _next_position(event: Event) -> int:
    last = MeetingTable.objects.filter(event=event).order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def add_table(event: Event, *, actor, label: str) -> MeetingTable:
    ensure_can(actor, "change", event)
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Give the table a label, e.g. Meja 12.")})
    if MeetingTable.objects.filter(event=event, label__iexact=label).exists():
        raise ValidationError({"label": _("This event already has a table called %(label)s.") % {"label": label}})
    return create_object(
        MeetingTable, actor=actor, check=False, event=event, label=label, position=_next_position(event)
    )


@transaction.atomic
def add_tables(event: Event, *, actor, count: int, prefix: str = "Meja") -> list[MeetingTable]:
    """Add ``count`` tables numbered after the existing ones (Meja 1…N), skipping labels already used."""
    ensure_can(actor, "change", event)
    if count < 1 or count > 500:
        raise ValidationError({"count": _("Add between 1 and 500 tables at a time.")})
    used = {label.lower() for label in MeetingTable.objects.filter(event=event).values_list("label", flat=True)}
    made = []
    number = 1
    position = _next_position(event)
    while len(made) < count:
        label = f"{prefix} {number}"
        number += 1
        if label.lower() in used:
            continue
        made.append(create_object(MeetingTable, actor=actor, check=False, event=event, label=label, position=position))
        position += 1
    return made


@transaction.atomic
def rename_table(table: MeetingTable, *, actor, label: str) -> MeetingTable:
    ensure_can(actor, "change", table.event)
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Give the table a label, e.g. Meja 12.")})
    if MeetingTable.objects.filter(event_id=table.event_id, label__iexact=label).exclude(pk=table.pk).exists():
        raise ValidationError({"label": _("This event already has a table called %(label)s.") % {"label": label}})
    return update_object(table, actor=actor, check=False, label=label)


@transaction.atomic
def delete_table(table: MeetingTable, *, actor) -> None:
    ensure_can(actor, "change", table.event)
    if Meeting.objects.filter(table=table).exists():
        raise ValidationError(_("%(table)s has meetings: it cannot be deleted.") % {"table": table.label})
    for participant in Participant.objects.filter(fixed_table=table):
        before = snapshot(participant)
        participant.fixed_table = None
        participant.save(update_fields=["fixed_table", "updated"])
        _log_update(actor, participant, before)
    delete_object(table, actor=actor, check=False)


@transaction.atomic
def set_fixed_table(participant: Participant, *, actor, table: MeetingTable | None) -> Participant:
    """Give a buyer its own table for every meeting (or take it away)."""
    ensure_can(actor, "manage", participant)
    if table is not None:
        if table.event_id != participant.event_id:
            raise ValidationError({"fixed_table": _("The table must belong to this event.")})
        if participant.side != ParticipantSide.BUYER:
            raise ValidationError({"fixed_table": _("Only a buyer receives its meetings at a fixed table.")})
        holder = Participant.objects.filter(fixed_table=table).exclude(pk=participant.pk).first()
        if holder is not None:
            raise ValidationError(
                {"fixed_table": _("%(table)s is already %(company)s's table.") % {"table": table, "company": holder}}
            )
    return update_object(participant, actor=actor, check=False, fixed_table=table)


# ================================================================================================ participants


@transaction.atomic
def add_participant(
    event: Event, company: Company, *, actor, status: str = ParticipantStatus.REGISTERED, note: str = ""
) -> Participant:
    """An officer registers (or invites) a company; a cancelled or declined one comes back."""
    ensure_can(actor, "change", event)
    if event.status == EventStatus.CLOSED:
        raise ValidationError(_("This event is closed."))
    existing = Participant.objects.select_for_update().filter(event=event, company=company).first()
    if existing is not None:
        if existing.status in ACTIVE_PARTICIPANT:
            raise ValidationError(
                _("%(company)s already takes part (%(status)s).")
                % {"company": company, "status": existing.get_status_display()}
            )
        before = snapshot(existing)
        existing.status = status
        existing.save(update_fields=["status", "updated"])
        _log_update(actor, existing, before)
        return existing
    return create_object(
        Participant,
        actor=actor,
        check=False,
        event=event,
        company=company,
        side=side_for(company),
        status=status,
        invited_by=actor if status == ParticipantStatus.INVITED and actor is not None else None,
        note=note[:300],
    )


@transaction.atomic
def register(event: Event, *, actor) -> Participant:
    """The user's company registers for an open event, or accepts its invitation."""
    if actor is None or actor.role not in (Role.IKM, Role.BUYER):
        _deny(_("Only IKM and buyer staff register their company."))
    if not Event.objects.restrict(actor, "view").filter(pk=event.pk).exists():
        _deny()
    company = company_of(actor)
    if company is None:
        raise ValidationError(_("Your organisation has no company profile yet: complete it before registering."))
    if event.status != EventStatus.OPEN:
        raise ValidationError(_("Registration is open only while the event is open."))
    participant = Participant.objects.select_for_update().filter(event=event, company=company).first()
    if participant is None:
        return create_object(
            Participant, actor=actor, check=False, event=event, company=company, side=side_for(company)
        )
    if participant.status == ParticipantStatus.REGISTERED:
        return participant
    before = snapshot(participant)
    participant.status = ParticipantStatus.REGISTERED
    participant.save(update_fields=["status", "updated"])
    _log_update(actor, participant, before)
    return participant


def _close_requests_of(participant: Participant, *, actor, reason: str) -> None:
    """A company that leaves: its meetings are cancelled, its live requests withdrawn or declined."""
    services.cancel_meetings_of(participant, actor=None)
    now = timezone.now()
    for request in MeetingRequest.objects.select_for_update().filter(
        Q(requester=participant) | Q(recipient=participant), status__in=LIVE_REQUEST
    ):
        before = snapshot(request)
        if request.requester_id == participant.pk:
            request.status = RequestStatus.WITHDRAWN
        else:
            request.status = RequestStatus.DECLINED
            request.decline_reason = reason[:300]
            request.responded_by = actor if actor is not None and actor.pk else None
            request.responded_at = now
        request.save()
        _log_update(actor, request, before)


@transaction.atomic
def decline_invitation(participant: Participant, *, actor, reason: str = "") -> Participant:
    ensure_can(actor, "change", participant)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status != ParticipantStatus.INVITED:
        raise ValidationError(_("Only an invitation can be declined."))
    before = snapshot(participant)
    participant.status = ParticipantStatus.DECLINED
    if reason:
        participant.note = reason[:300]
    participant.save(update_fields=["status", "note", "updated"])
    _log_update(actor, participant, before)
    _close_requests_of(participant, actor=actor, reason=_("Declined the invitation."))
    return participant


@transaction.atomic
def cancel_participation(participant: Participant, *, actor) -> Participant:
    """An officer (or the company itself) cancels a participation: meetings cancelled, requests closed."""
    ensure_can(actor, "change", participant)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status == ParticipantStatus.CANCELLED:
        return participant
    before = snapshot(participant)
    participant.status = ParticipantStatus.CANCELLED
    participant.save(update_fields=["status", "updated"])
    _log_update(actor, participant, before)
    _close_requests_of(participant, actor=actor, reason=_("No longer takes part."))
    return participant


@transaction.atomic
def update_participant(participant: Participant, *, actor, **fields) -> Participant:
    """Availability, cap and note (the company or officers); the fixed table (officers only)."""
    ensure_can(actor, "change", participant)
    if "fixed_table" in fields:
        table = fields.pop("fixed_table")
        if table != participant.fixed_table:
            set_fixed_table(participant, actor=actor, table=table)
    sessions = fields.get("available_sessions")
    if sessions is not None and any(s.event_id != participant.event_id for s in sessions):
        raise ValidationError({"available_sessions": _("Choose sessions of this event.")})
    cap = fields.get("max_meetings")
    if cap is not None and cap > participant.event.max_meetings and not can(actor, "manage", participant):
        raise ValidationError(
            {
                "max_meetings": _("At most the event's cap of %(n)s meetings; ask the organiser for more.")
                % {"n": participant.event.max_meetings}
            }
        )
    return update_object(participant, actor=actor, check=False, **fields)


@transaction.atomic
def add_representative(participant: Participant, *, actor, **fields) -> Representative:
    ensure_can(actor, "change", participant)
    return create_object(Representative, actor=actor, check=False, participant=participant, **fields)


@transaction.atomic
def delete_representative(representative: Representative, *, actor) -> None:
    ensure_can(actor, "change", representative.participant)
    delete_object(representative, actor=actor, check=False)


# ================================================================================================ requests


def _live_pair(a: Participant, b: Participant) -> MeetingRequest | None:
    return (
        MeetingRequest.objects.select_for_update()
        .filter(Q(requester=a, recipient=b) | Q(requester=b, recipient=a))
        .order_by("created")
        .first()
    )


@dataclass
class RequestResult:
    request: MeetingRequest
    created: bool = False
    mutual: bool = False  # the other side had already asked: agreed at once


def request_problems(requester: Participant, recipient: Participant) -> list[str]:
    problems = []
    if requester.event_id != recipient.event_id:
        problems.append(_("Both companies must take part in the same event."))
    elif requester.pk == recipient.pk:
        problems.append(_("A company cannot ask to meet itself."))
    elif requester.side == recipient.side:
        problems.append(
            _("Meetings are between an IKM and a buyer: %(a)s and %(b)s are both on the %(side)s side.")
            % {"a": requester.company, "b": recipient.company, "side": requester.get_side_display()}
        )
    for party in (requester, recipient):
        if party.status not in ACTIVE_PARTICIPANT:
            problems.append(
                _("%(company)s does not take part (%(status)s).")
                % {"company": party.company, "status": party.get_status_display()}
            )
    return problems


@transaction.atomic
def create_request(
    requester: Participant,
    recipient: Participant,
    *,
    actor,
    priority: str = Priority.WANT,
    message: str = "",
    candidate=None,
    check_open: bool = True,
) -> RequestResult:
    """``requester`` asks to meet ``recipient``. Mutual recognition: if ``recipient`` already asked, that
    request is accepted and marked mutual (no second request for the pair)."""
    ensure_can(actor, "change", requester)
    event = Event.objects.get(pk=requester.event_id)
    requester = Participant.objects.select_related("company").get(pk=requester.pk)
    recipient = Participant.objects.select_related("company").get(pk=recipient.pk)
    if check_open:
        expire_if_due(event)
        if requests_closed(event):
            raise ValidationError(_("Meeting requests for this event are closed."), code="closed")
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose must meet, want to meet or maybe.")})
    problems = request_problems(requester, recipient)
    if problems:
        raise ValidationError(problems, code="not_allowed")
    message = (message or "").strip()[:500]
    now = timezone.now()
    existing = _live_pair(requester, recipient)
    if existing is not None:
        before = snapshot(existing)
        if existing.requester_id == requester.pk:
            if existing.status in LIVE_REQUEST:
                raise ValidationError(
                    _("You already asked to meet %(company)s (%(status)s).")
                    % {"company": recipient.company, "status": existing.get_status_display()},
                    code="duplicate",
                )
            if existing.status == RequestStatus.DECLINED:
                raise ValidationError(
                    _("%(company)s declined your request; it cannot be sent again.") % {"company": recipient.company},
                    code="declined",
                )
            # withdrawn or expired: ask again with the same row
            existing.status = RequestStatus.PENDING
            existing.priority = priority
            existing.message = message
            existing.responded_by, existing.responded_at, existing.decline_reason = None, None, ""
            existing.expires_at = event.requests_close
            existing.created_by = actor if actor is not None and actor.pk else None
            if candidate is not None and existing.candidate_id is None:
                existing.candidate = candidate
            existing.save()
            _log_update(actor, existing, before)
            return RequestResult(existing, created=True)
        # The recipient had already asked the requester.
        if existing.status in (RequestStatus.PENDING, RequestStatus.ACCEPTED, RequestStatus.DECLINED):
            already = existing.status == RequestStatus.ACCEPTED and existing.mutual
            existing.status = RequestStatus.ACCEPTED
            existing.mutual = True
            if PRIORITY_RANK[priority] > PRIORITY_RANK[existing.priority]:
                existing.priority = priority
            if existing.responded_at is None or existing.decline_reason:
                existing.responded_by = actor if actor is not None and actor.pk else None
                existing.responded_at = now
                existing.decline_reason = ""
            if candidate is not None and existing.candidate_id is None:
                existing.candidate = candidate
            existing.save()
            _log_update(actor, existing, before)
            if already:
                raise ValidationError(
                    _("You and %(company)s have already agreed to meet.") % {"company": recipient.company},
                    code="duplicate",
                )
            return RequestResult(existing, mutual=True)
        # The other side withdrew or its request expired: a fresh request in this direction.
    request = create_object(
        MeetingRequest,
        actor=actor,
        check=False,
        event=event,
        requester=requester,
        recipient=recipient,
        priority=priority,
        message=message,
        candidate=candidate,
        created_by=actor if actor is not None and actor.pk else None,
        expires_at=event.requests_close,
    )
    return RequestResult(request, created=True)


def _cancel_meetings_for(request: MeetingRequest, *, actor) -> int:
    count = 0
    for meeting in Meeting.objects.filter(request=request, status=MeetingStatus.SCHEDULED):
        services.release(
            meeting, status=MeetingStatus.CANCELLED, actor=actor if actor and can(actor, "change", meeting) else None
        )
        count += 1
    return count


@transaction.atomic
def respond(request: MeetingRequest, *, actor, accept: bool, reason: str = "") -> MeetingRequest:
    """The recipient (or an officer on its behalf) accepts or declines. Declining an accepted request cancels
    its meeting, if one was booked."""
    ensure_can(actor, "respond", request)
    request = MeetingRequest.objects.select_for_update().select_related("event").get(pk=request.pk)
    expire_if_due(request.event)
    request.refresh_from_db()
    if request.status in (RequestStatus.EXPIRED, RequestStatus.WITHDRAWN):
        raise ValidationError(
            _("This request is %(status)s: it can no longer be answered.") % {"status": request.get_status_display()}
        )
    if request.event.status == EventStatus.CLOSED:
        raise ValidationError(_("This event is closed."))
    target = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    if request.status == target:
        return request
    if accept and request.status == RequestStatus.DECLINED and requests_closed(request.event):
        raise ValidationError(_("Meeting requests for this event are closed."))
    reason = (reason or "").strip()
    before = snapshot(request)
    request.status = target
    request.decline_reason = "" if accept else reason[:300]
    request.responded_by = actor if actor is not None and actor.pk else None
    request.responded_at = timezone.now()
    request.save()
    _log_update(actor, request, before)
    if not accept:
        _cancel_meetings_for(request, actor=actor)
    return request


@transaction.atomic
def withdraw(request: MeetingRequest, *, actor) -> MeetingRequest:
    """The requester (or an officer) takes a request back; a booked meeting is cancelled."""
    ensure_can(actor, "withdraw", request)
    request = MeetingRequest.objects.select_for_update().get(pk=request.pk)
    if request.status not in LIVE_REQUEST:
        raise ValidationError(
            _("This request is %(status)s: there is nothing to withdraw.") % {"status": request.get_status_display()}
        )
    before = snapshot(request)
    request.status = RequestStatus.WITHDRAWN
    request.save(update_fields=["status", "updated"])
    _log_update(actor, request, before)
    _cancel_meetings_for(request, actor=actor)
    return request


def active_meeting(request: MeetingRequest) -> Meeting | None:
    return Meeting.objects.filter(request=request, status__in=ACTIVE_MEETING).select_related("slot", "table").first()


# ================================================================================================ invitations


def invitable_candidates(event: Event, user):
    """Shortlisted candidates the user may see, of needs whose buyer takes part in ``event``."""
    from jalin.matching.models import Candidate, CandidateStatus

    buyers = Participant.objects.filter(event=event, side=ParticipantSide.BUYER, status__in=ACTIVE_PARTICIPANT).values(
        "company_id"
    )
    return (
        Candidate.objects.restrict(user, "view")
        .filter(status=CandidateStatus.SHORTLISTED, need__buyer_id__in=buyers, company__kind=CompanyKind.IKM)
        .select_related("need__buyer", "company__region")
        .order_by("need__buyer__legal_name", "need__reference", "rank", "-score")
    )


@dataclass
class InviteResult:
    invited: list = field(default_factory=list)  # companies newly invited to the event
    requests: int = 0  # requests created (buyer → IKM)
    moved: int = 0  # candidates moved shortlisted → invited
    not_moved: list = field(default_factory=list)  # (candidate, why) left shortlisted
    skipped: list = field(default_factory=list)  # (candidate, why) nothing done


@transaction.atomic
def invite(event: Event, candidates, *, actor) -> InviteResult:
    """Invite shortlisted candidates of participating buyers: the IKM joins as *invited*, the candidate moves
    to *invited* (when the actor may move it), and the buyer's request to meet it waits for the IKM's answer.
    Idempotent: inviting twice changes nothing."""
    from jalin.matching import services as matching
    from jalin.matching.models import CandidateStatus

    ensure_can(actor, "change", event)
    if event.status == EventStatus.CLOSED:
        raise ValidationError(_("This event is closed."))
    result = InviteResult()
    buyers = {
        p.company_id: p
        for p in Participant.objects.filter(event=event, side=ParticipantSide.BUYER, status__in=ACTIVE_PARTICIPANT)
    }
    for candidate in candidates:
        buyer = buyers.get(candidate.need.buyer_id)
        if buyer is None:
            result.skipped.append((candidate, _("its buyer does not take part")))
            continue
        ikm = Participant.objects.select_for_update().filter(event=event, company=candidate.company).first()
        if ikm is not None and ikm.status == ParticipantStatus.DECLINED:
            result.skipped.append((candidate, _("the company declined the invitation")))
            continue
        if ikm is None or ikm.status == ParticipantStatus.CANCELLED:
            ikm = add_participant(event, candidate.company, actor=actor, status=ParticipantStatus.INVITED)
            result.invited.append(candidate.company)
        pair = _live_pair(buyer, ikm)
        if pair is None:
            create_request(
                buyer,
                ikm,
                actor=actor,
                priority=Priority.WANT,
                message=_("Invited for %(need)s") % {"need": candidate.need.title},
                candidate=candidate,
                check_open=False,
            )
            result.requests += 1
        elif pair.candidate_id is None:
            before = snapshot(pair)
            pair.candidate = candidate
            pair.save(update_fields=["candidate", "updated"])
            _log_update(actor, pair, before)
        if candidate.status == CandidateStatus.SHORTLISTED:
            if not matching.may_decide(actor, candidate.need):
                result.not_moved.append((candidate, _("only the buyer and programme officers move candidates")))
                continue
            try:
                with transaction.atomic():
                    matching.transition(
                        candidate,
                        to=CandidateStatus.INVITED,
                        actor=actor,
                        note=_("Invited to %(event)s") % {"event": event.reference},
                    )
            except ValidationError as exc:
                result.not_moved.append((candidate, " ".join(exc.messages)))
            else:
                result.moved += 1
    return result


@transaction.atomic
def request_from_candidate(event: Event, candidate, *, actor, priority: str = Priority.WANT) -> RequestResult:
    """The buyer of a need (or an officer) asks to meet a candidate IKM at ``event``: both must take part."""
    from jalin.matching import services as matching

    is_manager = can(actor, "change", event) if actor is not None else True
    if not (is_manager or matching.is_buyer_of(actor, candidate.need)):
        _deny(_("Only the buyer of this need and officers ask candidates to meet."))
    buyer = Participant.objects.filter(
        event=event, company_id=candidate.need.buyer_id, status__in=ACTIVE_PARTICIPANT
    ).first()
    if buyer is None:
        raise ValidationError(_("The buyer of this need does not take part in this event."))
    ikm = Participant.objects.filter(
        event=event, company_id=candidate.company_id, status__in=ACTIVE_PARTICIPANT
    ).first()
    if ikm is None:
        raise ValidationError(
            _("%(company)s does not take part in this event: invite it first.") % {"company": candidate.company}
        )
    return create_request(
        buyer,
        ikm,
        actor=actor,
        priority=priority,
        message=_("About %(need)s") % {"need": candidate.need.title},
        candidate=candidate,
    )
