"""Invitations from matching: shortlisted candidates of participating buyers join the event as invited,
and a need's buyer asks a candidate to meet."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jalin.companies.models import CompanyKind
from jalin.core.permissions import can
from jalin.core.services import ensure_can, snapshot

from ..models import Event, EventStatus, Participant, ParticipantSide, ParticipantStatus, Priority
from .base import ACTIVE_PARTICIPANT, deny, log_update
from .meeting_requests import RequestResult, create_request, live_pair
from .participants import add_participant


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
        pair = live_pair(buyer, ikm)
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
            log_update(actor, pair, before)
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
        deny(_("Only the buyer of this need and officers ask candidates to meet."))
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
