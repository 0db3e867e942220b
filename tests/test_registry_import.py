"""Import of the registry from CSV and XLSX: the dry run's report, the commit by NIB, permissions, the pages,
the command line, and files made by a real spreadsheet program (LibreOffice)."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from openpyxl import load_workbook

from jalin.companies import import_parse, services, views_io
from jalin.companies.import_cells import Lookups
from jalin.companies.import_write import M2M, Snapshot
from jalin.companies.importer import run_import
from jalin.companies.models import Certification, Company
from jalin.core.imports import CellError, parse_number
from jalin.core.jobs import Progress
from jalin.core.models import Job, JobStatus, ObjectChange
from jalin.core.services import change_label, snapshot
from tests.authz import Case, assert_matrix

FIXTURES = Path(__file__).parent / "fixtures"
MESSY = FIXTURES / "companies_messy.csv"
DERIVED = services.DERIVED_FIELDS
OFFICERS = {"officer", "regional", "regional_other"}
SIGNED_IN = {"officer", "regional", "regional_other", "owner", "colleague", "outsider", "buyer", "assessor"}

HEADER = "nib,npwp,legal_name,kind,region,workforce,investment,processes,materials,certifications,email"
ROW_A = "9120004000001,01.234.567.4-901.000,CV Logam Satu,ikm,33.28,12,850.000.000,bubut; las,besi,sni,a@ikm.example"
ROW_B = "9120004000002,,PT Cor Dua,ikm,Kabupaten Klaten,40,2.000.000.000,cor,besi cor,iso-9001:2027-12-31,"


pytestmark = pytest.mark.usefixtures("english")  # assertions read English text (tests/conftest.py)


@pytest.fixture
def client_language():
    return "en"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def messages_of(report) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for issue in report.errors:
        out.setdefault(issue.row, []).append(issue.message)
    return out


def count_rows() -> tuple[int, int, int]:
    return Company.objects.count(), Certification.objects.count(), ObjectChange.objects.count()


# --------------------------------------------------------------------------------------------------------
# The dry run


def test_dry_run_reports_every_error_with_its_row(officer):
    report = run_import(MESSY, filename=MESSY.name, actor=officer, dry_run=True)
    assert count_rows() == (0, 0, 0)
    assert (report.rows_read, report.created, report.updated, report.error_rows) == (17, 2, 0, 15)
    found = {(i.row, i.column, " ".join(i.message.split()[:2])) for i in report.errors}
    expected = {
        (3, "NIB", "NIB must"),
        (4, "NPWP", "NPWP is"),
        (5, "Kabupaten/Kota", "Unknown region"),
        (6, "Proses", "Unknown process"),
        (6, "Bahan", "Unknown material"),
        (7, "KBLI", "Unknown KBLI"),
        (7, "Sertifikasi", "Unknown certification"),
        (8, "NIB", "NIB %(nib)s"),
        (9, "NIB", "NIB %(nib)s"),
        (10, "Jumlah Tenaga Kerja", "Must not"),
        (10, "Nilai Investasi", "Must not"),
        (11, "Email", "Not a"),
        (12, "Nama Perusahaan", "Required."),
        (12, "Kabupaten/Kota", "Required."),
        (13, "NIB", "The spreadsheet"),
        (14, "Kabupaten/Kota", "%(value)s is"),
        (15, "Kabupaten/Kota", "%(value)s is"),
        (16, "Jumlah Tenaga Kerja", "Not a"),
        (16, "Lintang", "Must be"),
        (19, "Kode HS", "HS code"),  # row 18 is empty: numbers stay those the spreadsheet shows
    }
    assert found == expected
    texts = {i.row: i.text for i in report.errors}
    assert texts[3] == (
        "NIB must have 13 digits (got 5). If the spreadsheet dropped a leading zero, format the column as Text "
        "and type it again."
    )
    assert "Kabupaten Tegal (33.28)" in texts[14] and "Kota Tegal (33.76)" in texts[14]
    assert report.errors[0].value == "12345"
    assert report.taken == {"created": [[2, 2], [17, 17]]}  # a dry run says what it would do


def test_duplicate_nib_reports_both_rows(officer):
    data = csv_bytes(ROW_A, ROW_B, ROW_A.replace("CV Logam Satu", "CV Logam Satu Lagi"))
    report = run_import(data, filename="dup.csv", actor=officer, dry_run=True)
    duplicates = [i for i in report.errors if "more than once" in i.message]
    assert [i.row for i in duplicates] == [2, 4]
    assert duplicates[0].text == "NIB 9120004000001 appears more than once in this file (rows 2, 4)."
    assert (report.created, report.error_rows) == (1, 2)


def test_messages_follow_the_readers_language(officer):
    with translation.override("id"):
        report = run_import(MESSY, filename=MESSY.name, actor=officer, dry_run=True)
    issue = next(i for i in report.errors if i.row == 12)
    assert issue.message == "Required."  # stored as the English msgid, whatever language the check ran in …
    assert issue.text == "Required."
    with translation.override("id"):  # … and shown in the reader's language
        assert issue.text == translation.gettext("Required.")


def test_file_level_problems(officer):
    report = run_import(b"foo,bar\n1,2\n", filename="x.csv", actor=officer)
    assert report.file_errors and "No header row" in report.file_errors[0].message
    report = run_import(b"nib,legal_name\n9120004000001,CV X\n", filename="x.csv", actor=officer)
    assert [e.params["column"] for e in report.file_errors] == ["region"]
    report = run_import(b"nib,legal_name,region,NIB\n", filename="x.csv", actor=officer)
    assert "both mean" in report.file_errors[0].message
    assert run_import(b"   ", filename="x.csv", actor=officer).file_errors[0].message == "The file is empty."
    assert "cannot be read" in run_import(b"x", filename="x.xls", actor=officer).file_errors[0].message
    assert "Unsupported" in run_import(b"x", filename="x.pdf", actor=officer).file_errors[0].message
    report = run_import(csv_bytes(ROW_A, header=HEADER + ",catatan"), filename="x.csv", actor=officer)
    assert report.ignored_columns == ["catatan"] and not report.errors


# --------------------------------------------------------------------------------------------------------
# The commit


def test_commit_creates_then_updates_by_nib(officer):
    report = run_import(csv_bytes(ROW_A, ROW_B), filename="a.csv", actor=officer, dry_run=False)
    assert report.committed and (report.created, report.updated) == (2, 0)
    a = Company.objects.get(nib="9120004000001")
    assert (a.legal_name, a.region.code, a.workforce, a.investment) == ("CV Logam Satu", "33.28", 12, 850_000_000)
    assert a.npwp == "0012345674901000"
    assert sorted(a.processes.values_list("code", flat=True)) == ["turning", "welding"]
    assert list(a.materials.values_list("code", flat=True)) == ["carbon-steel"]
    b = Company.objects.get(nib="9120004000002")
    cert = b.certifications.get()
    assert (cert.certification_type.code, str(cert.valid_until)) == ("iso-9001", "2027-12-31")
    # Derived fields are those services.derive() computes from the database.
    for company in (a, b):
        stored = {f: getattr(company, f) for f in DERIVED}
        services.derive(company)
        assert stored == {f: getattr(company, f) for f in DERIVED}
    created = ObjectChange.objects.filter(action="create", object_id=str(a.pk), content_type__model="company").get()
    assert created.actor == officer and created.before is None and created.after == snapshot(a)

    changed = ROW_A.replace(",12,", ",25,").replace("bubut; las", "bubut")
    report = run_import(csv_bytes(changed, ROW_B), filename="b.csv", actor=officer, dry_run=False)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    a.refresh_from_db()
    assert a.workforce == 25 and list(a.processes.values_list("code", flat=True)) == ["turning"]
    update = ObjectChange.objects.filter(action="update", object_id=str(a.pk)).get()
    assert update.before["workforce"] == 12 and update.after["workforce"] == 25
    assert update.after == snapshot(a) and len(update.after["processes"]) == 1
    assert report.taken == {"updated": [[2, 2]], "unchanged": [[3, 3]]}


def test_updating_a_company_linked_to_a_retired_process(officer):
    """A process an officer retired (``is_active=False``) cannot be named in a file, but a company that still
    has it keeps it, and the import of its other fields derives its search words from it as before."""
    from jalin.companies.models import Process

    run_import(csv_bytes(ROW_A), filename="a.csv", actor=officer, dry_run=False)
    Process.objects.filter(code="welding").update(is_active=False)
    report = run_import(csv_bytes(ROW_A.replace(",12,", ",14,")), filename="b.csv", actor=officer, dry_run=True)
    assert [(i.row, i.text) for i in report.errors] == [(2, "Unknown process las: use a code or name from the list.")]
    sparse = "9120004000001,,CV Logam Satu,,33.28,14,,,,,"
    report = run_import(csv_bytes(sparse), filename="c.csv", actor=officer, dry_run=False)
    assert report.committed and report.updated == 1, report.to_json()
    company = Company.objects.get()
    assert company.workforce == 14 and sorted(company.processes.values_list("code", flat=True)) == [
        "turning",
        "welding",
    ]
    stored = {f: getattr(company, f) for f in DERIVED}
    services.derive(company)
    assert stored == {f: getattr(company, f) for f in DERIVED}


def test_parsing_in_two_processes_gives_the_same_report(officer, monkeypatch):
    """Large files are parsed half in a forked child; the report is the same as parsing alone."""
    serial = run_import(MESSY, filename=MESSY.name, actor=officer, dry_run=True)
    monkeypatch.setattr(import_parse, "PARALLEL_ROWS", 2)
    in_two, used = import_parse._parse_in_two, []
    monkeypatch.setattr(import_parse, "_parse_in_two", lambda *args: used.append(in_two(*args)) or used[-1])
    parallel = run_import(MESSY, filename=MESSY.name, actor=officer, dry_run=False, all_or_nothing=False)
    assert len(used) == 1 and used[0] is not None  # the child did parse its half
    assert parallel.to_json()["errors"] == serial.to_json()["errors"]
    assert (parallel.created, parallel.error_rows) == (serial.created, serial.error_rows) == (2, 15)
    assert Company.objects.get(nib="9120003000017").region.code == "32.16"


def test_empty_cells_keep_stored_values(officer):
    run_import(csv_bytes(ROW_A), filename="a.csv", actor=officer, dry_run=False)
    sparse = "9120004000001,,CV Logam Satu,,33.28,,,,,,"
    report = run_import(csv_bytes(sparse), filename="b.csv", actor=officer, dry_run=False)
    assert report.unchanged == 1
    company = Company.objects.get()
    assert company.email == "a@ikm.example" and company.processes.count() == 2


def test_snapshot_matches_core_snapshot(officer):
    run_import(csv_bytes(ROW_A, ROW_B), filename="a.csv", actor=officer, dry_run=False)
    for company in Company.objects.all():
        m2m = {name: list(getattr(company, name).values_list("pk", flat=True)) for name in M2M}
        assert Snapshot(Company)(company, m2m) == snapshot(company)


def test_all_or_nothing_writes_nothing_when_a_row_is_bad(officer):
    report = run_import(MESSY, filename=MESSY.name, actor=officer, dry_run=False, all_or_nothing=True)
    assert not report.committed and report.refused and report.error_rows == 15
    assert count_rows() == (0, 0, 0)


def test_partial_commit_takes_valid_rows_and_lists_the_skipped(officer):
    report = run_import(MESSY, filename=MESSY.name, actor=officer, dry_run=False, all_or_nothing=False)
    assert report.committed and report.created == 2
    assert set(Company.objects.values_list("nib", flat=True)) == {"9120003000001", "9120003000017"}
    assert report.taken == {"created": [[2, 2], [17, 17]]}
    assert sorted(report.skipped()) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 19]
    buyer = Company.objects.get(nib="9120003000017")
    assert (buyer.kind, buyer.buyer_type, buyer.investment) == ("industry", "tier1", Decimal(25_000_000_000))
    assert sorted(buyer.certifications.values_list("certification_type__code", flat=True)) == ["iatf-16949", "iso-9001"]
    # Every created company and certification is in the change log, as the officer.
    logged = ObjectChange.objects.filter(action="create")
    assert logged.count() == 2 + 3 and set(logged.values_list("actor", flat=True)) == {officer.pk}


def test_progress_is_reported(officer, django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from jalin.core.jobs import start_job

    name = default_storage.save("imports/test.csv", ContentFile(csv_bytes(ROW_A, ROW_B)))
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(
            kind="companies.import",
            label="import",
            actor=officer,
            params={"file": name, "filename": "a.csv", "dry_run": False, "all_or_nothing": True, "language": "en"},
        )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and (job.done, job.total) == (2, 2)
    assert job.result["created"] == 2 and "2 created" in job.message


# --------------------------------------------------------------------------------------------------------
# Permissions


def test_regional_officer_imports_only_inside_its_region(regional):
    report = run_import(csv_bytes(ROW_A, ROW_B), filename="a.csv", actor=regional, dry_run=False, all_or_nothing=False)
    assert [(i.row, i.column) for i in report.errors] == [(3, "region")]
    assert report.errors[0].text.startswith("Outside your region (Kabupaten Tegal)")
    assert list(Company.objects.values_list("nib", flat=True)) == ["9120004000001"]


def test_updating_needs_change_permission(officer, regional):
    run_import(csv_bytes(ROW_B), filename="b.csv", actor=officer, dry_run=False)  # a company in Klaten
    moved = ROW_B.replace("Kabupaten Klaten", "Kabupaten Tegal")  # …claimed by Tegal's officer
    report = run_import(csv_bytes(moved), filename="b.csv", actor=regional, dry_run=False)
    assert [i.message for i in report.errors] == ["A company with this NIB already exists and you may not change it."]
    assert Company.objects.get().region.code == "33.10"


def test_users_who_may_not_add_companies_cannot_import(owner):
    report = run_import(csv_bytes(ROW_A), filename="a.csv", actor=owner, dry_run=False)
    assert report.file_errors and not report.committed and Company.objects.count() == 0


def test_authorisation_matrix(client_for, people, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(officer).post("/companies/import/", {"file": upload(csv_bytes(ROW_A)), "all_or_nothing": "on"})
    checked = Job.objects.get(kind="companies.import")
    objects = {"job": checked}
    cases = [
        Case("import page", lambda o: "/companies/import/", OFFICERS),
        Case(
            "import upload (dry run)",
            lambda o: "/companies/import/",
            OFFICERS,
            method="post",
            data=lambda o: {"file": upload(csv_bytes(ROW_A)), "all_or_nothing": "on"},
        ),
        Case("template csv", lambda o: "/companies/import/template.csv", OFFICERS),
        Case("template xlsx", lambda o: "/companies/import/template.xlsx", OFFICERS),
        Case("import result (officer's)", lambda o: f"/companies/import/{o['job'].pk}/", {"officer"}),
        Case(
            "import commit (officer's check)",
            lambda o: f"/companies/import/{o['job'].pk}/",
            {"officer"},
            method="post",
            data=lambda o: {"all_or_nothing": "1"},
        ),
        Case("export csv", lambda o: "/companies/export.csv", SIGNED_IN),
        Case("export xlsx", lambda o: "/companies/export.xlsx", SIGNED_IN),
    ]
    assert assert_matrix(client_for, people, cases, objects=objects, watch=[Company, Job, Certification]) == 72


# --------------------------------------------------------------------------------------------------------
# The pages


def upload(data: bytes, name: str = "companies.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_ikm_user_cannot_reach_the_import_page(client_for, owner):
    client = client_for(owner)
    assert client.get("/companies/import/").status_code == 403
    response = client.post("/companies/import/", {"file": upload(csv_bytes(ROW_A)), "all_or_nothing": "on"})
    assert response.status_code == 403
    assert count_rows() == (0, 0, 0) and not Job.objects.exists()


def test_upload_check_then_commit(client_for, officer, django_capture_on_commit_callbacks):
    client = client_for(officer)
    page = client.get("/companies/import/").content.decode()
    assert "/companies/import/template.xlsx" in page and 'name="all_or_nothing"' in page
    response = client.post("/companies/import/", {"file": upload(MESSY.read_bytes()), "all_or_nothing": "on"})
    checked = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/companies/import/{checked.pk}/"
    assert checked.status == JobStatus.SUCCEEDED and checked.params["dry_run"] and checked.result_file
    page = client.get(response["Location"]).content.decode()
    assert "15 rows have errors." in page and "Commit 2 rows" in page
    assert "Kabupaten Atlantis" in page and '<td class="num">19</td>' in page
    # All or nothing with errors: refused, clearly, and nothing starts.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/companies/import/{checked.pk}/", {"all_or_nothing": "1"}, follow=True)
    assert "Not committed: 15 rows have errors" in response.content.decode()
    assert Job.objects.count() == 1 and Company.objects.count() == 0
    # Without it: the valid rows are imported in the background, and the page shows what was taken.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/companies/import/{checked.pk}/", {})
    commit = Job.objects.exclude(pk=checked.pk).get()
    assert response["Location"] == f"/companies/import/{commit.pk}/"
    commit.refresh_from_db()
    assert commit.status == JobStatus.SUCCEEDED and not commit.params["dry_run"] and commit.owner == officer
    assert Company.objects.count() == 2
    page = client.get(f"/companies/import/{commit.pk}/").content.decode()
    assert "Imported." in page and "2 created" in page and "3–16, 19" in page
    # The check cannot be committed twice.
    page = client.get(f"/companies/import/{checked.pk}/").content.decode()
    assert "This check has been committed." in page


def test_large_files_are_checked_in_the_background(
    client_for, officer, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(views_io, "SYNC_ROWS", 1)
    client = client_for(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/companies/import/", {"file": upload(csv_bytes(ROW_A, ROW_B))})
    job = Job.objects.get()
    assert response["Location"] == f"/companies/import/{job.pk}/"
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["created"] == 2 and not job.params["all_or_nothing"]


def test_result_page_polls_while_the_job_runs(client_for, officer):
    job = Job.objects.create(kind="companies.import", label="x", owner=officer, params={"dry_run": True})
    page = client_for(officer).get(f"/companies/import/{job.pk}/").content.decode()
    assert 'id="job-status"' in page and 'hx-trigger="every 1s"' in page and 'id="import-report"' in page
    fragment = client_for(officer).get(f"/companies/import/{job.pk}/", headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode()


def test_upload_refusals_are_clear(client_for, officer, monkeypatch):
    client = client_for(officer)
    page = client.post("/companies/import/", {"file": upload(b"x", "companies.pdf")}).content.decode()
    assert "Unsupported file type .pdf" in page
    page = client.post("/companies/import/", {"file": upload(b"x", "companies.xls")}).content.decode()
    assert "save the sheet as .xlsx or .csv" in page
    monkeypatch.setattr(views_io, "MAX_UPLOAD_BYTES", 10)
    response = client.post("/companies/import/", {"file": upload(csv_bytes(ROW_A))})
    assert response.status_code == 400 and "larger than 20 MB" in response.content.decode()
    response = client.post("/companies/import/", {"file": upload(csv_bytes(ROW_A) + b" " * 70_000)})
    assert response.status_code == 413 and "larger than 20 MB" in response.content.decode()  # refused unread
    assert not Job.objects.exists()


def test_templates(client_for, officer):
    client = client_for(officer)
    response = client.get("/companies/import/template.csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffnib,npwp,legal_name,")
    wb = load_workbook(io.BytesIO(client.get("/companies/import/template.xlsx").content))
    assert wb.sheetnames == ["companies", "Petunjuk - Guide", "Kode - Codes"]
    data = wb["companies"]
    assert data["A1"].value == "nib" and data["A1"].font.b and data.freeze_panes == "A2"
    kind_column = next(c.column_letter for c in data[1] if c.value == "kind")
    validations = {str(v.sqref): v.formula1 for v in data.data_validations.dataValidation}
    assert validations[f"{kind_column}2:{kind_column}10000"] == '"ikm,industry"'
    guide = list(wb["Petunjuk - Guide"].iter_rows(values_only=True))
    assert guide[0][2] == "Keterangan (Bahasa Indonesia)" and guide[0][3] == "Description (English)"
    assert any(row[0] == "region" and "Kabupaten" in row[2] and "Regency or city" in row[3] for row in guide[1:])
    # The template's example row is flagged, so it is not imported by mistake.
    report = run_import(client.get("/companies/import/template.xlsx").content, filename="t.xlsx", actor=officer)
    assert [i.message.split(":")[0] for i in report.errors] == ["This is the example row of the template"]
    assert client.get("/companies/import/template.pdf").status_code == 404


# --------------------------------------------------------------------------------------------------------
# Files from real spreadsheets, headers and numbers


def test_libreoffice_file_imports_cleanly(officer):
    path = FIXTURES / "companies_libreoffice.xlsx"
    report = run_import(path, filename=path.name, actor=officer, dry_run=False)
    assert report.errors == [] and report.committed and report.created == 20
    assert report.ignored_columns == ["Keterangan"]
    sadiyah = Company.objects.get(nib="9120001000001")  # LibreOffice stored the NIB as a number
    assert (sadiyah.region.code, sadiyah.investment, sadiyah.latitude) == ("33.28", 1_250_000_000, Decimal("-6.869400"))
    assert sorted(sadiyah.processes.values_list("code", flat=True)) == ["stamping", "welding"]  # "pres, las"
    assert Company.objects.get(nib="9120001000003").region.code == "33.28"  # "Tegal, Kabupaten"
    assert Company.objects.get(nib="9120001000005").region.code == "33.76"  # "Kota Tegal"
    assert Company.objects.get(nib="9120001000002").phone == "081234567001"  # the zero LibreOffice dropped
    assert {w.column for w in report.warnings} == {"Telepon"}
    adiwerna = Company.objects.get(nib="9120001000018")
    assert (adiwerna.investment, adiwerna.turnover) == (95_000_000, 300_000_000)  # "Rp 95.000.000", "Rp 300 jt"
    juwana = Company.objects.get(nib="9120001000019")
    assert juwana.investment == 1_200_000_000  # "1,2 M"
    polimetal = Company.objects.get(nib="9120001000016")
    assert (polimetal.kind, polimetal.workforce, polimetal.industry_class) == ("industry", 2500, "large")
    # The same rows as the CSV LibreOffice read change nothing.
    source = FIXTURES / "companies_libreoffice.csv"
    again = run_import(source, filename=source.name, actor=officer, dry_run=False)
    assert again.errors == [] and (again.unchanged, again.updated) == (20, 0)


def test_typed_libreoffice_cells_import_cleanly(officer):
    path = FIXTURES / "companies_libreoffice_typed.xlsx"
    report = run_import(path, filename=path.name, actor=officer, dry_run=False)
    assert report.errors == [] and report.created == 3
    assert report.errors == [] and min(w.row for w in report.warnings) == 4  # title row 1, header row 3
    one = Company.objects.get(nib="9120002000001")
    assert one.region.code == "33.10"  # typed as the number 33.1
    assert one.npwp == "0012345674901000"  # a number without its leading zero, restored by the check digit
    assert one.turnover == 2_550_000_000  # a formula: its value
    assert Company.objects.get(nib="9120002000003").region.code == "32.16"


def test_indonesian_headers_and_numbers(officer):
    data = (
        "Nama Perusahaan;NIB;Kabupaten/Kota;Jumlah Tenaga Kerja;Nilai Investasi;Omzet;Produk;Proses;Bahan;Lintang;"
        "Bujur;No. HP\n"
        'CV Knalpot Jaya;9120005000001;Kab. Purbalingga;1.500;1.500.000.000;"Rp 1,5 M";Knalpot racing;'
        'knalpot, las;pipa baja;-6,99;"109,25";0812-3456-789\n'
        "CV Cor Ceper;9120005000002;Klaten;8;1500000000;750 jt;Coran;cor;besi cor;-7.68;110.67;\n"
    ).encode("cp1252")
    report = run_import(data, filename="data ikm.csv", actor=officer, dry_run=False)
    assert report.errors == [] and report.created == 2
    knalpot = Company.objects.get(nib="9120005000001")
    assert (knalpot.workforce, knalpot.investment, knalpot.turnover) == (1500, 1_500_000_000, 1_500_000_000)
    assert (knalpot.latitude, knalpot.longitude) == (Decimal("-6.990000"), Decimal("109.250000"))
    assert knalpot.region.code == "33.03" and knalpot.phone == "0812-3456-789" and knalpot.products == "Knalpot racing"
    assert sorted(knalpot.processes.values_list("code", flat=True)) == ["pipe-bending", "welding"]
    assert Company.objects.get(nib="9120005000002").turnover == 750_000_000


@pytest.mark.parametrize(
    ("text", "integer", "expected"),
    [
        ("1.500.000.000", True, 1_500_000_000),
        ("1500000000", True, 1_500_000_000),
        ("1,500,000,000", True, 1_500_000_000),
        ("Rp 1.500.000.000,00", True, 1_500_000_000),
        ("Rp1,5 M", True, 1_500_000_000),
        ("1,5 miliar", True, 1_500_000_000),
        ("750 jt", True, 750_000_000),
        ("1.500", True, 1500),
        ("1.5E+09", True, 1_500_000_000),
        ("-6,99", False, Decimal("-6.99")),
        ("-6.99", False, Decimal("-6.99")),
        ("109,1402", False, Decimal("109.1402")),
        (1500000000.0, True, 1_500_000_000),
        ("", True, None),
    ],
)
def test_parse_number(text, integer, expected):
    assert parse_number(text, integer=integer) == expected


@pytest.mark.parametrize("text", ["banyak", "1.50.0", "12 kg", "--5"])
def test_parse_number_refuses(text):
    with pytest.raises(CellError):
        parse_number(text, integer=True)


@pytest.mark.parametrize(
    ("text", "suggested"),
    [("1750.000.000", "1.750.000.000"), ("12,50,000", "1,250,000"), ("Rp 1500.000.000", "1.500.000.000")],
)
def test_misgrouped_thousands_suggest_the_number(text, suggested):
    with pytest.raises(CellError) as raised:
        parse_number(text, integer=True)
    assert raised.value.params == {"number": suggested}
    assert str(raised.value.message) == "Digits are grouped in threes: did you mean %(number)s?"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("33.10", "33.10"),
        ("3310", "33.10"),
        (33.1, "33.10"),
        ("33,1", "33.10"),
        ("Kabupaten Klaten", "33.10"),
        ("Kab. Klaten", "33.10"),
        ("KAB KLATEN", "33.10"),
        ("Klaten", "33.10"),
        ("Klaten (Jawa Tengah)", "33.10"),
        ("Tegal, Kabupaten", "33.28"),
        ("Kota Tegal", "33.76"),
        ("Jakarta Selatan", "31.74"),
        ("Banjar, Kalimantan Selatan", "63.03"),
    ],
)
def test_region_cells(db, raw, code):
    assert Lookups().regions.find(raw).code == code


@pytest.mark.parametrize(
    ("cells", "nib", "warned"),
    [
        ({"nib": 9120001234561.0}, "9120001234561", False),  # a spreadsheet number, exact
        ({"nib": "9120-0012-34561"}, "9120001234561", False),  # separators
        ({"nib": 120001234567}, "0120001234567", True),  # a number that lost its leading zero
    ],
)
def test_identifier_cells(db, cells, nib, warned):
    from jalin.companies.import_cells import Row, clean_nib_cell

    row = Row(2)
    clean_nib_cell(row, cells["nib"], "nib")
    assert row.values["nib"] == nib and bool(row.warnings) == warned


def test_nib_in_scientific_notation_is_flagged(db):
    from jalin.companies.import_cells import Row, clean_nib_cell

    for raw in ("9.12000123457E+12", "9,12E+12"):
        with pytest.raises(CellError, match="scientific notation"):
            clean_nib_cell(Row(2), raw, "nib")


# --------------------------------------------------------------------------------------------------------
# The command line


def test_cli_dry_run_lists_errors_and_fails(officer, capsys):
    with pytest.raises(CommandError, match="problem"):
        call_command("import", "companies", str(MESSY), "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run of companies_messy.csv" in out and "row 19 [Kode HS] '87'" in out
    assert count_rows() == (0, 0, 0)


def test_cli_import_runs_as_the_system(db, tmp_path, capsys):
    path = tmp_path / "companies.csv"
    path.write_bytes(csv_bytes(ROW_A, ROW_B))
    call_command("import", "companies", str(path))
    assert "create: 2" in capsys.readouterr().out and Company.objects.count() == 2
    change = ObjectChange.objects.filter(action="create", content_type__model="company").first()
    assert change.actor is None and change.actor_name == "system"
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import", "companies", str(MESSY))
    call_command("import", "companies", str(MESSY), "--partial")
    assert Company.objects.count() == 4
    with pytest.raises(CommandError, match="Cannot import 'plants'"):
        call_command("import", "plants", str(path))


def test_progress_helper_counts(officer):
    job = Job.objects.create(kind="companies.import", label="x", owner=officer)
    progress = Progress(job)
    run_import(csv_bytes(ROW_A, ROW_B), filename="a.csv", actor=officer, progress=progress)
    job.refresh_from_db()
    assert (job.done, job.total) == (2, 2)


def test_factory_builds_what_the_model_constructor_builds(officer):
    """CompanyFactory skips Model.__init__ when no signal listens: the instances are the same."""
    from jalin.companies.import_write import CompanyFactory, _constructor
    from jalin.companies.models import CertificationType

    lookups = Lookups()
    factory = CompanyFactory(lookups)
    region = next(iter(lookups.regions.by_id.values()))
    values = {"nib": "9120004000009", "legal_name": "CV Sembilan", "workforce": 12, "region": region}
    fast = factory(values)
    args = list(factory.defaults)
    for name, value in values.items():
        args[factory.index[name]] = value
    args[factory.region_at] = region.pk
    slow = Company(*args)
    assert {k: v for k, v in fast.__dict__.items() if k != "_state"} == {
        k: v for k, v in slow.__dict__.items() if k != "_state"
    }
    assert (fast._state.adding, fast._state.db, fast.region, fast.pk) == (True, None, region, None)
    cert_type = CertificationType.objects.first()
    cert = factory.certification(fast, cert_type.pk, None)
    assert (cert.certification_type, cert.company, cert.valid_until, str(cert.evidence)) == (cert_type, fast, None, "")
    # With a listener on the model's signals, the real constructor runs.
    from django.db.models.signals import post_init

    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(listener, sender=Company)
    try:
        _constructor(Company, factory.attnames)(args)
    finally:
        post_init.disconnect(listener, sender=Company)
    assert len(seen) == 1


def test_change_log_json_is_what_the_json_field_stores(officer):
    """The import's change-log rows hold what ObjectChange.objects.create() would store."""
    run_import(csv_bytes(ROW_A, ROW_B), filename="a.csv", actor=officer, dry_run=False)
    for change in ObjectChange.objects.filter(content_type__model__in=["company", "certification"]):
        obj = change.content_type.get_object_for_this_type(pk=change.object_id)
        assert change.after == snapshot(obj) and change.object_repr == change_label(obj)


