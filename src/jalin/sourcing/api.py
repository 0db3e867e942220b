"""The needs API: list with the page's filters, detail, create, update, delete (drafts) and the status workflow.
Writes go through the services, so they are checked and logged; ``target_price`` is only in the answer for those
who may see a need's private fields."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.fields import get_error_detail
from rest_framework.response import Response

from jalin.companies.models import CertificationType, Company, CompanyKind, Material, Plant, Process
from jalin.core.api import RestrictedModelViewSet
from jalin.core.permissions import annotate_can, can

from . import services
from .forms import is_programme_officer
from .models import Need, NeedAttachment, NeedStatus, Visibility
from .queries import SORTS, NeedFilters, need_list


def _raise_as_drf(exc: DjangoValidationError):
    raise serializers.ValidationError(get_error_detail(exc)) from exc


def _call(service, *args, **kwargs):
    """Run a service; its validation errors answer 400 by field, a refusal 403."""
    try:
        return service(*args, **kwargs)
    except DjangoValidationError as exc:
        _raise_as_drf(exc)
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc)) from exc


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(help_text=_("The file name."))
    url = serializers.SerializerMethodField(help_text=_("Download address; it checks that you may see the need."))

    class Meta:
        model = NeedAttachment
        fields = ["id", "title", "name", "url", "uploaded"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_name(self, obj) -> str:
        return obj.file.name.rsplit("/", 1)[-1]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        path = reverse("sourcing:attachment", args=[obj.need_id, obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


@extend_schema_field({"type": "string", "enum": NeedStatus.values}, component_name="NeedStatus")
class NeedStatusField(serializers.ChoiceField):
    """draft, open, closed or awarded: a schema component of its own, since other apps have a "status" too."""

    def __init__(self, **kwargs):
        super().__init__(choices=NeedStatus.choices, **kwargs)


def _codes(model):
    return serializers.SlugRelatedField(slug_field="code", many=True, queryset=model.objects.all(), required=False)


class NeedSerializer(serializers.ModelSerializer):
    """A buyer's component need. ``target_price`` is present only for the buyer and officers. A buyer's need
    always belongs to the buyer's own company (``buyer`` may be left out); an officer names the buyer."""

    buyer = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.filter(kind=CompanyKind.INDUSTRY),
        required=False,
        help_text=_("Id of the buyer company (a large industry). Buyers may leave it out: it is their own."),
    )
    buyer_name = serializers.CharField(source="buyer.legal_name", read_only=True)
    reference = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text=_("Made from the buyer's initials when empty.")
    )
    hs_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    processes = _codes(Process)
    materials = _codes(Material)
    required_certifications = _codes(CertificationType)
    preferred_certifications = _codes(CertificationType)
    delivery_plant = serializers.PrimaryKeyRelatedField(
        queryset=Plant.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Id of one of the buyer's plants."),
    )
    delivery_plant_name = serializers.CharField(source="delivery_plant.name", read_only=True, allow_null=True)
    monthly_volume = serializers.IntegerField(read_only=True, allow_null=True)
    status = NeedStatusField(read_only=True, help_text=_("Changed only through the status action."))
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Need
        fields = [
            "id",
            "reference",
            "buyer",
            "buyer_name",
            "title",
            "description",
            "hs_code",
            "part_category",
            "processes",
            "materials",
            "annual_volume",
            "volume_unit",
            "monthly_volume",
            "target_price",
            "required_certifications",
            "preferred_certifications",
            "max_defect_ppm",
            "delivery_plant",
            "delivery_plant_name",
            "start_date",
            "imported",
            "annual_import_value",
            "visibility",
            "status",
            "hard_filter",
            "attachments",
            "created",
            "updated",
        ]
        read_only_fields = ["status", "created", "updated"]
        extra_kwargs = {
            "target_price": {"min_value": 0},
            "annual_import_value": {"min_value": 0},
        }

    def validate_reference(self, value):
        value = (value or "").strip().upper()
        if self.instance is not None:
            if value and value != self.instance.reference:
                raise serializers.ValidationError(_("The reference of a need cannot change."))
            return self.instance.reference
        if value and Need.objects.filter(reference=value).exists():
            raise serializers.ValidationError(_("Another need already has this reference."))
        return value

    def validate_buyer(self, value):
        request = self.context.get("request")
        user = request.user if request is not None else None
        if user is not None and not is_programme_officer(user):
            own = self.instance.buyer if self.instance is not None else services.buyer_company_of(user)
            if own is None or value.pk != own.pk:
                raise serializers.ValidationError(_("You may post needs only for your own company."))
        return value

    def validate(self, attrs):
        request = self.context.get("request")
        fields = dict(attrs)
        if self.instance is None and "buyer" not in attrs and request is not None:
            if is_programme_officer(request.user):
                raise serializers.ValidationError({"buyer": [_("Choose the buyer company.")]})
            fields["buyer"] = services.buyer_company_of(request.user)
        try:
            services.validate_need(fields, self.instance)
        except DjangoValidationError as exc:
            _raise_as_drf(exc)
        return attrs

    # --------------------------------------------------------------------- output
    def to_representation(self, instance):
        data = super().to_representation(instance)
        allowed = getattr(instance, "can_view_private", None)  # annotated by the viewset
        if allowed is None:
            request = self.context.get("request")
            allowed = request is not None and can(request.user, "view_private", instance)
        if not allowed:
            for name in Need.private_fields:
                data.pop(name, None)
        return data

    # --------------------------------------------------------------------- writes, through the services
    def create(self, validated_data):
        return _call(services.create_need, actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("reference", None)
        return _call(services.update_need, instance, actor=self.context["request"].user, **validated_data)


class StatusSerializer(serializers.Serializer):
    status = NeedStatusField(help_text=_("draft → open → closed or awarded; closed → open. Awarded is final."))


FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Words in the title, description, reference, part category or HS code."),
    OpenApiParameter("status", str, enum=NeedStatus.values),
    OpenApiParameter("buyer", int, description="Id of the buyer company."),
    OpenApiParameter("process", str, description="A process code, e.g. stamping (see /api/processes/)."),
    OpenApiParameter("material", str, description="A material code, e.g. sheet-steel (see /api/materials/)."),
    OpenApiParameter("imported", str, enum=["0", "1"], description="1: imported today; 0: not imported."),
    OpenApiParameter("visibility", str, enum=Visibility.values),
    OpenApiParameter("sort", str, enum=[*SORTS, *(f"-{key}" for key in SORTS)]),
]


@extend_schema(tags=["needs"])
class NeedViewSet(RestrictedModelViewSet):
    queryset = Need.objects.all()
    serializer_class = NeedSerializer
    filter_backends: list = []  # the list filters are need_list()'s, shared with the page and the export

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            qs = need_list(user, NeedFilters.from_params(self.request.query_params))
        else:
            qs = super().get_queryset().select_related("buyer", "delivery_plant")
        qs = qs.prefetch_related(
            "processes", "materials", "required_certifications", "preferred_certifications", "attachments"
        )
        return annotate_can(qs, user, "view_private", "can_view_private")

    @extend_schema(parameters=FILTER_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def perform_destroy(self, instance):
        _call(services.delete_need, instance, actor=self.request.user)

    @extend_schema(request=StatusSerializer, responses=NeedSerializer, summary="Move the need along its workflow")
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        need = self.get_object()
        if not can(request.user, "change", need):
            self.permission_denied(request)
        serializer = StatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _call(services.set_status, need, actor=request.user, status=serializer.validated_data["status"])
        need = self.get_queryset().get(pk=need.pk)
        return Response(NeedSerializer(need, context=self.get_serializer_context()).data, status=status.HTTP_200_OK)
