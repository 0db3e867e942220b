"""The registry API: companies (list with the page's filters, detail, create, update, delete for programme
officers) and the read-only taxonomies. Writes go through the services, so they are checked and logged."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from jalin.core.api import RestrictedModelViewSet, RestrictedReadOnlyViewSet
from jalin.core.pagination import CappedPageNumberPagination
from jalin.core.permissions import annotate_can, can
from jalin.regions.models import Region, RegionLevel

from . import services
from .forms import clean_hs_list
from .identifiers import clean_nib, clean_npwp
from .models import (
    Certification,
    CertificationType,
    Company,
    CompanyKind,
    Kbli,
    Material,
    Process,
    SizeClass,
)
from .queries import SORTS, CompanyFilters, company_list


def _raise_as_drf(exc: DjangoValidationError):
    raise serializers.ValidationError(get_error_detail(exc)) from exc


class TaxonomySerializer(serializers.Serializer):
    code = serializers.SlugField(read_only=True)
    name_id = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)
    synonyms = serializers.CharField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)


@extend_schema_field({"type": "string", "enum": [SizeClass.SMALL, SizeClass.MEDIUM, SizeClass.LARGE, ""]})
class IndustryClassField(serializers.CharField):
    """Permenperin 64/2016 knows small, medium and large industry (no micro); empty when not computable."""


@extend_schema_field({"type": "string", "enum": [*SizeClass.values, ""]})
class EnterpriseClassField(serializers.CharField):
    """PP 7/2021 knows micro, small, medium and large enterprises; empty when not computable."""


class CertificationSerializer(serializers.ModelSerializer):
    certification_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    is_valid = serializers.BooleanField(read_only=True, help_text=_("Valid today (no end date, or not yet expired)."))
    has_evidence = serializers.SerializerMethodField(help_text=_("Whether an evidence file is on record."))

    class Meta:
        model = Certification
        fields = [
            "id",
            "certification_type",
            "number",
            "issuer",
            "valid_from",
            "valid_until",
            "is_valid",
            "has_evidence",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_has_evidence(self, obj) -> bool:
        return bool(obj.evidence)


class CompanySerializer(serializers.ModelSerializer):
    """A company profile. ``npwp``, ``phone``, ``email``, ``turnover``, ``business_capital`` and
    ``contact_name`` are present only for those who may see the company's private fields."""

    region = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Region.objects.exclude(level=RegionLevel.PROVINCE),
        help_text=_("Kemendagri code of the regency or city, e.g. 33.28."),
    )
    region_name = serializers.CharField(source="region.name", read_only=True)
    province = serializers.CharField(source="region.parent.code", read_only=True, allow_null=True)
    kbli = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Kbli.objects.all(), required=False)
    processes = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Process.objects.all(), required=False
    )
    materials = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Material.objects.all(), required=False
    )
    nib = serializers.CharField(max_length=30, help_text=_("13 digits; separators are dropped."))
    npwp = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text=_("15 or 16 digits; stored as 16.")
    )
    hs_codes = serializers.CharField(max_length=600, required=False, allow_blank=True)
    certifications = CertificationSerializer(many=True, read_only=True)
    industry_class = IndustryClassField(read_only=True, help_text=_("Industry class per Permenperin 64/2016."))
    enterprise_class = EnterpriseClassField(read_only=True, help_text=_("Enterprise class per PP 7/2021."))

    class Meta:
        model = Company
        fields = [
            "id",
            "kind",
            "buyer_type",
            "legal_name",
            "brand_name",
            "nib",
            "npwp",
            "kbli",
            "organisation",
            "region",
            "region_name",
            "province",
            "address",
            "latitude",
            "longitude",
            "workforce",
            "investment",
            "business_capital",
            "turnover",
            "industry_class",
            "industry_class_rule",
            "enterprise_class",
            "enterprise_class_rule",
            "products",
            "hs_codes",
            "processes",
            "materials",
            "monthly_capacity",
            "capacity_note",
            "contact_name",
            "phone",
            "email",
            "website",
            "verification",
            "verified_at",
            "completeness",
            "certifications",
            "created",
            "updated",
        ]
        read_only_fields = [
            "organisation",
            "industry_class",
            "industry_class_rule",
            "enterprise_class",
            "enterprise_class_rule",
            "verification",
            "verified_at",
            "completeness",
            "created",
            "updated",
        ]
        extra_kwargs = {
            "investment": {"min_value": 0},
            "business_capital": {"min_value": 0},
            "turnover": {"min_value": 0},
        }

    # --------------------------------------------------------------------- validation
    def validate_nib(self, value):
        try:
            nib = clean_nib(value)
        except DjangoValidationError as exc:
            _raise_as_drf(exc)
        others = Company.objects.filter(nib=nib)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("A company with this NIB is already registered."))
        return nib

    def validate_npwp(self, value):
        if not value:
            return ""
        try:
            return clean_npwp(value)
        except DjangoValidationError as exc:
            _raise_as_drf(exc)

    def validate_hs_codes(self, value):
        try:
            codes = clean_hs_list(value)
        except DjangoValidationError as exc:
            _raise_as_drf(exc)
        if len(codes) > 300:
            raise serializers.ValidationError(_("Too many HS codes: keep the list under 300 characters."))
        return codes

    def validate(self, attrs):
        request = self.context.get("request")
        if self.instance is not None and request is not None and not request.user.is_officer:
            # As on the pages: the kind and the region of a company are the officers' to change.
            errors = {}
            if "kind" in attrs and attrs["kind"] != self.instance.kind:
                errors["kind"] = [_("Only an officer changes the kind of a company.")]
            if "region" in attrs and attrs["region"] != self.instance.region:
                errors["region"] = [_("Only an officer moves a company to another region.")]
            if errors:
                raise serializers.ValidationError(errors)
        kind = attrs.get("kind", self.instance.kind if self.instance else CompanyKind.IKM)
        buyer_type = attrs.get("buyer_type", self.instance.buyer_type if self.instance else "")
        if kind == CompanyKind.INDUSTRY and not buyer_type:
            raise serializers.ValidationError({"buyer_type": [_("Choose the buyer type of a large industry.")]})
        if kind != CompanyKind.INDUSTRY and buyer_type:
            attrs["buyer_type"] = ""
        return attrs

    # --------------------------------------------------------------------- output
    def to_representation(self, instance):
        data = super().to_representation(instance)
        allowed = getattr(instance, "can_view_private", None)  # annotated by the viewset
        if allowed is None:
            request = self.context.get("request")
            allowed = request is not None and can(request.user, "view_private", instance)
        if not allowed:
            for name in Company.private_fields:
                data.pop(name, None)
        return data

    # --------------------------------------------------------------------- writes, through the services
    def create(self, validated_data):
        try:
            return services.create_company(actor=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            _raise_as_drf(exc)

    def update(self, instance, validated_data):
        try:
            return services.update_company(instance, actor=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            _raise_as_drf(exc)


FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Full-text search: names, products (trade words too), HS codes."),
    OpenApiParameter("kind", str, enum=CompanyKind.values),
    OpenApiParameter("process", str, description="A process code, e.g. casting (see /api/processes/)."),
    OpenApiParameter("material", str, description="A material code, e.g. aluminium (see /api/materials/)."),
    OpenApiParameter(
        "certification",
        str,
        description="A certification type code, valid today, e.g. iso-9001 (see /api/certification-types/).",
    ),
    OpenApiParameter("region", str, description="Kemendagri code of a province (33) or a regency (33.10)."),
    OpenApiParameter(
        "size", str, enum=[SizeClass.SMALL, SizeClass.MEDIUM, SizeClass.LARGE], description="Industry class."
    ),
    OpenApiParameter("verified", str, enum=["0", "1"], description="1: verified by an officer; 0: self-declared."),
    OpenApiParameter("sort", str, enum=[*SORTS, *(f"-{key}" for key in SORTS)]),
]


class CompanyPagination(CappedPageNumberPagination):
    """``count`` stops at 1000 (``count_is_capped`` says so); a page of fewer matches is read by their ids."""

    by_ids = True


@extend_schema(tags=["registry"])
class CompanyViewSet(RestrictedModelViewSet):
    queryset = Company.objects.all()
    serializer_class = CompanySerializer
    filter_backends: list = []  # the list filters are company_list()'s, shared with the page and the export
    pagination_class = CompanyPagination
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            qs = company_list(user, CompanyFilters.from_params(self.request.query_params)).defer("search_text")
        else:
            qs = super().get_queryset().select_related("region__parent")
        qs = qs.prefetch_related(
            "kbli",
            "processes",
            "materials",
            Prefetch("certifications", queryset=Certification.objects.select_related("certification_type")),
        )
        return annotate_can(qs, user, "view_private", "can_view_private")

    @extend_schema(parameters=FILTER_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.delete_company(instance, actor=self.request.user)


class TaxonomyViewSet(RestrictedReadOnlyViewSet):
    serializer_class = TaxonomySerializer
    lookup_field = "code"
    filterset_fields = ["is_active"]


@extend_schema(tags=["registry"])
class ProcessViewSet(TaxonomyViewSet):
    queryset = Process.objects.all()


@extend_schema(tags=["registry"])
class MaterialViewSet(TaxonomyViewSet):
    queryset = Material.objects.all()


@extend_schema(tags=["registry"])
class CertificationTypeViewSet(TaxonomyViewSet):
    queryset = CertificationType.objects.all()