# --------------------------------------------------------------------------------------------------------
# The fast paths: writer thread, multi-row inserts, derived fields, change-log JSON, cell shortcuts


def many_rows(count: int, start: int = 0) -> list[str]:
    """Valid rows with varied cells: decimal commas, NPWPs, lists, certifications, empty cells."""
    regions = ["33.28", "33.10", "Kabupaten Klaten", "Kota Tegal"]
    processes = ["bubut", "las", "cor", "bubut; las", "cor; bubut; las"]
    rows = []
    for i in range(start, start + count):
        npwp = "01.234.567.4-901.000" if i % 2 else ""
        latitude = f"-6,{100 + i}" if i % 3 == 0 else (f"-6.{200 + i}" if i % 3 == 1 else "")
        cert = "iso-9001:2027-12-31" if i % 4 == 0 else ("sni" if i % 4 == 1 else "")
        rows.append(
            f"91200050{i:05d},{npwp},CV Baris {i},ikm,{regions[i % 4]},{i % 40},{i}.500.000,"
            f'"{processes[i % 5]}",besi,{cert},a{i}@ikm.example,{latitude}'
        )
    return rows


MANY_HEADER = HEADER + ",latitude"


def company_state() -> list[tuple]:
    """Every stored company, link, certification and change-log entry, without ids and times."""
    companies = [
        (
            (c.nib, c.legal_name, c.npwp, c.region_id, c.latitude, c.workforce, c.investment),
            tuple(getattr(c, f) for f in DERIVED),
            tuple(tuple(sorted(getattr(c, name).values_list("pk", flat=True))) for name in M2M),
            tuple(sorted((x.certification_type_id, x.valid_until) for x in c.certifications.all())),
        )
        for c in Company.objects.order_by("nib")
    ]
    changes = sorted(
        (ch.action, ch.content_type.model, ch.object_repr, sorted((ch.after or {}).keys()))
        for ch in ObjectChange.objects.all()
    )
    return [*companies, *changes]


