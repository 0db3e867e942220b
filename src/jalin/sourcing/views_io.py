"""Import and export pages of the needs: the shared flow of :mod:`jalin.core.views_io`, the same as the
registry's, set up for needs. Every import step is a :class:`jalin.core.models.Job` of kind ``sourcing.import``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from jalin.companies.views_io import TAXONOMIES
from jalin.core import views_io as shared

from . import exporter
from .columns import IMPORT_COLUMNS
from .handlers import IMPORT_JOB
from .models import Need
from .queries import NeedFilters


class ImportForm(shared.ImportForm):
    file_help = gettext_lazy("CSV or XLSX (Excel, LibreOffice), at most 20 MB, one need per row.")


class NeedsIO(shared.DatasetIO):
    namespace = "sourcing"
    dataset = "needs"
    job_kind = IMPORT_JOB
    model = Need
    permission_message = gettext_lazy("Only buyers and programme officers import needs.")
    form_class = ImportForm
    columns = IMPORT_COLUMNS
    taxonomies = TAXONOMIES
    exporter = exporter
    filters_class = NeedFilters
    #: Files up to this many rows are checked during the upload request; larger ones in the background.
    sync_rows = 1000
    check_label = gettext_lazy("Needs import check: %(file)s")
    import_label = gettext_lazy("Needs import: %(file)s")
    check_failed_log = "Needs import check %s failed"
    texts = {
        "title": gettext_lazy("Import needs"),
        "section": gettext_lazy("Needs"),
        "lead": gettext_lazy(
            "Add or update many needs at once from a spreadsheet: one row per need, matched by its reference."
        ),
        "rules": "sourcing/import_rules.html",
        "docs": gettext_lazy(
            "The XLSX template explains every column in Indonesian and English and lists the valid codes. The "
            "full description is in docs/needs.md."
        ),
        "writing": gettext_lazy("The file is being written in one transaction."),
        "open_list": gettext_lazy("Open the needs"),
    }


class ImportView(NeedsIO, shared.ImportView):
    pass


class ImportTemplateView(NeedsIO, shared.ImportTemplateView):
    pass


class ImportResultView(NeedsIO, shared.ImportResultView):
    pass


class ExportView(NeedsIO, shared.ExportView):
    pass
