"""Participation: an officer adds or invites a company, a company registers, declines its invitation or
leaves; availability, cap and note; representatives."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jalin.companies.models import Company
from jalin.core.permissions import can
from jalin.core.roles import Role
from jalin.core.services import create_object, delete_object, ensure_can, snapshot, update_object
from jalin.matching.services import company_of

from .. import services
from ..models import Event, EventStatus, MeetingRequest, Participant, ParticipantStatus, Representative, RequestStatus
from .base import ACTIVE_PARTICIPANT, LIVE_REQUEST, deny, log_update, side_for
from .tables import set_fixed_table


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
        log_update(actor, existing, before)
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
        deny(_("Only IKM and buyer staff register their company."))
    if not Event.objects.restrict(actor, "view").filter(pk=event.pk).exists():
        deny()
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
    log_update(actor, participant, before)
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
        log_update(actor, request, before)


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
    log_update(actor, participant, before)
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
    log_update(actor, participant, before)
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
