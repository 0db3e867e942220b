from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcingConfig(AppConfig):
    name = "jalin.sourcing"
    label = "sourcing"
    verbose_name = _("Needs")

    def ready(self) -> None:
        from . import handlers  # noqa: F401  (registers the import job and the needs importer/exporter)
