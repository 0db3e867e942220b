"""Reads of the needs. The list page, the API and the export all call :func:`need_list` with the request's
parameters, so a user sees, downloads and fetches exactly the same rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import reduce
from operator import and_, or_
from urllib.parse import urlencode

from django.db.models import F, Q, QuerySet

from .models import Need, NeedStatus, Visibility

SORTS = {
    "reference": "reference",
    "title": "title",
    "buyer": "buyer__legal_name",
    "status": "status",
    "volume": "annual_volume",
    "start": "start_date",
    "created": "created",
    "updated": "updated",
}
DEFAULT_SORT = "-created"
#: Sort keys whose column may be empty: unknown values go last in both directions, on every database.
NULLABLE_SORTS = frozenset({"volume", "start"})
#: The fields the search looks in (a few thousand needs: a plain case-insensitive match is enough).
SEARCH_FIELDS = ("title", "description", "reference", "part_category", "hs_code")


@dataclass(frozen=True)
class NeedFilters:
    q: str = ""
    status: str = ""
    buyer: str = ""  # Company pk
    process: str = ""  # Process.code
    material: str = ""  # Material.code
    imported: str = ""  # "1" or "0"
    visibility: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> NeedFilters:
        def get(name: str) -> str:
            return (params.get(name) or "").strip()[:200]

        sort = get("sort") or DEFAULT_SORT
        if sort.lstrip("-") not in SORTS:
            sort = DEFAULT_SORT
        return cls(
            q=get("q"),
            status=get("status") if get("status") in NeedStatus.values else "",
            buyer=get("buyer") if get("buyer").isdigit() else "",
            process=get("process"),
            material=get("material"),
            imported=get("imported") if get("imported") in {"0", "1"} else "",
            visibility=get("visibility") if get("visibility") in Visibility.values else "",
            sort=sort,
        )

    @property
    def active(self) -> bool:
        return any((self.q, self.status, self.buyer, self.process, self.material, self.imported, self.visibility))

    def query_string(self) -> str:
        """The filters as a query string: what the export links carry, so a user downloads what they see."""
        params = {key: value for key, value in asdict(self).items() if value}
        if params.get("sort") == DEFAULT_SORT:
            del params["sort"]
        return urlencode(params)


def search_q(text: str) -> Q:
    """Every word somewhere in the need's title, description, reference, part category or HS code."""
    words = text.split()[:10]
    return reduce(
        and_, (reduce(or_, (Q(**{f"{name}__icontains": word}) for name in SEARCH_FIELDS)) for word in words), Q()
    )


def need_list(user, filters: NeedFilters) -> QuerySet[Need]:
    qs = Need.objects.restrict(user, "view")
    if filters.q:
        qs = qs.filter(search_q(filters.q))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.buyer:
        qs = qs.filter(buyer_id=int(filters.buyer))
    if filters.process:
        qs = qs.filter(processes__code=filters.process)
    if filters.material:
        qs = qs.filter(materials__code=filters.material)
    if filters.imported:
        qs = qs.filter(imported=filters.imported == "1")
    if filters.visibility:
        qs = qs.filter(visibility=filters.visibility)
    key = filters.sort.lstrip("-")
    descending = filters.sort.startswith("-")
    if key in NULLABLE_SORTS:
        order = F(SORTS[key]).desc(nulls_last=True) if descending else F(SORTS[key]).asc(nulls_last=True)
    else:
        order = f"-{SORTS[key]}" if descending else SORTS[key]
    return qs.select_related("buyer", "delivery_plant__region").order_by(order, "-pk" if descending else "pk")
