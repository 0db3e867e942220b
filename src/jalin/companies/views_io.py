"""Import and export pages of the registry.

Import: upload → dry run (in the request for small files, as a job for large ones) → report with every row's
problems → "Commit" starts the import job → its page shows progress, then what was taken and skipped. Every
step is a :class:`jalin.core.models.Job` of kind ``companies.import``, so one code path serves files of any
size and the jobs page lists them all.
"""

from __future__ import annotations

import io
import logging
import uuid
from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from jalin.core.imports import (
    MAX_UPLOAD_BYTES,
    ImportFileError,
    ImportReport,
    count_data_rows,
    file_kind,
    format_ranges,
    ranges,
)
from jalin.core.jobs import execute, start_job
from jalin.core.models import Job, JobStatus
from jalin.core.permissions import can_add

from . import exporter
from .columns import IMPORT_COLUMNS
from .models import CertificationType, Company, Material, Process
from .queries import CompanyFilters

logger = logging.getLogger(__name__)

#: Files up to this many rows are checked during the upload request; larger ones in the background.
SYNC_ROWS = 5000
ISSUES_PER_PAGE = 100
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet file"),
        help_text=gettext_lazy("CSV or XLSX (Excel, LibreOffice), at most 20 MB, one company per row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv," + XLSX_TYPE}),
    )
    all_or_nothing = forms.BooleanField(
        label=gettext_lazy("All or nothing"),
        help_text=gettext_lazy(
            "Write nothing while any row has an error. Untick it to import the valid rows and skip the others."
        ),
        required=False,
        initial=True,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _(
                    "The file is larger than 20 MB. Split it into smaller files, or ask an administrator to run "
                    "jalin import companies FILE on the server."
                )
            )
        try:
            file_kind(upload.name)
        except ImportFileError as exc:
            raise ValidationError(exc.text) from None
        return upload


def _may_import(user) -> None:
    if not can_add(user, Company):
        raise PermissionDenied(_("Only programme and regional officers import companies."))


class ImportView(LoginRequiredMixin, View):
    template_name = "companies/import.html"

    def get(self, request):
        _may_import(request.user)
        return self._render(request, ImportForm())

    def post(self, request):
        _may_import(request.user)
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_UPLOAD_BYTES + 64 * 1024:  # refuse before reading
            error = _("The file is larger than 20 MB. Split it into smaller files.")
            return self._render(request, ImportForm(), status=413, error=error)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form, status=400)
        upload = form.cleaned_data["file"]
        suffix = PurePath(upload.name).suffix.lower()
        stored = default_storage.save(f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}", upload)
        params = {
            "file": stored,
            "filename": PurePath(upload.name).name[:150],
            "dry_run": True,
            "all_or_nothing": form.cleaned_data["all_or_nothing"],
            "language": request.LANGUAGE_CODE,
        }
        label = _("Import check: %(file)s") % {"file": params["filename"]}
        with default_storage.open(stored, "rb") as f:
            rows = count_data_rows(f, upload.name)
        if rows > SYNC_ROWS:
            job = start_job(kind="companies.import", label=label, actor=request.user, params=params)
            messages.info(request, _("The file is large: it is checked in the background and this page follows."))
        else:
            job = Job.objects.create(kind="companies.import", label=label[:200], owner=request.user, params=params)
            try:
                execute(job)
            except Exception:  # the job row records the failure; the result page shows it
                logger.exception("Import check %s failed", job.pk)
        return HttpResponseRedirect(reverse("companies:import_result", args=[job.pk]))

    def _render(self, request, form, status=200, error=None):
        recent = (
            Job.objects.restrict(request.user, "view")
            .filter(kind="companies.import", owner=request.user)
            .order_by("-created")[:5]
        )
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "error": error,
                "columns": IMPORT_COLUMNS,
                "recent": recent,
                "taxonomies": [
                    (_("Processes"), Process.objects.filter(is_active=True).order_by("code")),
                    (_("Materials"), Material.objects.filter(is_active=True).order_by("code")),
                    (_("Certifications"), CertificationType.objects.filter(is_active=True).order_by("code")),
                ],
            },
            status=status,
        )


class ImportTemplateView(LoginRequiredMixin, View):
    """The empty template with a header row and an example row (XLSX: plus a bilingual guide and code lists)."""

    def get(self, request, fmt):
        _may_import(request.user)
        if fmt == "csv":
            response = HttpResponse(exporter.template_csv(), content_type="text/csv; charset=utf-8")
        elif fmt == "xlsx":
            response = HttpResponse(exporter.template_xlsx(), content_type=XLSX_TYPE)
        else:
            raise Http404
        response["Content-Disposition"] = f'attachment; filename="jalin-companies-template.{fmt}"'
        return response


