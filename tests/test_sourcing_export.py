"""Export of the needs list: the filtered list the user sees, to CSV and XLSX, safe against formula injection,
the private column only where the user may see it, importable again unchanged."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from jalin.sourcing import services
from jalin.sourcing.importer import run_import
from jalin.sourcing.models import Need
from tests.test_sourcing_services import build_needs

pytestmark = pytest.mark.usefixtures("english")  # assertions read English (tests/conftest.py)


@pytest.fixture
def needs(db, buyer_org, own_org):
    return build_needs(buyer_org, own_org)


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_export_is_the_filtered_list(client_for, officer, needs):
    rows = read_csv(client_for(officer).get("/needs/export.csv", {"status": "open", "sort": "title"}))
    assert [r["title"] for r in rows] == [
        "Bushing track roller",
        "Muffler assembly 110cc scooter",
        "Reinforcement plate",
    ]
    muffler = rows[1]
    assert muffler["reference"] == needs["open"].reference and muffler["buyer_nib"] == needs["buyer"].nib
    assert muffler["processes"] == "pipe-bending; welding" and muffler["required_certifications"] == "iso-9001"
    assert muffler["annual_volume"] == "60000" and muffler["target_price"] == "185000"
    assert muffler["delivery_plant"] == "Plant Cikarang" and muffler["start_date"] == "2026-07-01"
    assert muffler["imported"] == "ya" and muffler["annual_import_value"] == "7500000000"
    assert muffler["status"] == "open" and muffler["buyer_name"] == "PT Pembeli Otomotif"
    assert len(read_csv(client_for(officer).get("/needs/export.csv"))) == 6


def test_xlsx_export(client_for, buyer, needs):
    response = client_for(buyer).get("/needs/export.xlsx", {"q": "muffler"})
    assert response.status_code == 200 and response.content[:2] == b"PK"
    ws = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in ws[1]]
    values = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert ws.max_row == 2 and values["title"] == "Muffler assembly 110cc scooter"
    assert values["annual_volume"] == 60000 and values["target_price"] == 185000  # numbers stay numbers


def test_formula_injection_is_neutralised(client_for, buyer, needs):
    services.update_need(
        needs["open"], actor=None, title='=HYPERLINK("http://evil.example","klik")', description="+cmd|' /C calc'!A0"
    )
    rows = read_csv(client_for(buyer).get("/needs/export.csv", {"q": "HYPERLINK"}))
    assert rows[0]["title"].startswith("'=HYPERLINK") and rows[0]["description"].startswith("'+cmd")
    ws = load_workbook(io.BytesIO(client_for(buyer).get("/needs/export.xlsx").content)).active
    cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith(("=", "+", "-", "@")) for v in cells)


def test_private_column_only_where_the_user_may_see_it(client_for, people, needs):
    for name in ("owner", "outsider", "assessor"):
        response = client_for(people[name]).get("/needs/export.csv")
        rows = read_csv(response)
        assert rows and "target_price" not in rows[0], name
        assert "185000" not in response.content.decode()
    for name in ("buyer", "officer", "regional"):
        rows = read_csv(client_for(people[name]).get("/needs/export.csv"))
        assert "185000" in [r["target_price"] for r in rows], name
    rows = read_csv(client_for(people["owner"]).get("/needs/export.csv"))
    assert sorted(r["title"] for r in rows) == [
        "Bushing track roller",
        "Muffler assembly 110cc scooter",
        "Reinforcement plate",
    ]


def test_export_then_import_changes_nothing(client_for, officer, buyer, needs):
    for user in (officer, buyer):
        data = client_for(user).get("/needs/export.csv").content
        report = run_import(data, filename="export.csv", actor=user, dry_run=False)
        assert report.errors == [] and report.committed, [i.text for i in report.errors]
        assert report.created == 0 and report.updated == 0 and report.unchanged == report.rows_read
    data = client_for(officer).get("/needs/export.xlsx").content
    report = run_import(data, filename="export.xlsx", actor=officer, dry_run=True)
    assert report.errors == [] and report.unchanged == 6


def test_export_queries_do_not_grow_with_rows(client_for, officer, needs, django_assert_max_num_queries):
    client = client_for(officer)
    with django_assert_max_num_queries(8):  # session, user, the needs, four many-to-many lists
        assert client.get("/needs/export.csv").status_code == 200


def test_unknown_format_is_not_found(client_for, officer, db):
    assert client_for(officer).get("/needs/export.pdf").status_code == 404


def test_cli_export(needs, tmp_path, capsys):
    path = tmp_path / "needs.xlsx"
    call_command("export", "needs", str(path), "--status", "draft")
    assert "2 rows written" in capsys.readouterr().out
    ws = load_workbook(path).active
    assert ws.max_row == 3 and "target_price" in [c.value for c in ws[1]]
    assert Need.objects.count() == 6