@pytest.mark.parametrize("write_behind", [True, False])
def test_batches_with_and_without_the_writer_thread(officer, monkeypatch, write_behind):
    """Small batches, new and existing companies mixed: the writer thread must hand the connection back
    before a batch reads its existing companies; the result is what derive() and snapshot() say."""
    from jalin.companies import importer

    monkeypatch.setattr(importer, "BATCH", 3)
    monkeypatch.setattr(importer, "WRITE_BEHIND", write_behind)
    first = many_rows(10)
    report = run_import(csv_bytes(*first, header=MANY_HEADER), filename="a.csv", actor=officer, dry_run=False)
    assert report.committed and report.created == 10 and not report.errors
    changed = [row.replace("besi", "besi cor") for row in first[::2]]
    report = run_import(
        csv_bytes(*changed, *many_rows(7, start=10), header=MANY_HEADER), filename="b.csv", actor=officer, dry_run=False
    )
    assert report.committed and (report.created, report.updated) == (7, 5) and not report.errors
    assert Company.objects.count() == 17
    for company in Company.objects.all():
        stored = {f: getattr(company, f) for f in DERIVED}
        services.derive(company)
        assert stored == {f: getattr(company, f) for f in DERIVED}
        changes = ObjectChange.objects.filter(object_id=str(company.pk), content_type__model="company")
        last = changes.order_by("pk").last()
        assert last.after == snapshot(company)
    for cert in Certification.objects.all():
        change = ObjectChange.objects.get(object_id=str(cert.pk), content_type__model="certification")
        assert change.after == snapshot(cert) and change.object_repr == f"{cert} · {cert.company.legal_name}"


