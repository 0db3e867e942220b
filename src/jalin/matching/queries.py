"""Reads of matching, always through ``restrict``: the candidates a user may see, and their display."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Prefetch
from django.utils.translation import get_language, gettext_lazy

from jalin.companies.models import Company
from jalin.sourcing.models import Need

from .engine.types import WEIGHTS
from .models import Candidate, CandidateEvent, MatchSettings


def visible_candidates(user):
    """Candidates the user may see, of needs the user may see: an IKM's candidacy on an invitation-only
    need it was not invited to stays hidden with the need."""
    return Candidate.objects.restrict(user, "view").filter(need__in=Need.objects.restrict(user, "view"))


def with_company_link(queryset, user):
    """Annotate ``company_visible``: whether the user may open the candidate's registry profile."""
    return queryset.annotate(
        company_visible=Exists(Company.objects.restrict(user, "view").filter(pk=OuterRef("company_id")))
    )


def ranked(queryset):
    """Best first: by rank (unranked last), then score."""
    return queryset.order_by(F("rank").asc(nulls_last=True), "-score", "pk")


def with_events(queryset):
    return queryset.prefetch_related(
        Prefetch("events", queryset=CandidateEvent.objects.select_related("actor").order_by("time", "pk"))
    )


def language() -> str:
    return "en" if (get_language() or "id").startswith("en") else "id"


#: Short names of the score parts for the small bars (the weights' full names are their tooltips).
PART_LABELS = {
    "text": gettext_lazy("Text"),
    "processes": gettext_lazy("Processes"),
    "materials": gettext_lazy("Materials"),
    "certifications": gettext_lazy("Certifications"),
    "capacity": gettext_lazy("Capacity"),
    "distance": gettext_lazy("Distance"),
    "readiness": gettext_lazy("Readiness"),
}


def part_labels() -> dict[str, tuple[str, str]]:
    """The score parts' short and full names in the user's language."""
    return {name: (str(PART_LABELS[name]), str(MatchSettings._meta.get_field(name).verbose_name)) for name in WEIGHTS}


def explain(explanation: dict, labels: dict[str, tuple[str, str]] | None = None) -> dict:
    """An explanation (``Match.as_dict()``) ready for a template, in the user's language: the parts as
    percentages in the weights' order, and the reasons and gaps as plain sentences."""
    labels = labels or part_labels()
    lang = language()
    parts = explanation.get("parts") or {}
    return {
        "parts": [
            {
                "name": name,
                "label": labels[name][0],
                "title": labels[name][1],
                "percent": round(100 * max(0.0, min(1.0, float(parts[name])))),
            }
            for name in WEIGHTS
            if name in parts
        ],
        "reasons": [m.get(lang) or m.get("id") or "" for m in explanation.get("reasons") or ()],
        "gaps": [m.get(lang) or m.get("id") or "" for m in explanation.get("gaps") or ()],
        "hard_missing": bool(explanation.get("hard_missing")),
    }
