"""The background job of the needs import, and the needs' entries in the import/export registry that
``jalin import needs`` and ``jalin export needs`` dispatch through."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import gettext

# The report's one-line summary and its problems as CSV are the same for every dataset.
from jalin.companies.handlers import issues_csv, summary
from jalin.core.imports import ImportReport, register_exporter, register_importer
from jalin.core.jobs import job_handler

from . import exporter
from .importer import run_import

IMPORT_JOB = "sourcing.import"

register_importer("needs", run_import)
register_exporter("needs", exporter.export_needs, filters=exporter.FILTERS)


def _language(job) -> str:
    return job.params.get("language") or getattr(job.owner, "preferred_language", "") or settings.LANGUAGE_CODE


@job_handler(IMPORT_JOB)
def import_needs(job, progress):
    """Check (``dry_run``) or import the file stored at ``params["file"]`` as the job's owner."""
    params = job.params
    with translation.override(_language(job)):
        if job.owner is None:
            report = ImportReport(dataset="needs", filename=params.get("filename", ""))
            report.error(None, "", "", gettext("The person who started this import no longer has an account."))
            return report.to_json()
        with default_storage.open(params["file"], "rb") as f:
            data = f.read()
        report = run_import(
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
