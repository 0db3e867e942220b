"""Export of the registry list: exactly the filtered list the user sees, to CSV and XLSX, safe against formula
injection, private columns only where the user may see them, importable again unchanged."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from jalin.companies import exporter
from jalin.companies.importer import run_import
from jalin.companies.models import Company, Verification
from jalin.companies.queries import CompanyFilters, company_list
from jalin.core.models import Job, JobStatus, ObjectChange

HEADER = (
    "nib,npwp,legal_name,brand_name,kind,region,latitude,longitude,workforce,investment,turnover,products,processes,"
    "materials,phone,email,certifications"
)
ROWS = [
    "9120006000001,01.234.567.4-901.000,PT Logam Tegal,LT,ikm,33.28,-6.87,109.14,12,850000000,2000000000,"
    "Knalpot,bubut; las,besi,0283-1,own@ikm.example,sni",
    "9120006000002,,CV Cor Klaten,,ikm,33.10,-7.68,110.67,40,2000000000,5000000000,Coran besi,cor,besi cor,"
    "0272-2,cor@ikm.example,iso-9001:2027-12-31",
    "9120006000003,,CV Cor Ceper,,ikm,33.10,,,8,300000000,900000000,Pulley,cor; bubut,besi cor,0272-3,,",
    '9120006000004,,"=HYPERLINK(""http://evil.example"",""klik"")",,ikm,33.10,,,5,,,"+cmd|\' /C calc\'!A0",bubut,,,,',
    "9120006000005,,PT Pembeli Bekasi,,industry,32.16,,,900,90000000000,500000000000,Sasis,stamping,pelat baja,"
    "021-5,buy@buyer.example,iatf-16949",
]


pytestmark = pytest.mark.usefixtures("english")  # assertions read English (tests/conftest.py)


@pytest.fixture
def client_language():
    """Signed-in clients of ``client_for`` ask for English pages."""
    return "en"


@pytest.fixture
def registry(db, own_org, other_org):
    data = ("\n".join([HEADER, *ROWS]) + "\n").encode()
    report = run_import(data, filename="seed.csv", actor=None, dry_run=False)
    assert report.errors == [] and report.created == 5
    Company.objects.filter(nib="9120006000001").update(organisation=own_org)
    Company.objects.filter(nib="9120006000002").update(organisation=other_org)
    # The public registry: verified companies (the Tegal one and the buyer), seen by everyone signed in.
    Company.objects.filter(nib__in=["9120006000001", "9120006000002", "9120006000005"]).update(
        verification=Verification.VERIFIED
    )
    return {c.nib: c for c in Company.objects.all()}


def read_csv(content: bytes) -> list[dict]:
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_csv_export_is_the_filtered_list(client_for, officer, registry):
    client = client_for(officer)
    response = client.get("/companies/export.csv?region=33.10&process=casting&sort=-workforce")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="companies-' in response["Content-Disposition"]
    rows = read_csv(body(response))
    expected = company_list(
        officer, CompanyFilters.from_params({"region": "33.10", "process": "casting", "sort": "-workforce"})
    )
    assert [r["nib"] for r in rows] == [c.nib for c in expected] == ["9120006000002", "9120006000003"]
    first = rows[0]
    assert first["region"] == "33.10" and first["region_name"] == "Kabupaten Klaten"
    assert first["processes"] == "casting" and first["certifications"] == "iso-9001:2027-12-31"
    assert first["investment"] == "2000000000" and first["latitude"] == "-7.68"
    assert list(rows[0]) == exporter.HEADER


def test_xlsx_export(client_for, officer, registry):
    response = client_for(officer).get("/companies/export.xlsx?kind=ikm")
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.active
    assert ws.freeze_panes == "A2" and ws["A1"].font.b and ws.column_dimensions["C"].width > 20
    header = [c.value for c in ws[1]]
    assert header == exporter.HEADER
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    expected = company_list(officer, CompanyFilters.from_params({"kind": "ikm"}))
    assert [r["nib"] for r in rows] == [c.nib for c in expected] and len(rows) == 4
    tegal = next(r for r in rows if r["nib"] == "9120006000001")
    assert isinstance(tegal["nib"], str) and tegal["workforce"] == 12 and tegal["latitude"] == -6.87
    assert tegal["npwp"] == "0012345674901000" and tegal["processes"] == "turning; welding"


def test_formula_injection_is_neutralised(client_for, officer, registry):
    client = client_for(officer)
    evil = next(r for r in read_csv(body(client.get("/companies/export.csv"))) if r["nib"] == "9120006000004")
    assert evil["legal_name"].startswith("'=HYPERLINK(") and evil["products"].startswith("'+cmd")
    ws = load_workbook(io.BytesIO(client.get("/companies/export.xlsx").content)).active
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert not [c for c in cells if c.data_type == "f"]
    assert any(c.value.startswith("'=HYPERLINK(") for c in cells)


def test_private_columns_only_where_the_user_may_see_them(client_for, owner, outsider, regional, registry):
    def exported(user):
        return {r["nib"]: r for r in read_csv(body(client_for(user).get("/companies/export.csv")))}

    own = exported(owner)  # the Tegal IKM: its own row in full, the other verified rows without private columns
    assert set(own) == {"9120006000001", "9120006000002", "9120006000005"}
    assert own["9120006000001"]["phone"] == "0283-1" and own["9120006000001"]["npwp"] == "0012345674901000"
    for nib in ("9120006000002", "9120006000005"):
        assert {own[nib][f] for f in Company.private_fields} == {""}
        assert own[nib]["legal_name"] and own[nib]["workforce"]
    other = exported(outsider)
    assert other["9120006000002"]["email"] == "cor@ikm.example" and other["9120006000001"]["email"] == ""
    tegal = exported(regional)  # a regional officer: private columns inside its region only
    assert tegal["9120006000001"]["turnover"] == "2000000000" and tegal["9120006000002"]["turnover"] == ""


def test_export_then_import_changes_nothing(client_for, officer, registry):
    client = client_for(officer)
    before = ObjectChange.objects.count()
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/companies/export.{fmt}")
        report = run_import(body(response), filename=f"export.{fmt}", actor=officer, dry_run=False)
        assert report.errors == [] and (report.unchanged, report.created, report.updated) == (5, 0, 0), fmt
        assert set(report.ignored_columns) == {
            "region_name",
            "industry_class",
            "enterprise_class",
            "verification",
            "completeness",
            "updated",
        }
    assert ObjectChange.objects.count() == before


def test_export_of_an_outsider_imports_back_unchanged_for_an_officer(client_for, outsider, officer, registry):
    exported = body(client_for(outsider).get("/companies/export.xlsx"))  # private columns of others are empty
    report = run_import(exported, filename="export.xlsx", actor=officer, dry_run=False)
    assert report.errors == [] and report.unchanged == 3
    assert Company.objects.get(nib="9120006000005").email == "buy@buyer.example"  # empty cells erase nothing


def test_export_queries_do_not_grow_with_rows(client_for, officer, registry, django_assert_max_num_queries):
    client = client_for(officer)
    with django_assert_max_num_queries(12):
        body(client.get("/companies/export.csv?region=33.28"))  # 1 row
    with django_assert_max_num_queries(12):
        body(client.get("/companies/export.csv"))  # 5 rows


def test_large_exports_run_in_the_background(
    client_for, officer, registry, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(exporter, "STREAM_LIMIT", 2)
    client = client_for(officer)
    page = client.get("/companies/export.xlsx?region=33.10")
    assert page.status_code == 200 and "This export has 3 companies" in page.content.decode()
    assert not Job.objects.exists()  # a GET starts nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/companies/export.xlsx", {"region": "33.10", "sort": "name"})
    job = Job.objects.get(kind="companies.export")
    assert response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result == {"rows": 3, "format": "xlsx"} and job.total == 3
    ws = load_workbook(job.result_file.open("rb")).active
    expected = [c.nib for c in company_list(officer, CompanyFilters.from_params({"region": "33.10"}))]
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == expected
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200


def test_unknown_format_is_not_found(client_for, officer):
    assert client_for(officer).get("/companies/export.pdf").status_code == 404


def test_cli_export(registry, tmp_path, capsys):
    path = tmp_path / "klaten.xlsx"
    call_command("export", "companies", str(path), "--region", "33.10", "--q", "cor")
    assert "2 rows written" in capsys.readouterr().out
    rows = list(load_workbook(path).active.iter_rows(min_row=2, values_only=True))
    header = exporter.HEADER
    assert sorted(r[0] for r in rows) == ["9120006000002", "9120006000003"]
    assert {r[header.index("phone")] for r in rows} == {"0272-2", "0272-3"}  # the system sees private columns
    path = tmp_path / "all.csv"
    call_command("export", "companies", str(path))
    assert len(read_csv(path.read_bytes())) == 5
    # …and the command line imports its own export unchanged.
    report = run_import(path, filename=path.name, actor=None, dry_run=False)
    assert report.unchanged == 5 and not report.errors
