"""Import and export pages shared by every dataset (the registry's companies, the needs).

Import: upload → dry run (in the request for small files, as a job for large ones) → report with every row's
problems → "Commit" starts the import job → its page shows progress, then what was taken and skipped. Every
step is a :class:`jalin.core.models.Job` of the dataset's import kind, so one code path serves files of any
size and the jobs page lists them all.

An app configures the views by subclassing them with a :class:`DatasetIO` subclass that names its dataset,
job kind, URL namespace, texts, columns and exporter; the templates in ``core/import/`` read those texts
from the ``io`` context variable.
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

ISSUES_PER_PAGE = 100
FORMATS = ("csv", "xlsx")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    """The upload form; a dataset's subclass sets the file's help text and the too-large message."""

    #: The file field's help text (what one row is).
    file_help = ""
    #: The error for a file over the size limit.
    too_large = gettext_lazy("The file is larger than 20 MB. Split it into smaller files.")

    file = forms.FileField(
        label=gettext_lazy("Spreadsheet file"),
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

    def __init__(self, *args, max_bytes: int = MAX_UPLOAD_BYTES, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["file"].help_text = self.file_help

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise ValidationError(str(self.too_large))
        try:
            file_kind(upload.name)
        except ImportFileError as exc:
            raise ValidationError(exc.text) from None
        return upload


class DatasetIO(LoginRequiredMixin, View):
    """What the import and export pages of one dataset differ in. An app subclasses it once and mixes that
    into the views below (``class ImportView(RegistryIO, core.ImportView)``)."""

    #: URL namespace of the app, whose URL names are ``list``, ``import``, ``import_template``,
    #: ``import_result`` and ``export``.
    namespace = ""
    #: The dataset's name in file names (``jalin-<dataset>-template.csv``, ``<dataset>-<time>.xlsx``).
    dataset = ""
    #: The kind of the import's jobs (registered with :func:`jalin.core.jobs.job_handler`).
    job_kind = ""
    #: Who may ``add`` one of these may import them.
    model = None
    #: The refusal for everyone else.
    permission_message = ""
    form_class = ImportForm
    #: The import format's columns, listed on the upload page.
    columns = ()
    #: ``(title, taxonomy model)`` pairs whose active codes the upload page lists.
    taxonomies = ()
    #: A module with ``template_csv()``, ``template_xlsx()``, ``write_csv(out, user, filters)`` and
    #: ``write_xlsx(out, user, filters)``.
    exporter = None
    #: The list filters (``from_params(query)``) an export applies.
    filters_class = None
    #: Files up to this many rows are checked during the upload request; larger ones in the background.
    sync_rows = 5000
    #: Job labels: "… check: %(file)s" and "…: %(file)s".
    check_label = ""
    import_label = ""
    #: Logged when a check in the request fails.
    check_failed_log = "Import check %s failed"
    #: The texts of the pages (``io`` in the templates): title, section, lead, docs, writing, open_list, the
    #: template with the upload page's list of format rules (``rules``), and optionally the title of its code
    #: lists (``codes``).
    texts: dict = {}

    def get_sync_rows(self) -> int:
        return self.sync_rows

    def get_max_upload_bytes(self) -> int:
        return MAX_UPLOAD_BYTES

    def may_import(self, user) -> None:
        if not can_add(user, self.model):
            raise PermissionDenied(str(self.permission_message))

    def url_name(self, name: str) -> str:
        return f"{self.namespace}:{name}"

    def io_context(self) -> dict:
        return {
            **self.texts,
            "list_url": self.url_name("list"),
            "import_url": self.url_name("import"),
            "template_url": self.url_name("import_template"),
            "result_url": self.url_name("import_result"),
        }


class ImportView(DatasetIO):
    template_name = "core/import/import.html"

    def get(self, request):
        self.may_import(request.user)
        return self._render(request, self._form())

    def post(self, request):
        self.may_import(request.user)
        limit = self.get_max_upload_bytes()
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit + 64 * 1024:  # refuse before reading
            error = _("The file is larger than 20 MB. Split it into smaller files.")
            return self._render(request, self._form(), status=413, error=error)
        form = self._form(request.POST, request.FILES)
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
        label = self.check_label % {"file": params["filename"]}
        with default_storage.open(stored, "rb") as f:
            rows = count_data_rows(f, upload.name)
        if rows > self.get_sync_rows():
            job = start_job(kind=self.job_kind, label=label, actor=request.user, params=params)
            messages.info(request, _("The file is large: it is checked in the background and this page follows."))
        else:
            job = Job.objects.create(kind=self.job_kind, label=label[:200], owner=request.user, params=params)
            try:
                execute(job)
            except Exception:  # the job row records the failure; the result page shows it
                logging.getLogger(type(self).__module__).exception(self.check_failed_log, job.pk)
        return HttpResponseRedirect(reverse(self.url_name("import_result"), args=[job.pk]))

    def _form(self, *args):
        return self.form_class(*args, max_bytes=self.get_max_upload_bytes())

    def _render(self, request, form, status=200, error=None):
        jobs = Job.objects.restrict(request.user, "view").filter(kind=self.job_kind, owner=request.user)
        recent = jobs.order_by("-created")[:5]
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "error": error,
                "columns": self.columns,
                "recent": recent,
                "taxonomies": [
                    (title, model.objects.filter(is_active=True).order_by("code")) for title, model in self.taxonomies
                ],
                "io": self.io_context(),
            },
            status=status,
        )


class ImportTemplateView(DatasetIO):
    """The empty template with a header row and an example row (XLSX: plus a bilingual guide and code lists)."""

    def get(self, request, fmt):
        self.may_import(request.user)
        if fmt == "csv":
            response = HttpResponse(self.exporter.template_csv(), content_type=CSV_TYPE)
        elif fmt == "xlsx":
            response = HttpResponse(self.exporter.template_xlsx(), content_type=XLSX_TYPE)
        else:
            raise Http404
        response["Content-Disposition"] = f'attachment; filename="jalin-{self.dataset}-template.{fmt}"'
        return response


class ImportResultView(DatasetIO):
    """A check's or an import's progress, then its report; on a finished check, the Commit button."""

    def _job(self, request, job_id) -> Job:
        self.may_import(request.user)
        return get_object_or_404(
            Job.objects.restrict(request.user, "view").select_related("owner"), pk=job_id, kind=self.job_kind
        )

    def get(self, request, job):
        job = self._job(request, job)
        report = ImportReport.from_json(job.result) if job.result else None
        context = {"job": job, "report": report, "io": self.io_context()}
        if report is not None:
            page = Paginator(report.row_errors, ISSUES_PER_PAGE).get_page(request.GET.get("page"))
            context.update(
                page=page,
                can_commit=commit_problem(job, report, all_or_nothing=False) is None,
                commit_job=job.params.get("commit_job"),
                checked_job=job.params.get("checked_job"),
                taken=taken(report),
            )
        template = "core/import/report.html" if request.htmx else "core/import/result.html"
        return render(request, template, context)

    def post(self, request, job):
        """Commit: import the file of a finished check, as a background job."""
        checked = self._job(request, job)
        report = ImportReport.from_json(checked.result) if checked.result else None
        all_or_nothing = bool(request.POST.get("all_or_nothing"))
        problem = commit_problem(checked, report, all_or_nothing=all_or_nothing)
        if problem:
            messages.error(request, problem)
            return HttpResponseRedirect(reverse(self.url_name("import_result"), args=[checked.pk]))
        params = {
            **checked.params,
            "dry_run": False,
            "all_or_nothing": all_or_nothing,
            "language": request.LANGUAGE_CODE,
            "checked_job": str(checked.pk),
        }
        params.pop("commit_job", None)
        job = start_job(
            kind=self.job_kind,
            label=self.import_label % {"file": checked.params.get("filename", "")},
            actor=request.user,
            params=params,
        )
        Job.objects.filter(pk=checked.pk).update(params={**checked.params, "commit_job": str(job.pk)})
        messages.success(request, _("The import has started; this page shows its progress and then the result."))
        return HttpResponseRedirect(reverse(self.url_name("import_result"), args=[job.pk]))


def commit_problem(job: Job, report: ImportReport | None, *, all_or_nothing: bool) -> str | None:
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


def taken(report: ImportReport) -> list[tuple[str, str]]:
    """Which rows a commit took (created, updated, unchanged) and skipped, as readable row ranges."""
    if report.dry_run:
        return []
    labels = {"created": _("Created"), "updated": _("Updated"), "unchanged": _("Unchanged")}
    out = [(labels[k], format_ranges(v)) for k, v in report.taken.items() if v and report.committed]
    skipped = sorted(report.skipped())
    if skipped:
        out.append((_("Skipped"), format_ranges(ranges(skipped))))
    return out


class ExportView(DatasetIO):
    """The list as the user sees it (same filters, same permissions) as CSV or XLSX."""

    def get(self, request, fmt):
        if fmt not in FORMATS:
            raise Http404
        return self.download(request, fmt, self.filters_class.from_params(request.GET))

    def download(self, request, fmt, filters) -> HttpResponse:
        name = f"{self.dataset}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
        response = self.file_response(request.user, fmt, filters)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def file_response(self, user, fmt, filters) -> HttpResponse:
        out = io.BytesIO()
        if fmt == "csv":
            self.exporter.write_csv(out, user, filters)
            return HttpResponse(out.getvalue(), content_type=CSV_TYPE)
        self.exporter.write_xlsx(out, user, filters)
        return HttpResponse(out.getvalue(), content_type=XLSX_TYPE)


class LargeExportView(ExportView):
    """An export whose CSV streams, and whose lists of more than ``exporter.STREAM_LIMIT`` rows become a
    background job of ``export_job_kind`` once the user confirms on ``export_large_template`` (which posts the
    list filters, ``exporter.FILTERS``, back here)."""

    export_job_kind = ""
    export_job_label = ""  # "… export (%(format)s)"
    export_large_template = ""

    def get(self, request, fmt):
        if fmt not in FORMATS:
            raise Http404
        filters = self.filters_class.from_params(request.GET)
        count = self.exporter.queryset(request.user, filters).count()
        if count > self.exporter.STREAM_LIMIT:
            return render(
                request,
                self.export_large_template,
                {"count": count, "fmt": fmt, "query": request.GET.urlencode(), "filters": filters},
            )
        return self.download(request, fmt, filters)

    def file_response(self, user, fmt, filters) -> HttpResponse:
        if fmt == "csv":
            return StreamingHttpResponse(self.exporter.csv_chunks(user, filters), content_type=CSV_TYPE)
        return super().file_response(user, fmt, filters)

    def post(self, request, fmt):
        """Start the background export of a large list (the confirmation page posts here)."""
        if fmt not in FORMATS:
            raise Http404
        params = {key: request.POST.get(key, "") for key in self.exporter.FILTERS if request.POST.get(key)}
        job = start_job(
            kind=self.export_job_kind,
            label=self.export_job_label % {"format": fmt.upper()},
            actor=request.user,
            params={"fmt": fmt, "filters": params, "language": request.LANGUAGE_CODE},
        )
        messages.info(request, _("The export runs in the background; this page shows its progress."))
        return HttpResponseRedirect(reverse("core:job", args=[job.pk]))
