from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from jalin.accounts.api import OrganisationViewSet
from jalin.companies.api import CertificationTypeViewSet, CompanyViewSet, MaterialViewSet, ProcessViewSet
from jalin.events.api import EventViewSet, MeetingRequestViewSet, MeetingViewSet, ParticipantViewSet
from jalin.matching.api import CandidateViewSet
from jalin.regions.api import RegionViewSet
from jalin.sourcing.api import NeedViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet)
router.register("organisations", OrganisationViewSet)
router.register("companies", CompanyViewSet)
router.register("processes", ProcessViewSet)
router.register("materials", MaterialViewSet)
router.register("certification-types", CertificationTypeViewSet)
router.register("needs", NeedViewSet)
router.register("candidates", CandidateViewSet)
router.register("events", EventViewSet)
router.register("event-participants", ParticipantViewSet)
router.register("meeting-requests", MeetingRequestViewSet)
router.register("meetings", MeetingViewSet)

urlpatterns = [
    path("", include("jalin.core.urls")),
    path("accounts/", include("jalin.accounts.urls")),
    path("regions/", include("jalin.regions.urls")),
    path("companies/", include("jalin.companies.urls")),
    path("needs/", include("jalin.sourcing.urls")),
    path("matching/", include("jalin.matching.urls")),
    path("events/", include("jalin.events.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-docs"),
]

# Uploaded files (certificate evidence, job results) are never served from /media/: only through views
# that check object-level permission (companies:evidence, core:job_download).

handler403 = "jalin.core.errors.permission_denied"
handler404 = "jalin.core.errors.page_not_found"
handler500 = "jalin.core.errors.server_error"