def _pending_pages(cursor) -> int:
    """Pages merged out of the companies' search index's pending list (0: nothing was pending)."""
    cursor.execute("SELECT gin_clean_pending_list('companies_company_search_vector_gin'::regclass)")
    return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_an_import_leaves_nothing_in_the_gin_pending_list(officer):
    """The import raises the GIN pending-list limit for its transaction and merges what it left before the
    commit: searches then read no pending list, and no later insert merges the import's entries."""
    with connection.cursor() as cursor:
        _pending_pages(cursor)
        report = run_import(
            csv_bytes(*many_rows(30), header=MANY_HEADER), filename="a.csv", actor=officer, dry_run=False
        )
        assert report.committed and report.created == 30
        assert _pending_pages(cursor) == 0
        region = Company.objects.first().region
        services.create_company(actor=officer, legal_name="CV Setelah Impor", nib="9120009999999", region=region)
        assert _pending_pages(cursor) > 0  # an ordinary insert does leave its entries pending


def test_writer_and_in_thread_imports_store_the_same(officer, monkeypatch):
    from jalin.companies import importer

    monkeypatch.setattr(importer, "BATCH", 4)
    data = csv_bytes(*many_rows(13), header=MANY_HEADER)
    states = []
    for write_behind in (True, False):
        monkeypatch.setattr(importer, "WRITE_BEHIND", write_behind)
        run_import(data, filename="a.csv", actor=officer, dry_run=False)
        states.append(company_state())
        ObjectChange.objects.all().delete()
        Company.objects.all().delete()
    assert states[0] == states[1] and len(states[0]) > 13


