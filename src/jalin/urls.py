from django.conf import settings
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from jalin.accounts.api import OrganisationViewSet
from jalin.regions.api import RegionViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet)
router.register("organisations", OrganisationViewSet)

urlpatterns = [
    path("", include("jalin.core.urls")),
    path("accounts/", include("jalin.accounts.urls")),
    path("regions/", include("jalin.regions.urls")),
    path("companies/", include("jalin.companies.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

handler403 = "jalin.core.errors.permission_denied"
handler404 = "jalin.core.errors.page_not_found"
handler500 = "jalin.core.errors.server_error"
