"""The registry pages: list, detail, create and edit, verification, a company's rows, evidence, the
expiring-certificates worklist and the taxonomies. Every read goes through ``restrict``; every write
through a service."""

from __future__ import annotations

import datetime
from dataclasses import asdict, replace
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views import View

from jalin.core.models import ObjectChange
from jalin.core.pagination import paginate, paginate_capped
from jalin.core.permissions import can, can_add
from jalin.core.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectMixin, sort_queryset
from jalin.regions.models import Region, RegionLevel

from . import services
from .forms import CHILD_FORMS, CompanyForm, taxonomy_form
from .identifiers import format_npwp
from .models import (
    Certification,
    CertificationType,
    Company,
    CompanyKind,
    Material,
    Process,
    SizeClass,
)
from .queries import DEFAULT_SORT, CompanyFilters, company_list
from .search import CompanySearch

#: A certificate whose validity ends within this many days is shown as "expiring soon".
EXPIRING_DAYS = 90

#: The rules classification.py writes, marked for translation so the pages show them in the user's
#: language (tests/test_registry_pages.py checks that every rule it can produce is listed here).
RULES = (
    gettext_noop("Permenperin 64/2016: needs workforce and investment value"),
    gettext_noop("Permenperin 64/2016 art. 2: ≤ 19 workers and investment < Rp 1 bn"),
    gettext_noop("Permenperin 64/2016 art. 3(a): ≤ 19 workers and investment ≥ Rp 1 bn"),
    gettext_noop("Permenperin 64/2016 art. 3(b): ≥ 20 workers and investment ≤ Rp 15 bn"),
    gettext_noop("Permenperin 64/2016 art. 4: ≥ 20 workers and investment > Rp 15 bn"),
    gettext_noop("PP 7/2021 art. 35(3)(a): capital ≤ Rp 1 bn"),
    gettext_noop("PP 7/2021 art. 35(3)(b): capital > Rp 1 bn up to Rp 5 bn"),
    gettext_noop("PP 7/2021 art. 35(3)(c): capital > Rp 5 bn up to Rp 10 bn"),
    gettext_noop("PP 7/2021: capital > Rp 10 bn (large enterprise)"),
    gettext_noop("PP 7/2021 art. 35(5)(a): annual sales ≤ Rp 2 bn"),
    gettext_noop("PP 7/2021 art. 35(5)(b): annual sales > Rp 2 bn up to Rp 15 bn"),
    gettext_noop("PP 7/2021 art. 35(5)(c): annual sales > Rp 15 bn up to Rp 50 bn"),
    gettext_noop("PP 7/2021: annual sales > Rp 50 bn (large enterprise)"),
    gettext_noop("PP 7/2021: needs business capital or annual sales"),
)


def rule_display(rule: str) -> str:
    return _(rule) if rule in RULES else rule


def mark_status(certifications, today: datetime.date | None = None) -> list[Certification]:
    """Give each certification ``status`` (valid, expiring, expired, open) and ``days_left``."""
    today = today or timezone.localdate()
    rows = list(certifications)
    for cert in rows:
        if cert.valid_until is None:
            cert.status, cert.days_left = "open", None
            continue
        cert.days_left = (cert.valid_until - today).days
        if cert.days_left < 0:
            cert.status = "expired"
        elif cert.days_left <= EXPIRING_DAYS:
            cert.status = "expiring"
        else:
            cert.status = "valid"
    return rows


# ------------------------------------------------------------------------------------ the list


def region_params(params) -> str:
    """The region the list filters on, from the page's province and regency selects or a plain ``region``.

    The form sends ``province`` and ``region`` (a regency of it, or empty for the whole province); a
    regency left over from another province gives way to the province. Links elsewhere send only ``region``.
    """
    region = (params.get("region") or "").strip()[:10]
    if "province" not in params:
        return region
    province = (params.get("province") or "").strip()[:10]
    if not province:
        return ""
    return region if region.startswith(province + ".") else province


def regencies_of(province_code: str):
    if not province_code:
        return Region.objects.none()
    return Region.objects.filter(parent__code=province_code).exclude(level=RegionLevel.PROVINCE).order_by("code")


def filter_query(filters: CompanyFilters) -> str:
    """The filters as a query string: what the export links carry, so a user downloads what they see."""
    params = {key: value for key, value in asdict(filters).items() if value}
    if params.get("sort") == DEFAULT_SORT:
        del params["sort"]
    return urlencode(params)


