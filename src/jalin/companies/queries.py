"""Reads of the registry. The list page, the API and the export all call :func:`company_list` with the
request's parameters, so a user sees, downloads and fetches exactly the same rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from jalin.regions.models import Region

from .models import Certification, Company, CompanyKind, SizeClass, Verification

SORTS = {
    "name": "legal_name",
    "region": "region__name",
    "completeness": "completeness",
    "workforce": "workforce",
    "updated": "updated",
}
DEFAULT_SORT = "name"
#: Sort keys whose column may be empty: unknown values go last in both directions and on every database
#: (PostgreSQL would otherwise put them first when sorting descending, e.g. "largest workforce").
NULLABLE_SORTS = frozenset({"workforce"})


@dataclass(frozen=True)
class CompanyFilters:
    q: str = ""
    kind: str = ""
    process: str = ""  # Process.code
    material: str = ""  # Material.code
    certification: str = ""  # CertificationType.code, valid today
    region: str = ""  # Kemendagri code of a province ("33") or a regency ("33.10")
    size: str = ""  # industry class
    verified: str = ""  # "1" or "0"
    sort: str = DEFAULT_SORT

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> CompanyFilters:
        def get(name: str) -> str:
            return (params.get(name) or "").strip()[:200]

        sort = get("sort") or DEFAULT_SORT
        if sort.lstrip("-") not in SORTS:
            sort = DEFAULT_SORT
        return cls(
            q=get("q"),
            kind=get("kind") if get("kind") in CompanyKind.values else "",
            process=get("process"),
            material=get("material"),
            certification=get("certification"),
            region=get("region"),
            size=get("size") if get("size") in SizeClass.values else "",
            verified=get("verified") if get("verified") in {"0", "1"} else "",
            sort=sort,
        )

    @property
    def active(self) -> bool:
        return any(
            (self.q, self.kind, self.process, self.material, self.certification, self.region, self.size, self.verified)
        )


def region_q(code: str, field: str = "region") -> Q:
    """Companies in a province (all its regencies) or in one regency, by Kemendagri code."""
    if "." in code:
        return Q(**{f"{field}__code": code})
    ids = list(Region.objects.filter(parent__code=code).values_list("pk", flat=True))
    return Q(**{f"{field}_id__in": ids})


def valid_certification(code: str) -> Exists:
    today = timezone.localdate()
    return Exists(
        Certification.objects.filter(company=OuterRef("pk"), certification_type__code=code).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )
    )


def company_list(user, filters: CompanyFilters) -> QuerySet[Company]:
    qs = Company.objects.restrict(user, "view")
    if filters.q:
        qs = qs.filter(search_text__companyfts=filters.q)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.process:
        qs = qs.filter(processes__code=filters.process)
    if filters.material:
        qs = qs.filter(materials__code=filters.material)
    if filters.certification:
        qs = qs.filter(valid_certification(filters.certification))
    if filters.region:
        qs = qs.filter(region_q(filters.region))
    if filters.size:
        qs = qs.filter(industry_class=filters.size)
    if filters.verified:
        qs = qs.filter(verification=Verification.VERIFIED if filters.verified == "1" else Verification.SELF_DECLARED)
    key = filters.sort.lstrip("-")
    descending = filters.sort.startswith("-")
    if key in NULLABLE_SORTS:
        order = F(SORTS[key]).desc(nulls_last=True) if descending else F(SORTS[key]).asc(nulls_last=True)
    else:
        order = f"-{SORTS[key]}" if descending else SORTS[key]
    return qs.select_related("region", "region__parent").order_by(order, "pk")
