"""The events app's routes, one module per area (setup and requests; schedule; the day and agendas;
outcomes and statistics), all in the ``events`` namespace."""

from . import urls_day, urls_outcomes, urls_schedule, urls_setup

app_name = "events"
urlpatterns = [
    *urls_setup.urlpatterns,
    *urls_schedule.urlpatterns,
    *urls_day.urlpatterns,
    *urls_outcomes.urlpatterns,
]
