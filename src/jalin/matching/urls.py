from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("needs/<int:pk>/candidates/", views.NeedCandidatesView.as_view(), name="need_candidates"),
    path("needs/<int:pk>/candidates/refresh/", views.RefreshView.as_view(), name="need_refresh"),
    path("needs/<int:pk>/candidates/nominate/", views.NominateView.as_view(), name="need_nominate"),
    path("needs/<int:pk>/interest/", views.InterestView.as_view(), name="express_interest"),
    path("candidates/<int:pk>/transition/", views.TransitionView.as_view(), name="candidate_transition"),
    path("opportunities/", views.OpportunitiesView.as_view(), name="opportunities"),
    path("lexicon/", views.LexiconListView.as_view(), name="lexicon"),
    path("lexicon/new/", views.LexiconEditView.as_view(), name="lexicon_add"),
    path("lexicon/<int:pk>/edit/", views.LexiconEditView.as_view(), name="lexicon_edit"),
    path("lexicon/<int:pk>/delete/", views.LexiconDeleteView.as_view(), name="lexicon_delete"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
]
