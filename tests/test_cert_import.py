"""Import of certificates (number, issuer, validity) for companies already in the registry: the dry run's
errors per row, matching a row to a stored certificate, all or nothing, the region limit of a regional officer,
the pages, the templates and the command line."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook, load_workbook

from jalin.companies.cert_import import run_import
from jalin.companies.models import Certification, Company
from jalin.companies.queries import CompanyFilters, company_list
from jalin.core.models import Job, JobStatus, ObjectChange
from tests.authz import Case, assert_matrix
from tests.test_registry_pages import BEKASI, KLATEN, TEGAL, add_certification, make_company

HEADER = "nib,certification,number,issuer,valid_from,valid_until"

pytestmark = pytest.mark.usefixtures("english")  # assertions read English (tests/conftest.py)


@pytest.fixture
def client_language():
    return "en"


@pytest.fixture
def firms(db):
    return {
        "tegal": make_company("CV Logam Tegal", TEGAL, nib="9120004000001"),
        "klaten": make_company("CV Cor Klaten", KLATEN, nib="9120004000002"),
        "bekasi": make_company("PT Press Bekasi", BEKASI, nib="9120004000003", verified=True),
    }


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


GOOD = (
    "9120004000001,ISO 9001,QMS-0815,PT Sucofindo,2025-01-15,14/01/2028",
    "9120004000002,sni,SNI-77,LSPro Baristand,,2027-06-30",
)


def by_row(report) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for issue in report.errors:
        out.setdefault(issue.row, []).append(f"{issue.column}: {issue.text}")
    return out


def state() -> tuple:
    return (
        sorted(Certification.objects.values_list("company__nib", "number", "issuer", "valid_from", "valid_until")),
        ObjectChange.objects.count(),
    )


# --------------------------------------------------------------------------------------------------------
# The check and the commit


def test_dry_run_reports_every_error_with_its_row_and_writes_nothing(officer, firms):
    before = state()
    rows = [
        *GOOD,  # rows 2, 3
        "9999999999999,iso-9001,A-1,,,",  # 4: no such company
        "9120004000001,iso-42,B-1,,,",  # 5: unknown type
        "9120004000001,iatf-16949,C-1,,31/02/2027,",  # 6: no such date
        "9120004000001,smk3,D-1,,2027-01-01,2026-01-01",  # 7: ends before it starts
        "12345,iso-14001,E-1,,,",  # 8: short NIB
        ",iso-14001,F-1,,,",  # 9: no NIB
        "9120004000002,sni,SNI-77,,,",  # 10: the same certificate as row 3
        "9120004000001,iso-14001," + "N" * 81 + ",,,",  # 11: number too long
        "9120004000001,sni,,,1/1/99999999999999999999,",  # 12: a year no date has
    ]
    report = run_import(csv_bytes(*rows), filename="certs.csv", actor=officer, dry_run=True)
    assert state() == before
    errors = by_row(report)
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert errors[4] == ["nib: No company with NIB 9999999999999 in the registry."]
    assert "Unknown certification iso-42" in errors[5][0]
    assert "Not a valid date 31/02/2027" in errors[6][0]
    assert errors[7] == ["valid_until: The end of validity comes before its start."]
    assert "NIB must have 13 digits" in errors[8][0]
    assert errors[9] == ["nib: Required."]
    assert errors[3] == errors[10] == ["number: This certificate appears more than once in this file (rows 3, 10)."]
    assert "Too long: at most 80 characters" in errors[11][0]
    assert "Not a valid date 1/1/99999999999999999999" in errors[12][0]
    assert (report.created, report.updated, report.error_rows, report.committed) == (1, 0, 10, False)


def test_rows_that_would_write_the_same_certificate(officer, firms):
    """A row without a number would update whatever another row of the company and type wrote, and numbers
    compare without case: each such pair is flagged, whatever the order of the rows."""
    rows = [
        "9120004000001,iso-9001,A-1,Body 1,,2027-01-01",  # 2 ┐ the same certificate
        "9120004000001,iso-9001,,Body 2,,2029-01-01",  # 3 ┘
        "9120004000002,iso-9001,q-7,,,",  # 4 ┐ the same number
        "9120004000002,ISO 9001,Q-7 ,,,",  # 5 ┘
        "9120004000002,iso-9001,Q-8,,,",  # 6: another certificate of the type: fine
    ]
    errors = by_row(run_import(csv_bytes(*rows), filename="c.csv", actor=officer))
    assert errors[2] == errors[3] == ["number: This certificate appears more than once in this file (rows 2, 3)."]
    assert errors[4] == errors[5] == ["number: This certificate appears more than once in this file (rows 4, 5)."]
    assert 6 not in errors


def test_a_row_counter_column_is_not_the_certificate_number(officer, firms):
    data = csv_bytes("1,9120004000001,ISO 9001,Sucofindo", header="No,NIB,Jenis Sertifikat,Penerbit")
    report = run_import(data, filename="c.csv", actor=officer, dry_run=False)
    assert report.committed and report.ignored_columns == ["No"]
    assert Certification.objects.get().number == ""


def test_messages_follow_the_readers_language(officer, firms):
    with translation.override("id"):
        report = run_import(csv_bytes("9999999999999,iso-9001,,,,"), filename="c.csv", actor=officer)
        assert report.errors[0].text == "Tidak ada perusahaan dengan NIB 9999999999999 di registri."


def test_commit_creates_then_updates_and_logs(officer, firms):
    report = run_import(csv_bytes(*GOOD), filename="certs.csv", actor=officer, dry_run=False)
    assert report.committed and (report.created, report.updated) == (2, 0)
    cert = Certification.objects.get(company=firms["tegal"])
    assert (cert.certification_type.code, cert.number, cert.issuer) == ("iso-9001", "QMS-0815", "PT Sucofindo")
    assert (cert.valid_from, cert.valid_until) == (datetime.date(2025, 1, 15), datetime.date(2028, 1, 14))
    change = ObjectChange.objects.filter(content_type__model="certification", object_id=str(cert.pk)).get()
    assert change.actor == officer and change.action == "create"
    # The company is derived again: the certification filter finds it (the import of a certificate is the
    # same write as the company page's).
    found = company_list(officer, CompanyFilters.from_params({"certification": "iso-9001"}))
    assert list(found) == [firms["tegal"]]
    # Again with a later expiry and an empty issuer cell: updated in place, the issuer kept.
    again = run_import(
        csv_bytes("9120004000001,iso-9001,QMS-0815,,,2029-01-14", GOOD[1]),
        filename="c.csv",
        actor=officer,
        dry_run=False,
    )
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    cert.refresh_from_db()
    assert (cert.issuer, cert.valid_until) == ("PT Sucofindo", datetime.date(2029, 1, 14))
    assert Certification.objects.count() == 2


def test_matching_a_row_to_a_stored_certificate(officer, firms):
    tegal = firms["tegal"]
    old = add_certification(tegal, "iso-9001", days=30)  # stored without a number
    # Without a number a row updates the only certificate of its type; with one it fills in the number.
    run_import(csv_bytes("9120004000001,iso-9001,Q-1,PT A,,"), filename="c.csv", actor=officer, dry_run=False)
    old.refresh_from_db()
    assert (old.number, old.issuer) == ("Q-1", "PT A")
    # The number matches whatever its case and spacing.
    report = run_import(
        csv_bytes("9120004000001,iso-9001, q-1 ,PT A2,,"), filename="c.csv", actor=officer, dry_run=False
    )
    old.refresh_from_db()
    assert report.updated == 1 and old.issuer == "PT A2" and tegal.certifications.count() == 1
    # Another number adds a second certificate of the type (a renewal, another plant's certificate)...
    report = run_import(
        csv_bytes("9120004000001,iso-9001,Q-2,PT A,,2030-01-01"), filename="c.csv", actor=officer, dry_run=False
    )
    assert report.created == 1 and tegal.certifications.count() == 2
    assert [w.text for w in report.warnings] == [
        "The company already has a certificate of this type (Q-1): this row adds another."
    ]
    # ... after which a row without a number is ambiguous, and says so.
    report = run_import(csv_bytes("9120004000001,iso-9001,,PT B,,"), filename="c.csv", actor=officer, dry_run=False)
    assert by_row(report) == {
        2: ["certification: The company has 2 certificates of this type: give the certificate number to say which one."]
    }
    assert not report.committed and not tegal.certifications.filter(issuer="PT B").exists()


def test_all_or_nothing_and_partial(officer, firms):
    rows = (*GOOD, "9999999999999,iso-9001,,,,")
    refused = run_import(csv_bytes(*rows), filename="c.csv", actor=officer, dry_run=False)
    assert not refused.committed and Certification.objects.count() == 0
    partial = run_import(csv_bytes(*rows), filename="c.csv", actor=officer, dry_run=False, all_or_nothing=False)
    assert partial.committed and partial.created == 2 and partial.taken == {"created": [[2, 3]]}
    assert Certification.objects.count() == 2


def test_xlsx_with_indonesian_headers_and_date_cells(officer, firms):
    wb = Workbook()
    ws = wb.active
    ws.append(["NIB", "Jenis Sertifikat", "Nomor Sertifikat", "Penerbit", "Berlaku Sejak", "Berlaku Sampai"])
    ws.append(
        ["9120004000001", "IATF 16949", "IATF-9", "TÜV", datetime.datetime(2025, 3, 1), datetime.date(2028, 2, 28)]
    )
    ws.append(["9120004000002", "SNI", 815, "LSPro", None, None])  # the number stored as a number
    out = io.BytesIO()
    wb.save(out)
    report = run_import(out.getvalue(), filename="sertifikat.xlsx", actor=officer, dry_run=False)
    assert report.committed and not report.errors, list(report.lines())
    assert [(w.row, w.text) for w in report.warnings] == [
        (3, "The spreadsheet stored the certificate number as a number: check that no leading zero was lost.")
    ]
    assert Certification.objects.get(company=firms["klaten"]).number == "815"
    cert = Certification.objects.get(company=firms["tegal"])
    assert (cert.number, cert.issuer, cert.valid_from, cert.valid_until) == (
        "IATF-9",
        "TÜV",
        datetime.date(2025, 3, 1),
        datetime.date(2028, 2, 28),
    )


def test_file_level_problems(officer, firms):
    report = run_import(b"foo,bar\n1,2\n", filename="x.csv", actor=officer)
    assert "No header row" in report.file_errors[0].text
    report = run_import(
        csv_bytes(GOOD[0], header="nib,number,issuer,valid_from,valid_until,x"), filename="x.csv", actor=officer
    )
    assert report.file_errors[0].text == "The required column certification is missing."


# --------------------------------------------------------------------------------------------------------
# Who may import what


def test_a_regional_officer_imports_only_its_regions_companies(regional, firms):
    before = state()
    verified_elsewhere = "9120004000003,iso-9001,,,,"
    report = run_import(csv_bytes(*GOOD, verified_elsewhere), filename="c.csv", actor=regional, dry_run=False)
    # An unverified company outside the region is not even named; a verified one (public) is.
    assert by_row(report) == {
        3: ["nib: No company with NIB 9120004000002 in the registry."],
        4: ["nib: You may not change PT Press Bekasi."],
    }
    assert not report.committed and state() == before
    report = run_import(csv_bytes(*GOOD), filename="c.csv", actor=regional, dry_run=False, all_or_nothing=False)
    assert report.committed and list(Certification.objects.values_list("company__nib", flat=True)) == ["9120004000001"]


@pytest.mark.parametrize("name", ["owner", "buyer", "assessor"])
def test_others_may_not_import(people, firms, name):
    before = state()
    report = run_import(csv_bytes(*GOOD), filename="c.csv", actor=people[name], dry_run=False)
    assert report.file_errors[0].text == "You do not have permission to import certificates."
    assert state() == before


def upload(data: bytes, name: str = "certs.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_upload_check_then_commit(client_for, officer, firms, django_capture_on_commit_callbacks):
    client = client_for(officer)
    assert "/companies/certifications/import/" in client.get("/companies/certifications/expiring/").content.decode()
    page = client.get("/companies/certifications/import/").content.decode()
    assert "Import certificates" in page and "/companies/certifications/import/template.xlsx" in page
    bad = "9999999999999,iso-9001,,,,"
    response = client.post(
        "/companies/certifications/import/", {"file": upload(csv_bytes(*GOOD, bad)), "all_or_nothing": "on"}
    )
    checked = Job.objects.get()
    assert response["Location"] == f"/companies/certifications/import/{checked.pk}/"
    assert checked.status == JobStatus.SUCCEEDED and checked.kind == "companies.cert_import"
    page = client.get(response["Location"]).content.decode()
    assert "1 row has errors." in page and "Commit 2 rows" in page and "No company with NIB 9999999999999" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/companies/certifications/import/{checked.pk}/", {})
    commit = Job.objects.exclude(pk=checked.pk).get()
    commit.refresh_from_db()
    assert commit.status == JobStatus.SUCCEEDED and Certification.objects.count() == 2
    page = client.get(f"/companies/certifications/import/{commit.pk}/").content.decode()
    assert "Imported." in page and "2 created" in page and "/companies/certifications/expiring/" in page


def test_templates(client_for, officer, firms):
    client = client_for(officer)
    text = client.get("/companies/certifications/import/template.csv").content.decode("utf-8-sig")
    assert text.startswith(HEADER + "\r\n9120001234567,iso-9001,")
    # The example row is refused as it is, so it cannot be imported by mistake.
    report = run_import(text.encode(), filename="t.csv", actor=officer)
    assert "example row of the template" in report.errors[0].text
    wb = load_workbook(io.BytesIO(client.get("/companies/certifications/import/template.xlsx").content))
    assert wb.sheetnames == ["certifications", "Petunjuk - Guide", "Kode - Codes"]
    assert "iatf-16949" in [row[1] for row in wb["Kode - Codes"].iter_rows(values_only=True)]


def test_import_authorisation(client_for, people, officer, firms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(officer).post("/companies/certifications/import/", {"file": upload(csv_bytes(*GOOD))})
    checked = Job.objects.get()
    importers = {"officer", "regional", "regional_other"}
    base = "/companies/certifications/import/"
    cases = [
        Case("import page", lambda o: base, importers),
        Case(
            "import upload",
            lambda o: base,
            importers,
            method="post",
            data=lambda o: {"file": upload(csv_bytes(*GOOD)), "all_or_nothing": "on"},
        ),
        Case("template csv", lambda o: base + "template.csv", importers),
        Case("template xlsx", lambda o: base + "template.xlsx", importers),
        Case("import result (officer's)", lambda o: f"{base}{o['job'].pk}/", {"officer"}),
        Case(
            "import commit (officer's)",
            lambda o: f"{base}{o['job'].pk}/",
            {"officer"},
            method="post",
            data=lambda o: {"all_or_nothing": "1"},
        ),
    ]
    assert assert_matrix(client_for, people, cases, objects={"job": checked}, watch=[Certification, Job, Company]) == 54


def test_cli(db, firms, tmp_path, capsys):
    path = tmp_path / "certs.csv"
    path.write_bytes(csv_bytes(*GOOD, "9999999999999,iso-9001,,,,"))
    with pytest.raises(CommandError, match="problem"):
        call_command("import", "certifications", str(path), "--dry-run")
    assert "row 4" in capsys.readouterr().out and Certification.objects.count() == 0
    path.write_bytes(csv_bytes(*GOOD))
    call_command("import", "certifications", str(path))
    assert Certification.objects.count() == 2 and "Imported" in capsys.readouterr().out
    assert ObjectChange.objects.filter(content_type__model="certification", actor_name="system").count() == 2


def test_dates_are_read_as_the_needs_import_reads_them(officer, firms):
    """The same date cells as every import (``import_cells.date_cell``): a two-digit year is not a date."""
    report = run_import(csv_bytes("9120004000001,sni,S-1,,01/02/26,"), filename="c.csv", actor=officer)
    assert by_row(report) == {2: ["valid_from: Not a valid date 01/02/26: write YYYY-MM-DD or DD/MM/YYYY."]}
