"""The registry list's filters through the filter tokens of the search vector (PostgreSQL) give exactly the
rows of the relational filters, and the tokens follow every write: services, the import, the demo writer."""

from __future__ import annotations

import itertools
import re

import pytest
from django.db import connection

from jalin.companies import services
from jalin.companies.importer import run_import
from jalin.companies.models import Certification, Company, Material, Process
from jalin.companies.queries import CompanyFilters, company_list
from jalin.companies.search import certification_token, material_token, process_token, province_token, region_token
from jalin.regions.models import Region
from tests.test_registry_pages import BEKASI, KLATEN, TEGAL, add_certification, build_registry, make_company

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


@pytest.fixture
def registry(db, own_org, other_org, buyer_org):
    companies = build_registry(own_org, other_org, buyer_org)
    add_certification(companies["klaten"], "iso-9001", days=100)
    add_certification(companies["tegal"], "iso-9001", days=-1)  # expired
    add_certification(companies["tegal"], "sni", days=None)  # open-ended
    companies["solo"] = make_company(
        "CV Bubut Solo", "33.72", processes=["turning", "welding"], materials=["aluminium", "sheet-steel"]
    )
    add_certification(companies["solo"], "iso-9001", days=10)
    return companies


def expected_tokens(company: Company) -> str:
    """The tokens from the relational data, independently of services.Deriver: sorted, space-separated."""
    types = Certification.objects.filter(company=company).values_list("certification_type_id", flat=True)
    tokens = {
        region_token(company.region_id),
        province_token(company.region.parent_id),
        *(process_token(pk) for pk in company.processes.values_list("pk", flat=True)),
        *(material_token(pk) for pk in company.materials.values_list("pk", flat=True)),
        *(certification_token(pk) for pk in types),
    }
    return " ".join(sorted(tokens))


def assert_tokens_current():
    for company in Company.objects.select_related("region"):
        assert company.filter_tokens == expected_tokens(company), company.legal_name
    if connection.vendor == "postgresql":  # the generated vector holds them
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, filter_tokens, search_vector::text FROM companies_company")
            for pk, tokens, vector in cursor.fetchall():
                for token in tokens.split():
                    assert f"'{token}'" in vector, (pk, token)


FILTERS = {
    "q": ["", "knalpot", "cor", "c"],
    "process": ["", "welding", "casting", "nothing-such"],
    "material": ["", "sheet-steel", "aluminium"],
    "certification": ["", "iso-9001", "sni", "nothing-such"],
    "region": ["", "33", "35", TEGAL, KLATEN, "99", "33.99"],
}


def test_tokens_are_derived_on_every_write(registry):
    assert_tokens_current()
    tegal = registry["tegal"]
    assert len(re.findall(r"=p\d", Company.objects.get(pk=tegal.pk).filter_tokens)) == 2
    services.update_company(
        tegal,
        actor=None,
        region=Region.objects.get(code=BEKASI),
        processes=list(Process.objects.filter(code="casting")),
        materials=list(Material.objects.filter(code="aluminium")),
    )
    assert_tokens_current()
    cert = Certification.objects.filter(company=registry["solo"]).get()
    services.delete_child(cert, actor=None)
    assert_tokens_current()
    assert "=c" not in Company.objects.get(pk=registry["solo"].pk).filter_tokens


def test_tokens_follow_the_import(registry, officer):
    header = "nib,legal_name,region,processes,certifications\n"
    new = "9120004000001,CV Logam Satu,33.28,bubut; las,iso-9001:2030-12-31\n"
    report = run_import((header + new).encode(), filename="a.csv", actor=officer, dry_run=False)
    assert report.committed and report.created == 1, report.errors
    assert_tokens_current()
    # An existing company: a new certification only (nothing the change log shows) and a process change.
    tegal, klaten = registry["tegal"], registry["klaten"]
    rows = f"{tegal.nib},{tegal.legal_name},{TEGAL},,sni:2031-01-01\n{klaten.nib},{klaten.legal_name},{KLATEN},bubut,\n"
    report = run_import((header + rows).encode(), filename="b.csv", actor=officer, dry_run=False)
    assert report.committed and not report.errors, report.errors
    assert_tokens_current()
    assert list(company_list(officer, CompanyFilters(process="turning", region="33")).values_list("pk", flat=True))


@on_postgresql
def test_token_filters_give_the_relational_rows(registry, officer):
    assert_tokens_current()
    compared = 0
    for values in itertools.product(*FILTERS.values()):
        filters = CompanyFilters(**dict(zip(FILTERS, values, strict=True)))
        relational = list(company_list(officer, filters, tokens=False).values_list("pk", flat=True))
        indexed = list(company_list(officer, filters, tokens=True).values_list("pk", flat=True))
        assert indexed == relational, filters
        compared += bool(relational)
    assert compared > 30  # the grid is not all empty


@on_postgresql
def test_token_filters_are_the_default_and_use_the_vector(registry, officer):
    sql = str(company_list(officer, CompanyFilters(q="cor", process="casting", region="33")).query)
    assert '"search_vector" @@' in sql and "companies_company_processes" not in sql
    assert sql.count("@@") == 2
    # The validity of a certification stays relational.
    sql = str(company_list(officer, CompanyFilters(certification="iso-9001")).query)
    assert "valid_until" in sql and "@@" in sql


def test_relational_filters_on_this_database(registry, officer):
    """The meaning, on SQLite as on PostgreSQL (the token path is PostgreSQL's)."""

    def found(**filters):
        return sorted(company_list(officer, CompanyFilters(**filters)).values_list("legal_name", flat=True))

    assert found(certification="iso-9001") == ["CV Bubut Solo", "CV Cor Klaten"]
    assert found(certification="sni") == ["PT Logam Tegal"]
    assert found(process="welding", region="33") == ["CV Bubut Solo", "PT Logam Tegal"]
    assert found(process="welding", region=TEGAL) == ["PT Logam Tegal"]
    assert found(material="aluminium", certification="iso-9001") == ["CV Bubut Solo"]
    assert found(process="nothing-such") == [] and found(region="99") == []


def test_demo_writer_tokens_equal_what_services_compute(db):
    from jalin.demo.bulk import load_population

    load_population(30, seed=5)
    for company in Company.objects.filter(nib__startswith="91").select_related("region"):
        stored = company.filter_tokens
        services.derive(company)
        assert stored == company.filter_tokens == expected_tokens(company), company.nib
