"""Every write to matching: the candidates of a need and their workflow, the lexicon and the weights.

Views, the API, the command line and jobs all call these functions. Each takes keyword-only arguments and
the acting user (``None`` is the system), runs in ``transaction.atomic`` and writes the change log. A
candidate's status changes only through :func:`transition`, which locks the row (``select_for_update``),
checks the move against :data:`models.TRANSITIONS` and records a :class:`CandidateEvent` — the programme's
funnel data — besides the before/after change log.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jalin.companies.models import Company, CompanyKind
from jalin.core.models import ChangeAction
from jalin.core.permissions import can
from jalin.core.roles import Role
from jalin.core.services import create_object, delete_object, ensure_can, log_change, snapshot, update_object
from jalin.sourcing.models import Need, NeedStatus

from .engine.types import WEIGHTS
from .models import (
    TRANSITIONS,
    Candidate,
    CandidateEvent,
    CandidateOrigin,
    CandidateStatus,
    LexiconEntry,
    MatchSettings,
)

#: How deep a refresh looks for the fresh score of a candidate that was acted on but left the top K.
RESCORE_DEPTH = 1000

#: Fields a refresh rewrites; what the change log would only repeat (the scores are computed data).
_SCORE_FIELDS = ("score", "rank", "explanation", "scored_at", "updated")


# ------------------------------------------------------------------------------------ who may do what


def is_buyer_of(user, need: Need) -> bool:
    """Whether ``user`` is purchasing staff of the company that posted ``need``."""
    return (
        user is not None
        and user.role == Role.BUYER
        and user.organisation_id is not None
        and need.buyer.organisation_id == user.organisation_id
    )


def may_decide(user, need: Need) -> bool:
    """The buyer of the need and programme officers move its candidates through the workflow."""
    return user is None or user.is_programme_officer or is_buyer_of(user, need)


def may_refresh(user, need: Need) -> bool:
    """The buyer of the need and officers (programme and regional) may recompute its ranking."""
    return user is None or user.is_officer or is_buyer_of(user, need)


def _ensure(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You do not have permission to do this."))


def _log_event(candidate: Candidate, *, from_status: str, to_status: str, actor, note: str = "") -> CandidateEvent:
    return CandidateEvent.objects.create(
        candidate=candidate,
        from_status=from_status,
        to_status=to_status,
        actor=actor if actor is not None and actor.pk else None,
        note=note[:300],
    )


def _lock_need(need: Need) -> Need:
    """Serialise the writes that create a need's candidates (two refreshes, a refresh and an interest)."""
    return Need.objects.select_for_update().select_related("buyer").get(pk=need.pk)


# ------------------------------------------------------------------------------------ the ranking


@dataclass(frozen=True)
class RefreshResult:
    created: int  # new candidates (suggested by the engine)
    updated: int  # candidates already there, with a fresh score and explanation
    removed: int  # suggested candidates that dropped out of the top K (never acted on)
    unranked: int  # candidates acted on that the engine no longer ranks at all (kept, rank cleared)
    total: int  # candidates of the need after the refresh

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "removed": self.removed,
            "unranked": self.unranked,
            "total": self.total,
        }


