"""The needs pages: list, detail, create and edit, status actions, attachments, delete and history.
Every read goes through ``restrict``; every write through a service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Q, prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View

from jalin.companies.models import Company, CompanyKind, Material, Process
from jalin.core.models import ChangeAction, ObjectChange
from jalin.core.pagination import paginate
from jalin.core.permissions import can, can_add
from jalin.core.roles import Role
from jalin.core.views import ObjectDetailView, ObjectEditView, ObjectHistoryView, ObjectMixin

from . import services
from .forms import AttachmentForm, NeedForm, is_programme_officer
from .models import Need, NeedAttachment, NeedStatus, Visibility
from .queries import NeedFilters, need_list

#: How many changes the detail page shows before "full history".
RECENT_CHANGES = 5


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def candidates_url(need: Need) -> str | None:
    """The matching app's candidates page of ``need``, once that app provides it."""
    try:
        return reverse("matching:need_candidates", args=[need.pk])
    except NoReverseMatch:
        return None


def change_summary(change: ObjectChange) -> str:
    """One line for the detail page: created, a status change with its labels, or the fields changed."""
    if change.action == ChangeAction.CREATE:
        return _("created the need")
    if change.action == ChangeAction.DELETE:
        return _("deleted the need")
    before, after = change.before or {}, change.after or {}
    if before.get("status") != after.get("status") and after.get("status") in NeedStatus.values:
        old = NeedStatus(before["status"]).label if before.get("status") in NeedStatus.values else "—"
        return _("status: %(before)s → %(after)s") % {"before": old, "after": NeedStatus(after["status"]).label}
    names = []
    for name, _before, _after in change.changed_fields:
        try:
            names.append(str(Need._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            names.append(name)
    return _("changed %(fields)s") % {"fields": ", ".join(names)}


def with_filenames(attachments) -> list[NeedAttachment]:
    rows = list(attachments)
    for item in rows:
        item.filename = item.file.name.rsplit("/", 1)[-1]
    return rows


# ------------------------------------------------------------------------------------ the list


class NeedListView(LoginRequiredMixin, View):
    def get(self, request):
        user = request.user
        filters = NeedFilters.from_params(request.GET)
        page = paginate(request, need_list(user, filters).defer("description"))
        page.object_list = list(page.object_list)
        prefetch_related_objects(page.object_list, "processes")  # the page's rows only
        is_buyer = user.role == Role.BUYER and not user.is_superuser
        manages = is_buyer or user.is_officer or user.is_superuser
        buyers = (
            Company.objects.filter(kind=CompanyKind.INDUSTRY, needs__in=Need.objects.restrict(user, "view"))
            .distinct()
            .order_by("legal_name")
            .only("pk", "legal_name")
        )
        return render(
            request,
            "sourcing/need_list.html",
            {
                "page": page,
                "filters": filters,
                "sort": filters.sort,
                # What an IKM can ever see is open or awarded; the other statuses would only lead to empty lists.
                "statuses": NeedStatus.choices
                if manages
                else [(v, label) for v, label in NeedStatus.choices if v in (NeedStatus.OPEN, NeedStatus.AWARDED)],
                "visibilities": Visibility.choices,
                "buyers": [] if is_buyer else buyers,
                "processes": Process.objects.filter(is_active=True),
                "materials": Material.objects.filter(is_active=True),
                "export_query": filters.query_string(),
                "can_add": can_add(user, Need),
                "show_buyer": not is_buyer,
                "manages": manages,
                "advanced_open": any((filters.material, filters.imported, filters.visibility)),
            },
        )


# ------------------------------------------------------------------------------------ one need


class NeedDetailView(ObjectDetailView):
    model = Need
    template_name = "sourcing/need_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("buyer__region", "delivery_plant__region")

    def get_context(self, obj):
        user = self.request.user
        show_private = can(user, "view_private", obj)
        can_change = can(user, "change", obj)
        transitions = []
        if can_change:
            transitions = [
                (status, services.ACTION_LABELS[(obj.status, status)])
                for status in services.allowed_transitions(obj.status)
            ]
        changes = []
        if show_private:
            changes = list(
                ObjectChange.objects.filter(
                    content_type=ContentType.objects.get_for_model(Need), object_id=str(obj.pk)
                ).select_related("actor")[:RECENT_CHANGES]
            )
            for change in changes:
                change.summary = change_summary(change)
        return {
            "show_private": show_private,
            "transitions": transitions,
            "candidates_url": candidates_url(obj) if (show_private or can_change) else None,
            "attachments": with_filenames(obj.attachments.all()),
            "processes": list(obj.processes.all()),
            "materials": list(obj.materials.all()),
            "required": list(obj.required_certifications.all()),
            "preferred": list(obj.preferred_certifications.all()),
            "changes": changes,
            "attachment_form": AttachmentForm() if can_change else None,
            "is_draft": obj.status == NeedStatus.DRAFT,
        }


class NeedEditView(ObjectEditView):
    model = Need
    form_class = NeedForm
    template_name = "sourcing/need_form.html"
    list_url_name = "sourcing:list"

    def get_form_kwargs(self) -> dict:
        buyer = None
        raw = self.request.GET.get("buyer", "")
        if "pk" not in self.kwargs and raw.isdigit() and is_programme_officer(self.request.user):
            buyer = Company.objects.filter(pk=int(raw), kind=CompanyKind.INDUSTRY).first()
        return {"buyer": buyer} if buyer is not None else {}

    def get(self, request, **kwargs):
        obj = self._object()
        form = self.form_class(instance=obj, user=request.user, **self.get_form_kwargs())
        if obj is None and not is_programme_officer(request.user) and form.buyer is None:
            messages.error(
                request,
                _("Your organisation has no buyer profile in the registry yet: ask a programme officer to add it."),
            )
        if obj is None and "buyer" in form.fields and form.buyer is not None:
            form.initial["buyer"] = form.buyer.pk
        return self._render(form, obj)

    def post(self, request, **kwargs):
        obj = self._object()
        form = self.form_class(request.POST, request.FILES, instance=obj, user=request.user)
        if form.is_valid():
            try:
                saved = form.save(actor=request.user)
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(saved.get_absolute_url())
        return self._render(form, obj)


class PlantFieldView(LoginRequiredMixin, View):
    """The delivery-plant select for the buyer an officer has just chosen (htmx swaps it into the form)."""

    def get(self, request):
        if not is_programme_officer(request.user):
            raise PermissionDenied(_("You do not have permission to do this."))
        raw = request.GET.get("buyer", "")
        buyer = None
        if raw.isdigit():
            buyer = (
                Company.objects.restrict(request.user, "view").filter(pk=int(raw), kind=CompanyKind.INDUSTRY).first()
            )
        form = NeedForm(user=request.user, buyer=buyer)
        return render(request, "sourcing/_plant_field.html", {"form": form, "field": form["delivery_plant"]})


class NeedStatusView(ObjectMixin, View):
    """POST ``status=<target>``: one step of the workflow, through :func:`services.set_status`."""

    model = Need
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        need = self.get_object()
        target = request.POST.get("status", "")
        try:
            services.set_status(need, actor=request.user, status=target)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            labels = {
                NeedStatus.OPEN: _("%(need)s is open: IKM who may see it can find it now."),
                NeedStatus.CLOSED: _("%(need)s is closed."),
                NeedStatus.AWARDED: _("%(need)s is marked as awarded."),
            }
            messages.success(request, labels.get(target, _("Saved: %(object)s")) % {"need": need, "object": need})
        return HttpResponseRedirect(need.get_absolute_url())


class NeedDeleteView(ObjectMixin, View):
    """Delete a draft. A published need is closed instead; the page says so and offers the button."""

    model = Need
    action = "delete"

    def get(self, request, pk):
        need = self.get_object()
        return render(request, "sourcing/need_delete.html", {"object": need, "is_draft": need.status == "draft"})

    def post(self, request, pk):
        need = self.get_object()
        try:
            services.delete_need(need, actor=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return HttpResponseRedirect(need.get_absolute_url())
        messages.success(request, _("Deleted: %(object)s") % {"object": need})
        return HttpResponseRedirect(reverse("sourcing:list"))


class NeedHistoryView(ObjectHistoryView):
    """The change log of a need and of its attachments. It shows the target price, so it is for those who may
    see private fields (the buyer and officers)."""

    model = Need
    action = "view_private"
    template_name = "sourcing/need_history.html"

    def get(self, request, pk):
        need = self.get_object()
        types = ContentType.objects.get_for_models(Need, NeedAttachment)
        q = Q(content_type=types[Need], object_id=str(need.pk))
        # Attachments, including deleted ones: their log rows name the need in "after"/"before".
        q |= Q(content_type=types[NeedAttachment], after__need=need.pk) | Q(
            content_type=types[NeedAttachment], before__need=need.pk
        )
        page = paginate(request, ObjectChange.objects.filter(q).select_related("actor"))
        page.object_list = list(page.object_list)
        for change in page.object_list:
            change.record_label = (
                NeedAttachment._meta.verbose_name if change.content_type_id == types[NeedAttachment].pk else ""
            )
        return render(request, self.template_name, {"object": need, "page": page})


# ------------------------------------------------------------------------------------ attachments


class AttachmentMixin(LoginRequiredMixin):
    def need(self, pk, action: str) -> Need:
        need = get_object_or_404(Need.objects.restrict(self.request.user, "view"), pk=pk)
        if action != "view" and not can(self.request.user, action, need):
            raise PermissionDenied(_("You do not have permission to do this."))
        return need


class AttachmentAddView(AttachmentMixin, View):
    def _render(self, request, need, form, status=200):
        return render(request, "sourcing/attachment_form.html", {"object": need, "form": form}, status=status)

    def get(self, request, pk):
        need = self.need(pk, "change")
        return self._render(request, need, AttachmentForm())

    def post(self, request, pk):
        need = self.need(pk, "change")
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                attachment = services.add_attachment(
                    need, actor=request.user, file=form.cleaned_data["file"], title=form.cleaned_data["title"]
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                messages.success(request, _("Attached: %(file)s") % {"file": attachment})
                return HttpResponseRedirect(f"{need.get_absolute_url()}#attachments")
        return self._render(request, need, form, status=400)


class AttachmentView(AttachmentMixin, View):
    """A drawing or specification: only for those who may see the need; everyone else gets a 404."""

    def get(self, request, pk, attachment):
        need = self.need(pk, "view")
        item = get_object_or_404(NeedAttachment, pk=attachment, need=need)
        try:
            handle = item.file.open("rb")
        except FileNotFoundError:
            raise Http404(_("The file is missing from storage.")) from None
        name = item.file.name.rsplit("/", 1)[-1]
        inline = name.lower().endswith((".pdf", ".png", ".jpg", ".jpeg"))
        response = FileResponse(handle, as_attachment=not inline, filename=name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        return response


class AttachmentDeleteView(AttachmentMixin, View):
    def get(self, request, pk, attachment):
        need = self.need(pk, "change")
        item = get_object_or_404(NeedAttachment, pk=attachment, need=need)
        return render(request, "sourcing/attachment_delete.html", {"object": need, "attachment": item})

    def post(self, request, pk, attachment):
        need = self.need(pk, "change")
        item = get_object_or_404(NeedAttachment, pk=attachment, need=need)
        services.delete_attachment(item, actor=request.user)
        messages.success(request, _("Deleted: %(object)s") % {"object": item})
        return HttpResponseRedirect(f"{need.get_absolute_url()}#attachments")
