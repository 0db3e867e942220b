from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jalin.core.permissions import ALL, AccessPolicy, RestrictedQuerySet
from jalin.core.roles import Role


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    REGENCY = "regency", _("Regency (kabupaten)")
    CITY = "city", _("City (kota)")


class Region(models.Model):
    """A province (code ``PP``) or a regency/city (code ``PP.RR``) by Kemendagri code.

    Regency numbers 01–69 are kabupaten, 71–99 kota (Kepmendagri 300.2.2-2138/2025).
    """

    code = models.CharField(_("Kemendagri code"), max_length=5, unique=True)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("province"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("name"), max_length=100, db_index=True)
    capital = models.CharField(_("capital"), max_length=100, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True)

    objects = RestrictedQuerySet.as_manager()
    # Region names and codes are public reference data: every signed-in user may read them.
    access_policy = AccessPolicy(rules={"view": {role: [ALL] for role in Role.values}})

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("regions:detail", args=[self.pk])

    @property
    def province_code(self) -> str:
        return self.code[:2]


class RegionSource(models.Model):
    """Where the loaded region data came from: package, version, edition, licence, when."""

    package = models.CharField(_("package"), max_length=100)
    version = models.CharField(_("version"), max_length=30)
    edition = models.CharField(_("edition"), max_length=200)
    licence = models.CharField(_("licence"), max_length=100)
    provinces = models.PositiveIntegerField(_("provinces"))
    regencies = models.PositiveIntegerField(_("regencies and cities"))
    loaded = models.DateTimeField(_("loaded"), auto_now=True)

    class Meta:
        verbose_name = _("region data source")

    def __str__(self) -> str:
        return f"{self.package} {self.version}"
