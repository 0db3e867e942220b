"""Outcomes of meetings, the follow-up round and the event's statistics (paths under /events/)."""

from django.urls import path

from . import views_outcomes as views

urlpatterns = [
    path("<int:pk>/outcomes/", views.OutcomeListView.as_view(), name="outcomes"),
    path("<int:pk>/meetings/<int:meeting>/outcome/", views.OutcomeRecordView.as_view(), name="outcome_record"),
    path("<int:pk>/follow-up/", views.FollowUpView.as_view(), name="follow_up"),
    path("<int:pk>/stats/", views.StatsView.as_view(), name="stats"),
    path("<int:pk>/stats.csv", views.StatsCsvView.as_view(), name="stats_csv"),
]
