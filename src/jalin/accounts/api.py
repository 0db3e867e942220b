from rest_framework import serializers

from jalin.core.api import RestrictedModelViewSet
from jalin.core.permissions import annotate_can, can
from jalin.regions.models import Region

from . import services
from .models import Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "region", "address", "email", "phone", "is_active", "created", "updated"]
        read_only_fields = ["created", "updated"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        allowed = getattr(instance, "can_view_private", None)  # annotated by the viewset for lists
        if allowed is None:
            allowed = request is not None and can(request.user, "view_private", instance)
        if not allowed:
            for name in Organisation.private_fields:
                data.pop(name, None)
        return data

    def create(self, validated_data):
        return services.create_organisation(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.update_organisation(instance, actor=self.context["request"].user, **validated_data)


class OrganisationViewSet(RestrictedModelViewSet):
    queryset = Organisation.objects.select_related("region")
    serializer_class = OrganisationSerializer
    filterset_fields = ["kind", "is_active"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return annotate_can(super().get_queryset(), self.request.user, "view_private", "can_view_private")