@transaction.atomic
def refresh_candidates(need: Need, *, actor, top_k: int = 50) -> RefreshResult:
    """Rank the registry for ``need`` and keep the top ``top_k`` as candidates, with score and explanation.

    New companies in the top K become *suggested* candidates (a "match proposed" event each). Candidates
    already there get a fresh score, rank and explanation whatever their status; those acted on (beyond
    *suggested*, or brought by an interest or a nomination) keep their status even when they leave the
    top K. Suggested engine candidates that left the top K are deleted: nobody acted on them.
    """
    need = _lock_need(need)
    _ensure(may_refresh(actor, need), _("Only the buyer of this need and officers may refresh its ranking."))
    from . import index  # the Django adapter to the engine; imported late so that models load without NumPy

    top_k = max(1, int(top_k))
    top = {m.company_id: (position, m) for position, m in enumerate(index.rank_need(need, top_k=top_k), start=1)}
    existing = {c.company_id: c for c in Candidate.objects.select_for_update().filter(need=need)}

    # Candidates someone acted on keep their place when they leave the top K: find their fresh score deeper.
    deeper: dict[int, tuple[int, object]] = {}
    if any(cid not in top and not _never_acted_on(c) for cid, c in existing.items()):
        ranking = index.rank_need(need, top_k=max(RESCORE_DEPTH, top_k))
        deeper = {m.company_id: (position, m) for position, m in enumerate(ranking, start=1)}

    now = timezone.now()
    updated_rows: list[Candidate] = []
    stale: list[Candidate] = []
    unranked = 0
    for company_id, row in existing.items():
        found = top.get(company_id) or (None if _never_acted_on(row) else deeper.get(company_id))
        if found is not None:
            position, match = found
            row.score, row.rank, row.explanation = match.score, position, match.as_dict()
        elif _never_acted_on(row):
            stale.append(row)
            continue
        else:  # no longer ranked at all (e.g. a hard requirement lapsed): kept, without a rank
            row.rank = None
            unranked += 1
        row.scored_at = row.updated = now
        updated_rows.append(row)

    new_rows = [
        Candidate(
            need=need,
            company_id=company_id,
            score=match.score,
            rank=position,
            explanation=match.as_dict(),
            scored_at=now,
        )
        for company_id, (position, match) in top.items()
        if company_id not in existing
    ]
    created = Candidate.objects.bulk_create(new_rows)
    for candidate in created:
        if candidate.pk is None:  # a backend that does not return ids: read them back
            candidate.pk = Candidate.objects.get(need=need, company_id=candidate.company_id).pk
        _log_event(candidate, from_status="", to_status=CandidateStatus.SUGGESTED, actor=actor, note="engine")
        log_change(actor=actor, action=ChangeAction.CREATE, obj=candidate, before=None, after=snapshot(candidate))
    if updated_rows:
        Candidate.objects.bulk_update(updated_rows, _SCORE_FIELDS)
    for candidate in stale:
        log_change(actor=actor, action=ChangeAction.DELETE, obj=candidate, before=snapshot(candidate), after=None)
    if stale:
        Candidate.objects.filter(pk__in=[c.pk for c in stale]).delete()
    return RefreshResult(
        created=len(created),
        updated=len(updated_rows),
        removed=len(stale),
        unranked=unranked,
        total=len(existing) - len(stale) + len(created),
    )


def _score_now(candidate: Candidate) -> None:
    """Give a candidate that joined outside a refresh (interest, nomination) its score and explanation now,
    so that the buyer sees why it fits without waiting for the next refresh. Not ranked: left unscored."""
    from . import index

    for position, match in enumerate(index.rank_need(candidate.need, top_k=RESCORE_DEPTH), start=1):
        if match.company_id == candidate.company_id:
            candidate.score, candidate.rank, candidate.explanation = match.score, position, match.as_dict()
            candidate.scored_at = timezone.now()
            return


def _never_acted_on(candidate: Candidate) -> bool:
    return candidate.status == CandidateStatus.SUGGESTED and candidate.origin == CandidateOrigin.ENGINE


# ------------------------------------------------------------------------------------ the workflow


def allowed_transitions(status: str) -> tuple[str, ...]:
    return tuple(TRANSITIONS.get(status, ()))


