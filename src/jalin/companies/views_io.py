"""Import and export pages of the registry: the shared flow of :mod:`jalin.core.views_io` (upload, check,
report, commit; exports as CSV or XLSX), set up for companies. Every import step is a
:class:`jalin.core.models.Job` of kind ``companies.import``; exports of long lists run as ``companies.export``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from jalin.core import views_io as shared
from jalin.core.imports import MAX_UPLOAD_BYTES

from . import cert_import, exporter
from .columns import IMPORT_COLUMNS
from .handlers import CERT_IMPORT_JOB
from .models import CertificationType, Company, Material, Process
from .queries import CompanyFilters

#: Files up to this many rows are checked during the upload request; larger ones in the background.
SYNC_ROWS = 5000

#: The code lists an import page shows (the needs' page shows them too).
TAXONOMIES = (
    (gettext_lazy("Processes"), Process),
    (gettext_lazy("Materials"), Material),
    (gettext_lazy("Certifications"), CertificationType),
)


class ImportForm(shared.ImportForm):
    file_help = gettext_lazy("CSV or XLSX (Excel, LibreOffice), at most 20 MB, one company per row.")
    too_large = gettext_lazy(
        "The file is larger than 20 MB. Split it into smaller files, or ask an administrator to run "
        "jalin import companies FILE on the server."
    )


class CertificateImportForm(shared.ImportForm):
    file_help = gettext_lazy("CSV or XLSX (Excel, LibreOffice), at most 20 MB, one certificate per row.")


class RegistryIO(shared.DatasetIO):
    namespace = dataset = "companies"
    job_kind = "companies.import"
    model = Company
    permission_message = gettext_lazy("Only programme and regional officers import companies.")
    form_class = ImportForm
    columns = IMPORT_COLUMNS
    taxonomies = TAXONOMIES
    exporter = exporter
    filters_class = CompanyFilters
    check_label = gettext_lazy("Import check: %(file)s")
    import_label = gettext_lazy("Import: %(file)s")
    texts = {
        "title": gettext_lazy("Import companies"),
        "section": gettext_lazy("Registry"),
        "lead": gettext_lazy(
            "Add or update many companies at once from a spreadsheet: one row per company, matched by NIB."
        ),
        "rules": "companies/import_rules.html",
        "docs": gettext_lazy(
            "The XLSX template explains every column in Indonesian and English and lists the valid codes. The "
            "full description is in docs/import-format.md."
        ),
        "writing": gettext_lazy("The file is being written to the registry in one transaction."),
        "open_list": gettext_lazy("Open the registry"),
    }

    # This module's limits are read on every request, so that changing them here takes effect (tests do).
    def get_sync_rows(self) -> int:
        return SYNC_ROWS

    def get_max_upload_bytes(self) -> int:
        return MAX_UPLOAD_BYTES


class ImportView(RegistryIO, shared.ImportView):
    pass


class ImportTemplateView(RegistryIO, shared.ImportTemplateView):
    pass


class ImportResultView(RegistryIO, shared.ImportResultView):
    pass


class ExportView(RegistryIO, shared.LargeExportView):
    """The list as the user sees it as CSV or XLSX; large lists as a job."""

    export_job_kind = "companies.export"
    export_job_label = gettext_lazy("Company export (%(format)s)")
    export_large_template = "companies/export_large.html"


class CertificateIO(shared.DatasetIO):
    """The certificates import (:mod:`jalin.companies.cert_import`): the same flow, its pages under
    ``certifications/import/`` and the expiring-certificates list as its list."""

    namespace = "companies"
    dataset = cert_import.DATASET
    job_kind = CERT_IMPORT_JOB
    model = Company
    permission_message = gettext_lazy("Only programme and regional officers import certificates.")
    form_class = CertificateImportForm
    columns = cert_import.COLUMNS
    taxonomies = ((gettext_lazy("Certifications"), CertificationType),)
    exporter = cert_import  # its templates; the certificates have no export of their own
    sync_rows = 1000
    check_label = gettext_lazy("Certificates import check: %(file)s")
    import_label = gettext_lazy("Certificates import: %(file)s")
    check_failed_log = "Certificates import check %s failed"
    texts = {
        "title": gettext_lazy("Import certificates"),
        "section": gettext_lazy("Expiring certificates"),
        "lead": gettext_lazy(
            "Add or update the certificates of registered companies from a spreadsheet: one row per certificate, "
            "with its number, issuer and validity."
        ),
        "rules": "companies/cert_import_rules.html",
        "docs": gettext_lazy(
            "The XLSX template explains every column in Indonesian and English and lists the certification types. "
            "The full description is in docs/import-format.md."
        ),
        "writing": gettext_lazy("The certificates are being written in one transaction."),
        "open_list": gettext_lazy("Open the expiring certificates"),
        "codes": gettext_lazy("Codes for certifications"),
    }
    URL_NAMES = {"list": "expiring", "import": "cert_import", "import_template": "cert_import_template"}

    def url_name(self, name: str) -> str:
        return "companies:" + self.URL_NAMES.get(name, "cert_" + name)


class CertificateImportView(CertificateIO, shared.ImportView):
    pass


class CertificateImportTemplateView(CertificateIO, shared.ImportTemplateView):
    pass


class CertificateImportResultView(CertificateIO, shared.ImportResultView):
    pass