def test_a_database_error_in_the_writer_rolls_back_everything(officer, monkeypatch):
    """The writer thread's INSERT of batch 3 fails in the database (a NIB the import wrongly believes new):
    the error reaches the caller and batches 1 and 2, already written, are rolled back too."""
    from django.db import IntegrityError

    from jalin.companies import importer

    run_import(csv_bytes(many_rows(8)[6]), filename="a.csv", actor=officer, dry_run=False)
    assert count_rows()[0] == 1
    before = count_rows()
    monkeypatch.setattr(importer, "BATCH", 3)
    monkeypatch.setattr(importer, "_known_nibs", lambda rows: set())  # row 7's NIB exists: its INSERT fails
    with pytest.raises(IntegrityError):
        run_import(csv_bytes(*many_rows(8), header=MANY_HEADER), filename="b.csv", actor=officer, dry_run=False)
    assert count_rows() == before
    assert Company.objects.filter(nib__in=["9120005000000", "9120005000003"]).count() == 0


def test_an_error_while_planning_waits_for_the_writer_and_rolls_back(officer, monkeypatch):
    from jalin.companies import importer

    monkeypatch.setattr(importer, "BATCH", 2)
    planned = []
    real = importer._plan_create

    def plan_then_fail(row, plan, ctx):
        planned.append(row.number)
        if len(planned) == 5:  # batch 3, while the writer may still insert batch 2
            raise RuntimeError("planning failed")
        real(row, plan, ctx)

    monkeypatch.setattr(importer, "_plan_create", plan_then_fail)
    with pytest.raises(RuntimeError, match="planning failed"):
        run_import(csv_bytes(*many_rows(8), header=MANY_HEADER), filename="a.csv", actor=officer, dry_run=False)
    assert count_rows() == (0, 0, 0)


