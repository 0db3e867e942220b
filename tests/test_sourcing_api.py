"""The needs API: the page's filters, what each role sees, the private target price, create and update through
the services with 400 JSON by field, the status action, delete of drafts and the OpenAPI schema."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from jalin.core.models import ObjectChange
from jalin.sourcing.models import Need, NeedStatus
from tests.test_sourcing_services import build_needs


@pytest.fixture
def needs(db, buyer_org, own_org):
    return build_needs(buyer_org, own_org)


def api_titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["title"] for row in response.json()["results"])


def send(client, url, data, method="post"):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


def test_list_uses_the_pages_filters(client_for, officer, needs):
    client = client_for(officer)
    get = lambda **params: api_titles(client.get("/api/needs/", params))  # noqa: E731
    assert len(get()) == 6
    assert get(status="draft") == ["Bracket stamping draft", "Stay bracket draft"]
    assert get(buyer=needs["other"].pk, status="open") == ["Reinforcement plate"]
    assert get(process="turning", status="open") == ["Bushing track roller"]
    assert get(material="steel-pipe", imported="1") == ["Muffler assembly 110cc scooter"]
    assert get(visibility="invitation") == ["Bushing track roller"]
    assert get(q="knalpot") == ["Muffler assembly 110cc scooter"]
    rows = client.get("/api/needs/", {"sort": "-volume"}).json()["results"]
    assert rows[0]["title"] == "Muffler assembly 110cc scooter"


def test_each_role_sees_its_needs(client_for, people, needs):
    assert api_titles(client_for(people["owner"]).get("/api/needs/")) == [
        "Bushing track roller",
        "Muffler assembly 110cc scooter",
        "Reinforcement plate",
    ]
    assert len(api_titles(client_for(people["buyer"]).get("/api/needs/"))) == 4
    assert client_for(None).get("/api/needs/").status_code in (401, 403)


def test_detail_and_private_price(client_for, people, needs):
    url = f"/api/needs/{needs['open'].pk}/"
    data = client_for(people["buyer"]).get(url).json()
    assert data["target_price"] == "185000" and data["reference"] == needs["open"].reference
    assert sorted(data["processes"]) == ["pipe-bending", "welding"] and data["required_certifications"] == ["iso-9001"]
    assert data["monthly_volume"] == 5000 and data["delivery_plant_name"] == "Plant Cikarang"
    assert data["status"] == "open" and data["buyer_name"] == "PT Pembeli Otomotif"
    for name in ("officer", "regional"):
        assert "target_price" in client_for(people[name]).get(url).json(), name
    for name in ("owner", "outsider", "assessor"):
        assert "target_price" not in client_for(people[name]).get(url).json(), name
    rows = client_for(people["owner"]).get("/api/needs/").json()["results"]
    assert all("target_price" not in row for row in rows)
    rows = client_for(people["buyer"]).get("/api/needs/").json()["results"]
    assert all("target_price" in row for row in rows)


def test_a_buyer_creates_through_the_api(client_for, buyer, needs):
    payload = {
        "title": "Swing arm",
        "processes": ["stamping", "welding"],
        "materials": ["sheet-steel"],
        "annual_volume": 120000,
        "target_price": "12500",
        "required_certifications": ["iso-9001"],
        "preferred_certifications": ["iatf-16949"],
        "delivery_plant": needs["plant"].pk,
        "hs_code": "871410",
        "imported": True,
        "annual_import_value": "900000000",
        "start_date": "2026-09-01",
    }
    response = send(client_for(buyer), "/api/needs/", payload)
    assert response.status_code == 201, response.content
    data = response.json()
    need = Need.objects.get(pk=data["id"])
    assert need.buyer == needs["buyer"] and need.status == NeedStatus.DRAFT and need.hs_code == "8714.10"
    assert data["reference"].startswith("POT-") and data["status"] == "draft" and data["target_price"] == "12500"
    assert ObjectChange.objects.filter(object_id=str(need.pk), action="create", actor=buyer).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (
            {"title": "X", "required_certifications": ["iso-9001"], "preferred_certifications": ["iso-9001"]},
            "preferred_certifications",
        ),
        ({"title": "X", "imported": True}, "annual_import_value"),
        ({"title": "X", "delivery_plant": "OTHER_PLANT"}, "delivery_plant"),
        ({"title": "X", "hs_code": "87"}, "hs_code"),
        ({"title": "X", "target_price": "-5"}, "target_price"),
        ({"title": "X", "processes": ["levitation"]}, "processes"),
        ({"title": "X", "visibility": "secret"}, "visibility"),
        ({"title": "X", "buyer": "OTHER"}, "buyer"),
        ({"description": "no title"}, "title"),
        ({"title": "X", "reference": "EXISTING"}, "reference"),
    ],
)
def test_create_refuses_bad_input_with_400_by_field(client_for, buyer, needs, payload, field):
    substitutes = {
        "OTHER_PLANT": needs["other_plant"].pk,
        "OTHER": needs["other"].pk,
        "EXISTING": needs["open"].reference,
    }
    payload = {k: substitutes.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    count = Need.objects.count()
    response = send(client_for(buyer), "/api/needs/", payload)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert Need.objects.count() == count


def test_who_may_create(client_for, people, needs):
    payload = {"title": "X", "buyer": needs["other"].pk}
    for name in ("regional", "owner", "assessor"):
        assert send(client_for(people[name]), "/api/needs/", payload).status_code == 403, name
    response = send(client_for(people["officer"]), "/api/needs/", {"title": "X"})
    assert response.status_code == 400 and "buyer" in response.json()
    response = send(client_for(people["officer"]), "/api/needs/", payload)
    assert response.status_code == 201 and Need.objects.get(pk=response.json()["id"]).buyer == needs["other"]


def test_update_through_the_api(client_for, people, needs):
    url = f"/api/needs/{needs['open'].pk}/"
    client = client_for(people["buyer"])
    response = send(client, url, {"title": "Muffler 125cc", "processes": ["welding"], "status": "awarded"}, "patch")
    assert response.status_code == 200, response.content
    need = Need.objects.get(pk=needs["open"].pk)
    assert need.title == "Muffler 125cc" and need.status == NeedStatus.OPEN  # status only through the action
    assert list(need.processes.values_list("code", flat=True)) == ["welding"]
    response = send(client, url, {"preferred_certifications": ["iso-9001"]}, "patch")
    assert response.status_code == 400 and "preferred_certifications" in response.json()
    response = send(client, url, {"imported": False}, "patch")
    assert response.status_code == 200 and response.json()["annual_import_value"] is None
    response = send(client, url, {"reference": "NEW-REF"}, "patch")
    assert response.status_code == 400 and "reference" in response.json()
    response = send(client, url, {"buyer": needs["other"].pk}, "patch")
    assert response.status_code == 400 and "buyer" in response.json()
    assert send(client_for(people["owner"]), url, {"title": "x"}, "patch").status_code == 403
    assert (
        send(client_for(people["outsider"]), f"/api/needs/{needs['invited'].pk}/", {"title": "x"}, "patch").status_code
        == 404
    )
    assert send(client_for(people["regional"]), url, {"title": "x"}, "patch").status_code == 403
    assert Need.objects.get(pk=needs["open"].pk).title == "Muffler 125cc"


def test_status_action(client_for, people, needs):
    url = f"/api/needs/{needs['draft'].pk}/status/"
    client = client_for(people["buyer"])
    response = send(client, url, {"status": "open"})
    assert response.status_code == 200 and response.json()["status"] == "open"
    response = send(client, url, {"status": "draft"})
    assert response.status_code == 400 and "status" in response.json()
    assert send(client, url, {"status": "nonsense"}).status_code == 400
    assert send(client_for(people["owner"]), url, {"status": "closed"}).status_code == 403
    assert send(client_for(people["regional"]), url, {"status": "closed"}).status_code == 403
    assert (
        send(
            client_for(people["outsider"]), f"/api/needs/{needs['other_draft'].pk}/status/", {"status": "open"}
        ).status_code
        == 403
    )
    assert Need.objects.get(pk=needs["draft"].pk).status == NeedStatus.OPEN


def test_delete_only_drafts(client_for, people, needs):
    client = client_for(people["buyer"])
    response = client.delete(f"/api/needs/{needs['open'].pk}/")
    assert response.status_code == 400 and Need.objects.filter(pk=needs["open"].pk).exists()
    assert client_for(people["owner"]).delete(f"/api/needs/{needs['draft'].pk}/").status_code == 404
    assert client_for(people["buyer"]).delete(f"/api/needs/{needs['draft'].pk}/").status_code == 204
    assert not Need.objects.filter(pk=needs["draft"].pk).exists()


def test_attachments_are_listed_with_their_checked_download_address(client_for, buyer, needs):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jalin.sourcing import services
    from tests.test_sourcing_services import PDF

    attachment = services.add_attachment(
        needs["open"], actor=buyer, file=SimpleUploadedFile("drawing.pdf", PDF), title="Drawing rev B"
    )
    data = client_for(buyer).get(f"/api/needs/{needs['open'].pk}/").json()
    assert data["attachments"][0]["title"] == "Drawing rev B"
    assert data["attachments"][0]["url"].endswith(f"/needs/{needs['open'].pk}/attachments/{attachment.pk}/")


def test_openapi_schema_of_needs_has_no_warnings(tmp_path, db, capsys):
    """The whole schema must generate without warnings (tests/test_registry_api.py checks it with --fail-on-warn);
    here: none of the warnings comes from the needs' endpoints."""
    call_command("spectacular", "--validate", "--file", str(tmp_path / "schema.yml"))
    output = capsys.readouterr()
    warnings = [line for line in (output.err + output.out).splitlines() if line.startswith(("Warning", "Error"))]
    mine = [w for w in warnings if "Need" in w or "need" in w.lower() or '"status"' in w or "visibility" in w]
    assert mine == [], mine
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/needs/{id}/status/" in schema and "name: imported" in schema and "NeedStatus:" in schema
