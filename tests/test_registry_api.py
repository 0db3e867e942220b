"""The registry API: the list's filters, create and update through the services with 400 JSON on bad input,
private fields, token authentication, delete, the taxonomies and the OpenAPI schema."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from jalin.companies.models import Company
from jalin.core.models import ObjectChange
from tests.test_registry_pages import KLATEN, TEGAL, add_certification, build_registry


@pytest.fixture
def registry(db, own_org, other_org, buyer_org):
    return build_registry(own_org, other_org, buyer_org)


def api_names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["legal_name"] for row in response.json()["results"])


def post_json(client, url, data, method="post"):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


def test_list_uses_the_pages_filters(client_for, officer, registry):
    add_certification(registry["klaten"], "iso-9001", days=100)
    client = client_for(officer)
    get = lambda **params: api_names(client.get("/api/companies/", params))  # noqa: E731
    assert len(get()) == 5
    assert get(process="casting", region=KLATEN, certification="iso-9001") == ["CV Cor Klaten"]
    assert get(q="knalpot") == ["PT Logam Tegal"]
    assert get(region="33") == ["CV Cor Klaten", "PT Logam Tegal", "UD Aluminium Ceper"]
    assert get(kind="industry") == ["PT Pembeli Otomotif"]
    assert get(verified="0") == ["UD Aluminium Ceper"]
    assert get(material="aluminium") == ["UD Aluminium Ceper"]
    assert get(size="medium") == ["CV Cor Klaten"]
    rows = client.get("/api/companies/", {"sort": "-name"}).json()["results"]
    assert [r["legal_name"] for r in rows] == sorted((r["legal_name"] for r in rows), reverse=True)


def test_pages_hold_as_many_rows_as_the_site_lists(client_for, officer, registry, settings):
    client = client_for(officer)
    settings.JALIN_PAGE_SIZE = 2
    first = client.get("/api/companies/").json()
    assert len(first["results"]) == 2 and first["count"] == 5 and "page=2" in first["next"]
    assert len(client.get("/api/companies/", {"page_size": 4}).json()["results"]) == 4
    assert len(client.get("/api/companies/", {"page_size": "many"}).json()["results"]) == 2
    assert client.get("/api/companies/", {"page": 9}).status_code == 404
    settings.JALIN_PAGE_SIZE = 25
    rows = client.get("/api/companies/", {"sort": "region"}).json()["results"]
    assert [r["region_name"].lower() for r in rows] == sorted(r["region_name"].lower() for r in rows)


def test_list_shows_what_the_user_may_see(client_for, people, registry):
    assert "UD Aluminium Ceper" not in api_names(client_for(people["buyer"]).get("/api/companies/"))
    assert "UD Aluminium Ceper" in api_names(client_for(people["regional_other"]).get("/api/companies/"))


def test_detail_nests_codes_and_certifications(client_for, owner, registry):
    add_certification(registry["tegal"], "iso-9001", days=-1)
    data = client_for(owner).get(f"/api/companies/{registry['tegal'].pk}/").json()
    assert data["region"] == TEGAL and data["province"] == "33" and data["region_name"] == "Kabupaten Tegal"
    assert sorted(data["processes"]) == ["pipe-bending", "welding"] and data["materials"] == ["sheet-steel"]
    assert data["certifications"][0]["certification_type"] == "iso-9001"
    assert data["certifications"][0]["is_valid"] is False and data["certifications"][0]["has_evidence"] is False
    assert data["industry_class"] == "small" and "64/2016" in data["industry_class_rule"]


def test_private_fields_only_for_the_company_and_officers(client_for, people, registry):
    url = f"/api/companies/{registry['tegal'].pk}/"
    private = set(Company.private_fields)
    for name in ("owner", "colleague", "officer", "regional"):
        detail = client_for(people[name]).get(url).json()
        assert private <= set(detail) and detail["npwp"] == "0013000666091000", name
    for name in ("buyer", "outsider", "assessor", "regional_other"):
        detail = client_for(people[name]).get(url).json()
        assert not private & set(detail), name
        assert detail["legal_name"] == "PT Logam Tegal"
    rows = {r["legal_name"]: r for r in client_for(people["owner"]).get("/api/companies/").json()["results"]}
    assert "npwp" in rows["PT Logam Tegal"] and "npwp" not in rows["CV Cor Klaten"]


def test_create_through_the_api(client_for, officer, db):
    client = client_for(officer)
    response = post_json(
        client,
        "/api/companies/",
        {
            "legal_name": "CV API Tegal",
            "nib": "9120-0011-2233-4",
            "npwp": "01.300.066.6-091.000",
            "region": TEGAL,
            "processes": ["turning", "milling"],
            "materials": ["aluminium"],
            "kbli": ["29300"],
            "hs_codes": "870892",
            "workforce": 15,
            "investment": "500000000",
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["nib"] == "9120001122334" and data["npwp"] == "0013000666091000"
    assert data["hs_codes"] == "8708.92" and sorted(data["processes"]) == ["milling", "turning"]
    assert data["industry_class"] == "small" and data["verification"] == "self"
    company = Company.objects.get(pk=data["id"])
    assert ObjectChange.objects.get(object_id=str(company.pk), action="create").actor == officer


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"nib": "12345"}, "nib"),
        ({"npwp": "01.300.066.7-091.000"}, "npwp"),
        ({"region": "33"}, "region"),  # a province, not a regency
        ({"region": "99.99"}, "region"),
        ({"processes": ["welding", "teleportation"]}, "processes"),
        ({"hs_codes": "87-08"}, "hs_codes"),
        ({"workforce": -1}, "workforce"),
        ({"investment": "-5"}, "investment"),
        ({"kind": "industry"}, "buyer_type"),
        ({"legal_name": ""}, "legal_name"),
    ],
)
def test_create_refuses_bad_input_with_400_json(client_for, officer, db, payload, field):
    data = {"legal_name": "CV Salah", "nib": "9120001122334", "region": TEGAL, **payload}
    response = post_json(client_for(officer), "/api/companies/", data)
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    assert field in response.json()
    assert not Company.objects.exists()


def test_duplicate_nib_is_400(client_for, officer, registry):
    response = post_json(
        client_for(officer), "/api/companies/", {"legal_name": "X", "nib": registry["tegal"].nib, "region": TEGAL}
    )
    assert response.status_code == 400 and "nib" in response.json()


def test_who_may_create(client_for, people, db):
    data = {"legal_name": "CV Baru", "nib": "9120001122334", "region": KLATEN}
    assert post_json(client_for(people["owner"]), "/api/companies/", data).status_code == 403
    assert post_json(client_for(people["regional"]), "/api/companies/", data).status_code == 403  # Klaten
    assert not Company.objects.exists()
    assert post_json(client_for(people["regional_other"]), "/api/companies/", data).status_code == 201


def test_update_through_the_api(client_for, people, registry):
    url = f"/api/companies/{registry['tegal'].pk}/"
    owner = client_for(people["owner"])
    response = post_json(owner, url, {"workforce": 25, "processes": ["casting"]}, method="patch")
    assert response.status_code == 200, response.content
    assert response.json()["industry_class"] == "medium" and response.json()["processes"] == ["casting"]
    response = post_json(owner, url, {"region": KLATEN}, method="patch")
    assert response.status_code == 400 and "region" in response.json()
    response = post_json(owner, url, {"kind": "industry", "buyer_type": "tier2"}, method="patch")
    assert response.status_code == 400 and "kind" in response.json()
    response = post_json(owner, url, {"npwp": "123"}, method="patch")
    assert response.status_code == 400 and "npwp" in response.json()
    response = post_json(owner, url, {"verification": "verified"}, method="patch")
    assert response.status_code == 200 and response.json()["verification"] == "verified"  # read-only: unchanged
    registry["alu"].refresh_from_db()
    assert registry["alu"].verification == "self"
    assert post_json(client_for(people["outsider"]), url, {"workforce": 1}, method="patch").status_code == 403
    alu = f"/api/companies/{registry['alu'].pk}/"
    assert post_json(client_for(people["outsider"]), alu, {"workforce": 1}, method="patch").status_code == 404
    full = client_for(people["officer"]).get(url).json()
    full.update({"legal_name": "PT Logam Tegal Jaya", "region": "33.10"})
    response = post_json(client_for(people["officer"]), url, full, method="put")
    assert response.status_code == 200, response.content
    registry["tegal"].refresh_from_db()
    assert registry["tegal"].legal_name == "PT Logam Tegal Jaya" and registry["tegal"].region.code == "33.10"


def test_delete_only_by_programme_officers(client_for, people, registry):
    url = f"/api/companies/{registry['tegal'].pk}/"
    for name in ("regional", "owner", "buyer"):
        assert client_for(people[name]).delete(url).status_code == 403, name
    assert client_for(people["officer"]).delete(url).status_code == 204
    assert not Company.objects.filter(pk=registry["tegal"].pk).exists()
    assert ObjectChange.objects.filter(object_id=str(registry["tegal"].pk), action="delete").exists()


def test_token_authentication(client, owner, registry):
    assert client.get("/api/companies/").status_code in (401, 403)
    token = Token.objects.create(user=owner)
    response = client.get("/api/companies/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert "PT Logam Tegal" in api_names(response)
    assert "UD Aluminium Ceper" not in api_names(response)
    response = client.patch(
        f"/api/companies/{registry['tegal'].pk}/",
        json.dumps({"brand_name": "Tegal Jaya"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 200 and response.json()["brand_name"] == "Tegal Jaya"
    assert client.get("/api/companies/", HTTP_AUTHORIZATION="Token wrong").status_code in (401, 403)


def test_taxonomy_endpoints(client_for, owner, db):
    client = client_for(owner)
    codes = [row["code"] for row in client.get("/api/processes/", {"page_size": 100}).json()["results"]]
    assert "casting" in codes and "welding" in codes
    data = client.get("/api/processes/casting/").json()
    assert data["name_id"] == "Pengecoran" and "coran" in data["synonyms"]
    assert client.get("/api/materials/aluminium/").status_code == 200
    assert client.get("/api/certification-types/iso-9001/").json()["name_en"] == "ISO 9001"
    assert client.post("/api/processes/", {"code": "x"}).status_code == 405


def test_openapi_schema_has_no_warnings(tmp_path, db):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/companies/{id}/" in schema and "/api/certification-types/{code}/" in schema
    assert "name: certification" in schema and "name: region" in schema
