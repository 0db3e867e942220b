"""Pagination that never counts more rows than it shows a number for.

An exact ``COUNT(*)`` over a search of a million rows costs seconds; :class:`CappedPaginator` counts at
most ``cap + 1`` rows (``SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1)``) and, when there are more than
``cap``, reports ``cap`` with ``is_capped`` set: the page reads "1,000+ results", has no "last page" link,
and pages stop at the cap (a narrower search finds the rest). :class:`CappedPageNumberPagination` is the
same for DRF: ``count`` is at most the cap and ``count_is_capped`` says when it is.

A capped page (more matches than the cap) is first looked for in a bounded prefix of the sort order
(:meth:`CappedPaginator.walked_ids`): the database walks the first ``walk_rows`` rows of the whole table in
the queryset's order (an index of its leading key) and keeps those that pass the filters. Those are the
first matches of the full order, so when they fill the page they are the page, exactly; otherwise the page
is read by the filters as before. This is what keeps a dense search with correlated filters (tens of
thousands of matches the planner takes for a few hundred) from reading them all before sorting.
"""

from __future__ import annotations

import contextlib
from functools import partial

from django.core.exceptions import FieldDoesNotExist, FieldError
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework import pagination
from rest_framework.response import Response

DEFAULT_COUNT_CAP = 1000
#: Rows of the sort order a capped page may walk before it is read by the filters instead (see
#: ``CappedPaginator.walked_ids``): a few milliseconds of index walk.
DEFAULT_WALK_ROWS = 10_000
#: The most rows a page shows (``?per_page=`` on the site, ``?page_size=`` in the API).
MAX_PAGE_SIZE = 200