def test_write_behind_raises_the_jobs_error_and_the_transaction_rolls_back(db):
    """The mechanism alone: a real constraint violation (a NIB twice) in the second job."""
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from jalin.core.bulk import IdAllocator, WriteBehind, insert_rows, prepare
    from jalin.regions.models import Region

    region = Region.objects.exclude(level="province").first()
    wrapper = transaction.get_connection()

    def job(name):
        company = Company(nib="9120006000001", legal_name=name, region=region)
        return prepare([company], IdAllocator(), timezone.now())

    with pytest.raises(IntegrityError), transaction.atomic(), WriteBehind() as writer:
        writer.submit(insert_rows, *job("CV Satu"), wrapper)
        writer.submit(insert_rows, *job("CV Dua"), wrapper)  # the same NIB again
        writer.wait()
    assert not Company.objects.filter(nib="9120006000001").exists()
    # Off, the jobs run at once in this thread, in the same order.
    with transaction.atomic(), WriteBehind(enabled=False) as writer:
        writer.submit(insert_rows, *job("CV Satu"), wrapper)
    assert Company.objects.get(nib="9120006000001").legal_name == "CV Satu"


def test_multi_row_inserts_split_at_the_parameter_limit(officer, monkeypatch):
    from jalin.core import bulk

    monkeypatch.setattr(bulk, "SQLITE_MAX_PARAMS", 50)  # SQLite: a company per statement, links in twenties
    report = run_import(csv_bytes(*many_rows(9), header=MANY_HEADER), filename="a.csv", actor=officer, dry_run=False)
    assert report.committed and Company.objects.count() == 9
    assert sum(len(c.processes.all()) for c in Company.objects.prefetch_related("processes")) == 13  # 1+1+1+2+3+1+1+1+2


