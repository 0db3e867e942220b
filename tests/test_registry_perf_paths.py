"""The registry's paths at scale: the capped count (page and API), the search through the stored tsvector
column on PostgreSQL (the same results as the substring search on SQLite)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from jalin.companies import services
from jalin.companies.models import Company
from jalin.companies.queries import CompanyFilters, company_list
from jalin.core.pagination import CappedPaginator, paginate_capped
from tests.test_registry_pages import build_registry

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


@pytest.fixture
def registry(db, own_org, other_org, buyer_org):
    return build_registry(own_org, other_org, buyer_org)


@pytest.fixture
def cap_two(monkeypatch):
    monkeypatch.setattr(CappedPaginator, "count_cap", 2)


def test_capped_paginator_counts_at_most_cap_plus_one(registry, django_assert_max_num_queries):
    qs = Company.objects.order_by("pk")[:3].values_list("pk", flat=True)
    three = Company.objects.filter(pk__in=list(qs)).order_by("pk")
    paginator = CappedPaginator(three, 1, count_cap=2)
    with django_assert_max_num_queries(1):
        assert paginator.count == 2 and paginator.is_capped
    assert paginator.num_pages == 2
    exact = CappedPaginator(three, 1, count_cap=3)
    assert exact.count == 3 and not exact.is_capped
    assert CappedPaginator([1, 2, 3], 1, count_cap=2).is_capped  # plain lists too
    assert not CappedPaginator([], 1, count_cap=2).is_capped


def test_capped_count_is_a_limited_subquery(registry, django_assert_num_queries):
    paginator = CappedPaginator(Company.objects.order_by("legal_name"), 2, count_cap=2)
    with django_assert_num_queries(1) as ctx:
        paginator.count  # noqa: B018
    sql = ctx.captured_queries[0]["sql"].upper()
    assert "COUNT(" in sql and "LIMIT 3" in sql and "ORDER BY" not in sql


def test_paginate_capped_reads_page_and_per_page(registry):
    request = RequestFactory().get("/", {"page": "2", "per_page": "1"})
    page = paginate_capped(request, Company.objects.order_by("pk"), count_cap=2)
    assert page.number == 2 and page.paginator.is_capped and len(page.object_list) == 1


def test_list_page_shows_capped_count_without_last_link(client_for, officer, registry, cap_two):
    html = client_for(officer).get("/companies/", {"per_page": 1}).content.decode()
    assert "1–1 of 2+" in html or "1–1 dari 2+" in html
    assert "Terakhir" not in html and "Last" not in html
    assert 'rel="next"' in html


def test_list_page_shows_exact_count_when_under_the_cap(client_for, officer, registry):
    html = client_for(officer).get("/companies/", {"per_page": 2}).content.decode()
    assert "Menampilkan 1–2 dari 5 hasil" in html and "+" not in html.split("table-meta")[1][:300]


@pytest.mark.parametrize(("language", "text"), [("en", "Showing 1–25 of 1,000+ results"), ("id", "1.000+")])
def test_capped_count_reads_with_thousands_separator(language, text):
    page = CappedPaginator(list(range(1001)), 25).page(1)
    with translation.override(language):
        html = render_to_string("includes/result_count.html", {"page": page})
    assert text in html and "Page 1 of" not in html


def test_api_count_is_capped(client_for, officer, registry, cap_two):
    data = client_for(officer).get("/api/companies/").json()
    assert data["count"] == 2 and data["count_is_capped"] is True
    assert len(data["results"]) == 2  # the page (50) stops at the cap


def test_api_count_exact_under_the_cap(client_for, officer, registry):
    data = client_for(officer).get("/api/companies/").json()
    assert data["count"] == 5 and data["count_is_capped"] is False


def test_search_finds_slang_through_the_list(registry, officer):
    def found(q, **filters):
        return list(company_list(officer, CompanyFilters(q=q, **filters)).values_list("legal_name", flat=True))

    assert found("knalpot") == ["PT Logam Tegal"]
    assert found("knal") == ["PT Logam Tegal"]  # prefix
    assert found("per daun") == ["CV Pegas Sidoarjo"]
    assert found("knalpot", process="welding", region="33") == ["PT Logam Tegal"]
    assert found("knalpot", process="casting") == []
    assert found("!!") == sorted(c.legal_name for c in Company.objects.all())  # no words: no search


def test_generic_fts_lookup_is_unchanged(registry):
    assert list(Company.objects.filter(search_text__fts="knalpot").values_list("legal_name", flat=True)) == [
        "PT Logam Tegal"
    ]
    # companyfts on another text column falls back to the plain expression (no search_vector there)
    assert list(Company.objects.filter(products__companyfts="velg").values_list("legal_name", flat=True)) == [
        "UD Aluminium Ceper"
    ]


@on_postgresql
def test_postgresql_searches_the_stored_vector(registry, officer):
    sql = str(company_list(officer, CompanyFilters(q="knalpot")).query)
    assert '"companies_company"."search_vector" @@ ((to_tsquery' in sql  # the word, or the entries it names
    assert "to_tsvector" not in sql
    company = services.update_company(registry["tegal"], actor=None, products="Sproket motor")
    assert "sproket" in company.search_text.lower()
    assert list(company_list(officer, CompanyFilters(q="sproket")).values_list("pk", flat=True)) == [company.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'companies_company' AND indexdef LIKE %s",
            ["%gin (search_vector)%"],
        )
        assert cursor.fetchone()


def test_by_ids_pages_in_order_and_matches_the_plain_paginator(registry, django_assert_max_num_queries):
    qs = Company.objects.order_by("-legal_name", "pk")
    plain = CappedPaginator(qs, 2)
    by_ids = CappedPaginator(qs, 2, by_ids=True)
    expected = [c.pk for c in plain.page(2)]
    with django_assert_max_num_queries(3):  # the ids, their order by primary key alone, then the page by them
        assert [c.pk for c in by_ids.page(2)] == expected
    assert by_ids.count == 5 and not by_ids.is_capped and by_ids.num_pages == 3
    empty = CappedPaginator(qs.filter(legal_name="nobody"), 2, by_ids=True)
    assert list(empty.get_page(1)) == [] and empty.count == 0
    capped = CappedPaginator(qs, 2, count_cap=3, by_ids=True)
    assert [c.pk for c in capped.page(1)] == [c.pk for c in plain.page(1)] and capped.is_capped


def test_search_pages_through_ids(client_for, officer, registry):
    html = client_for(officer).get("/companies/", {"q": "knalpot", "process": "welding"}).content.decode()
    assert "PT Logam Tegal" in html and "CV Cor Klaten" not in html
    data = client_for(officer).get("/api/companies/", {"q": "per daun"}).json()
    assert data["count"] == 1 and data["count_is_capped"] is False
    assert [r["legal_name"] for r in data["results"]] == ["CV Pegas Sidoarjo"]
