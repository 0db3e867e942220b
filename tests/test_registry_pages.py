"""The registry's pages: list filters, search, sort and pagination; detail; create and edit; verification;
a company's rows and evidence; the expiring-certificates list; taxonomies; N+1 guards."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape
from stdnum import luhn

from jalin.companies import services
from jalin.companies.classification import BILLION, enterprise_class, industry_class
from jalin.companies.models import (
    Certification,
    CertificationType,
    Company,
    Machine,
    Material,
    Process,
    Product,
    Verification,
)
from jalin.companies.views import RULES
from jalin.core.models import ObjectChange
from jalin.regions.models import Region

TEGAL, KLATEN, BEKASI = "33.28", "33.10", "32.16"
_nib = itertools.count(9120000000001)
_npwp = itertools.count(10000000)


def next_nib() -> str:
    return str(next(_nib))


def valid_npwp() -> str:
    """A valid old-form NPWP (8 digits + Luhn check + 6), e.g. 01.300.066.6-091.000."""
    base = f"{next(_npwp):08d}"
    return f"{base}{luhn.calc_check_digit(base)}091000"


def make_company(name: str, code: str = TEGAL, *, org=None, verified=False, processes=(), materials=(), **fields):
    company = services.create_company(
        actor=None,
        legal_name=name,
        nib=fields.pop("nib", None) or next_nib(),
        region=Region.objects.get(code=code),
        organisation=org,
        processes=list(Process.objects.filter(code__in=processes)),
        materials=list(Material.objects.filter(code__in=materials)),
        **fields,
    )
    if verified:
        company = services.verify_company(company, actor=None)
    return company


def add_certification(company, code="iso-9001", days=365, **fields):
    return services.save_child(
        Certification,
        actor=None,
        company=company,
        certification_type=CertificationType.objects.get(code=code),
        valid_until=timezone.localdate() + datetime.timedelta(days=days) if days is not None else None,
        **fields,
    )


def names(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return [c.legal_name for c in response.context["page"].object_list]


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def build_registry(own_org, other_org, buyer_org) -> dict[str, Company]:
    """Five companies that differ in every filterable way."""
    return {
        "tegal": make_company(
            "PT Logam Tegal",
            TEGAL,
            org=own_org,
            verified=True,
            processes=["welding", "pipe-bending"],
            materials=["sheet-steel"],
            products="Knalpot racing dan bracket dudukan spion",
            workforce=12,
            investment=Decimal("800000000"),
            npwp="0013000666091000",
            phone="0283-555",
            email="logam@tegal.test",
            turnover=Decimal("1500000000"),
        ),
        "klaten": make_company(
            "CV Cor Klaten",
            KLATEN,
            org=other_org,
            verified=True,
            processes=["casting"],
            materials=["cast-iron"],
            products="Coran besi untuk rumah pompa",
            workforce=40,
            investment=2 * BILLION,
        ),
        "alu": make_company(
            "UD Aluminium Ceper", KLATEN, processes=["die-casting"], materials=["aluminium"], products="Velg"
        ),
        "pegas": make_company(
            "CV Pegas Sidoarjo", "35.15", verified=True, processes=["spring-making"], products="Per daun truk"
        ),
        "buyer": make_company(
            "PT Pembeli Otomotif", BEKASI, org=buyer_org, verified=True, kind="industry", buyer_type="tier1"
        ),
    }


@pytest.fixture
def registry(db, own_org, other_org, buyer_org):
    return build_registry(own_org, other_org, buyer_org)


# ------------------------------------------------------------------------------------ list


def test_each_list_filter_filters(client_for, officer, registry):
    add_certification(registry["klaten"], "iso-9001", days=100)
    add_certification(registry["tegal"], "iso-9001", days=-1)  # expired: does not count
    client = client_for(officer)
    get = lambda **params: sorted(names(client.get("/companies/", params)))  # noqa: E731

    assert len(get()) == 5
    assert get(kind="industry") == ["PT Pembeli Otomotif"]
    assert "PT Pembeli Otomotif" not in get(kind="ikm")
    assert get(process="casting") == ["CV Cor Klaten"]
    assert get(material="aluminium") == ["UD Aluminium Ceper"]
    assert get(certification="iso-9001") == ["CV Cor Klaten"]
    assert get(region="33") == ["CV Cor Klaten", "PT Logam Tegal", "UD Aluminium Ceper"]
    assert get(region=KLATEN) == ["CV Cor Klaten", "UD Aluminium Ceper"]
    # The page's two selects: province, then a regency of it; a regency of another province gives way.
    assert get(province="33", region=TEGAL) == ["PT Logam Tegal"]
    assert get(province="33", region="") == ["CV Cor Klaten", "PT Logam Tegal", "UD Aluminium Ceper"]
    assert get(province="35", region=TEGAL) == ["CV Pegas Sidoarjo"]
    assert len(get(province="", region=TEGAL)) == 5
    assert get(size="medium") == ["CV Cor Klaten"]
    assert get(size="small") == ["PT Logam Tegal"]
    assert get(verified="0") == ["UD Aluminium Ceper"]
    assert "UD Aluminium Ceper" not in get(verified="1")
    # The find of the "done when": a casting IKM in Klaten with ISO 9001.
    assert get(process="casting", region=KLATEN, certification="iso-9001", kind="ikm") == ["CV Cor Klaten"]


def test_search_finds_product_words_and_trade_slang(client_for, officer, registry):
    client = client_for(officer)
    assert names(client.get("/companies/", {"q": "knalpot"})) == ["PT Logam Tegal"]
    assert names(client.get("/companies/", {"q": "per daun"})) == ["CV Pegas Sidoarjo"]  # slang for leaf spring
    assert names(client.get("/companies/", {"q": "pegas"})) == ["CV Pegas Sidoarjo"]  # via the process's words
    assert names(client.get("/companies/", {"q": "coran pompa"})) == ["CV Cor Klaten"]
    assert names(client.get("/companies/", {"q": "foundry klaten"})) == ["CV Cor Klaten"]  # English synonym + region
    assert names(client.get("/companies/", {"q": "spion", "region": KLATEN})) == []
    page = client.get("/companies/", {"q": "zzzz"}).content.decode()
    assert "Clear all filters" in page or "Hapus semua filter" in page
    assert "search-note" not in page  # no word found a process or material


def test_the_list_says_which_processes_and_materials_a_search_word_found(client_for, officer, registry, settings):
    """A company without the typed word may be found by a process's synonym: the page says which."""
    client = client_for(officer)
    page = client.get("/companies/", {"q": "knalpot"}).content.decode()  # a synonym of pipe bending
    assert "Pencarian juga menemukan perusahaan dari proses dan bahannya:" in page
    assert "«knalpot» →\n    Tekuk pipa</span>" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/companies/", {"q": "foundry klaten"}).content.decode()
    assert "The search also finds companies by their processes and materials:" in page
    assert "«foundry» →\n    Casting</span>" in page and "«klaten»" not in page


