"""Background jobs of the registry (import, large exports), and its entries in the import/export registry
that ``jalin import companies`` and ``jalin export companies`` dispatch through."""

from __future__ import annotations

import csv
import io
import tempfile

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext

from jalin.core.imports import ImportReport, register_exporter, register_importer
from jalin.core.jobs import job_handler
from jalin.core.spreadsheet import safe_cell

from . import cert_import, exporter
from .importer import run_import
from .queries import CompanyFilters

register_importer("companies", run_import)
register_exporter("companies", exporter.export_companies, filters=exporter.FILTERS)
register_importer(cert_import.DATASET, cert_import.run_import)

CERT_IMPORT_JOB = "companies.cert_import"


def _language(job) -> str:
    return job.params.get("language") or getattr(job.owner, "preferred_language", "") or settings.LANGUAGE_CODE


def run_import_job(job, progress, run, dataset: str) -> dict:
    """Check (``dry_run``) or import the file stored at ``params["file"]`` as the job's owner with ``run`` (a
    dataset's ``run_import``)."""
    params = job.params
    with translation.override(_language(job)):
        if job.owner is None and not params.get("system"):
            report = ImportReport(dataset=dataset, filename=params.get("filename", ""))
            report.error(None, "", "", gettext("The person who started this import no longer has an account."))
            return report.to_json()
        with default_storage.open(params["file"], "rb") as f:
            data = f.read()
        report = run(
            data,
            filename=params.get("filename") or params["file"],
            actor=job.owner,
            dry_run=params.get("dry_run", True),
            all_or_nothing=params.get("all_or_nothing", True),
            progress=progress,
        )
        if report.errors or report.warnings:
            name = f"{params.get('filename', 'import').rsplit('.', 1)[0]}-issues.csv"
            job.result_file.save(name, ContentFile(issues_csv(report)), save=True)
        progress.advance(report.rows_read, summary(report), force=True)
    return report.to_json()


@job_handler("companies.import")
def import_companies(job, progress):
    return run_import_job(job, progress, run_import, "companies")


@job_handler(CERT_IMPORT_JOB)
def import_certifications(job, progress):
    return run_import_job(job, progress, cert_import.run_import, cert_import.DATASET)


def summary(report: ImportReport) -> str:
    """One line for the job list, in the active language."""
    if report.file_errors:
        return report.file_errors[0].text
    counts = {
        name: number_format(value, force_grouping=True)  # 1.207 in Indonesian, 1,207 in English
        for name, value in (
            ("created", report.created),
            ("updated", report.updated),
            ("unchanged", report.unchanged),
            ("errors", report.error_rows),
        )
    }
    if report.dry_run:
        text = gettext(
            "Dry run: %(created)s to create, %(updated)s to update, %(unchanged)s unchanged, %(errors)s rows "
            "with errors."
        )
    elif report.committed:
        text = gettext(
            "Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(errors)s rows skipped."
        )
    else:
        text = gettext("Nothing was written: %(errors)s rows have errors and the import was all or nothing.")
    return text % counts


def issues_csv(report: ImportReport) -> bytes:
    """Every error and warning as a CSV (UTF-8 with BOM) to open next to the spreadsheet being fixed."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([gettext("Row"), gettext("Column"), gettext("Value"), gettext("Problem"), gettext("Kind")])
    for kind, issues in ((gettext("error"), report.errors), (gettext("warning"), report.warnings)):
        for issue in issues:
            writer.writerow([safe_cell(v) for v in (issue.row or "", issue.column, issue.value, issue.text, kind)])
    return out.getvalue().encode("utf-8-sig")


@job_handler("companies.export")
def export_companies(job, progress):
    """A large export: the list the owner saw, under the filters in ``params``, to a downloadable file."""
    if job.owner is None:
        raise RuntimeError("The person who started this export no longer has an account.")
    fmt = "xlsx" if job.params.get("fmt") == "xlsx" else "csv"
    filters = CompanyFilters.from_params(job.params.get("filters", {}))
    with translation.override(_language(job)):
        progress.total(exporter.queryset(job.owner, filters).count(), gettext("Writing the export"))
        write = exporter.write_xlsx if fmt == "xlsx" else exporter.write_csv
        with tempfile.TemporaryFile() as tmp:
            count = write(tmp, job.owner, filters, progress)
            tmp.seek(0)
            job.result_file.save(f"companies-{timezone.localtime():%Y%m%d-%H%M%S}.{fmt}", File(tmp), save=True)
    return {"rows": count, "format": fmt}
