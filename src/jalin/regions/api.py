import django_filters
from rest_framework import serializers

from jalin.core.api import RestrictedReadOnlyViewSet

from .models import Region


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Region
        fields = ["id", "code", "level", "name", "capital", "parent", "latitude", "longitude"]


class RegionFilter(django_filters.FilterSet):
    province = django_filters.CharFilter(field_name="parent__code")
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Region
        fields = ["level", "code", "province", "name"]


class RegionViewSet(RestrictedReadOnlyViewSet):
    queryset = Region.objects.select_related("parent")
    serializer_class = RegionSerializer
    filterset_class = RegionFilter
