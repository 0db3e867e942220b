"""Generic views every app builds its pages from, and the core pages (home, change log, jobs).

Every object view narrows its queryset with ``restrict(user, action)`` before it looks anything up:
an object the user may not see is a 404, one they may see but not change is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from .models import Job, ObjectChange
from .pagination import paginate
from .permissions import can, can_add
from .services import delete_object


def next_url(request, default: str) -> str:
    """The ``next`` a form or link carried (POST first, then GET) when it is a path on this site, else ``default``:
    never another host, never a scheme-relative ``//…``, so a crafted link cannot redirect off the site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    on_site = target.startswith("/") and not target.startswith("//")
    if on_site and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def sort_queryset(request, queryset: QuerySet, allowed: dict[str, str], default: str) -> tuple[QuerySet, str]:
    """Order by ``?sort=key`` or ``?sort=-key`` where ``key`` is one of ``allowed`` (label → field)."""
    raw = request.GET.get("sort", default)
    key = raw.lstrip("-")
    if key not in allowed:
        raw, key = default, default.lstrip("-")
    field = allowed[key]
    prefix = "-" if raw.startswith("-") else ""
    return queryset.order_by(f"{prefix}{field}", "pk"), raw


class ObjectMixin(LoginRequiredMixin):
    model: type[Model]
    action = "view"
    template_name: str

    def get_queryset(self) -> QuerySet:
        return self.model.objects.restrict(self.request.user, "view")

    def get_object(self) -> Model:
        obj = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        if self.action != "view" and not can(self.request.user, self.action, obj):
            raise PermissionDenied(_("You do not have permission to do this."))
        return obj


class ObjectDetailView(ObjectMixin, View):
    def get_context(self, obj) -> dict:
        return {}

    def get(self, request, pk):
        obj = self.get_object()
        context = {
            "object": obj,
            "can_change": can(request.user, "change", obj),
            "can_delete": can(request.user, "delete", obj),
            **self.get_context(obj),
        }
        return render(request, self.template_name, context)


class ObjectEditView(ObjectMixin, View):
    """Create (no ``pk``) or edit an object through a form whose ``save(actor=…)`` calls a service."""

    form_class = None
    template_name = "core/object_edit.html"
    action = "change"
    list_url_name: str | None = None  # the list page, for the breadcrumb and Cancel on "new"

    def get_form_kwargs(self) -> dict:
        return {}

    def _object(self):
        if "pk" in self.kwargs:
            return self.get_object()
        if not can_add(self.request.user, self.model):
            raise PermissionDenied(_("You do not have permission to do this."))
        return None

    def _render(self, form, obj):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "object": obj,
                "model_name": self.model._meta.verbose_name,
                "model_name_plural": self.model._meta.verbose_name_plural,
                "list_url": reverse(self.list_url_name) if self.list_url_name else None,
            },
        )

    def get(self, request, **kwargs):
        obj = self._object()
        return self._render(self.form_class(instance=obj, user=request.user, **self.get_form_kwargs()), obj)

    def post(self, request, **kwargs):
        obj = self._object()
        form = self.form_class(request.POST, request.FILES, instance=obj, user=request.user, **self.get_form_kwargs())
        if form.is_valid():
            try:
                saved = form.save(actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(saved.get_absolute_url())
        return self._render(form, obj)


class ObjectDeleteView(ObjectMixin, View):
    action = "delete"
    template_name = "core/object_delete.html"
    success_url_name: str

    def get(self, request, pk):
        return render(request, self.template_name, {"object": self.get_object()})

    def post(self, request, pk):
        obj = self.get_object()
        delete_object(obj, actor=request.user)
        messages.success(request, _("Deleted: %(object)s") % {"object": obj})
        return HttpResponseRedirect(reverse(self.success_url_name))


class ObjectHistoryView(ObjectMixin, View):
    """The change log of one object, for those who may change it (the log shows private values)."""

    action = "change"
    template_name = "core/object_history.html"

    def get(self, request, pk):
        obj = self.get_object()
        changes = ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model), object_id=str(obj.pk)
        ).select_related("actor")
        return render(request, self.template_name, {"object": obj, "page": paginate(request, changes)})


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "core/home.html"


class ChangeLogView(LoginRequiredMixin, View):
    """The whole change log, for programme officers, filtered by type, action, actor, date and text."""

    def get(self, request):
        changes = ObjectChange.objects.restrict(request.user, "view")
        if not request.user.is_programme_officer:
            raise PermissionDenied(_("Only programme officers browse the whole change log."))
        filters = {
            "content_type": request.GET.get("type", ""),
            "action": request.GET.get("action", ""),
            "actor": request.GET.get("actor", "").strip(),
            "q": request.GET.get("q", "").strip(),
            "since": request.GET.get("since", ""),
            "until": request.GET.get("until", ""),
        }
        if filters["content_type"].isdigit():
            changes = changes.filter(content_type_id=int(filters["content_type"]))
        if filters["action"]:
            changes = changes.filter(action=filters["action"])
        if filters["actor"]:
            changes = changes.filter(actor_name__icontains=filters["actor"])
        if filters["q"]:
            changes = changes.filter(object_repr__icontains=filters["q"])
        try:
            if filters["since"]:
                changes = changes.filter(time__date__gte=filters["since"])
            if filters["until"]:
                changes = changes.filter(time__date__lte=filters["until"])
        except ValidationError:
            messages.error(request, _("Dates must be written as YYYY-MM-DD."))
        # The types that have changes: a probe of the (content_type, object_id, time) index per type, where
        # DISTINCT over the log would read all of it.
        logged = ContentType.objects.filter(Exists(ObjectChange.objects.filter(content_type=OuterRef("pk"))))
        types = [(t.pk, capfirst(t.name)) for t in logged.order_by("model")]
        return render(
            request,
            "core/changelog.html",
            {
                "page": paginate(request, changes.select_related("content_type", "actor")),
                "filters": filters,
                "types": types,
                "actions": ObjectChange._meta.get_field("action").choices,
            },
        )


class ChangeDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        change = get_object_or_404(ObjectChange.objects.restrict(request.user, "view"), pk=pk)
        return render(request, "core/change_detail.html", {"change": change})


class JobListView(LoginRequiredMixin, View):
    def get(self, request):
        jobs = Job.objects.restrict(request.user, "view").select_related("owner")
        template = "core/_job_rows.html" if request.htmx else "core/jobs.html"
        return render(request, template, {"page": paginate(request, jobs)})


class JobDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        job = get_object_or_404(Job.objects.restrict(request.user, "view"), pk=pk)
        template = "core/_job_status.html" if request.htmx else "core/job_detail.html"
        return render(request, template, {"job": job})


class JobDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk):
        job = get_object_or_404(Job.objects.restrict(request.user, "view"), pk=pk)
        if not job.result_file:
            raise Http404(_("This job has no file to download."))
        name = job.result_file.name.rsplit("/", 1)[-1]
        return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=name)


class ChangeLogExportView(LoginRequiredMixin, View):
    """Start a background export of the change log (CSV) and show its progress."""

    def post(self, request):
        if not request.user.is_programme_officer:
            raise PermissionDenied(_("Only programme officers browse the whole change log."))
        from .jobs import start_job

        job = start_job(kind="core.export_changes", label=_("Change log export"), actor=request.user)
        messages.info(request, _("The export runs in the background; this page shows its progress."))
        return HttpResponseRedirect(reverse("core:job", args=[job.pk]))
