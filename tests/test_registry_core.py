"""Unit tests of the registry's pure rules and its services: size classes, identifiers, search, completeness."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jalin.companies import services
from jalin.companies.classification import BILLION, enterprise_class, industry_class
from jalin.companies.identifiers import clean_hs, clean_kbli, clean_nib, clean_npwp, format_npwp
from jalin.companies.models import Company, Process, Verification
from jalin.companies.queries import CompanyFilters, company_list
from jalin.companies.search import terms
from jalin.core.models import ObjectChange
from jalin.regions.models import Region


@pytest.mark.parametrize(
    ("workers", "investment", "size"),
    [
        (19, BILLION - 1, "small"),
        (5, 0, "small"),
        (19, BILLION, "medium"),  # ≤ 19 workers and ≥ Rp 1 bn
        (20, 15 * BILLION, "medium"),  # ≥ 20 workers and ≤ Rp 15 bn
        (20, 15 * BILLION + 1, "large"),
        (500, 100 * BILLION, "large"),
        (None, BILLION, None),
        (10, None, None),
    ],
)
def test_industry_class_permenperin_64_2016(workers, investment, size):
    result = industry_class(workers, investment)
    assert result.size == size
    assert "64/2016" in result.rule


@pytest.mark.parametrize(
    ("capital", "turnover", "size"),
    [
        (BILLION, None, "micro"),
        (BILLION + 1, None, "small"),
        (5 * BILLION, None, "small"),
        (10 * BILLION, None, "medium"),
        (10 * BILLION + 1, None, "large"),
        (None, 2 * BILLION, "micro"),
        (None, 15 * BILLION, "small"),
        (None, 50 * BILLION, "medium"),
        (None, 51 * BILLION, "large"),
        (BILLION, 100 * BILLION, "micro"),  # capital decides when known
        (None, None, None),
    ],
)
def test_enterprise_class_pp_7_2021(capital, turnover, size):
    result = enterprise_class(capital, turnover)
    assert result.size == size and "7/2021" in result.rule


def test_small_industry_is_not_small_enterprise():
    """DOMAIN.md: 'small industry' and 'small enterprise' are different tests."""
    assert industry_class(10, Decimal("900000000")).size == "small"
    assert enterprise_class(Decimal("900000000"), None).size == "micro"


def test_identifiers():
    assert clean_nib("9120 0012 3456 7") == "9120001234567"
    with pytest.raises(ValidationError):
        clean_nib("12345")
    assert clean_npwp("01.300.066.6-091.000") == "0013000666091000"
    assert clean_npwp("0013000666091000") == "0013000666091000"
    assert format_npwp("0013000666091000") == "01.300.066.6-091.000"
    with pytest.raises(ValidationError):
        clean_npwp("01.300.066.7-091.000")  # wrong check digit
    assert clean_kbli("29300") == "29300"
    with pytest.raises(ValidationError):
        clean_kbli("2930")
    assert clean_hs("870892") == "8708.92" and clean_hs("8708.92") == "8708.92"
    with pytest.raises(ValidationError):
        clean_hs("87-08")


def test_search_terms_are_sanitised():
    assert terms("Knalpot & per-daun!! ' OR 1=1 --") == ["knalpot", "per", "daun", "or", "1", "1"]


@pytest.fixture
def tegal():
    return Region.objects.get(code="33.28")


@pytest.fixture
def company(db, tegal, own_org):
    c = services.create_company(
        actor=None,
        legal_name="PT Logam Tegal",
        nib="9120001234567",
        region=tegal,
        organisation=own_org,
        products="Knalpot racing dan bracket dudukan spion",
        workforce=12,
        investment=Decimal("800000000"),
    )
    c.processes.set(Process.objects.filter(code__in=["welding", "pipe-bending"]))
    return services.update_company(c, actor=None, hs_codes="8714.10")


def test_derived_fields(company):
    assert company.industry_class == "small" and "64/2016" in company.industry_class_rule
    assert company.enterprise_class == "" and "7/2021" in company.enterprise_class_rule
    score, missing = services.completeness(company)
    assert company.completeness == score and 0 < score < 100
    assert any("NPWP" in advice for advice in missing)
    # the company's own words; its processes' words are matched at query time (test below)
    assert (
        company.search_text
        == "PT Logam Tegal Knalpot racing dan bracket dudukan spion 8714.10 9120001234567 Kabupaten Tegal"
    )


def test_search_finds_slang_and_taxonomy_words(company, officer):
    def found(q):
        return list(company_list(officer, CompanyFilters(q=q)).values_list("legal_name", flat=True))

    assert found("knalpot") == ["PT Logam Tegal"]
    assert found("welding tegal") == ["PT Logam Tegal"]  # English process name + region
    assert found("knal") == ["PT Logam Tegal"]  # prefix
    assert found("pengelasan") == found("las") == found("pipa tegal") == ["PT Logam Tegal"]  # names, synonyms
    assert found("cor") == []
    assert found("welding casting") == []  # every word must find the company


def test_an_edited_taxonomy_reaches_every_company_at_once(company, officer):
    """The processes' words are not copied into companies: an officer's new synonym finds the companies that
    already have the process, and a removed one stops finding them, without touching a company row."""

    def found(q):
        return list(company_list(officer, CompanyFilters(q=q)).values_list("legal_name", flat=True))

    stored = Company.objects.values_list("search_text", "updated").get()
    welding = Process.objects.get(code="welding")
    assert found("sambungan") == [] and found("spot") == ["PT Logam Tegal"]
    welding.synonyms = "las, sambungan logam"
    welding.save()
    assert found("sambungan") == ["PT Logam Tegal"] and found("spot") == []
    welding.is_active = False  # retired: the companies that still have it are still found by it
    welding.save()
    assert found("sambungan") == ["PT Logam Tegal"]
    assert Company.objects.values_list("search_text", "updated").get() == stored


def test_filters(company, officer):
    assert company_list(officer, CompanyFilters(process="welding", region="33")).count() == 1
    assert company_list(officer, CompanyFilters(process="casting")).count() == 0
    assert company_list(officer, CompanyFilters(region="33.10")).count() == 0
    assert company_list(officer, CompanyFilters(size="small")).count() == 1
    assert CompanyFilters.from_params({"sort": "drop table", "size": "huge"}) == CompanyFilters()


def test_unverified_companies_are_private_to_owner_and_officers(company, people):
    visible = {name for name, u in people.items() if u and Company.objects.restrict(u, "view").exists()}
    assert visible == {"officer", "regional", "owner", "colleague"}
    services.verify_company(company, actor=people["regional"])
    visible = {name for name, u in people.items() if u and Company.objects.restrict(u, "view").exists()}
    assert visible == set(people) - {"anonymous"}


def test_verification_is_logged_and_guarded(company, people):
    with pytest.raises(PermissionDenied):
        services.verify_company(company, actor=people["owner"])
    with pytest.raises(PermissionDenied):
        services.verify_company(company, actor=people["regional_other"])
    company.refresh_from_db()
    assert company.verification == Verification.SELF_DECLARED
    services.verify_company(company, actor=people["regional"])
    company.refresh_from_db()
    assert company.verified_by == people["regional"] and company.verified_at
    change = ObjectChange.objects.filter(object_id=str(company.pk), action="update").latest("pk")
    assert change.before["verification"] == "self" and change.after["verification"] == "verified"


def test_owner_cannot_self_verify_through_update(company, owner):
    services.update_company(company, actor=owner, verification=Verification.VERIFIED, address="Jl. Baru")
    company.refresh_from_db()
    assert company.verification == Verification.SELF_DECLARED and company.address == "Jl. Baru"


def test_regional_officer_registers_only_in_region(regional):
    with pytest.raises(PermissionDenied):
        services.create_company(
            actor=regional, legal_name="CV Klaten", nib="9120001234568", region=Region.objects.get(code="33.10")
        )
    assert not Company.objects.filter(nib="9120001234568").exists()


def test_the_change_log_names_a_company_part_with_its_company(company, owner):
    """Certifications, machines, products and plants are listed in the change log with their company's name:
    "ISO 9001 · PT Logam Tegal", not a bare "ISO 9001" among a thousand others."""
    from jalin.companies.models import Certification, CertificationType, Machine

    iso = CertificationType.objects.get(code="iso-9001")
    services.save_child(Certification, actor=owner, company=company, certification_type=iso, number="Q-1")
    services.save_child(Machine, actor=owner, company=company, machine_type="CNC", count=2)
    names = {
        change.content_type.model: change.object_repr
        for change in ObjectChange.objects.filter(content_type__model__in=["certification", "machine"])
    }
    assert names == {"certification": "ISO 9001 Q-1 · PT Logam Tegal", "machine": "2× CNC · PT Logam Tegal"}


def test_stored_rows_read_as_related_rows_reads_them(company, owner, tegal):
    """``jalin rederive`` derives from the import's bulk reader (``stored_for``): the same as ``related_rows``."""
    from jalin.companies.import_write import stored_for
    from jalin.companies.models import Certification, CertificationType, Kbli, Machine, Material, Product

    services.save_child(Product, actor=owner, company=company, name="Spion", hs_code="8708.29", description="kaca")
    services.save_child(Product, actor=owner, company=company, name="Braket", hs_code="", description="")
    services.save_child(Machine, actor=owner, company=company, machine_type="CNC", count=2)
    iso, sni = CertificationType.objects.get(code="iso-9001"), CertificationType.objects.get(code="sni")
    services.save_child(Certification, actor=owner, company=company, certification_type=iso, number="Q-1")
    services.save_child(Certification, actor=owner, company=company, certification_type=sni, number="S-1")
    company.kbli.set(Kbli.objects.all()[:2])
    company.materials.set(Material.objects.filter(code__in=["sheet-steel", "aluminium"]))
    bare = services.create_company(actor=None, legal_name="CV Kosong", nib="9120001234569", region=tegal)
    stored = stored_for([company.pk, bare.pk])
    many = {c.pk: stored.related(c.pk) for c in (company, bare)}
    for c in (company, bare):
        one = services.related_rows(c)
        assert sorted(e.id for e in many[c.pk].processes) == sorted(e.id for e in one.processes)
        assert sorted(e.id for e in many[c.pk].materials) == sorted(e.id for e in one.materials)
        assert [p.pk for p in many[c.pk].product_items] == [p.pk for p in one.product_items]
        assert sorted(many[c.pk].certification_types) == sorted(one.certification_types)
        assert (many[c.pk].kbli, many[c.pk].machines, many[c.pk].certifications) == (
            one.kbli,
            one.machines,
            one.certifications,
        )
    assert many[company.pk].kbli and many[company.pk].machines and len(many[company.pk].product_items) == 2
    assert not (many[bare.pk].kbli or many[bare.pk].processes or many[bare.pk].certification_types)


