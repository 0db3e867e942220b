"""The candidates API: list and detail of the candidates a user may see (filters ``need`` and ``status``),
and ``POST /api/candidates/{id}/transition/`` to move one through the workflow via the service."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.fields import get_error_detail
from rest_framework.response import Response

from jalin.core.api import RestrictedReadOnlyViewSet

from . import queries, services
from .models import Candidate, CandidateStatus


class MessageSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Stable machine code, e.g. missing_certification."))
    id = serializers.CharField(help_text=_("In Indonesian."))
    en = serializers.CharField(help_text=_("In English."))


class ExplanationSerializer(serializers.Serializer):
    company_id = serializers.IntegerField()
    score = serializers.FloatField()
    parts = serializers.DictField(
        child=serializers.FloatField(),
        help_text=_(
            "Score parts, 0–1 each: text, processes, materials, certifications, capacity, distance, readiness."
        ),
    )
    reasons = MessageSerializer(many=True)
    gaps = MessageSerializer(many=True)
    hard_missing = serializers.BooleanField()


@extend_schema_field(ExplanationSerializer)
class ExplanationField(serializers.JSONField):
    """The engine's explanation as stored at the last refresh (empty until the candidate is scored)."""


@extend_schema_field(
    {
        "type": "string",
        "enum": CandidateStatus.values,
        "description": "suggested → shortlisted → invited → met → evaluating → qualified, or declined.",
    },
    component_name="CandidateStatus",
)
class CandidateStatusField(serializers.ChoiceField):
    """A candidate's workflow status: a schema component of its own (other apps have a "status" too)."""

    def __init__(self, **kwargs):
        super().__init__(choices=CandidateStatus.choices, **kwargs)


class CandidateSerializer(serializers.ModelSerializer):
    """A candidate of a need. ``decline_reason`` is the buyer's: present only for the buyer and officers."""

    need_reference = serializers.CharField(source="need.reference", read_only=True)
    company_name = serializers.CharField(source="company.legal_name", read_only=True)
    company_region = serializers.CharField(source="company.region.code", read_only=True)
    status = CandidateStatusField(read_only=True)
    explanation = ExplanationField(read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "need",
            "need_reference",
            "company",
            "company_name",
            "company_region",
            "status",
            "origin",
            "score",
            "rank",
            "explanation",
            "scored_at",
            "decline_reason",
            "interest_note",
            "created",
            "updated",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = request.user if request is not None else None
        if user is None or not (user.is_officer or services.is_buyer_of(user, instance.need)):
            data.pop("decline_reason", None)
        return data


class TransitionSerializer(serializers.Serializer):
    to = CandidateStatusField(help_text=_("The status to move to."))
    reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text=_("Required when declining.")
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class CandidateFilter(filters.FilterSet):
    need = filters.NumberFilter(field_name="need_id", help_text=_("The id of a need."))
    status = filters.ChoiceFilter(choices=CandidateStatus.choices)

    class Meta:
        model = Candidate
        fields = ["need", "status"]


@extend_schema(tags=["matching"])
class CandidateViewSet(RestrictedReadOnlyViewSet):
    queryset = Candidate.objects.all()
    serializer_class = CandidateSerializer
    filterset_class = CandidateFilter

    def get_queryset(self):
        qs = queries.visible_candidates(self.request.user).select_related("need__buyer", "company__region")
        return queries.ranked(qs)

    @extend_schema(
        request=TransitionSerializer,
        responses={
            200: CandidateSerializer,
            400: OpenApiResponse(description=_("Not a possible next step, or a decline without a reason.")),
            403: OpenApiResponse(description=_("Only the buyer of the need and programme officers decide.")),
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the candidate to another status (checked against the workflow; logged with actor and time)."""
        candidate = self.get_object()
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            candidate = services.transition(
                candidate,
                to=payload.validated_data["to"],
                actor=request.user,
                reason=payload.validated_data.get("reason", ""),
                note=payload.validated_data.get("note", ""),
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(get_error_detail(exc)) from exc
        return Response(self.get_serializer(candidate).data, status=status.HTTP_200_OK)