class CompanyListView(LoginRequiredMixin, View):
    def get(self, request):
        region = region_params(request.GET)
        province = region.split(".")[0] if region else ""
        if request.htmx and request.htmx.target == "regency-field":
            return render(
                request,
                "companies/_regency_field.html",
                {"regencies": regencies_of(province), "province": province, "regency": ""},
            )
        filters = replace(CompanyFilters.from_params(request.GET), region=region)
        text = CompanySearch(filters.q)
        page = paginate_capped(
            request, company_list(request.user, filters, text=text).defer("search_text", "products"), by_ids=True
        )
        page.object_list = list(page.object_list)
        prefetch_related_objects(page.object_list, "processes")  # the page's rows only
        is_officer = request.user.is_officer
        return render(
            request,
            "companies/company_list.html",
            {
                "page": page,
                "filters": filters,
                "expansions": text.expansions() if filters.q else [],
                "sort": filters.sort,
                "kinds": CompanyKind.choices,
                "sizes": [(v, label) for v, label in SizeClass.choices if v != SizeClass.MICRO],
                "processes": Process.objects.filter(is_active=True),
                "materials": Material.objects.filter(is_active=True),
                "certification_types": CertificationType.objects.filter(is_active=True),
                "provinces": Region.objects.filter(level=RegionLevel.PROVINCE).order_by("name"),
                "province": province,
                "regency": region if "." in region else "",
                "regencies": regencies_of(province),
                "export_query": filter_query(filters),
                "can_add": can_add(request.user, Company),
                "is_officer": is_officer,
                "advanced_open": any(
                    (filters.material, filters.certification, filters.size, filters.verified, filters.kind)
                ),
            },
        )


# ------------------------------------------------------------------------------------ one company


class CompanyDetailView(ObjectDetailView):
    model = Company
    template_name = "companies/company_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("region__parent", "verified_by", "organisation")

    def get_context(self, obj):
        user = self.request.user
        show_private = can(user, "view_private", obj)
        certifications = mark_status(obj.certifications.select_related("certification_type"))
        context = {
            "show_private": show_private,
            "can_verify": can(user, "verify", obj),
            "npwp": format_npwp(obj.npwp),
            "industry_rule": rule_display(obj.industry_class_rule),
            "enterprise_rule": rule_display(obj.enterprise_class_rule),
            "kbli": list(obj.kbli.all()),
            "processes": list(obj.processes.all()),
            "materials": list(obj.materials.all()),
            "hs_codes": [code.strip() for code in obj.hs_codes.split(",") if code.strip()],
            "certifications": certifications,
            "machines": list(obj.machines.all()),
            "products": list(obj.product_items.all()),
            "plants": list(obj.plants.select_related("region")),
            "expiring_days": EXPIRING_DAYS,
        }
        if can(user, "change", obj):
            context["completeness_score"], context["completeness_missing"] = services.completeness(obj)
        return context


class CompanyEditView(ObjectEditView):
    model = Company
    form_class = CompanyForm
    template_name = "companies/company_form.html"
    list_url_name = "companies:list"


class CompanyDeleteView(ObjectDeleteView):
    model = Company
    success_url_name = "companies:list"

    def post(self, request, pk):
        company = self.get_object()
        services.delete_company(company, actor=request.user)
        messages.success(request, _("Deleted: %(object)s") % {"object": company})
        return HttpResponseRedirect(reverse(self.success_url_name))


class CompanyHistoryView(ObjectMixin, View):
    """The change log of a company and of its current certifications, machines, products and plants."""

    model = Company
    action = "change"

    def get(self, request, pk):
        company = self.get_object()
        types = ContentType.objects.get_for_models(Company, *services.CHILD_MODELS.values())
        q = Q(content_type=types[Company], object_id=str(company.pk))
        for relation, model in (
            ("certifications", Certification),
            ("machines", services.CHILD_MODELS["machine"]),
            ("product_items", services.CHILD_MODELS["product"]),
            ("plants", services.CHILD_MODELS["plant"]),
        ):
            ids = [str(pk) for pk in getattr(company, relation).values_list("pk", flat=True)]
            if ids:
                q |= Q(content_type=types[model], object_id__in=ids)
        page = paginate(request, ObjectChange.objects.filter(q).select_related("actor", "content_type"))
        labels = {ct.pk: model._meta.verbose_name for model, ct in types.items()}
        page.object_list = list(page.object_list)
        for change in page.object_list:
            change.record_label = labels.get(change.content_type_id, "")
        return render(
            request,
            "companies/company_history.html",
            {"object": company, "page": page, "company_type": types[Company]},
        )


