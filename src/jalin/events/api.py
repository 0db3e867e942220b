"""The events API: events, participants, meeting requests (create as one's own participant, respond,
withdraw) and meetings. Reads go through ``restrict``; writes through :mod:`jalin.events.setup`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.fields import get_error_detail
from rest_framework.response import Response

from jalin.core.api import RestrictedReadOnlyViewSet, RestrictedViewSetMixin

from . import setup
from .models import (
    Event,
    EventStatus,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Participant,
    ParticipantSide,
    ParticipantStatus,
    Priority,
    RequestStatus,
)
from .views_base import own_participant


def _call(service, *args, **kwargs):
    try:
        return service(*args, **kwargs)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(get_error_detail(exc)) from exc
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc)) from exc


def _choice_field(choices, name: str) -> type[serializers.ChoiceField]:
    """A read/write choice field over ``choices`` (a TextChoices), with its own enum component ``name`` in the
    OpenAPI schema (several models have a ``status``; without names their enums would collide)."""

    def __init__(self, **kwargs):
        serializers.ChoiceField.__init__(self, choices=choices.choices, **kwargs)

    field = type(f"{name}Field", (serializers.ChoiceField,), {"__init__": __init__})
    return extend_schema_field({"type": "string", "enum": list(choices.values)}, component_name=name)(field)


EventStatusField = _choice_field(EventStatus, "EventStatus")
SideField = _choice_field(ParticipantSide, "ParticipantSide")
ParticipantStatusField = _choice_field(ParticipantStatus, "ParticipantStatus")
PriorityField = _choice_field(Priority, "MeetingPriority")
RequestStatusField = _choice_field(RequestStatus, "MeetingRequestStatus")
MeetingStatusField = _choice_field(MeetingStatus, "MeetingStatus")


class EventSerializer(serializers.ModelSerializer):
    status = EventStatusField(read_only=True)
    region_code = serializers.CharField(source="region.code", read_only=True, allow_null=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "reference",
            "name",
            "description",
            "venue",
            "address",
            "region_code",
            "timezone",
            "starts_on",
            "ends_on",
            "slot_minutes",
            "max_meetings",
            "requests_close",
            "status",
        ]
        read_only_fields = fields


class ParticipantSerializer(serializers.ModelSerializer):
    company_name = serializers.CharField(source="company.legal_name", read_only=True)
    side = SideField(read_only=True)
    status = ParticipantStatusField(read_only=True)
    cap = serializers.IntegerField(read_only=True)
    fixed_table = serializers.CharField(source="fixed_table.label", read_only=True, allow_null=True)

    class Meta:
        model = Participant
        fields = ["id", "event", "company", "company_name", "side", "status", "cap", "fixed_table", "checked_in_at"]
        read_only_fields = fields


class MeetingRequestSerializer(serializers.ModelSerializer):
    """A request from the user's own participant (``requester`` is filled in) to ``recipient``."""

    requester = serializers.PrimaryKeyRelatedField(read_only=True)
    recipient = serializers.PrimaryKeyRelatedField(
        queryset=Participant.objects.all(), help_text=_("Id of the participant (other side) to meet.")
    )
    requester_name = serializers.CharField(source="requester.company.legal_name", read_only=True)
    recipient_name = serializers.CharField(source="recipient.company.legal_name", read_only=True)
    priority = PriorityField(required=False)
    status = RequestStatusField(read_only=True)

    class Meta:
        model = MeetingRequest
        fields = [
            "id",
            "event",
            "requester",
            "requester_name",
            "recipient",
            "recipient_name",
            "candidate",
            "priority",
            "message",
            "status",
            "mutual",
            "decline_reason",
            "responded_at",
            "expires_at",
            "created",
        ]
        read_only_fields = [
            "event",
            "candidate",
            "status",
            "mutual",
            "decline_reason",
            "responded_at",
            "expires_at",
            "created",
        ]

    def validate_recipient(self, value):
        user = self.context["request"].user
        if not Participant.objects.restrict(user, "view").filter(pk=value.pk).exists():
            raise serializers.ValidationError(_("Unknown participant."))
        return value

    def create(self, validated_data):
        user = self.context["request"].user
        recipient = validated_data["recipient"]
        requester = own_participant(user, recipient.event)
        if requester is None:
            raise exceptions.PermissionDenied(_("Your company does not take part in this event."))
        result = _call(
            setup.create_request,
            requester,
            recipient,
            actor=user,
            priority=validated_data.get("priority", Priority.WANT),
            message=validated_data.get("message", ""),
        )
        return result.request


class RespondSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class MeetingSerializer(serializers.ModelSerializer):
    status = MeetingStatusField(read_only=True)
    starts_at = serializers.DateTimeField(source="slot.starts_at", read_only=True)
    ends_at = serializers.DateTimeField(source="slot.ends_at", read_only=True)
    table_label = serializers.CharField(source="table.label", read_only=True)
    requester = serializers.IntegerField(source="request.requester_id", read_only=True)
    recipient = serializers.IntegerField(source="request.recipient_id", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "event",
            "request",
            "requester",
            "recipient",
            "starts_at",
            "ends_at",
            "table",
            "table_label",
            "status",
            "locked",
        ]
        read_only_fields = fields


EVENT_PARAM = OpenApiParameter("event", int, description="Only this event (id).")


def _by_event(qs, params):
    raw = params.get("event", "")
    return qs.filter(event_id=int(raw)) if raw.isdigit() else qs


@extend_schema(tags=["events"])
class EventViewSet(RestrictedReadOnlyViewSet):
    queryset = Event.objects.select_related("region")
    serializer_class = EventSerializer

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=EventStatus.values)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = super().get_queryset()
        status = self.request.query_params.get("status", "")
        return qs.filter(status=status) if status in EventStatus.values else qs


@extend_schema(tags=["events"])
class ParticipantViewSet(RestrictedReadOnlyViewSet):
    queryset = Participant.objects.select_related("company", "fixed_table", "event")
    serializer_class = ParticipantSerializer

    @extend_schema(parameters=[EVENT_PARAM, OpenApiParameter("side", str, enum=ParticipantSide.values)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = _by_event(super().get_queryset(), self.request.query_params)
        side = self.request.query_params.get("side", "")
        return qs.filter(side=side) if side in ParticipantSide.values else qs


@extend_schema(tags=["events"])
class MeetingRequestViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = MeetingRequest.objects.select_related("requester__company", "recipient__company")
    serializer_class = MeetingRequestSerializer
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[EVENT_PARAM, OpenApiParameter("status", str, enum=RequestStatus.values)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = _by_event(super().get_queryset(), self.request.query_params)
        status = self.request.query_params.get("status", "")
        return qs.filter(status=status) if status in RequestStatus.values else qs

    def check_object_permissions(self, request, obj):
        # Only "view" here (get_queryset restricts it); respond and withdraw check their own actions.
        viewsets.GenericViewSet.check_object_permissions(self, request, obj)

    def _load(self, request, action_name):
        obj = self.get_object()
        if not MeetingRequest.objects.filter(pk=obj.pk).restrict(request.user, action_name).exists():
            self.permission_denied(request)
        return obj

    @extend_schema(request=RespondSerializer, responses=MeetingRequestSerializer, summary="Accept or decline")
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        obj = self._load(request, "respond")
        data = RespondSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _call(
            setup.respond,
            obj,
            actor=request.user,
            accept=data.validated_data["accept"],
            reason=data.validated_data.get("reason", ""),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)

    @extend_schema(request=None, responses=MeetingRequestSerializer, summary="Withdraw one's own request")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        obj = self._load(request, "withdraw")
        _call(setup.withdraw, obj, actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)


@extend_schema(tags=["events"])
class MeetingViewSet(RestrictedReadOnlyViewSet):
    queryset = Meeting.objects.select_related("slot", "table", "request")
    serializer_class = MeetingSerializer

    @extend_schema(parameters=[EVENT_PARAM])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        return _by_event(super().get_queryset(), self.request.query_params)


__all__ = ["EventViewSet", "MeetingRequestViewSet", "MeetingViewSet", "ParticipantViewSet"]
