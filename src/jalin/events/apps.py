from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "jalin.events"
    label = "events"
    verbose_name = _("Business meetings")

    def ready(self) -> None:
        from . import planning  # noqa: F401  (registers the scheduling job)