class ImportResultView(LoginRequiredMixin, View):
    """A check's or an import's progress, then its report; on a finished check, the Commit button."""

    def _job(self, request, job_id) -> Job:
        _may_import(request.user)
        return get_object_or_404(
            Job.objects.restrict(request.user, "view").select_related("owner"), pk=job_id, kind="companies.import"
        )

    def get(self, request, job):
        job = self._job(request, job)
        report = ImportReport.from_json(job.result) if job.result else None
        context = {"job": job, "report": report}
        if report is not None:
            page = Paginator(report.row_errors, ISSUES_PER_PAGE).get_page(request.GET.get("page"))
            context.update(
                page=page,
                can_commit=self._commit_problem(job, report, all_or_nothing=False) is None,
                commit_job=job.params.get("commit_job"),
                checked_job=job.params.get("checked_job"),
                taken=_taken(report),
            )
        template = "companies/import_report.html" if request.htmx else "companies/import_result.html"
        return render(request, template, context)

    def post(self, request, job):
        """Commit: import the file of a finished check, as a background job."""
        checked = self._job(request, job)
        report = ImportReport.from_json(checked.result) if checked.result else None
        all_or_nothing = bool(request.POST.get("all_or_nothing"))
        problem = self._commit_problem(checked, report, all_or_nothing=all_or_nothing)
        if problem:
            messages.error(request, problem)
            return HttpResponseRedirect(reverse("companies:import_result", args=[checked.pk]))
        params = {
            **checked.params,
            "dry_run": False,
            "all_or_nothing": all_or_nothing,
            "language": request.LANGUAGE_CODE,
            "checked_job": str(checked.pk),
        }
        params.pop("commit_job", None)
        job = start_job(
            kind="companies.import",
            label=_("Import: %(file)s") % {"file": checked.params.get("filename", "")},
            actor=request.user,
            params=params,
        )
        Job.objects.filter(pk=checked.pk).update(params={**checked.params, "commit_job": str(job.pk)})
        messages.success(request, _("The import has started; this page shows its progress and then the result."))
        return HttpResponseRedirect(reverse("companies:import_result", args=[job.pk]))

    @staticmethod
    def _commit_problem(job: Job, report: ImportReport | None, *, all_or_nothing: bool) -> str | None:
        """Why this check cannot be committed (``None``: it can)."""
        if not job.params.get("dry_run") or job.status != JobStatus.SUCCEEDED or report is None:
            return _("Only a finished check can be committed.")
        if job.params.get("commit_job"):
            return _("This file has already been committed; upload it again to check it anew.")
        if report.file_errors:
            return _("The file cannot be imported: fix the problems listed and upload it again.")
        if not report.valid_rows:
            return _("No row can be imported: fix the errors and upload the file again.")
        if not report.created and not report.updated:
            return _("Nothing would change: every valid row matches what is stored.")
        if all_or_nothing and report.errors:
            return _(
                "Not committed: %(rows)s rows have errors and “all or nothing” is on. Fix the file and upload it "
                "again, or untick “all or nothing” to import only the valid rows."
            ) % {"rows": report.error_rows}
        return None


def _taken(report: ImportReport) -> list[tuple[str, str]]:
    """Which rows a commit took (created, updated, unchanged) and skipped, as readable row ranges."""
    if report.dry_run:
        return []
    labels = {"created": _("Created"), "updated": _("Updated"), "unchanged": _("Unchanged")}
    out = [(labels[k], format_ranges(v)) for k, v in report.taken.items() if v and report.committed]
    skipped = sorted(report.skipped())
    if skipped:
        out.append((_("Skipped"), format_ranges(ranges(skipped))))
    return out


class ExportView(LoginRequiredMixin, View):
    """The list as the user sees it (same filters, same permissions) as CSV or XLSX; large lists as a job."""

    def get(self, request, fmt):
        if fmt not in ("csv", "xlsx"):
            raise Http404
        filters = CompanyFilters.from_params(request.GET)
        count = exporter.queryset(request.user, filters).count()
        if count > exporter.STREAM_LIMIT:
            return render(
                request,
                "companies/export_large.html",
                {"count": count, "fmt": fmt, "query": request.GET.urlencode(), "filters": filters},
            )
        name = f"companies-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
        if fmt == "csv":
            response = StreamingHttpResponse(
                exporter.csv_chunks(request.user, filters), content_type="text/csv; charset=utf-8"
            )
        else:
            out = io.BytesIO()
            exporter.write_xlsx(out, request.user, filters)
            response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def post(self, request, fmt):
        """Start the background export of a large list (the confirmation page posts here)."""
        if fmt not in ("csv", "xlsx"):
            raise Http404
        params = {key: request.POST.get(key, "") for key in exporter.FILTERS if request.POST.get(key)}
        job = start_job(
            kind="companies.export",
            label=_("Company export (%(format)s)") % {"format": fmt.upper()},
            actor=request.user,
            params={"fmt": fmt, "filters": params, "language": request.LANGUAGE_CODE},
        )
        messages.info(request, _("The export runs in the background; this page shows its progress."))
        return HttpResponseRedirect(reverse("core:job", args=[job.pk]))
