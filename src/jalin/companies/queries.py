"""Reads of the registry. The list page, the API and the export all call :func:`company_list` with the
request's parameters, so a user sees, downloads and fetches exactly the same rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.utils import timezone

from jalin.core.pagination import CappedPaginator
from jalin.regions.models import Region

from . import search
from .models import Certification, CertificationType, Company, CompanyKind, Material, Process, SizeClass, Verification

#: Sort keys and what they order by. Regency sorts by the lower-cased name: an expression, so PostgreSQL joins
#: the regions by hash and sorts the matches, instead of walking the regions' name index in a nested loop
#: over every match (25 s for a dense search at 1,000,000 companies; see bench/README.md).
SORTS = {
    "name": "legal_name",
    "region": Lower("region__name"),
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


def filter_tokens(filters: CompanyFilters) -> list[str] | None:
    """The filter tokens (``companies.search``) that stand for the process, material, region and
    certification filters, read in one query; ``None`` when a code names nothing (no company matches).

    The certification token says "holds one of this type": the validity is still checked relationally."""
    wanted = []  # (token maker, model, lookup, code)
    if filters.process:
        wanted.append((search.process_token, Process, "code", filters.process))
    if filters.material:
        wanted.append((search.material_token, Material, "code", filters.material))
    if filters.certification:
        wanted.append((search.certification_token, CertificationType, "code", filters.certification))
    if filters.region:
        if "." in filters.region:
            wanted.append((search.region_token, Region, "code", filters.region))
        else:
            wanted.append((search.province_token, Region, "code", filters.region))
    if not wanted:
        return []
    parts = [
        model.objects.filter(**{lookup: code}).annotate(slot=Value(n)).values_list("slot", "pk")
        for n, (_token, model, lookup, code) in enumerate(wanted)
    ]
    found = dict(parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0])
    if len(found) < len(wanted):
        return None
    return [token(found[n]) for n, (token, *_rest) in enumerate(wanted)]


def use_filter_tokens() -> bool:
    """Whether the list answers its process, material, region and certification filters through the filter
    tokens of the search vector (PostgreSQL) or relationally (elsewhere: the same rows)."""
    return connection.vendor == "postgresql"


def company_list(
    user, filters: CompanyFilters, *, tokens: bool | None = None, text: search.CompanySearch | None = None
) -> QuerySet[Company]:
    """The companies ``user`` may see that pass ``filters``, sorted. ``tokens`` forces the filter path
    (default: :func:`use_filter_tokens`); both give the same rows. ``text`` is the search of ``filters.q``,
    passed when the caller shows what its words found (``CompanySearch.expansions``)."""
    qs = Company.objects.restrict(user, "view")
    if filters.q:
        qs = qs.filter(search_text__companyfts=text or filters.q)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if tokens if tokens is not None else use_filter_tokens():
        wanted = filter_tokens(filters)
        if wanted is None:
            qs = qs.none()
        elif wanted:
            qs = qs.filter(search_text__companytokens=wanted)
    else:
        if filters.process:
            qs = qs.filter(processes__code=filters.process)
        if filters.material:
            qs = qs.filter(materials__code=filters.material)
        if filters.region:
            qs = qs.filter(region_q(filters.region))
    if filters.certification:
        qs = qs.filter(valid_certification(filters.certification))
    if filters.size:
        qs = qs.filter(industry_class=filters.size)
    if filters.verified:
        qs = qs.filter(verification=Verification.VERIFIED if filters.verified == "1" else Verification.SELF_DECLARED)
    key = filters.sort.lstrip("-")
    descending = filters.sort.startswith("-")
    sort = SORTS[key]
    if isinstance(sort, str) and key not in NULLABLE_SORTS:
        order = f"-{sort}" if descending else sort  # a column name: the pagination's index walk reads it
    else:
        expression = F(sort) if isinstance(sort, str) else sort
        nulls_last = key in NULLABLE_SORTS or None
        order = expression.desc(nulls_last=nulls_last) if descending else expression.asc(nulls_last=nulls_last)
    return qs.select_related("region", "region__parent").order_by(order, "pk")


def pick_companies(qs: QuerySet[Company], q: str, limit: int) -> list[Company]:
    """The first ``limit`` companies of ``qs``, by name, whose name, products, regency or NIB start with the
    words of ``q``: the search of a company picker (nominating an IKM, adding an event participant).

    Through the registry's full-text search, read as the list reads a page (``CappedPaginator`` by ids): the
    matches first, then sorted. Ordering ``icontains`` by name with a limit made PostgreSQL walk the name index
    of the whole registry looking for matches: 6.9 s at 1,000,000 companies for a word nobody has, where this
    takes a few milliseconds (and at most about 150 ms for a common word)."""
    if not search.terms(q):  # only punctuation: nothing to look for (the search would match every company)
        return []
    qs = qs.filter(search_text__companyfts=q).order_by("legal_name", "pk")
    return list(CappedPaginator(qs, limit, by_ids=True).page(1).object_list)