class CompanyVerifyView(ObjectMixin, View):
    """POST ``verified=1`` to verify, ``verified=0`` to return the profile to self-declared."""

    model = Company
    action = "verify"
    http_method_names = ["post"]

    def post(self, request, pk):
        company = self.get_object()
        verified = request.POST.get("verified", "1") != "0"
        services.verify_company(company, actor=request.user, verified=verified)
        if verified:
            messages.success(request, _("%(company)s is now verified.") % {"company": company})
        else:
            messages.info(request, _("%(company)s is self-declared again.") % {"company": company})
        return HttpResponseRedirect(company.get_absolute_url())


# ------------------------------------------------------------------------------------ a company's rows


CHILD_ANCHORS = {"certification": "certifications", "machine": "machines", "product": "products", "plant": "plants"}


class ChildMixin(LoginRequiredMixin):
    """Resolve ``/companies/<pk>/<kind>/[<child>/]``: 404 for an unknown kind, a company the user may not
    see or a row of another company; 403 for a company the user may see but not change."""

    def resolve(self, pk: int, kind: str, child: int | None):
        if kind not in CHILD_FORMS:
            raise Http404(_("Unknown kind of record."))
        company = get_object_or_404(Company.objects.restrict(self.request.user, "view"), pk=pk)
        if not can(self.request.user, "change", company):
            raise PermissionDenied(_("You do not have permission to do this."))
        model = services.CHILD_MODELS[kind]
        instance = get_object_or_404(model, pk=child, company=company) if child is not None else None
        return company, model, instance

    def back(self, company, kind) -> str:
        return f"{company.get_absolute_url()}#{CHILD_ANCHORS[kind]}"