def test_rederive_writes_only_what_is_stale(company, tegal):
    """``jalin rederive`` puts back the derived fields of every company; ``updated`` moves only where a field
    the matching index reads changed, and a second run writes nothing."""
    from io import StringIO

    from django.core.management import call_command

    other = services.create_company(
        actor=None,
        legal_name="CV Rapi",
        nib="9120001234569",
        region=tegal,
        workforce=3,
        investment=Decimal("100000000"),
    )
    fresh = {c.pk: (c.search_text, c.filter_tokens, c.completeness) for c in Company.objects.all()}
    stamps = dict(Company.objects.values_list("pk", "updated"))
    Company.objects.filter(pk=company.pk).update(search_text="lama pengelasan welding", filter_tokens="")
    Company.objects.filter(pk=other.pk).update(completeness=0, industry_class="")
    out = StringIO()
    call_command("rederive", batch_size=1, stdout=out)
    assert "2 companies; 2 changed" in out.getvalue()
    assert {c.pk: (c.search_text, c.filter_tokens, c.completeness) for c in Company.objects.all()} == fresh
    assert Company.objects.get(pk=other.pk).industry_class == "small"
    assert Company.objects.get(pk=company.pk).updated == stamps[company.pk]  # the search text alone changed
    assert Company.objects.get(pk=other.pk).updated > stamps[other.pk]
    out = StringIO()
    call_command("rederive", stdout=out)
    assert "2 companies; 0 changed" in out.getvalue()
