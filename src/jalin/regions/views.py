from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q
from django.shortcuts import render
from django.views import View

from jalin.core.pagination import paginate
from jalin.core.views import ObjectDetailView, sort_queryset

from .models import Region, RegionLevel, RegionSource


class RegionListView(LoginRequiredMixin, View):
    def get(self, request):
        qs = Region.objects.restrict(request.user, "view").select_related("parent")
        q = request.GET.get("q", "").strip()
        level = request.GET.get("level", "")
        province = request.GET.get("province", "")
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q) | Q(capital__icontains=q))
        if level in RegionLevel.values:
            qs = qs.filter(level=level)
        if province:
            qs = qs.filter(Q(code=province) | Q(parent__code=province))
        qs, sort = sort_queryset(request, qs, {"code": "code", "name": "name"}, "code")
        return render(
            request,
            "regions/region_list.html",
            {
                "page": paginate(request, qs, 50),
                "q": q,
                "level": level,
                "province": province,
                "sort": sort,
                "levels": RegionLevel.choices,
                "provinces": [
                    (p.code, f"{p.code} · {p.name}") for p in Region.objects.filter(level=RegionLevel.PROVINCE)
                ],
                "source": RegionSource.objects.first(),
            },
        )


class RegionDetailView(ObjectDetailView):
    model = Region
    template_name = "regions/region_detail.html"

    def get_context(self, obj):
        return {"children": obj.children.annotate(n=Count("organisations")), "source": RegionSource.objects.first()}
