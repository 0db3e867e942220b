"""What both sides say after a meeting, the follow-up round, and moving the linked candidate along.

Rules (see docs/events-outcomes.md):

* A side records its own outcome; an officer who runs the event may record either side's.
* The round is 0 (at the event) until the officer opens the follow-up round, 1 afterwards. Recording again
  in the same round replaces that side's answer.
* A meeting takes an outcome when it was held, or when it is still *scheduled* and its slot has ended: a side
  telling what was said shows that the meeting took place, so it is marked held (logged, by the recorder).
  A no-show or cancelled meeting refuses an outcome; so does a meeting whose slot has not ended yet.
* When the meeting's request came from a candidate (need → IKM), the candidate moves *invited → met*, and
  *met → evaluating* once either side names a concrete next step (sample, quotation, MoU intention). The
  move is made as the recorder when the matching workflow lets that person decide (the need's buyer, a
  programme officer); otherwise as the system, with a note that names the event and who recorded.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jalin.core.models import ChangeAction
from jalin.core.permissions import can
from jalin.core.services import ensure_can, log_change, snapshot, update_object

from .models import (
    Event,
    EventStatus,
    Meeting,
    MeetingOutcome,
    MeetingStatus,
    NextStep,
    OutcomeRound,
    Participant,
)

#: Next steps that move a candidate from *met* to *evaluating*.
CONCRETE_STEPS = frozenset({NextStep.SAMPLE, NextStep.QUOTATION, NextStep.MOU})


def current_round(event: Event) -> int:
    return OutcomeRound.FOLLOW_UP if event.follow_up_opened else OutcomeRound.EVENT


def meeting_ended(meeting: Meeting, now=None) -> bool:
    return meeting.slot.ends_at <= (now or timezone.now())


def outcome_problem(meeting: Meeting, now=None) -> str | None:
    """Why ``meeting`` cannot take an outcome (None: it can)."""
    if meeting.status == MeetingStatus.NO_SHOW:
        return _("This meeting is marked as a no-show: there is no outcome to record.")
    if meeting.status == MeetingStatus.CANCELLED:
        return _("This meeting was cancelled: there is no outcome to record.")
    if meeting.status == MeetingStatus.SCHEDULED and not meeting_ended(meeting, now):
        return _("This meeting has not taken place yet. Record its outcome after the meeting.")
    return None


def sides(meeting: Meeting) -> list[Participant]:
    return [meeting.request.requester, meeting.request.recipient]


def may_manage(user, meeting: Meeting) -> bool:
    """Officers who run the event record for either side."""
    return can(user, "change", meeting)


def own_side(user, meeting: Meeting) -> Participant | None:
    """The side of ``meeting`` that is the user's company, if any."""
    if not getattr(user, "organisation_id", None):
        return None
    return next((p for p in sides(meeting) if p.company.organisation_id == user.organisation_id), None)


def sides_for(user, meeting: Meeting) -> list[Participant]:
    """The sides ``user`` may record for: both for the event's officers (and the system, ``None``), its own for a
    party, none otherwise."""
    if user is None or may_manage(user, meeting):
        return sides(meeting)
    if not can(user, "record", meeting):
        return []
    side = own_side(user, meeting)
    return [side] if side else []