def test_one_deriver_for_a_run_gives_what_derive_gives_each_company(officer):
    """A Deriver kept for many companies (the import's, the demo's) memoises what repeats; every company still
    gets what a fresh services.derive() reading the database gives it — with products and machines, no region,
    empty lists, certifications, and processes named in another order."""
    from jalin.companies.import_write import Deriver
    from jalin.companies.models import CertificationType, Machine, Product

    run_import(csv_bytes(*many_rows(12), header=MANY_HEADER), filename="a.csv", actor=officer, dry_run=False)
    deriver = Deriver(Lookups())
    companies = list(Company.objects.all())
    Product.objects.create(company=companies[0], name="Knalpot, racing", hs_code="8708.92", description="baja")
    Product.objects.create(company=companies[1], name="Bracket")
    Machine.objects.create(company=companies[1], machine_type="CNC")
    companies[2].region = None
    companies[2].region_id = None
    companies[3].products, companies[3].hs_codes, companies[3].contact_name = "", "", "Budi"
    for type_id in CertificationType.objects.values_list("pk", flat=True)[:2]:
        companies[4].certifications.create(certification_type_id=type_id)
    for company in companies * 2:  # the second pass reads what the first memoised
        m2m = {name: list(getattr(company, name).values_list("pk", flat=True)) for name in M2M}
        certs = list(company.certifications.values_list("certification_type_id", flat=True))
        deriver.row(
            company,
            m2m["processes"][::-1],
            m2m["materials"],
            kbli=bool(m2m["kbli"]),
            certifications=bool(certs),
            certification_types=certs,
            product_items=list(company.product_items.all()),
            machines=company.machines.exists(),
        )
        fast = {f: getattr(company, f) for f in DERIVED}
        services.derive(company)
        assert fast == {f: getattr(company, f) for f in DERIVED}


