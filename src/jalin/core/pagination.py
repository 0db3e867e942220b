"""Pagination that never counts more rows than it shows a number for.

An exact ``COUNT(*)`` over a search of a million rows costs seconds; :class:`CappedPaginator` counts at
most ``cap + 1`` rows (``SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1)``) and, when there are more than
``cap``, reports ``cap`` with ``is_capped`` set: the page reads "1,000+ results", has no "last page" link,
and pages stop at the cap (a narrower search finds the rest). :class:`CappedPageNumberPagination` is the
same for DRF: ``count`` is at most the cap and ``count_is_capped`` says when it is.
"""

from __future__ import annotations

import contextlib
from functools import partial

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

DEFAULT_COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """With ``by_ids=True`` (a queryset of model instances), the count fetches the primary keys of up to
    ``cap + 1`` rows instead of counting them; when they are all there is, the page is read by those keys
    (``pk IN (…)``) instead of by the filters again: the database then never walks an ordered index
    hoping for a rare match, which is how a search with few results became the slowest one."""

    count_cap = DEFAULT_COUNT_CAP

    def __init__(self, object_list, per_page, *args, count_cap: int | None = None, by_ids: bool = False, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        if count_cap is not None:
            self.count_cap = count_cap
        self.by_ids = by_ids and isinstance(object_list, QuerySet)
        self._ids: list | None = None

    @cached_property
    def _capped_count(self) -> int:
        limit = self.count_cap + 1
        if self.by_ids:
            self._ids = list(self.object_list.order_by().values_list("pk", flat=True)[:limit])
            return len(self._ids)
        if isinstance(self.object_list, QuerySet):
            return self.object_list.order_by()[:limit].count()
        return len(self.object_list[:limit])

    def page(self, number):
        number = self.validate_number(number)  # counts
        if self._ids is None or self.is_capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list.filter(pk__in=self._ids) if self._ids else self.object_list.none()
        return self._get_page(rows[bottom:top], number, self)

    @cached_property
    def count(self) -> int:
        return min(self._capped_count, self.count_cap)

    @cached_property
    def is_capped(self) -> bool:
        return self._capped_count > self.count_cap


def paginate_capped(request, queryset, per_page: int | None = None, count_cap: int | None = None, by_ids=False):
    """Like ``core.views.paginate`` (``?page=``, ``?per_page=`` up to 200), with a capped count."""
    from django.conf import settings

    per_page = per_page or settings.JALIN_PAGE_SIZE
    with contextlib.suppress(ValueError):
        per_page = max(1, min(200, int(request.GET.get("per_page", per_page))))
    return CappedPaginator(queryset, per_page, count_cap=count_cap, by_ids=by_ids).get_page(request.GET.get("page"))


class CappedPageNumberPagination(PageNumberPagination):
    django_paginator_class = CappedPaginator
    by_ids = False  # see CappedPaginator

    def paginate_queryset(self, queryset, request, view=None):
        if self.by_ids:
            self.django_paginator_class = partial(CappedPaginator, by_ids=True)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_is_capped": self.page.paginator.is_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_is_capped"] = {
            "type": "boolean",
            "description": f"Whether there are more rows than ``count`` (counts stop at {DEFAULT_COUNT_CAP}).",
        }
        response["required"] = [*response.get("required", []), "count_is_capped"]
        return response
