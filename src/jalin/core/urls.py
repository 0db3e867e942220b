from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("changes/", views.ChangeLogView.as_view(), name="changelog"),
    path("changes/export/", views.ChangeLogExportView.as_view(), name="changelog_export"),
    path("changes/<int:pk>/", views.ChangeDetailView.as_view(), name="change"),
    path("jobs/", views.JobListView.as_view(), name="jobs"),
    path("jobs/<uuid:pk>/", views.JobDetailView.as_view(), name="job"),
    path("jobs/<uuid:pk>/download/", views.JobDownloadView.as_view(), name="job_download"),
]