@transaction.atomic
def transition(candidate: Candidate, *, to: str, actor, reason: str = "", note: str = "") -> Candidate:
    """Move ``candidate`` to status ``to``: checked against the workflow, logged twice (event + change log).

    Only the buyer of the need and programme officers decide. Declining needs a reason. Inviting needs an
    open need; an invitation makes an invitation-only need visible to the invited IKM.
    """
    locked = Candidate.objects.select_for_update().select_related("need__buyer", "company").get(pk=candidate.pk)
    _ensure(
        may_decide(actor, locked.need), _("Only the buyer of this need and programme officers move its candidates.")
    )
    if to not in CandidateStatus.values:
        raise ValidationError({"to": _("Unknown status: %(status)s.") % {"status": to}}, code="invalid")
    current = CandidateStatus(locked.status)
    target = CandidateStatus(to)
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(str(CandidateStatus(s).label) for s in TRANSITIONS[current]) or _("none")
        raise ValidationError(
            {
                "to": _("A candidate cannot move from “%(from)s” to “%(to)s”. Possible next steps: %(allowed)s.")
                % {"from": current.label, "to": target.label, "allowed": allowed}
            },
            code="invalid_transition",
        )
    reason = (reason or "").strip()
    if target == CandidateStatus.DECLINED and not reason:
        raise ValidationError({"reason": _("Give a reason for declining this candidate.")}, code="required")
    if target == CandidateStatus.INVITED and locked.need.status != NeedStatus.OPEN:
        raise ValidationError(
            {"to": _("Open the need before inviting candidates: only an open need can be shown to an IKM.")},
            code="need_not_open",
        )
    before = snapshot(locked)
    locked.status = target
    locked.decline_reason = reason[:300] if target == CandidateStatus.DECLINED else ""
    locked.save(update_fields=["status", "decline_reason", "updated"])
    _log_event(locked, from_status=current, to_status=target, actor=actor, note=(note or "").strip() or reason)
    log_change(actor=actor, action=ChangeAction.UPDATE, obj=locked, before=before, after=snapshot(locked))
    candidate.status, candidate.decline_reason, candidate.updated = locked.status, locked.decline_reason, locked.updated
    return locked


# ------------------------------------------------------------------------------------ interest and nomination


def company_of(user) -> Company | None:
    """The company profile of the user's organisation, if it has one."""
    if user is None or not user.organisation_id:
        return None
    return Company.objects.filter(organisation_id=user.organisation_id).first()


def _ensure_need_open(need: Need) -> None:
    if need.status != NeedStatus.OPEN:
        raise ValidationError(_("This need is not open: candidates can no longer be added."), code="need_not_open")


@transaction.atomic
def express_interest(need: Need, *, actor, note: str = "") -> Candidate:
    """An IKM tells the buyer it wants this need: a candidate of origin *interest* that stays *suggested*
    (the buyer decides). Idempotent: a second call changes nothing unless the note differs."""
    _ensure(actor is not None and actor.role == Role.IKM, _("Only IKM staff express interest for their company."))
    company = company_of(actor)
    if company is None or company.kind != CompanyKind.IKM:
        raise ValidationError(
            _("Your organisation has no IKM company profile yet: complete it before expressing interest."),
            code="no_company",
        )
    _ensure(Need.objects.restrict(actor, "view").filter(pk=need.pk).exists())
    need = _lock_need(need)
    _ensure_need_open(need)
    note = (note or "").strip()[:500]
    candidate = Candidate.objects.select_for_update().filter(need=need, company=company).first()
    if candidate is None:
        candidate = Candidate(need=need, company=company, origin=CandidateOrigin.INTEREST, interest_note=note)
        _score_now(candidate)
        candidate.save()
        _log_event(candidate, from_status="", to_status=CandidateStatus.SUGGESTED, actor=actor, note="interest")
        log_change(actor=actor, action=ChangeAction.CREATE, obj=candidate, before=None, after=snapshot(candidate))
        return candidate
    before = snapshot(candidate)
    if candidate.origin == CandidateOrigin.ENGINE:
        candidate.origin = CandidateOrigin.INTEREST
    if note:
        candidate.interest_note = note
    after = snapshot(candidate)
    if after != before:
        candidate.save(update_fields=["origin", "interest_note", "updated"])
        log_change(actor=actor, action=ChangeAction.UPDATE, obj=candidate, before=before, after=snapshot(candidate))
    return candidate


def nominable_companies(user):
    """The IKM an officer may nominate: a programme officer any, a regional officer those of its region."""
    if user is None or not user.is_officer:
        return Company.objects.none()
    return Company.objects.restrict(user, "change").filter(kind=CompanyKind.IKM)