class CappedPaginator(Paginator):
    """With ``by_ids=True`` (a queryset of model instances), the count fetches the primary keys of up to
    ``cap + 1`` rows instead of counting them; when they are all there is, the page is read by those keys
    instead of by the filters again: the keys are sorted by a query on the primary key alone
    (:meth:`ordered_ids`) and the page's rows read by its few keys, so the database neither walks an
    ordered index hoping for a rare match (how a search with few results became the slowest one) nor
    runs the search again."""

    count_cap = DEFAULT_COUNT_CAP
    walk_rows = DEFAULT_WALK_ROWS

    def __init__(
        self,
        object_list,
        per_page,
        *args,
        count_cap: int | None = None,
        by_ids: bool = False,
        walk_rows: int | None = None,
        **kwargs,
    ):
        super().__init__(object_list, per_page, *args, **kwargs)
        if count_cap is not None:
            self.count_cap = count_cap
        if walk_rows is not None:
            self.walk_rows = walk_rows
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
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if self._ids is not None and not self.is_capped:
            if not self._ids:
                return self._get_page(self.object_list.none(), number, self)
            ids = self.ordered_ids(bottom, top)
            if ids is not None:
                return self._get_page(self.object_list.filter(pk__in=ids), number, self)
            return self._get_page(self.object_list.filter(pk__in=self._ids)[bottom:top], number, self)
        if self.by_ids and self.is_capped and self.walk_is_short(top):
            ids = self.walked_ids(bottom, top)
            if ids is not None:
                return self._get_page(self.object_list.filter(pk__in=ids), number, self)
        return super().page(number)

    def ordered_ids(self, bottom: int, top: int) -> list | None:
        """Rows ``bottom:top`` of the counted ids (all the matches) in the queryset's order, read by the primary
        key alone: the filters already chose these ids, and with them still in the query PostgreSQL plans
        the page through the search index again (a full GIN bitmap, about 100 ms at 1,000,000 companies,
        applying ``id = ANY(…)`` as a filter after it). The page's rows are then read by their few ids.
        ``None`` when the order is not one this model's manager can sort by (an annotation's name, or no
        explicit order)."""
        qs = self.object_list
        order = qs.query.order_by
        if self._ids is None or not order or qs.query.extra_order_by or qs.query.distinct or qs.query.combinator:
            return None
        try:
            return list(
                qs.model._base_manager.using(qs.db)
                .filter(pk__in=self._ids)
                .order_by(*order)
                .values_list("pk", flat=True)[bottom:top]
            )
        except FieldError:
            return None

    def walk_is_short(self, top: int) -> bool:
        """Whether the walk for the first ``top`` rows likely stays inside ``walk_rows``, judged by the ids the
        count fetched (``cap + 1`` matches, mostly the first ones in the table's physical order, which
        follows the primary key loosely): with half of them below their median key, matches are about one
        in ``2 × median / len(ids)`` rows, and the walk meets ``top`` of them after about ``top`` times that.
        A rare capped search then skips the walk instead of paying for one that would not fill the page; a
        wrong guess costs time (at most ``walk_rows`` rows), never rows of the result."""
        ids = sorted(i for i in self._ids or () if isinstance(i, int) and i > 0)
        if len(ids) < 2:
            return False
        per_match = 2 * ids[len(ids) // 2] / len(ids)
        return top * per_match <= self.walk_rows

    def walked_ids(self, bottom: int, top: int) -> list | None:
        """The primary keys of rows ``bottom:top`` of the queryset, found among the first ``walk_rows`` rows of
        the whole table in the queryset's order; ``None`` when they are not all there (or the order is not
        one an index walks: a leading column of this table, not null and indexed, then the primary key).

        The query is the queryset's own (its filters, joins and order), read from
        ``(SELECT * FROM table ORDER BY … LIMIT walk_rows) AS table`` instead of the table: the prefix is
        the first rows of the full order, so its first matches are the full result's first ones; a
        ``LIMIT`` in the derived table keeps the database from planning the filters first, and it walks
        only until the page is full."""
        qs = self.object_list
        if top - bottom <= 0 or top > self.walk_rows or not self._walkable(qs):
            return None
        connection = connections[qs.db]
        quote = connection.ops.quote_name
        meta = qs.model._meta
        table = quote(meta.db_table)
        order = ", ".join(
            f"{table}.{quote(self._order_field(qs, o).column)} {'DESC' if o.startswith('-') else 'ASC'}"
            for o in qs.query.order_by
        )
        prefix_sql = f"SELECT * FROM {table} ORDER BY {order} LIMIT {int(self.walk_rows)}"  # noqa: S608 (quoted names)
        sql, params = qs.values_list("pk", flat=True)[bottom:top].query.get_compiler(qs.db).as_sql()
        select, found, rest = sql.partition(f" FROM {table}")
        if not found or not select.startswith(f"SELECT {table}.{quote(meta.pk.column)}") or " FROM " in select:
            return None
        sql = f"{select} FROM ({prefix_sql}) {table}{rest}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [row[0] for row in cursor.fetchall()]
        return ids if len(ids) == top - bottom else None

    @staticmethod
    def _order_field(qs: QuerySet, name: str):
        """The local, concrete, not null field an ``order_by()`` name stands for, or ``None``."""
        meta = qs.model._meta
        name = name.lstrip("-")
        try:
            field = meta.pk if name == "pk" else meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not field.concrete or field.null or field.model is not qs.model or field.is_relation:
            return None
        return field

    @classmethod
    def _walkable(cls, qs: QuerySet) -> bool:
        """Whether the order is (a column of the table leading an index, other columns, the primary key), all
        of them not null: an index walks it, and it is a total order."""
        order = qs.query.order_by
        if qs.query.distinct or qs.query.combinator or len(order) < 2 or not all(isinstance(o, str) for o in order):
            return False
        fields = [cls._order_field(qs, o) for o in order]
        if None in fields or not fields[-1].primary_key:
            return False
        lead = fields[0]
        leading = {index.fields[0].lstrip("-") for index in qs.model._meta.indexes if index.fields}
        return lead.db_index or lead.unique or lead.primary_key or lead.name in leading

    @cached_property
    def count(self) -> int:
        return min(self._capped_count, self.count_cap)

    @cached_property
    def is_capped(self) -> bool:
        return self._capped_count > self.count_cap


def page_size(request, default: int | None = None) -> int:
    """The rows a site page shows: ``?per_page=`` (1 to :data:`MAX_PAGE_SIZE`), else ``default``, else
    ``JALIN_PAGE_SIZE``. A value that is not a number is ignored."""
    from django.conf import settings

    size = default or settings.JALIN_PAGE_SIZE
    with contextlib.suppress(ValueError, TypeError):
        size = int(request.GET.get("per_page", size))
    return max(1, min(MAX_PAGE_SIZE, size))


def paginate(request, queryset, per_page: int | None = None):
    """The page of ``queryset`` that ``?page=`` asks for (the last one when it is past the end), with
    :func:`page_size` rows."""
    return Paginator(queryset, page_size(request, per_page)).get_page(request.GET.get("page"))


def paginate_capped(request, queryset, per_page: int | None = None, count_cap: int | None = None, by_ids=False):
    """Like :func:`paginate`, with a capped count (see :class:`CappedPaginator`)."""
    paginator = CappedPaginator(queryset, page_size(request, per_page), count_cap=count_cap, by_ids=by_ids)
    return paginator.get_page(request.GET.get("page"))


class PageNumberPagination(pagination.PageNumberPagination):
    """The API's pages: ``?page=``, and as many rows as the site's lists show (``JALIN_PAGE_SIZE``, so page
    *n* of the API is page *n* of the page) unless ``?page_size=`` asks for up to 200."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        from django.conf import settings

        self.page_size = settings.JALIN_PAGE_SIZE  # read per request: tests and deployments may change it
        return super().get_page_size(request)


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