def test_json_many_is_json_dumps_of_the_snapshot(officer):
    import datetime
    import json

    from jalin.companies.models import CertificationType

    run_import(csv_bytes(*many_rows(6), header=MANY_HEADER), filename="a.csv", actor=officer, dry_run=False)
    companies = list(Company.objects.all())
    companies[0].legal_name = 'CV "Kutip" \\ 100% \x00\x1f ≥ é 日本'
    companies[1].address = "}, {\"id\": 5, 'x'\n"
    companies[2].created = datetime.datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.UTC)
    companies[3].latitude = Decimal("-0.000000")
    companies[4].verified_at = companies[4].created
    shot = Snapshot(Company)
    items = [(c, {name: list(getattr(c, name).values_list("pk", flat=True)) for name in M2M}) for c in companies]
    items[5][1]["kbli"] = []
    assert shot.json_many(items) == [json.dumps(shot(c, m2m)) for c, m2m in items]
    assert [json.loads(t) for t in shot.json_many(items)] == [snapshot(c) | {"kbli": m["kbli"]} for c, m in items]
    assert shot.json_many([]) == []
    # Other names on one item, a value the pieces cannot carry: each object through json.dumps.
    mixed = [items[0], (items[1][0], {"kbli": [1]})]
    assert shot.json_many(mixed) == [json.dumps(shot(c, m2m)) for c, m2m in mixed]
    companies[5].legal_name = ["a", "b"]  # not what a CharField holds, but the text stays json.dumps'
    assert shot.json_many(items) == [json.dumps(shot(c, m2m)) for c, m2m in items]
    # Certifications, with their file field, against core's snapshot().
    cert = Certification(company=companies[0], certification_type=CertificationType.objects.first(), pk=7)
    assert Snapshot(Certification).json_many([(cert, {})]) == [json.dumps(snapshot(cert))]
    cert.evidence = "certificates/2026/a.pdf"
    assert Snapshot(Certification).json_many([(cert, {})]) == [json.dumps(snapshot(cert))]


@pytest.mark.parametrize(
    "raw",
    [
        "01.234.567.4-901.000",  # dotted, valid check digit
        "01.234.567.5-901.000",  # dotted, wrong check digit
        "012345674901000",
        "0012345674901000",
        "1012345674901000",  # 16 digits not starting with 0: a NIK, python-stdnum's own path
        "12345674901000",  # 14 digits: a lost leading zero
        "01.234.567.4-901.00",
        "",
        "0",
    ],
)
def test_npwp_shortcut_agrees_with_clean_npwp(db, raw):
    from django.core.exceptions import ValidationError

    from jalin.companies.identifiers import clean_npwp
    from jalin.companies.import_cells import Row, _digits, clean_npwp_cell

    row = Row(2)
    try:
        clean_npwp_cell(row, raw, "npwp")
    except CellError:
        got = None
    else:
        got = row.values["npwp"]
    try:
        digits = _digits(raw)
        expected = clean_npwp(digits)
    except (CellError, ValidationError):
        expected = None
        if raw and len(_digits(raw)) in (14, 15):
            try:
                expected = clean_npwp("0" + _digits(raw))
            except ValidationError:
                expected = None
    assert got == expected


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("investment", "1.500.000.000"),
        ("investment", "1500000000"),
        ("investment", "007"),
        ("investment", "1" + "0" * 20),  # too large
        ("workforce", "1.500"),
        ("workforce", "12"),
        ("workforce", "٣"),  # a non-ASCII digit: the general path
        ("workforce", "9" * 12),
        ("latitude", "-6,12345"),
        ("latitude", "-0,0"),
        ("latitude", "-6.87"),
        ("latitude", "100.5"),
        ("latitude", "6,1234567890123456789"),
        ("longitude", "110,5"),
        ("longitude", "-0.0"),
    ],
)
def test_number_shortcuts_agree_with_parse_number(db, name, raw):
    from jalin.companies.import_cells import Row, cleaners

    fast = Row(2)
    try:
        cleaners(Lookups())[name](fast, raw, name)
        got = fast.values.get(name)
    except CellError as exc:
        got = str(exc.message)
    # The same cell through parse_number(), as the cleaners read every cell before the shortcuts.
    integer = name not in ("latitude", "longitude")
    try:
        number = parse_number(raw, integer=integer)
    except CellError as exc:
        expected = str(exc.message)
    else:
        if integer:
            field = Company._meta.get_field(name)
            limit = Decimal(10) ** field.max_digits if field.get_internal_type() == "DecimalField" else 2**31
            if number >= limit:
                expected = "The number is too large."
            elif field.get_internal_type() == "DecimalField":
                expected = number.quantize(Decimal(1))
            else:
                expected = int(number)
        else:
            bound = 90 if name == "latitude" else 180
            if not -bound <= number <= bound:
                expected = "Must be between -%(bound)s and %(bound)s degrees."
            else:
                expected = number.quantize(Decimal("0.000001"))
    assert got == expected and type(got) is type(expected) and str(got) == str(expected)


def test_counts_of_large_files_are_grouped_in_the_readers_language():
    """5,000-row files: the job's summary line writes 1.207 in Indonesian and 1,207 in English."""
    from jalin.companies.handlers import summary
    from jalin.core.imports import ImportReport

    report = ImportReport(dataset="companies", filename="a.xlsx", dry_run=True, all_or_nothing=True)
    report.created = 1207
    for row in range(2, 3795):
        report.error(row, "NIB", "", "Required.")
    with translation.override("id"):
        assert summary(report) == (
            "Simulasi: 1.207 akan dibuat, 0 akan diperbarui, 0 tidak berubah, 3.793 baris bermasalah."
        )
    with translation.override("en"):
        assert summary(report).startswith("Dry run: 1,207 to create,")


def test_a_certificate_the_import_renews_is_logged_with_its_company(officer):
    run_import(csv_bytes(ROW_B), filename="a.csv", actor=officer, dry_run=False)
    renewed = ROW_B.replace("iso-9001:2027-12-31", "iso-9001:2029-06-30")
    report = run_import(csv_bytes(renewed), filename="b.csv", actor=officer, dry_run=False)
    assert report.committed and report.updated == 1
    change = ObjectChange.objects.get(content_type__model="certification", action="update")
    assert change.object_repr == "ISO 9001 · PT Cor Dua"
    assert (change.before["valid_until"], change.after["valid_until"]) == ("2027-12-31", "2029-06-30")