def test_sort_and_pagination(client_for, officer, registry):
    client = client_for(officer)
    all_names = sorted(c.legal_name for c in registry.values())
    assert names(client.get("/companies/")) == all_names
    assert names(client.get("/companies/", {"sort": "-name"})) == all_names[::-1]
    assert names(client.get("/companies/", {"sort": "-workforce", "region": "33"}))[0] == "CV Cor Klaten"
    assert names(client.get("/companies/", {"sort": "nonsense"})) == all_names
    first = client.get("/companies/", {"per_page": 2})
    assert names(first) == all_names[:2] and first.context["page"].paginator.count == 5
    assert names(client.get("/companies/", {"per_page": 2, "page": 3})) == all_names[4:]
    assert "page=2" in first.content.decode()


def test_sort_by_regency_name(client_for, officer, registry):
    """Regency (A–Z) orders by the regency's name, either way, on SQLite and PostgreSQL alike."""
    client = client_for(officer)
    regency = {c.legal_name: c.region.name.lower() for c in registry.values()}
    ascending = [regency[n] for n in names(client.get("/companies/", {"sort": "region"}))]
    assert ascending == sorted(regency.values()) and len(set(ascending)) > 2
    descending = [regency[n] for n in names(client.get("/companies/", {"sort": "-region"}))]
    assert descending == sorted(regency.values(), reverse=True)


