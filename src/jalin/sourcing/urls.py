from django.urls import path

from . import views, views_io

app_name = "sourcing"
urlpatterns = [
    path("", views.NeedListView.as_view(), name="list"),
    path("new/", views.NeedEditView.as_view(), name="add"),
    path("new/plant-field/", views.PlantFieldView.as_view(), name="plant_field"),
    path("<int:pk>/", views.NeedDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.NeedEditView.as_view(), name="edit"),
    path("<int:pk>/status/", views.NeedStatusView.as_view(), name="status"),
    path("<int:pk>/delete/", views.NeedDeleteView.as_view(), name="delete"),
    path("<int:pk>/history/", views.NeedHistoryView.as_view(), name="history"),
    path("<int:pk>/attachments/new/", views.AttachmentAddView.as_view(), name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment>/", views.AttachmentView.as_view(), name="attachment"),
    path(
        "<int:pk>/attachments/<int:attachment>/delete/",
        views.AttachmentDeleteView.as_view(),
        name="attachment_delete",
    ),
    path("import/", views_io.ImportView.as_view(), name="import"),
    path("import/template.<str:fmt>", views_io.ImportTemplateView.as_view(), name="import_template"),
    path("import/<uuid:job>/", views_io.ImportResultView.as_view(), name="import_result"),
    path("export.<str:fmt>", views_io.ExportView.as_view(), name="export"),
]
