"""The background job of the needs import, and the needs' entries in the import/export registry that
``jalin import needs`` and ``jalin export needs`` dispatch through."""

from __future__ import annotations

# The import job (its report's summary, its problems as CSV) is the same for every dataset.
from jalin.companies.handlers import run_import_job
from jalin.core.imports import register_exporter, register_importer
from jalin.core.jobs import job_handler

from . import exporter
from .importer import run_import

IMPORT_JOB = "sourcing.import"

register_importer("needs", run_import)
register_exporter("needs", exporter.export_needs, filters=exporter.FILTERS)


@job_handler(IMPORT_JOB)
def import_needs(job, progress):
    """Check (``dry_run``) or import the file stored at ``params["file"]`` as the job's owner."""
    return run_import_job(job, progress, run_import, "needs")