@transaction.atomic
def nominate(need: Need, company: Company, *, actor, note: str = "") -> Candidate:
    """An officer puts an IKM forward for a need: a *shortlisted* candidate of origin *nomination*."""
    _ensure(actor is None or actor.is_officer, _("Only officers nominate IKM."))
    if company.kind != CompanyKind.IKM:
        raise ValidationError(_("Only IKM can be nominated."), code="not_ikm")
    if actor is not None and not nominable_companies(actor).filter(pk=company.pk).exists():
        raise PermissionDenied(_("Regional officers nominate only IKM of their own region."))
    _ensure(actor is None or can(actor, "view", need))
    need = _lock_need(need)
    _ensure_need_open(need)
    note = (note or "").strip()[:300]
    candidate = Candidate.objects.select_for_update().filter(need=need, company=company).first()
    if candidate is None:
        candidate = Candidate(
            need=need, company=company, origin=CandidateOrigin.NOMINATION, status=CandidateStatus.SHORTLISTED
        )
        _score_now(candidate)
        candidate.save()
        _log_event(candidate, from_status="", to_status=CandidateStatus.SHORTLISTED, actor=actor, note=note)
        log_change(actor=actor, action=ChangeAction.CREATE, obj=candidate, before=None, after=snapshot(candidate))
        return candidate
    if candidate.status != CandidateStatus.SUGGESTED:
        raise ValidationError(
            _("%(company)s is already a candidate for this need (%(status)s).")
            % {"company": company, "status": candidate.get_status_display()},
            code="already_candidate",
        )
    before = snapshot(candidate)
    candidate.origin, candidate.status = CandidateOrigin.NOMINATION, CandidateStatus.SHORTLISTED
    candidate.save(update_fields=["origin", "status", "updated"])
    _log_event(
        candidate, from_status=CandidateStatus.SUGGESTED, to_status=CandidateStatus.SHORTLISTED, actor=actor, note=note
    )
    log_change(actor=actor, action=ChangeAction.UPDATE, obj=candidate, before=before, after=snapshot(candidate))
    return candidate


# ------------------------------------------------------------------------------------ lexicon and weights


def _clean_lexicon(fields: dict) -> dict:
    cleaned = dict(fields)
    if "term" in cleaned:
        cleaned["term"] = " ".join((cleaned["term"] or "").split()).lower()
    if "concept" in cleaned:
        cleaned["concept"] = (cleaned["concept"] or "").strip().lower()
    if "note" in cleaned:
        cleaned["note"] = (cleaned["note"] or "").strip()
    return cleaned


@transaction.atomic
def create_lexicon_entry(*, actor, **fields) -> LexiconEntry:
    """Add a term and the concept it means (programme officers); terms are stored in lower case."""
    return create_object(LexiconEntry, actor=actor, **_clean_lexicon(fields))


@transaction.atomic
def update_lexicon_entry(entry: LexiconEntry, *, actor, **fields) -> LexiconEntry:
    return update_object(entry, actor=actor, **_clean_lexicon(fields))


@transaction.atomic
def delete_lexicon_entry(entry: LexiconEntry, *, actor) -> None:
    delete_object(entry, actor=actor)


def validate_weights(values: dict[str, float]) -> None:
    """Weights are ≥ 0 and not all zero; the hard-requirement penalty lies between 0 and 1."""
    errors: dict[str, list[str]] = {}
    for name in WEIGHTS:
        if name in values and values[name] is not None and values[name] < 0:
            errors.setdefault(name, []).append(_("A weight cannot be negative."))
    if all(not values.get(name) for name in WEIGHTS):
        errors.setdefault("__all__", []).append(_("At least one weight must be above zero."))
    penalty = values.get("hard_penalty")
    if penalty is not None and not 0 <= penalty <= 1:
        errors.setdefault("hard_penalty", []).append(_("The penalty is a factor between 0 and 1."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_match_settings(*, actor, **values) -> MatchSettings:
    """Change the programme's matching weights (programme officers); the change log keeps before and after."""
    current = MatchSettings.current()
    ensure_can(actor, "change", current)
    unknown = set(values) - {*WEIGHTS, "hard_penalty"}
    if unknown:
        raise ValidationError(_("Unknown setting: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    merged = {name: getattr(current, name) for name in (*WEIGHTS, "hard_penalty")}
    merged.update({k: float(v) for k, v in values.items() if v is not None})
    validate_weights(merged)
    return update_object(current, actor=actor, **{k: merged[k] for k in values})
