from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompaniesConfig(AppConfig):
    name = "jalin.companies"
    label = "companies"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from . import handlers, search  # noqa: F401  (register import/export jobs, the full-text lookup)
