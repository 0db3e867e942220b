"""Meeting requests: asking, answering, withdrawing, and the deadline after which pending ones expire.

Meeting requests and pairs: the scheduler books one meeting per accepted request, so a pair of companies
keeps a single live request. When a company asks one that has already asked it, no second request is
made: the earlier one becomes accepted and *mutual* (worth more to the scheduler) with the higher of the two
priorities.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jalin.core.permissions import can
from jalin.core.services import create_object, ensure_can, snapshot

from .. import services
from ..models import (
    ACTIVE_MEETING,
    Event,
    EventStatus,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Participant,
    Priority,
    RequestStatus,
)
from .base import ACTIVE_PARTICIPANT, LIVE_REQUEST, PRIORITY_RANK, log_update


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
        log_update(None, request, before)
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


def live_pair(a: Participant, b: Participant) -> MeetingRequest | None:
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
    existing = live_pair(requester, recipient)
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
            log_update(actor, existing, before)
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
            log_update(actor, existing, before)
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
    log_update(actor, request, before)
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
    log_update(actor, request, before)
    _cancel_meetings_for(request, actor=actor)
    return request


def active_meeting(request: MeetingRequest) -> Meeting | None:
    return Meeting.objects.filter(request=request, status__in=ACTIVE_MEETING).select_related("slot", "table").first()
