"""The roles of the programme. Permissions refer to these names as data (see permissions.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROGRAMME_OFFICER = "programme_officer", _("Programme officer (Ditjen IKMA)")
    REGIONAL_OFFICER = "regional_officer", _("Regional officer (Dinas)")
    BUYER = "buyer", _("Buyer staff")
    IKM = "ikm", _("IKM staff")
    ASSESSOR = "assessor", _("Assessor / mentor")


OFFICER_ROLES = frozenset({Role.PROGRAMME_OFFICER, Role.REGIONAL_OFFICER})
