"""The import and export pages every dataset shares (jalin.core.views_io): each app's pages keep their own
texts and URLs, and both refuse to commit a check that would change nothing."""

from __future__ import annotations

import pytest

from jalin.core.imports import ImportReport, Table, flag_repeats, header_columns
from jalin.core.models import Job
from jalin.sourcing.models import Need
from tests.test_registry_import import ROW_A
from tests.test_registry_import import csv_bytes as company_csv
from tests.test_sourcing_import import csv_bytes as need_csv
from tests.test_sourcing_import import rows_a_b, upload
from tests.test_sourcing_services import build_buyers


@pytest.fixture
def client_language():
    """Signed-in clients of ``client_for`` ask for English pages."""
    return "en"


def test_each_dataset_keeps_its_texts_and_urls(client_for, officer, regional, buyer_org):
    page = client_for(officer).get("/companies/import/").content.decode()
    assert "<title>Import companies" in page and "one row per company, matched by NIB" in page
    assert 'href="/companies/import/template.xlsx"' in page and "docs/import-format.md" in page
    assert "“Nama Perusahaan”" in page and "You may import only companies" not in page
    page = client_for(regional).get("/companies/import/").content.decode()
    assert "You may import only companies located in" in page
    page = client_for(officer).get("/needs/import/").content.decode()
    assert "<title>Import needs" in page and "matched by its reference" in page
    assert 'href="/needs/import/template.csv"' in page and "docs/needs.md" in page
    assert "draft → open → closed or awarded" in page and "Nama Perusahaan" not in page
    assert "Processes" in page and "Certifications" in page  # the code lists, the same as the registry's


def test_registry_result_page_links_to_the_registry(client_for, officer, django_capture_on_commit_callbacks):
    client = client_for(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/companies/import/", {"file": upload(company_csv(ROW_A), "c.csv")})
    checked = Job.objects.get()
    assert response["Location"] == f"/companies/import/{checked.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'href="/companies/">Registry</a>' in page and f'action="/companies/import/{checked.pk}/"' in page


def test_a_needs_check_that_changes_nothing_cannot_be_committed(
    client_for, buyer, buyer_org, django_capture_on_commit_callbacks
):
    client = client_for(buyer)
    data = need_csv(*rows_a_b(build_buyers(buyer_org)))
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/needs/import/", {"file": upload(data)})
        client.post(first["Location"], {})
    assert Need.objects.count() == 2 and Job.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post("/needs/import/", {"file": upload(data)})
    page = client.get(again["Location"]).content.decode()
    assert "Nothing would change: every valid row matches what is stored." in page and "Commit 0" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(again["Location"], {}, follow=True)
    assert "Nothing would change" in response.content.decode() and Job.objects.count() == 3  # no import started


def test_header_columns_and_repeats():
    def match(cell):
        return {"nib": "nib", "name": "name", "nama": "name", "note": None}.get(str(cell).lower())

    class Column:
        export_only = False

    report = ImportReport(dataset="x")
    table = Table([(1, ["A title"]), (2, ["NIB", "Name", "Nama", "Note"]), (3, ["1", "a", "b", ""])])
    at, columns, found = header_columns(table, report, match, {"nib": Column, "name": Column}, "No header")
    assert (at, columns, found) == (1, {"nib": "NIB", "name": "Name"}, [(0, "NIB", "nib"), (1, "Name", "name")])
    assert report.ignored_columns == ["Note"] and report.columns == {"NIB": "nib", "Name": "name"}
    assert [(e.column, e.params) for e in report.file_errors] == [
        ("Nama", {"first": "Name", "second": "Nama", "field": "name"})
    ]
    empty = ImportReport(dataset="x")
    assert header_columns(Table([(1, ["x"])]), empty, match, {}, "No header") == (None, {}, [])
    assert [e.message for e in empty.file_errors] == ["No header"]

    class Row:
        def __init__(self, number, key):
            self.number, self.key, self.errors = number, key, []

    rows = [Row(2, "k"), Row(3, ""), Row(4, "k"), Row(5, "j")]
    flag_repeats(rows, lambda r: r.key, "key", "%(key)s twice (rows %(rows)s)", "key", lambda *a, **k: (a, k))
    assert [len(r.errors) for r in rows] == [1, 0, 1, 0]
    assert rows[2].errors[0] == ((4, "key", "k", "%(key)s twice (rows %(rows)s)"), {"key": "k", "rows": "2, 4"})