class ChildEditView(ChildMixin, View):
    template_name = "companies/child_form.html"

    def _render(self, form, company, model, instance, kind):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "company": company,
                "object": instance,
                "kind": kind,
                "model_name": model._meta.verbose_name,
                "back_url": self.back(company, kind),
            },
        )

    def get(self, request, pk, kind, child=None):
        company, model, instance = self.resolve(pk, kind, child)
        form = CHILD_FORMS[kind](instance=instance, company=company, user=request.user)
        return self._render(form, company, model, instance, kind)

    def post(self, request, pk, kind, child=None):
        company, model, instance = self.resolve(pk, kind, child)
        form = CHILD_FORMS[kind](request.POST, request.FILES, instance=instance, company=company, user=request.user)
        if form.is_valid():
            try:
                saved = form.save(actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(self.back(company, kind))
        return self._render(form, company, model, instance, kind)


class ChildDeleteView(ChildMixin, View):
    template_name = "companies/child_delete.html"

    def get(self, request, pk, kind, child):
        company, model, instance = self.resolve(pk, kind, child)
        return render(
            request,
            self.template_name,
            {
                "company": company,
                "object": instance,
                "model_name": model._meta.verbose_name,
                "back_url": self.back(company, kind),
            },
        )

    def post(self, request, pk, kind, child):
        company, _model, instance = self.resolve(pk, kind, child)
        services.delete_child(instance, actor=request.user)
        messages.success(request, _("Deleted: %(object)s") % {"object": instance})
        return HttpResponseRedirect(self.back(company, kind))


class EvidenceView(LoginRequiredMixin, View):
    """A certificate's evidence file. Evidence is private: only those who may see the company's private
    fields get it; everyone else gets a 404, as if it did not exist."""

    def get(self, request, child):
        cert = get_object_or_404(Certification.objects.restrict(request.user, "view_private"), pk=child)
        if not cert.evidence:
            raise Http404(_("This certification has no evidence file."))
        try:
            handle = cert.evidence.open("rb")
        except FileNotFoundError:
            raise Http404(_("The evidence file is missing from storage.")) from None
        return FileResponse(handle, as_attachment=True, filename=cert.evidence.name.rsplit("/", 1)[-1])


class ExpiringCertificationsView(LoginRequiredMixin, View):
    """Certificates that expire within ``?days=`` (default 90) or have expired: a worklist of the
    certificates the user looks after — an officer's scope, a company's own."""

    SORTS = {"valid_until": "valid_until", "company": "company__legal_name", "type": "certification_type__code"}

    def get(self, request):
        try:
            days = max(1, min(3650, int(request.GET.get("days", EXPIRING_DAYS))))
        except ValueError:
            days = EXPIRING_DAYS
        status = request.GET.get("status", "")
        today = timezone.localdate()
        qs = (
            Certification.objects.restrict(request.user, "view_private")
            .filter(valid_until__lte=today + datetime.timedelta(days=days))
            .select_related("company__region__parent", "certification_type")
        )
        if status == "expired":
            qs = qs.filter(valid_until__lt=today)
        elif status == "expiring":
            qs = qs.filter(valid_until__gte=today)
        else:
            status = ""
        qs, sort = sort_queryset(request, qs, self.SORTS, "valid_until")
        page = paginate(request, qs)
        page.object_list = mark_status(page.object_list, today)
        return render(
            request,
            "companies/expiring.html",
            {
                "page": page,
                "days": days,
                "status": status,
                "sort": sort,
                "today": today,
                "can_import": can_add(request.user, Company),
            },
        )


# ------------------------------------------------------------------------------------ taxonomies


TAXONOMIES = {"process": Process, "material": Material, "certification-type": CertificationType}


def taxonomy_model(kind: str):
    try:
        return TAXONOMIES[kind]
    except KeyError:
        raise Http404(_("Unknown list.")) from None


def taxonomy_tabs(current: str) -> list[dict]:
    return [
        {
            "kind": kind,
            "label": model._meta.verbose_name_plural,
            "url": reverse("companies:taxonomy", args=[kind]),
            "active": kind == current,
        }
        for kind, model in TAXONOMIES.items()
    ]


class TaxonomyListView(LoginRequiredMixin, View):
    def get(self, request, kind):
        model = taxonomy_model(kind)
        qs = model.objects.restrict(request.user, "view")
        q = request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(
                Q(code__icontains=q) | Q(name_id__icontains=q) | Q(name_en__icontains=q) | Q(synonyms__icontains=q)
            )
        qs, sort = sort_queryset(request, qs, {"code": "code", "name_id": "name_id", "name_en": "name_en"}, "name_id")
        return render(
            request,
            "companies/taxonomy_list.html",
            {
                "page": paginate(request, qs, per_page=100),
                "kind": kind,
                "tabs": taxonomy_tabs(kind),
                "model_name": model._meta.verbose_name,
                "model_name_plural": model._meta.verbose_name_plural,
                "q": q,
                "sort": sort,
                "can_add": can_add(request.user, model),
            },
        )


class TaxonomyEditView(LoginRequiredMixin, View):
    """Add or edit a process, material or certification type (programme officers); changes are logged."""

    def resolve(self, kind, item):
        model = taxonomy_model(kind)
        if item is None:
            if not can_add(self.request.user, model):
                raise PermissionDenied(_("Only programme officers maintain these lists."))
            return model, None
        instance = get_object_or_404(model.objects.restrict(self.request.user, "view"), pk=item)
        if not can(self.request.user, "change", instance):
            raise PermissionDenied(_("Only programme officers maintain these lists."))
        return model, instance

    def _render(self, form, model, instance, kind):
        return render(
            self.request,
            "companies/taxonomy_form.html",
            {
                "form": form,
                "object": instance,
                "kind": kind,
                "model_name": model._meta.verbose_name,
                "model_name_plural": model._meta.verbose_name_plural,
                "list_url": reverse("companies:taxonomy", args=[kind]),
            },
        )

    def get(self, request, kind, item=None):
        model, instance = self.resolve(kind, item)
        return self._render(taxonomy_form(model)(instance=instance, user=request.user), model, instance, kind)

    def post(self, request, kind, item=None):
        model, instance = self.resolve(kind, item)
        form = taxonomy_form(model)(request.POST, instance=instance, user=request.user)
        if form.is_valid():
            try:
                saved = form.save(actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(reverse("companies:taxonomy", args=[kind]))
        return self._render(form, model, instance, kind)
