"""Import of needs from CSV and XLSX: the dry run's errors per row, the commit by reference, all or nothing,
the buyer's own rows, the status workflow, the pages and the command line."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from jalin.core.models import Job, JobStatus, ObjectChange
from jalin.sourcing.importer import run_import
from jalin.sourcing.models import Need, NeedStatus
from tests.authz import Case, assert_matrix
from tests.test_sourcing_services import build_buyers, make_need

HEADER = (
    "reference,buyer_nib,title,processes,materials,annual_volume,target_price,required_certifications,"
    "preferred_certifications,delivery_plant,start_date,imported,annual_import_value,visibility,status"
)


pytestmark = pytest.mark.usefixtures("english")  # assertions read English (tests/conftest.py)


@pytest.fixture
def client_language():
    """Signed-in clients of ``client_for`` ask for English pages."""
    return "en"


@pytest.fixture
def buyers(db, buyer_org):
    return build_buyers(buyer_org)


def nib(buyers, key="buyer") -> str:
    return buyers[key].nib


def rows_a_b(buyers) -> list[str]:
    n = nib(buyers)
    return [
        f"IMP-001,{n},Muffler 110cc,pipe-bending; las,steel-pipe,60.000,185.000,iso-9001,iatf-16949,"
        "Plant Cikarang,2026-07-01,ya,7.500.000.000,open,open",
        f"IMP-002,{n},Bracket,stamping,sheet-steel,12000,,,,plant karawang,01/09/2026,tidak,,invitation,draft",
    ]


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def by_row(report) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for issue in report.errors:
        out.setdefault(issue.row, []).append(f"{issue.column}: {issue.text}")
    return out


# --------------------------------------------------------------------------------------------------------
# The dry run


def test_dry_run_reports_every_error_with_its_row(officer, buyers):
    n, other = nib(buyers), nib(buyers, "other")
    rows = [
        *rows_a_b(buyers),  # rows 2, 3: fine
        f",{n},Bad process,levitation,,,,,,,,,,,",  # 4
        ",,No buyer,,,,,,,,,,,,",  # 5
        f",{other},Wrong plant,,,,,,,Plant Cikarang,,,,,",  # 6
        f",{n},Both lists,,,,,iso-9001,iso-9001,,,,,,",  # 7
        f",{n},Imported without value,,,,,,,,,ya,,,",  # 8
        f",{n},Bad date,,,,,,,,31/02/2026,,,,",  # 9
        f",{n},Bad number,,,lots,,,,,,,,,",  # 10
        f",{n},Bad status,,,,,,,,,,,,shipped",  # 11
        ",12345,Short NIB,,,,,,,,,,,,",  # 12
        ",9999999999999,Unknown NIB,,,,,,,,,,,,",  # 13
        f"DUP-1,{n},Dup one,,,,,,,,,,,,",  # 14
        f"dup-1,{n},Dup two,,,,,,,,,,,,",  # 15
        f"NEW-9,{n},,,,,,,,,,,,,",  # 16: no title for a new need
        f",{n},Draft visibility opened,,,,,,,,,,,draft,open",  # 17
    ]
    report = run_import(csv_bytes(*rows), filename="needs.csv", actor=officer, dry_run=True)
    errors = by_row(report)
    assert sorted(errors) == list(range(4, 18)), errors
    assert "Unknown process levitation" in errors[4][0]
    assert errors[5] == ["buyer_nib: Required for a new need: the NIB of the buyer company."]
    assert "has no plant called Plant Cikarang" in errors[6][0] and "Plant Teluk" in errors[6][0]
    assert errors[7][0].startswith("preferred_certifications: ISO 9001 cannot be both required and preferred")
    assert errors[8][0].startswith("annual_import_value:")
    assert "Not a valid date" in errors[9][0]
    assert errors[10] == ["annual_volume: Not a number."]
    assert "Unknown status shipped" in errors[11][0]
    assert "13 digits" in errors[12][0] and "No company with NIB" in errors[13][0]
    assert "more than once" in errors[14][0] and "more than once" in errors[15][0]
    assert errors[16] == ["title: Required for a new need."]
    assert errors[17][0].startswith("visibility:")
    assert report.created == 2 and report.rows_read == 16 and not report.committed
    assert Need.objects.count() == 0 and ObjectChange.objects.filter(content_type__model="need").count() == 0


def test_buyer_nib_must_be_a_large_industry(officer, buyers, own_org):
    from tests.test_registry_pages import make_company

    ikm = make_company("CV Kecil", "33.28", org=own_org)
    report = run_import(csv_bytes(f",{ikm.nib},Part,,,,,,,,,,,,"), filename="n.csv", actor=officer)
    assert "is not a large industry" in report.errors[0].text


def test_file_level_problems(officer, owner, buyers):
    assert "No header row" in run_import(b"a,b\n1,2\n", filename="n.csv", actor=officer).file_errors[0].text
    assert run_import(b"", filename="n.csv", actor=officer).file_errors
    assert run_import(b"x", filename="n.ods", actor=officer).file_errors
    report = run_import(csv_bytes(*rows_a_b(buyers)), filename="n.csv", actor=owner, dry_run=False)
    assert "permission" in report.file_errors[0].text and Need.objects.count() == 0


# --------------------------------------------------------------------------------------------------------
# The commit


def test_commit_creates_then_updates_by_reference(officer, buyers):
    data = csv_bytes(*rows_a_b(buyers))
    report = run_import(data, filename="needs.csv", actor=officer, dry_run=False)
    assert report.committed and report.errors == [] and (report.created, report.updated) == (2, 0)
    first = Need.objects.get(reference="IMP-001")
    assert (
        first.status == NeedStatus.OPEN and first.buyer == buyers["buyer"] and first.delivery_plant == buyers["plant"]
    )
    assert first.annual_volume == 60000 and first.target_price == 185000 and first.annual_import_value == 7_500_000_000
    assert sorted(first.processes.values_list("code", flat=True)) == ["pipe-bending", "welding"]
    assert list(first.preferred_certifications.values_list("code", flat=True)) == ["iatf-16949"]
    second = Need.objects.get(reference="IMP-002")
    assert second.start_date.isoformat() == "2026-09-01" and second.delivery_plant.name == "Plant Karawang"
    assert second.status == NeedStatus.DRAFT and second.visibility == "invitation"
    # Every write is in the change log, with the importer as the actor.
    changes = ObjectChange.objects.filter(content_type__model="need", object_id=str(first.pk), actor=officer)
    assert changes.count() == 2  # created, opened
    # Again: unchanged. Then an update that only names what changes; empty cells keep stored values.
    again = run_import(data, filename="needs.csv", actor=officer, dry_run=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    update = csv_bytes("IMP-001,,Muffler 125cc,,,,,,,,,,,,closed", header=HEADER)
    report = run_import(update, filename="u.csv", actor=officer, dry_run=False)
    assert report.updated == 1 and report.errors == []
    first.refresh_from_db()
    assert first.title == "Muffler 125cc" and first.status == NeedStatus.CLOSED and first.target_price == 185000
    # Awarded through the workflow (closed → open → awarded); then final.
    run_import(csv_bytes("IMP-001,,,,,,,,,,,,,,awarded"), filename="a.csv", actor=officer, dry_run=False)
    first.refresh_from_db()
    assert first.status == NeedStatus.AWARDED
    report = run_import(csv_bytes("IMP-001,,,,,,,,,,,,,,open"), filename="a.csv", actor=officer, dry_run=False)
    assert "cannot become" in report.errors[0].text and not report.committed


def test_empty_reference_adds_a_need_with_a_made_reference(officer, buyers):
    report = run_import(
        csv_bytes(f",{nib(buyers)},New part,,,,,,,,,,,,"), filename="n.csv", actor=officer, dry_run=False
    )
    assert report.created == 1
    assert Need.objects.get(title="New part").reference.startswith("POT-")


def test_all_or_nothing_and_partial(officer, buyers):
    good, _second = rows_a_b(buyers)
    bad = f",{nib(buyers)},Bad,levitation,,,,,,,,,,,"
    report = run_import(csv_bytes(good, bad), filename="n.csv", actor=officer, dry_run=False)
    assert not report.committed and Need.objects.count() == 0 and report.error_rows == 1
    assert ObjectChange.objects.filter(content_type__model="need").count() == 0
    report = run_import(csv_bytes(good, bad), filename="n.csv", actor=officer, dry_run=False, all_or_nothing=False)
    assert report.committed and report.created == 1 and Need.objects.count() == 1
    assert report.taken == {"created": [[2, 2]]} and list(report.skipped()) == [3]


def test_a_service_error_rolls_back_only_its_row(officer, buyers):
    """A row that fails after a partial write (created, then a refused status) leaves nothing behind."""
    rows = [f"X-1,{nib(buyers)},Opened with draft visibility,,,,,,,,,,,draft,open", rows_a_b(buyers)[1]]
    report = run_import(csv_bytes(*rows), filename="n.csv", actor=officer, dry_run=False, all_or_nothing=False)
    assert report.created == 1 and list(Need.objects.values_list("reference", flat=True)) == ["IMP-002"]


def test_a_buyer_imports_only_for_its_own_company(buyer, buyers):
    own_row = ",,Own part,,,,,,,Plant Cikarang,,,,,"
    other_row = f",{nib(buyers, 'other')},Their part,,,,,,,,,,,,"
    report = run_import(csv_bytes(own_row, other_row), filename="n.csv", actor=buyer, dry_run=False)
    assert report.errors[0].row == 3 and "only for your own company" in report.errors[0].text
    report = run_import(csv_bytes(own_row), filename="n.csv", actor=buyer, dry_run=False)
    assert report.committed and Need.objects.get().buyer == buyers["buyer"]
    theirs = make_need(buyers["other"], "Theirs")
    report = run_import(csv_bytes(f"{theirs.reference},,Hijack,,,,,,,,,,,,"), filename="n.csv", actor=buyer)
    assert "you may not change it" in report.errors[0].text


def test_a_company_the_importer_may_not_see_is_not_named(buyer, buyers):
    from tests.test_registry_pages import KLATEN, make_company

    hidden = make_company("CV Rahasia Klaten", KLATEN)  # unverified: a buyer does not see it
    report = run_import(csv_bytes(f",{hidden.nib},Part,,,,,,,,,,,,"), filename="n.csv", actor=buyer)
    assert [i.text for i in report.errors] == [f"No company with NIB {hidden.nib} in the registry."]


def test_indonesian_headers_and_xlsx(officer, buyers):
    wb = Workbook()
    ws = wb.active
    ws.append(["Daftar kebutuhan PT Pembeli Otomotif"])  # a title above the header
    ws.append(
        [
            "Referensi",
            "NIB Pembeli",
            "Nama Part",
            "Proses",
            "Volume per Tahun (pcs)",
            "Harga Target (Rp)",
            "Tanggal Mulai",
            "Masih Impor",
            "Nilai Impor (Rp)",
            "Kolom Lain",
        ]
    )
    import datetime

    ws.append(
        [
            "RFQ-9",
            int(nib(buyers)),
            "Bos track roller",
            "bubut",
            24000,
            45000.0,
            datetime.datetime(2026, 3, 1),
            "ya",
            "Rp 1,2 M",
            "ignored",
        ]
    )
    out = io.BytesIO()
    wb.save(out)
    report = run_import(out.getvalue(), filename="kebutuhan.xlsx", actor=officer, dry_run=False)
    assert report.errors == [], [i.text for i in report.errors]
    assert report.ignored_columns == ["Kolom Lain"]
    need = Need.objects.get(reference="RFQ-9")
    assert need.annual_volume == 24000 and need.target_price == 45000 and need.annual_import_value == 1_200_000_000
    assert need.start_date == datetime.date(2026, 3, 1) and need.imported
    assert list(need.processes.values_list("code", flat=True)) == ["turning"]


# --------------------------------------------------------------------------------------------------------
# The pages


def upload(data: bytes, name: str = "needs.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_upload_check_then_commit(client_for, buyer, buyers, django_capture_on_commit_callbacks):
    client = client_for(buyer)
    page = client.get("/needs/import/").content.decode()
    assert "/needs/import/template.xlsx" in page and "buyer_nib" in page
    bad = ",,Bad,levitation,,,,,,,,,,,"
    response = client.post(
        "/needs/import/", {"file": upload(csv_bytes(*rows_a_b(buyers), bad)), "all_or_nothing": "on"}
    )
    checked = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/needs/import/{checked.pk}/"
    assert checked.status == JobStatus.SUCCEEDED and checked.params["dry_run"] and checked.result_file
    page = client.get(response["Location"]).content.decode()
    assert "1 row has errors." in page and "Commit 2 rows" in page and "Unknown process levitation" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/needs/import/{checked.pk}/", {"all_or_nothing": "1"}, follow=True)
    assert "Not committed: 1 rows have errors" in response.content.decode() and Need.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/needs/import/{checked.pk}/", {})
    commit = Job.objects.exclude(pk=checked.pk).get()
    assert response["Location"] == f"/needs/import/{commit.pk}/"
    commit.refresh_from_db()
    assert commit.status == JobStatus.SUCCEEDED and commit.owner == buyer and Need.objects.count() == 2
    page = client.get(f"/needs/import/{commit.pk}/").content.decode()
    assert "Imported." in page and "2 created" in page
    assert "This check has been committed." in client.get(f"/needs/import/{checked.pk}/").content.decode()


def test_templates(client_for, buyer, buyers):
    client = client_for(buyer)
    csv_text = client.get("/needs/import/template.csv").content.decode("utf-8-sig")
    assert csv_text.startswith("reference,buyer_nib,title,")
    response = client.get("/needs/import/template.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    # The template imports as it is, after the buyer fills in its own NIB.
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["needs", "Petunjuk - Guide", "Kode - Codes"]
    assert client.get("/needs/import/template.pdf").status_code == 404


def test_import_authorisation(client_for, people, officer, buyers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(officer).post("/needs/import/", {"file": upload(csv_bytes(*rows_a_b(buyers)))})
    checked = Job.objects.get()
    importers = {"officer", "buyer"}
    cases = [
        Case("import page", lambda o: "/needs/import/", importers),
        Case(
            "import upload",
            lambda o: "/needs/import/",
            importers,
            method="post",
            data=lambda o: {"file": upload(csv_bytes(*rows_a_b(buyers))), "all_or_nothing": "on"},
        ),
        Case("template csv", lambda o: "/needs/import/template.csv", importers),
        Case("template xlsx", lambda o: "/needs/import/template.xlsx", importers),
        Case("import result (officer's)", lambda o: f"/needs/import/{o['job'].pk}/", {"officer"}),
        Case(
            "import commit (officer's)",
            lambda o: f"/needs/import/{o['job'].pk}/",
            {"officer"},
            method="post",
            data=lambda o: {"all_or_nothing": "1"},
        ),
    ]
    assert assert_matrix(client_for, people, cases, objects={"job": checked}, watch=[Need, Job]) == 54


# --------------------------------------------------------------------------------------------------------
# The command line


def test_cli(db, buyers, tmp_path, capsys):
    path = tmp_path / "needs.csv"
    path.write_bytes(csv_bytes(*rows_a_b(buyers), ",,Bad,levitation,,,,,,,,,,,"))
    with pytest.raises(CommandError, match="problem"):
        call_command("import", "needs", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run" in out and "row 4" in out and Need.objects.count() == 0
    path.write_bytes(csv_bytes(*rows_a_b(buyers)))
    call_command("import", "needs", str(path))
    assert Need.objects.count() == 2 and "Imported" in capsys.readouterr().out
    assert ObjectChange.objects.filter(content_type__model="need", actor_name="system").exists()