def _load(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_related(
        "event",
        "slot",
        "request__candidate__need__buyer",
        "request__requester__company",
        "request__recipient__company",
    ).get(pk=meeting.pk)


@transaction.atomic
def record_outcome(
    meeting: Meeting,
    *,
    actor,
    participant: Participant,
    interest: str,
    next_step: str,
    note: str = "",
) -> MeetingOutcome:
    """Record (or replace) ``participant``'s outcome of ``meeting`` in the event's current round."""
    ensure_can(actor, "record", meeting)
    meeting = _load(meeting)
    allowed = sides_for(actor, meeting)
    if participant.pk not in {p.pk for p in allowed}:
        raise PermissionDenied(_("You can record the outcome of your own side only."))
    participant = next(p for p in allowed if p.pk == participant.pk)
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    meeting.refresh_from_db(fields=["status"])
    problem = outcome_problem(meeting)
    if problem:
        raise ValidationError(problem, code="no_outcome")
    if meeting.status == MeetingStatus.SCHEDULED:
        before = snapshot(meeting)
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status", "updated"])
        log_change(actor=actor, action=ChangeAction.UPDATE, obj=meeting, before=before, after=snapshot(meeting))

    round_ = current_round(meeting.event)
    values = {"interest": interest, "next_step": next_step, "note": (note or "").strip()[:500], "recorded_by": actor}
    outcome = MeetingOutcome.objects.filter(meeting=meeting, participant=participant, round=round_).first()
    if outcome is None:
        outcome = MeetingOutcome(meeting=meeting, participant=participant, round=round_, **values)
        outcome.full_clean()
        outcome.save()
        log_change(actor=actor, action=ChangeAction.CREATE, obj=outcome, before=None, after=snapshot(outcome))
    else:
        before = snapshot(outcome)
        for field, value in values.items():
            setattr(outcome, field, value)
        outcome.full_clean()
        outcome.save()
        log_change(actor=actor, action=ChangeAction.UPDATE, obj=outcome, before=before, after=snapshot(outcome))
    move_candidate(meeting, actor=actor, recorded_by=participant)
    return outcome


def move_candidate(meeting: Meeting, *, actor, recorded_by: Participant | None = None) -> list[str]:
    """Move the meeting's candidate along (invited → met → evaluating); returns the statuses it passed to."""
    from jalin.matching import services as matching
    from jalin.matching.models import CandidateStatus

    candidate = meeting.request.candidate
    if candidate is None:
        return []
    steps = set(MeetingOutcome.objects.filter(meeting=meeting).values_list("next_step", flat=True))
    decider = actor if actor is not None and matching.may_decide(actor, candidate.need) else None
    who = ""
    if actor is not None:
        name = actor.get_full_name()
        details = [actor.email] + ([str(recorded_by.company)] if recorded_by is not None else [])
        who = f"{name} ({', '.join(details)})" if name else ", ".join(details)
    note = f"Temu bisnis {meeting.event.reference}: " + (
        _("outcome recorded by %(who)s.") % {"who": who} if who else _("outcome recorded.")
    )
    moved = []
    candidate.refresh_from_db(fields=["status"])
    if candidate.status == CandidateStatus.INVITED:
        matching.transition(candidate, to=CandidateStatus.MET, actor=decider, note=note)
        moved.append(CandidateStatus.MET)
    if candidate.status == CandidateStatus.MET and steps & CONCRETE_STEPS:
        chosen = ", ".join(str(NextStep(s).label) for s in sorted(steps & CONCRETE_STEPS))
        matching.transition(candidate, to=CandidateStatus.EVALUATING, actor=decider, note=f"{note} {chosen}")
        moved.append(CandidateStatus.EVALUATING)
    return moved


def follow_up_problem(event: Event) -> str | None:
    if event.follow_up_opened:
        return _("The follow-up round is already open.")
    if event.status not in (EventStatus.PUBLISHED, EventStatus.CLOSED):
        return _("The follow-up round opens after the event, once its schedule is published.")
    if not Meeting.objects.filter(event=event, status=MeetingStatus.HELD).exists():
        return _("No meeting has been held yet: there is nothing to follow up.")
    return None


@transaction.atomic
def open_follow_up(event: Event, *, actor) -> Event:
    """Open the follow-up round: from now on both sides are asked again (round 1)."""
    ensure_can(actor, "change", event)
    event = Event.objects.select_for_update().get(pk=event.pk)
    problem = follow_up_problem(event)
    if problem:
        raise ValidationError(problem, code="follow_up")
    return update_object(event, actor=actor, follow_up_opened=timezone.now())
