"""``CappedPaginator``'s walk of a capped page (core.pagination): the page found in a bounded prefix of the
sort order is the page the filters give, row for row, on SQLite and PostgreSQL — ties in the sort key,
pages beyond the first, both directions, and the fall back when the prefix does not hold the page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from jalin.companies.models import Company
from jalin.companies.queries import CompanyFilters, company_list
from jalin.core.pagination import CappedPaginator, page_size, paginate
from tests.test_registry_pages import make_company

PER_PAGE = 3
CAP = 4


@pytest.fixture
def crowd(db):
    """30 companies: ties in legal_name (five "CV Sama"), a search word on every other one, welding on
    every third, and several completeness values (ties again)."""
    companies = []
    for n in range(30):
        name = "CV Sama" if n % 6 == 0 else f"PT {chr(ord('Z') - n % 26)}{n:02d}"
        companies.append(
            make_company(
                name,
                processes=["welding"] if n % 3 == 0 else ["casting"],
                products="knalpot racing" if n % 2 == 0 else "velg",
            )
        )
        Company.objects.filter(pk=companies[-1].pk).update(completeness=(n * 7) % 4 * 10)
    return companies


def reference(qs, number: int, cap: int = CAP) -> list[int]:
    """Page ``number`` of the queryset read in full (pages stop at the cap, as before)."""
    rows = list(qs.values_list("pk", flat=True))[:cap]
    return rows[(number - 1) * PER_PAGE : number * PER_PAGE]


def walked(monkeypatch) -> list:
    """Record what each walk returned (``None`` when it fell back)."""
    seen = []
    original = CappedPaginator.walked_ids

    def spy(self, bottom, top):
        seen.append(original(self, bottom, top))
        return seen[-1]

    monkeypatch.setattr(CappedPaginator, "walked_ids", spy)
    monkeypatch.setattr(CappedPaginator, "walk_is_short", lambda self, top: True)
    return seen


@pytest.mark.parametrize("sort", ["name", "-name", "completeness", "-completeness", "updated", "-updated"])
@pytest.mark.parametrize("filters", [{}, {"q": "knalpot"}, {"q": "knalpot", "process": "welding"}])
def test_walked_pages_equal_the_filtered_pages(crowd, officer, monkeypatch, sort, filters):
    seen = walked(monkeypatch)
    qs = company_list(officer, CompanyFilters(sort=sort, **filters))
    for number in (1, 2):
        paginator = CappedPaginator(qs, PER_PAGE, count_cap=CAP, by_ids=True, walk_rows=1000)
        page = paginator.page(number)
        assert paginator.is_capped
        assert [c.pk for c in page.object_list] == reference(qs, number)
    assert seen and all(ids is not None for ids in seen)  # the walk answered every page


def test_ties_in_the_sort_key_keep_the_primary_key_order(crowd, officer, monkeypatch):
    seen = walked(monkeypatch)
    qs = company_list(officer, CompanyFilters(q="sama"))
    same = sorted(c.pk for c in crowd if c.legal_name == "CV Sama")
    paginator = CappedPaginator(qs, 2, count_cap=3, by_ids=True, walk_rows=1000)
    assert [c.pk for c in paginator.page(1)] + [c.pk for c in paginator.page(2)] == same[:3]  # stops at the cap
    assert seen == [same[:2], same[2:3]]


def test_a_short_prefix_falls_back_to_the_filters(crowd, officer, monkeypatch):
    seen = walked(monkeypatch)
    # 10 of the 30 (n even, not a multiple of 3), none of them among the five "CV Sama" that sort first
    qs = company_list(officer, CompanyFilters(q="knalpot", process="casting"))
    for walk_rows in (5, 8, 30):
        paginator = CappedPaginator(qs, PER_PAGE, count_cap=CAP, by_ids=True, walk_rows=walk_rows)
        assert [c.pk for c in paginator.page(1)] == reference(qs, 1)
        assert [c.pk for c in paginator.page(2)] == reference(qs, 2)
    assert seen[:2] == [None, None]  # five rows of the prefix: no match
    assert seen[-2:] == [reference(qs, 1), reference(qs, 2)]  # the whole table holds both pages
    assert CappedPaginator(qs, PER_PAGE, count_cap=CAP, by_ids=True, walk_rows=4).page(2)  # page past the walk


def test_orders_an_index_does_not_walk_are_read_by_the_filters(crowd, officer, monkeypatch):
    seen = walked(monkeypatch)
    for sort in ("region", "-workforce", "workforce"):  # a joined column; a nullable one
        qs = company_list(officer, CompanyFilters(q="knalpot", sort=sort))
        paginator = CappedPaginator(qs, PER_PAGE, count_cap=CAP, by_ids=True, walk_rows=1000)
        assert [c.pk for c in paginator.page(2)] == reference(qs, 2)
    assert seen == [None, None, None]
    assert not CappedPaginator._walkable(Company.objects.order_by("legal_name"))  # no primary key: ties
    assert not CappedPaginator._walkable(Company.objects.order_by("brand_name", "pk"))  # no index
    assert CappedPaginator._walkable(Company.objects.order_by("-completeness", "pk"))


def test_the_walk_is_one_query_on_the_table_prefix(crowd, officer, monkeypatch):
    walked(monkeypatch)
    qs = company_list(officer, CompanyFilters(q="knalpot"))
    paginator = CappedPaginator(qs, PER_PAGE, count_cap=CAP, by_ids=True, walk_rows=1000)
    paginator.count  # noqa: B018 (the ids)
    with CaptureQueriesContext(connection) as ctx:
        list(paginator.page(1).object_list)
    walk = ctx.captured_queries[0]["sql"]
    table = connection.ops.quote_name("companies_company")
    assert f"FROM (SELECT * FROM {table} ORDER BY" in walk  # noqa: S608 (not a query) and "LIMIT 1000)" in walk
    assert len(ctx.captured_queries) == 2  # the walk, then the page's rows by their keys


def test_walk_is_short_reads_the_density_of_the_ids():
    paginator = CappedPaginator(list(range(10)), 2, walk_rows=200)
    paginator._ids = list(range(1, 1002))  # every row matches: 25 rows walk 25 rows
    assert paginator.walk_is_short(25)
    paginator._ids = list(range(1, 100_000, 100))  # one in 100: 25 rows walk 2,500, one row 100
    assert not paginator.walk_is_short(25) and paginator.walk_is_short(1)
    paginator._ids = []
    assert not paginator.walk_is_short(1)


def test_plain_lists_and_uncapped_results_do_not_walk(crowd, officer, monkeypatch):
    seen = walked(monkeypatch)
    assert list(CappedPaginator(list(range(10)), 3, count_cap=5, by_ids=True).page(2)) == [3, 4]
    qs = company_list(officer, CompanyFilters(q="knalpot"))
    paginator = CappedPaginator(qs, PER_PAGE, by_ids=True)  # 15 matches, under the cap of 1000
    assert [c.pk for c in paginator.page(2)] == reference(qs, 2, cap=1000) and not paginator.is_capped
    assert seen == []


@pytest.mark.parametrize("sort", ["-name", "region", "-workforce", "completeness"])
@pytest.mark.parametrize("filters", [{"q": "knalpot", "process": "welding"}, {"process": "casting"}])
def test_uncapped_pages_sort_the_counted_ids_by_key_alone(crowd, officer, sort, filters):
    """Up to the cap, the page is the counted ids sorted without the filters (an expression, a nullable key
    and ties included), row for row the page the filters give, on every page."""
    Company.objects.filter(pk__in=[c.pk for c in crowd[::4]]).update(workforce=None)
    qs = company_list(officer, CompanyFilters(sort=sort, **filters))
    everything = list(qs.values_list("pk", flat=True))
    assert 0 < len(everything) <= 30
    for number in range(1, len(everything) // PER_PAGE + 2):
        paginator = CappedPaginator(qs, PER_PAGE, count_cap=100, by_ids=True)
        if number > paginator.num_pages:
            break
        assert not paginator.is_capped
        assert paginator.ordered_ids((number - 1) * PER_PAGE, number * PER_PAGE) is not None
        page = paginator.page(number)
        assert [c.pk for c in page.object_list] == everything[(number - 1) * PER_PAGE : number * PER_PAGE]


def test_an_order_the_manager_cannot_sort_by_falls_back(crowd, officer):
    from django.db.models import F

    qs = company_list(officer, CompanyFilters(q="knalpot")).annotate(rank=F("completeness")).order_by("-rank", "pk")
    paginator = CappedPaginator(qs, PER_PAGE, count_cap=100, by_ids=True)
    assert paginator.count and paginator.ordered_ids(0, PER_PAGE) is None
    assert [c.pk for c in paginator.page(1).object_list] == list(qs.values_list("pk", flat=True))[:PER_PAGE]


@pytest.mark.parametrize(
    ("query", "default", "expected"),
    [
        ({}, None, 25),
        ({}, 100, 100),
        ({"per_page": "7"}, None, 7),
        ({"per_page": "0"}, None, 1),
        ({"per_page": "-5"}, 100, 1),
        ({"per_page": "100000"}, None, 200),
        ({"per_page": "many"}, 20, 20),
        ({"per_page": ""}, None, 25),
    ],
)
def test_page_size_reads_per_page_within_bounds(settings, query, default, expected):
    settings.JALIN_PAGE_SIZE = 25
    assert page_size(RequestFactory().get("/", query), default) == expected


def test_paginate_gives_the_last_page_past_the_end(crowd):
    request = RequestFactory().get("/", {"page": "99", "per_page": "4"})
    page = paginate(request, Company.objects.order_by("pk"))
    assert page.number == page.paginator.num_pages == 8
    assert len(page.object_list) == 2