def test_list_shows_badges_processes_and_links(client_for, officer, owner, registry):
    page = client_for(officer).get("/companies/", {"process": "welding"}).content.decode()
    assert "PT Logam Tegal" in page and "/companies/new/" in page
    assert "/companies/export.csv?process=welding" in page and "/companies/export.xlsx?process=welding" in page
    assert "/companies/certifications/expiring/" in page and "/companies/import/" in page
    page = client_for(owner).get("/companies/").content.decode()
    assert "/companies/new/" not in page and "/companies/import/" not in page
    assert "UD Aluminium Ceper" not in page  # unverified and not the owner's


def test_regency_select_follows_the_province_through_htmx(client_for, officer, db):
    response = client_for(officer).get(
        "/companies/", {"province": "33"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="regency-field"
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'value="33.28"' in html and 'value="32.16"' not in html


# ------------------------------------------------------------------------------------ detail


def test_detail_shows_private_fields_only_to_the_company_and_officers(client_for, people, registry):
    url = f"/companies/{registry['tegal'].pk}/"
    for name in ("owner", "colleague", "officer", "regional"):
        page = client_for(people[name]).get(url).content.decode()
        assert "01.300.066.6-091.000" in page and "0283-555" in page and "logam@tegal.test" in page, name
    for name in ("buyer", "outsider", "assessor", "regional_other"):
        response = client_for(people[name]).get(url)
        page = response.content.decode()
        assert response.status_code == 200 and "PT Logam Tegal" in page
        assert "091.000" not in page and "0283-555" not in page and "logam@tegal.test" not in page, name
        assert "1.500.000.000" not in page and "1,500,000,000" not in page  # turnover


def test_detail_shows_classes_with_rules_and_completeness(client_for, owner, buyer, registry):
    url = f"/companies/{registry['tegal'].pk}/"
    response = client_for(owner).get(url)
    page = response.content.decode()
    assert escape(response.context["industry_rule"]) in page and "64/2016" in page and "7/2021" in page
    with translation.override("id"):  # the rule is shown in the reader's language
        assert response.context["industry_rule"] == translation.gettext(registry["tegal"].industry_class_rule)
    assert response.context["completeness_score"] == registry["tegal"].completeness
    assert response.context["completeness_missing"] and escape(response.context["completeness_missing"][0]) in page
    response = client_for(buyer).get(url)
    assert "completeness_score" not in response.context
    assert f"/companies/{registry['tegal'].pk}/edit/" not in response.content.decode()


def test_every_classification_rule_is_translatable():
    rules = set()
    for workers, investment in [(None, 1), (10, 0), (10, BILLION), (30, BILLION), (30, 20 * BILLION)]:
        rules.add(industry_class(workers, investment).rule)
    for capital, turnover in [
        (BILLION, None),
        (2 * BILLION, None),
        (6 * BILLION, None),
        (11 * BILLION, None),
        (None, BILLION),
        (None, 3 * BILLION),
        (None, 20 * BILLION),
        (None, 60 * BILLION),
        (None, None),
    ]:
        rules.add(enterprise_class(capital, turnover).rule)
    assert rules == set(RULES)


def test_unverified_company_is_hidden_from_other_ikm_and_buyers(client_for, people, registry):
    url = f"/companies/{registry['alu'].pk}/"
    for name in ("buyer", "owner", "outsider", "assessor", "regional"):
        assert client_for(people[name]).get(url).status_code == 404, name
    for name in ("officer", "regional_other"):
        assert client_for(people[name]).get(url).status_code == 200, name


# ------------------------------------------------------------------------------------ create and edit


def company_form(company=None, **overrides):
    data = {
        "kind": "ikm",
        "buyer_type": "",
        "legal_name": company.legal_name if company else "CV Baru Tegal",
        "brand_name": "",
        "nib": company.nib if company else "9120 0099 8877 6",
        "npwp": "",
        "region": company.region_id if company else Region.objects.get(code=TEGAL).pk,
        "address": "",
        "latitude": "",
        "longitude": "",
        "workforce": "",
        "investment": "",
        "business_capital": "",
        "turnover": "",
        "products": "",
        "hs_codes": "",
        "monthly_capacity": "",
        "capacity_note": "",
        "contact_name": "",
        "phone": "",
        "email": "",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_officer_creates_a_company(client_for, officer, db):
    welding = Process.objects.get(code="welding")
    response = client_for(officer).post(
        "/companies/new/",
        company_form(
            npwp="01.300.066.6-091.000",
            hs_codes="870892; 8714.10, 8708.92",
            processes=[welding.pk],
            workforce="25",
            investment="3000000000",
            latitude="-6.98765432",
            longitude="109.1406",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    company = Company.objects.get(nib="9120009988776")
    assert response["Location"] == company.get_absolute_url()
    assert company.npwp == "0013000666091000"
    assert company.hs_codes == "8708.92, 8714.10"
    assert company.latitude == Decimal("-6.987654")
    assert list(company.processes.all()) == [welding]
    assert company.industry_class == "medium" and "3(b)" in company.industry_class_rule
    assert ObjectChange.objects.get(object_id=str(company.pk), action="create").actor == officer


def test_owner_edits_own_company_and_the_change_is_logged(client_for, owner, registry):
    company = registry["tegal"]
    url = f"/companies/{company.pk}/edit/"
    form = client_for(owner).get(url).context["form"]
    assert "region" not in form.fields and "kind" not in form.fields and "organisation" not in form.fields
    assert form.initial["npwp"] == "01.300.066.6-091.000"
    response = client_for(owner).post(
        url, company_form(company, npwp="0013000666091000", workforce="30", investment="800000000")
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.workforce == 30 and company.industry_class == "medium"
    change = ObjectChange.objects.filter(object_id=str(company.pk), action="update").latest("time")
    assert change.actor == owner and change.after["workforce"] == 30


def test_bad_nib_and_npwp_are_refused_in_indonesian_by_default(client_for, officer, db):
    response = client_for(officer).post("/companies/new/", company_form(nib="12345", npwp="01.300.066.7-091.000"))
    assert response.status_code == 200 and response.wsgi_request.LANGUAGE_CODE == "id"
    errors = response.context["form"].errors
    assert set(errors) >= {"nib", "npwp"}
    page = response.content.decode()
    with translation.override("id"):
        nib_message = translation.gettext("NIB must have 13 digits (got %(n)s).") % {"n": 5}
        npwp_message = translation.gettext(
            "NPWP is not valid: use 15 digits (XX.XXX.XXX.X-XXX.XXX) or 16 digits, with a correct check digit."
        )
    assert escape(nib_message) in page and escape(npwp_message) in page
    if nib_message != "NIB must have 13 digits (got 5).":  # once the Indonesian catalogue is compiled
        assert "must have 13 digits" not in page
    assert not Company.objects.exists()


def test_form_rules_buyer_type_numbers_coordinates_and_duplicates(client_for, officer, registry):
    client = client_for(officer)
    errors = client.post("/companies/new/", company_form(kind="industry")).context["form"].errors
    assert "buyer_type" in errors
    errors = client.post("/companies/new/", company_form(workforce="-3", investment="-1")).context["form"].errors
    assert {"workforce", "investment"} <= set(errors)
    errors = client.post("/companies/new/", company_form(latitude="109.1", longitude="-6.9")).context["form"].errors
    assert {"latitude", "longitude"} <= set(errors)
    errors = client.post("/companies/new/", company_form(nib=registry["tegal"].nib)).context["form"].errors
    assert "nib" in errors
    errors = client.post("/companies/new/", company_form(hs_codes="8708.92, 87-08")).context["form"].errors
    assert "hs_codes" in errors
    response = client.post("/companies/new/", company_form(kind="ikm", buyer_type="tier1"))
    assert response.status_code == 302
    assert Company.objects.get(nib="9120009988776").buyer_type == ""


def test_regional_officer_places_companies_only_in_its_region(client_for, regional, db):
    client = client_for(regional)
    form = client.get("/companies/new/").context["form"]
    assert list(form.fields["region"].queryset.values_list("code", flat=True)) == [TEGAL]
    klaten = Region.objects.get(code=KLATEN)
    response = client.post("/companies/new/", company_form(region=klaten.pk))
    assert response.status_code == 200 and "region" in response.context["form"].errors
    assert not Company.objects.exists()


# ------------------------------------------------------------------------------------ verification


def test_verify_and_withdraw(client_for, people, registry):
    company = registry["alu"]  # Klaten, self-declared
    url = f"/companies/{company.pk}/verify/"
    assert client_for(people["owner"]).post(url).status_code == 404  # cannot even see it
    assert client_for(people["regional"]).post(url).status_code == 404  # Tegal's officer
    assert client_for(people["regional_other"]).get(url).status_code == 405
    response = client_for(people["regional_other"]).post(url, {"verified": "1"}, follow=True)
    company.refresh_from_db()
    assert company.verification == Verification.VERIFIED and company.verified_by == people["regional_other"]
    assert response.redirect_chain[-1][0] == company.get_absolute_url()
    assert list(response.context["messages"])
    assert client_for(people["buyer"]).post(url, {"verified": "0"}).status_code == 403
    client_for(people["officer"]).post(url, {"verified": "0"})
    company.refresh_from_db()
    assert company.verification == Verification.SELF_DECLARED and company.verified_by is None


# ------------------------------------------------------------------------------------ rows of a company


def test_owner_adds_edits_and_deletes_rows(client_for, owner, registry):
    company = registry["tegal"]
    client = client_for(owner)
    before = company.completeness
    response = client.post(
        f"/companies/{company.pk}/machine/new/", {"machine_type": "Mesin bubut CNC", "count": "2", "year": "2015"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#machines")
    machine = Machine.objects.get(company=company)
    company.refresh_from_db()
    assert company.completeness > before
    response = client.post(
        f"/companies/{company.pk}/machine/{machine.pk}/edit/",
        {"machine_type": "Mesin bubut CNC", "count": "3", "capacity": "Ø 400 mm", "year": "2015"},
    )
    assert response.status_code == 302
    machine.refresh_from_db()
    assert machine.count == 3
    client.post(f"/companies/{company.pk}/product/new/", {"name": "Knalpot racing", "hs_code": "871410"})
    assert Product.objects.get(company=company).hs_code == "8714.10"
    response = client.post(f"/companies/{company.pk}/product/new/", {"name": "Bracket", "hs_code": "87-14"})
    assert response.status_code == 200 and "hs_code" in response.context["form"].errors
    assert client.get(f"/companies/{company.pk}/machine/{machine.pk}/delete/").status_code == 200
    assert client.post(f"/companies/{company.pk}/machine/{machine.pk}/delete/").status_code == 302
    assert not Machine.objects.filter(pk=machine.pk).exists()
    logged = ObjectChange.objects.filter(content_type__model="machine", object_id=str(machine.pk))
    assert sorted(logged.values_list("action", flat=True)) == ["create", "delete", "update"]
    assert set(logged.values_list("actor", flat=True)) == {owner.pk}


def test_buyer_adds_a_plant(client_for, buyer, registry):
    company = registry["buyer"]
    bekasi = Region.objects.get(code=BEKASI)
    response = client_for(buyer).post(
        f"/companies/{company.pk}/plant/new/", {"name": "Plant Cikarang", "region": bekasi.pk, "address": "MM2100"}
    )
    assert response.status_code == 302
    assert company.plants.get().region == bekasi
    assert "Plant Cikarang" in client_for(buyer).get(company.get_absolute_url()).content.decode()


def test_rows_unknown_kind_and_foreign_rows_are_404(client_for, owner, outsider, registry):
    tegal, klaten = registry["tegal"], registry["klaten"]
    machine = services.save_child(Machine, actor=None, company=klaten, machine_type="Tanur induksi")
    assert client_for(owner).get(f"/companies/{tegal.pk}/invoice/new/").status_code == 404
    assert client_for(owner).get(f"/companies/{tegal.pk}/machine/{machine.pk}/edit/").status_code == 404
    assert client_for(owner).post(f"/companies/{tegal.pk}/machine/{machine.pk}/delete/").status_code == 404
    assert client_for(owner).post(f"/companies/{klaten.pk}/machine/{machine.pk}/delete/").status_code == 403
    assert client_for(outsider).get(f"/companies/{tegal.pk}/machine/new/").status_code == 403
    assert Machine.objects.filter(pk=machine.pk).exists()


def test_evidence_upload_is_checked_and_download_is_private(client_for, people, registry):
    company = registry["tegal"]
    iso = CertificationType.objects.get(code="iso-9001")
    url = f"/companies/{company.pk}/certification/new/"
    client = client_for(people["owner"])
    data = {"certification_type": iso.pk, "number": "QMS-01", "issuer": "TÜV", "valid_until": "2030-01-31"}

    fake = SimpleUploadedFile("sertifikat.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(url, {**data, "evidence": fake})
    assert response.status_code == 200 and "evidence" in response.context["form"].errors
    exe = SimpleUploadedFile("sertifikat.exe", PDF, content_type="application/octet-stream")
    assert "evidence" in client.post(url, {**data, "evidence": exe}).context["form"].errors
    big = SimpleUploadedFile("besar.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    assert "evidence" in client.post(url, {**data, "evidence": big}).context["form"].errors
    wrong_order = {**data, "valid_from": "2031-01-01"}
    assert "valid_until" in client.post(url, wrong_order).context["form"].errors
    assert not Certification.objects.exists()

    upload = SimpleUploadedFile("sertifikat.pdf", PDF, content_type="application/pdf")
    assert client.post(url, {**data, "evidence": upload}).status_code == 302
    cert = Certification.objects.get(company=company)
    evidence_url = f"/companies/certifications/{cert.pk}/evidence/"
    for name in ("owner", "colleague", "officer", "regional"):
        response = client_for(people[name]).get(evidence_url)
        assert response.status_code == 200, name
        assert b"".join(response.streaming_content) == PDF
        assert "attachment" in response["Content-Disposition"]
    for name in ("buyer", "outsider", "assessor", "regional_other"):
        assert client_for(people[name]).get(evidence_url).status_code == 404, name
    page = client_for(people["buyer"]).get(company.get_absolute_url()).content.decode()
    assert "ISO 9001" in page and evidence_url not in page

    # Editing without a new file keeps the evidence; "clear" removes it.
    client = client_for(people["owner"])
    edit = f"/companies/{company.pk}/certification/{cert.pk}/edit/"
    assert client.post(edit, {**data, "number": "QMS-02"}).status_code == 302
    cert.refresh_from_db()
    assert cert.number == "QMS-02" and cert.evidence
    assert client.post(edit, {**data, "evidence-clear": "on"}).status_code == 302
    cert.refresh_from_db()
    assert not cert.evidence
    assert client_for(people["owner"]).get(evidence_url).status_code == 404


def test_certificate_status_colours_on_the_detail_page(client_for, owner, registry):
    company = registry["tegal"]
    add_certification(company, "iso-9001", days=-10)
    add_certification(company, "iso-14001", days=30)
    add_certification(company, "sni", days=400)
    add_certification(company, "halal", days=None)
    page = client_for(owner).get(company.get_absolute_url()).content.decode()
    assert page.count('class="row-expired"') == 1 and page.count('class="row-expiring"') == 1
    assert page.count('class="row-valid"') == 1 and page.count('class="row-open"') == 1


def test_history_includes_rows(client_for, owner, registry):
    company = registry["tegal"]
    services.save_child(Machine, actor=owner, company=company, machine_type="Mesin las MIG")
    services.update_company(company, actor=owner, address="Jl. Raya Slawi 1")
    page = client_for(owner).get(f"/companies/{company.pk}/history/").content.decode()
    assert "Mesin las MIG" in page and "Jl. Raya Slawi 1" in page


# ------------------------------------------------------------------------------------ expiring


def test_expiring_certificates(client_for, people, registry):
    soon = add_certification(registry["tegal"], "iso-9001", days=30)
    expired = add_certification(registry["tegal"], "sni", days=-5)
    later = add_certification(registry["tegal"], "iso-14001", days=200)
    klaten = add_certification(registry["klaten"], "iso-9001", days=10)

    def listed(name, **params):
        response = client_for(people[name]).get("/companies/certifications/expiring/", params)
        assert response.status_code == 200
        return [c.pk for c in response.context["page"].object_list]

    assert listed("officer") == [expired.pk, klaten.pk, soon.pk]  # by validity, soonest first
    assert listed("officer", days="365") == [expired.pk, klaten.pk, soon.pk, later.pk]
    assert listed("officer", sort="-valid_until") == [soon.pk, klaten.pk, expired.pk]
    assert listed("officer", status="expired") == [expired.pk]
    assert listed("officer", days="junk") == [expired.pk, klaten.pk, soon.pk]
    assert listed("owner") == listed("regional") == [expired.pk, soon.pk]
    assert listed("outsider") == listed("regional_other") == [klaten.pk]
    assert listed("buyer") == listed("assessor") == []


# ------------------------------------------------------------------------------------ taxonomies


def test_taxonomies_listed_for_all_and_maintained_by_programme_officers(client_for, people, db):
    for kind, code in (("process", "casting"), ("material", "aluminium"), ("certification-type", "iatf-16949")):
        page = client_for(people["owner"]).get(f"/companies/taxonomy/{kind}/").content.decode()
        assert code in page
    assert client_for(people["owner"]).get("/companies/taxonomy/colour/").status_code == 404
    data = {"code": "laser-cutting", "name_id": "Potong laser", "name_en": "Laser cutting", "is_active": "on"}
    for name in ("regional", "owner", "buyer"):
        assert client_for(people[name]).get("/companies/taxonomy/process/new/").status_code == 403
        assert client_for(people[name]).post("/companies/taxonomy/process/new/", data).status_code == 403
    assert not Process.objects.filter(code="laser-cutting").exists()
    response = client_for(people["officer"]).post("/companies/taxonomy/process/new/", data)
    assert response.status_code == 302
    process = Process.objects.get(code="laser-cutting")
    assert ObjectChange.objects.filter(object_id=str(process.pk), action="create", actor=people["officer"]).exists()
    edit = f"/companies/taxonomy/process/{process.pk}/edit/"
    response = client_for(people["officer"]).post(edit, {**data, "code": "hacked", "synonyms": "laser, plasma"})
    process.refresh_from_db()
    assert response.status_code == 302 and process.code == "laser-cutting" and process.synonyms == "laser, plasma"
    assert client_for(people["officer"]).post("/companies/taxonomy/process/new/", data).status_code == 200  # dup


# ------------------------------------------------------------------------------------ delete


def test_only_programme_officers_delete_companies(client_for, people, registry):
    company = registry["tegal"]
    url = f"/companies/{company.pk}/delete/"
    assert client_for(people["regional"]).post(url).status_code == 403
    assert client_for(people["owner"]).post(url).status_code == 403
    assert client_for(people["officer"]).get(url).status_code == 200
    response = client_for(people["officer"]).post(url)
    assert response.status_code == 302 and response["Location"] == "/companies/"
    assert not Company.objects.filter(pk=company.pk).exists()
    assert ObjectChange.objects.filter(object_id=str(company.pk), action="delete").exists()


# ------------------------------------------------------------------------------------ N+1 guards


def _rich_company(i, org=None):
    company = make_company(
        f"CV Uji {i}", TEGAL, org=org, verified=True, processes=["welding", "casting"], materials=["aluminium"]
    )
    add_certification(company, "iso-9001", days=30)
    services.save_child(Machine, actor=None, company=company, machine_type="Bubut")
    return company


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/companies/",
        "/companies/?q=uji&process=welding&region=33",
        "/companies/certifications/expiring/",
        "/api/companies/",
        "/api/companies/?certification=iso-9001&region=33.28",
        "/companies/taxonomy/process/",
    ],
)
@pytest.mark.parametrize("who", ["officer", "regional", "buyer"])
def test_list_queries_do_not_grow(client_for, people, own_org, url, who):
    client = client_for(people[who])
    _rich_company(0, org=own_org if who != "officer" else None)
    one = count_queries(client, url)
    _rich_company(1)
    _rich_company(2)
    three = count_queries(client, url)
    assert one == three, f"{url} as {who}: {one} queries for 1 row, {three} for 3"


def test_list_page_answers_with_a_bounded_number_of_queries(client_for, officer, db):
    for i in range(3):
        _rich_company(i)
    client = client_for(officer)
    assert count_queries(client, "/companies/?q=uji&process=welding") <= 14


def test_rupiah_amounts_are_read_as_people_write_them(client_for, officer, db):
    client = client_for(officer)
    response = client.post(
        "/companies/new/", company_form(investment="Rp 4.500.000.000", turnover="12,000,000,000", workforce="45")
    )
    assert response.status_code == 302
    company = Company.objects.get(nib="9120009988776")
    assert company.investment == Decimal("4500000000") and company.turnover == Decimal("12000000000")
    assert 'value="4.500.000.000"' in client.get(f"/companies/{company.pk}/edit/").content.decode()
    errors = client.post(f"/companies/{company.pk}/edit/", company_form(company, investment="4,5 M")).context["form"]
    assert "investment" in errors.errors
