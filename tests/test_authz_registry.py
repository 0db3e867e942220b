"""Authorisation matrix over every registry route (pages and API), for every named user, with the own
company (Tegal, linked to own_org) and the other company (Klaten, linked to other_org) both verified and
self-declared: an unverified profile is seen only by the company itself and by officers."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jalin.companies import services
from jalin.companies.models import Certification, CertificationType, Company, Machine, Plant, Process, Product
from jalin.regions.models import Region
from tests.authz import Case, assert_matrix
from tests.test_registry_pages import BEKASI, KLATEN, PDF, TEGAL, company_form, make_company

SIGNED_IN = frozenset({"officer", "regional", "regional_other", "owner", "colleague", "outsider", "buyer", "assessor"})
OFFICERS = frozenset({"officer", "regional", "regional_other"})
OWN_EDITORS = frozenset({"officer", "regional", "owner", "colleague"})  # change / view_private on the own company
OTHER_EDITORS = frozenset({"officer", "regional_other", "outsider"})
WATCH = [Company, Certification, Machine, Product, Plant, Process]


def objects_for(verified: bool, own_org, other_org, buyer_org) -> dict:
    own = make_company("PT Logam Tegal", TEGAL, org=own_org, verified=verified, processes=["welding"])
    other = make_company("CV Cor Klaten", KLATEN, org=other_org, verified=verified, processes=["casting"])
    buyer = make_company(
        "PT Pembeli Otomotif", BEKASI, org=buyer_org, verified=True, kind="industry", buyer_type="apm_4w"
    )
    iso = CertificationType.objects.get(code="iso-9001")
    rows = {}
    for key, company in (("own", own), ("other", other)):
        rows[f"{key}_cert"] = services.save_child(
            Certification,
            actor=None,
            company=company,
            certification_type=iso,
            number=f"QMS-{key}",
            evidence=SimpleUploadedFile(f"{key}.pdf", PDF, content_type="application/pdf"),
        )
        rows[f"{key}_machine"] = services.save_child(Machine, actor=None, company=company, machine_type="Bubut")
    return {
        "own": own,
        "other": other,
        "buyer": buyer,
        "tegal": Region.objects.get(code=TEGAL),
        "bekasi": Region.objects.get(code=BEKASI),
        "iso": iso,
        "casting": Process.objects.get(code="casting"),
        **rows,
    }


def cases(verified: bool) -> list[Case]:
    own_viewers = SIGNED_IN if verified else OWN_EDITORS
    other_viewers = SIGNED_IN if verified else OTHER_EDITORS

    def company_url(key, suffix=""):
        return lambda o: f"/companies/{o[key].pk}/{suffix}"

    def row_url(company, kind, row, action):
        return lambda o: f"/companies/{o[company].pk}/{kind}/{o[row].pk}/{action}/"

    def machine(o):
        return {"machine_type": "Frais", "count": "2", "capacity": "", "year": "2010"}

    def certification(o):
        return {"certification_type": o["iso"].pk, "number": "QMS-9", "issuer": "", "valid_until": "2030-01-01"}

    def api_json(data):
        return lambda o: json.dumps(data(o) if callable(data) else data)

    taxonomy = {"code": "laser-cutting", "name_id": "Potong laser", "name_en": "Laser cutting", "is_active": "on"}
    return [
        # ---- pages: list, create
        Case("list", lambda o: "/companies/", SIGNED_IN),
        Case("list filtered", lambda o: "/companies/?process=casting&province=33&region=33.10", SIGNED_IN),
        Case("add", lambda o: "/companies/new/", OFFICERS),
        # ---- pages: one company
        Case("detail (own)", company_url("own"), own_viewers),
        Case("detail (other)", company_url("other"), other_viewers),
        Case("detail (buyer, verified)", company_url("buyer"), SIGNED_IN),
        Case("edit (own)", company_url("own", "edit/"), OWN_EDITORS),
        Case(
            "edit POST (own)",
            company_url("own", "edit/"),
            OWN_EDITORS,
            method="post",
            data=lambda o: company_form(o["own"], legal_name="PT Logam Tegal Jaya"),
        ),
        Case(
            "edit POST (other)",
            company_url("other", "edit/"),
            OTHER_EDITORS,
            method="post",
            data=lambda o: company_form(o["other"], legal_name="CV Cor Klaten Jaya"),
        ),
        Case("history (own)", company_url("own", "history/"), OWN_EDITORS),
        Case("delete (own)", company_url("own", "delete/"), {"officer"}),
        Case("delete POST (own)", company_url("own", "delete/"), {"officer"}, method="post", data=lambda o: {}),
        Case(
            "verify POST (own)",
            company_url("own", "verify/"),
            {"officer", "regional"},
            method="post",
            data=lambda o: {"verified": "0" if verified else "1"},
        ),
        Case(
            "verify POST (other)",
            company_url("other", "verify/"),
            {"officer", "regional_other"},
            method="post",
            data=lambda o: {"verified": "1"},
        ),
        # ---- pages: a company's rows
        Case("certification add (own)", company_url("own", "certification/new/"), OWN_EDITORS),
        Case(
            "certification add POST (own)",
            company_url("own", "certification/new/"),
            OWN_EDITORS,
            method="post",
            data=certification,
        ),
        Case(
            "machine add POST (other)",
            company_url("other", "machine/new/"),
            OTHER_EDITORS,
            method="post",
            data=machine,
        ),
        Case(
            "product add POST (own)",
            company_url("own", "product/new/"),
            OWN_EDITORS,
            method="post",
            data=lambda o: {"name": "Knalpot", "hs_code": "8714.10", "description": ""},
        ),
        Case(
            "plant add POST (buyer)",
            company_url("buyer", "plant/new/"),
            {"officer", "buyer"},
            method="post",
            data=lambda o: {"name": "Plant Cikarang", "region": o["bekasi"].pk, "address": ""},
        ),
        Case("machine edit (own)", row_url("own", "machine", "own_machine", "edit"), OWN_EDITORS),
        Case(
            "machine edit POST (own)",
            row_url("own", "machine", "own_machine", "edit"),
            OWN_EDITORS,
            method="post",
            data=machine,
        ),
        Case(
            "certification edit POST (other)",
            row_url("other", "certification", "other_cert", "edit"),
            OTHER_EDITORS,
            method="post",
            data=certification,
        ),
        Case("machine delete (own)", row_url("own", "machine", "own_machine", "delete"), OWN_EDITORS),
        Case(
            "machine delete POST (own)",
            row_url("own", "machine", "own_machine", "delete"),
            OWN_EDITORS,
            method="post",
            data=lambda o: {},
        ),
        Case(
            "machine delete POST (other's row through own company)",
            row_url("own", "machine", "other_machine", "delete"),
            set(),
            method="post",
            data=lambda o: {},
        ),
        Case("unknown row kind", company_url("own", "invoice/new/"), set()),
        Case("evidence (own)", lambda o: f"/companies/certifications/{o['own_cert'].pk}/evidence/", OWN_EDITORS),
        Case("evidence (other)", lambda o: f"/companies/certifications/{o['other_cert'].pk}/evidence/", OTHER_EDITORS),
        Case("expiring certificates", lambda o: "/companies/certifications/expiring/?days=365", SIGNED_IN),
        # ---- pages: taxonomies
        Case("processes", lambda o: "/companies/taxonomy/process/", SIGNED_IN),
        Case("materials", lambda o: "/companies/taxonomy/material/", SIGNED_IN),
        Case("certification types", lambda o: "/companies/taxonomy/certification-type/", SIGNED_IN),
        Case("taxonomy add", lambda o: "/companies/taxonomy/process/new/", {"officer"}),
        Case(
            "taxonomy add POST",
            lambda o: "/companies/taxonomy/process/new/",
            {"officer"},
            method="post",
            data=lambda o: taxonomy,
        ),
        Case("taxonomy edit", lambda o: f"/companies/taxonomy/process/{o['casting'].pk}/edit/", {"officer"}),
        Case(
            "taxonomy edit POST",
            lambda o: f"/companies/taxonomy/process/{o['casting'].pk}/edit/",
            {"officer"},
            method="post",
            data=lambda o: {**taxonomy, "code": "casting", "synonyms": "cor"},
        ),
        # ---- API
        Case("API list", lambda o: "/api/companies/?region=33", SIGNED_IN),
        Case("API detail (own)", lambda o: f"/api/companies/{o['own'].pk}/", own_viewers),
        Case("API detail (other)", lambda o: f"/api/companies/{o['other'].pk}/", other_viewers),
        Case(
            "API create in Tegal",
            lambda o: "/api/companies/",
            {"officer", "regional"},
            method="post",
            data=api_json({"legal_name": "CV API", "nib": "9120009988776", "region": TEGAL}),
            content_type="application/json",
        ),
        Case(
            "API PATCH (own)",
            lambda o: f"/api/companies/{o['own'].pk}/",
            OWN_EDITORS,
            method="patch",
            data=api_json({"brand_name": "Logam Jaya", "processes": ["casting"]}),
            content_type="application/json",
        ),
        Case(
            "API PATCH (other)",
            lambda o: f"/api/companies/{o['other'].pk}/",
            OTHER_EDITORS,
            method="patch",
            data=api_json({"workforce": 50}),
            content_type="application/json",
        ),
        Case("API DELETE (own)", lambda o: f"/api/companies/{o['own'].pk}/", {"officer"}, method="delete"),
        Case("API processes", lambda o: "/api/processes/", SIGNED_IN),
        Case("API process", lambda o: "/api/processes/casting/", SIGNED_IN),
        Case("API materials", lambda o: "/api/materials/", SIGNED_IN),
        Case("API certification types", lambda o: "/api/certification-types/iso-9001/", SIGNED_IN),
    ]


ADD_IN_TEGAL = Case(
    "add POST in Tegal",
    lambda o: "/companies/new/",
    {"officer", "regional"},
    method="post",
    data=lambda o: company_form(nib="9120009988776", region=o["tegal"].pk),
)


@pytest.mark.parametrize("verified", [True, False], ids=["verified", "self-declared"])
def test_registry_authorisation_matrix(client_for, people, own_org, other_org, buyer_org, verified):
    objects = objects_for(verified, own_org, other_org, buyer_org)
    matrix = cases(verified)
    checked = assert_matrix(client_for, people, matrix, objects=objects, watch=WATCH)
    assert checked == len(matrix) * len(people)
    # Klaten's officer may add companies, but not in Tegal: the form offers no Tegal region and refuses a
    # forged one as a form error (200, nothing written) rather than a 403; everyone else is in the matrix.
    others = {name: user for name, user in people.items() if name != "regional_other"}
    assert_matrix(client_for, others, [ADD_IN_TEGAL], objects=objects, watch=WATCH)


def test_regional_officer_cannot_add_outside_its_region(client_for, regional_other, own_org, other_org, buyer_org):
    objects = objects_for(True, own_org, other_org, buyer_org)
    count = Company.objects.count()
    response = client_for(regional_other).post(ADD_IN_TEGAL.url(objects), ADD_IN_TEGAL.data(objects))
    assert response.status_code == 200 and "region" in response.context["form"].errors
    assert Company.objects.count() == count
