from django.urls import path

from . import views, views_io

app_name = "companies"
urlpatterns = [
    path("", views.CompanyListView.as_view(), name="list"),
    path("new/", views.CompanyEditView.as_view(), name="add"),
    path("<int:pk>/", views.CompanyDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.CompanyEditView.as_view(), name="edit"),
    path("<int:pk>/delete/", views.CompanyDeleteView.as_view(), name="delete"),
    path("<int:pk>/history/", views.CompanyHistoryView.as_view(), name="history"),
    path("<int:pk>/verify/", views.CompanyVerifyView.as_view(), name="verify"),
    path("<int:pk>/<str:kind>/new/", views.ChildEditView.as_view(), name="child_add"),
    path("<int:pk>/<str:kind>/<int:child>/edit/", views.ChildEditView.as_view(), name="child_edit"),
    path("<int:pk>/<str:kind>/<int:child>/delete/", views.ChildDeleteView.as_view(), name="child_delete"),
    path("certifications/<int:child>/evidence/", views.EvidenceView.as_view(), name="evidence"),
    path("certifications/expiring/", views.ExpiringCertificationsView.as_view(), name="expiring"),
    path("certifications/import/", views_io.CertificateImportView.as_view(), name="cert_import"),
    path(
        "certifications/import/template.<str:fmt>",
        views_io.CertificateImportTemplateView.as_view(),
        name="cert_import_template",
    ),
    path(
        "certifications/import/<uuid:job>/", views_io.CertificateImportResultView.as_view(), name="cert_import_result"
    ),
    path("taxonomy/<str:kind>/", views.TaxonomyListView.as_view(), name="taxonomy"),
    path("taxonomy/<str:kind>/new/", views.TaxonomyEditView.as_view(), name="taxonomy_add"),
    path("taxonomy/<str:kind>/<int:item>/edit/", views.TaxonomyEditView.as_view(), name="taxonomy_edit"),
    path("import/", views_io.ImportView.as_view(), name="import"),
    path("import/template.<str:fmt>", views_io.ImportTemplateView.as_view(), name="import_template"),
    path("import/<uuid:job>/", views_io.ImportResultView.as_view(), name="import_result"),
    path("export.<str:fmt>", views_io.ExportView.as_view(), name="export"),
]
