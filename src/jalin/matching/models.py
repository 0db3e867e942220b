"""Candidates of a need and their workflow, the bilingual domain lexicon, and the programme's weights."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jalin.core.models import TimeStampedModel
from jalin.core.permissions import ALL, OWN, REGION, AccessPolicy, RestrictedQuerySet
from jalin.core.roles import Role


class CandidateStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    INVITED = "invited", _("Invited")
    MET = "met", _("Met")
    EVALUATING = "evaluating", _("Evaluating")
    QUALIFIED = "qualified", _("Qualified")
    DECLINED = "declined", _("Declined")


#: The workflow as data: from each status, the statuses a transition may reach.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    CandidateStatus.SUGGESTED: (CandidateStatus.SHORTLISTED, CandidateStatus.DECLINED),
    CandidateStatus.SHORTLISTED: (CandidateStatus.INVITED, CandidateStatus.SUGGESTED, CandidateStatus.DECLINED),
    CandidateStatus.INVITED: (CandidateStatus.MET, CandidateStatus.DECLINED),
    CandidateStatus.MET: (CandidateStatus.EVALUATING, CandidateStatus.DECLINED),
    CandidateStatus.EVALUATING: (CandidateStatus.QUALIFIED, CandidateStatus.DECLINED),
    CandidateStatus.QUALIFIED: (),
    CandidateStatus.DECLINED: (CandidateStatus.SHORTLISTED,),
}


class CandidateOrigin(models.TextChoices):
    ENGINE = "engine", _("Suggested by the matching engine")
    INTEREST = "interest", _("Interest expressed by the IKM")
    NOMINATION = "nomination", _("Nominated by an officer")


class Candidate(TimeStampedModel):
    need = models.ForeignKey(
        "sourcing.Need", verbose_name=_("need"), on_delete=models.CASCADE, related_name="candidates"
    )
    company = models.ForeignKey(
        "companies.Company", verbose_name=_("company"), on_delete=models.CASCADE, related_name="candidacies"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CandidateStatus.choices, default=CandidateStatus.SUGGESTED, db_index=True
    )
    origin = models.CharField(
        _("origin"), max_length=12, choices=CandidateOrigin.choices, default=CandidateOrigin.ENGINE
    )
    score = models.FloatField(_("score"), default=0)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    explanation = models.JSONField(
        _("explanation"), default=dict, blank=True, help_text=_("Score parts, reasons and gaps in both languages.")
    )
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    interest_note = models.CharField(_("note from the IKM"), max_length=500, blank=True)

    access_policy = AccessPolicy(
        rules={
            "view": {
                Role.PROGRAMME_OFFICER: [ALL],
                Role.REGIONAL_OFFICER: [REGION],
                Role.BUYER: ["buyer_own"],
                Role.IKM: [OWN],
            },
            "change": {Role.PROGRAMME_OFFICER: [ALL], Role.BUYER: ["buyer_own"]},
        },
        organisation_field="company__organisation",
        region_field="company__region",
        extra={"buyer_own": lambda user: models.Q(need__buyer__organisation_id=user.organisation_id)},
    )

    class Meta:
        ordering = ["need", "rank", "-score"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [models.UniqueConstraint(fields=["need", "company"], name="unique_candidate_per_need")]
        indexes = [models.Index(fields=["company", "status"])]

    def __str__(self) -> str:
        return f"{self.company} → {self.need}"


class CandidateEvent(models.Model):
    """One transition of a candidate: the programme's funnel data (who moved it, from where, to where, when)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=12, choices=CandidateStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=CandidateStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["time", "pk"]
        verbose_name = _("candidate event")
        verbose_name_plural = _("candidate events")

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class LexiconEntry(TimeStampedModel):
    """A word or phrase and the concept it means, so English needs match Indonesian profiles and slang.

    ``concept`` is a canonical token (e.g. ``exhaust``); every term with the same concept matches every
    other. Officers extend the lexicon from the UI; the built-in entries come from DOMAIN.md.
    """

    term = models.CharField(_("term"), max_length=80, unique=True, help_text=_("Lower case, e.g. knalpot."))
    concept = models.SlugField(_("concept"), max_length=60, help_text=_("Canonical token, e.g. exhaust."))
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=[("id", "Bahasa Indonesia"), ("en", "English"), ("slang", _("Trade slang"))],
        default="id",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    access_policy = AccessPolicy(
        rules={
            "view": {role: [ALL] for role in Role.values},
            "change": {Role.PROGRAMME_OFFICER: [ALL]},
            "add": {Role.PROGRAMME_OFFICER: [ALL]},
            "delete": {Role.PROGRAMME_OFFICER: [ALL]},
        }
    )

    class Meta:
        ordering = ["concept", "term"]
        verbose_name = _("lexicon entry")
        verbose_name_plural = _("lexicon")

    def __str__(self) -> str:
        return f"{self.term} → {self.concept}"


class MatchSettings(TimeStampedModel):
    """The programme's matching weights (one row). Changing them goes through a service and is logged.

    The defaults were tuned on the labelled set of bench/matching_quality.py (docs/matching-quality.md):
    0.829 nDCG@10 against 0.795 for the first guess, keeping some weight on distance and readiness,
    which buyers care about but the labels do not grade.
    """

    text = models.FloatField(_("text relevance"), default=0.25)
    processes = models.FloatField(_("process coverage"), default=0.25)
    materials = models.FloatField(_("material fit"), default=0.07)
    certifications = models.FloatField(_("certification compliance"), default=0.20)
    capacity = models.FloatField(_("capacity fit"), default=0.13)
    distance = models.FloatField(_("distance to the delivery plant"), default=0.05)
    readiness = models.FloatField(_("verification and readiness"), default=0.05)
    hard_penalty = models.FloatField(
        _("penalty for a missing hard requirement"),
        default=0.5,
        help_text=_("Multiplies the score when a need keeps such candidates instead of filtering them out."),
    )

    access_policy = AccessPolicy(
        rules={"view": {role: [ALL] for role in Role.values}, "change": {Role.PROGRAMME_OFFICER: [ALL]}}
    )

    class Meta:
        verbose_name = _("matching settings")
        verbose_name_plural = _("matching settings")

    def __str__(self) -> str:
        return str(_("Matching weights"))

    @classmethod
    def current(cls) -> "MatchSettings":
        return cls.objects.order_by("pk").first() or cls.objects.create()

    def weights(self) -> dict[str, float]:
        return {
            name: getattr(self, name)
            for name in ("text", "processes", "materials", "certifications", "capacity", "distance", "readiness")
        }
