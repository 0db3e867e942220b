"""Buyers' component needs (like an RFQ): what a purchasing team wants made, and by whom it may be seen."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jalin.companies.models import CertificationType, Company, Material, Plant, Process
from jalin.core.models import TimeStampedModel
from jalin.core.permissions import ALL, OWN, AccessPolicy
from jalin.core.roles import Role


class Visibility(models.TextChoices):
    OPEN = "open", _("Open to verified IKM")
    INVITATION = "invitation", _("By invitation")
    DRAFT = "draft", _("Draft (only the buyer and officers)")


class NeedStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    AWARDED = "awarded", _("Awarded")


class VolumeUnit(models.TextChoices):
    PIECES = "pcs", _("pieces")
    SETS = "sets", _("sets")
    KG = "kg", _("kilograms")
    METRES = "m", _("metres")


def _visible_to_ikm() -> models.Q:
    """Open needs are seen by every IKM; invitation-only ones by the invited (see matching)."""
    return models.Q(status__in=[NeedStatus.OPEN, NeedStatus.AWARDED], visibility=Visibility.OPEN)


#: Candidate statuses at which the IKM has been told of the need (an invitation or later).
INVITED_STATUSES = ("invited", "met", "evaluating", "qualified")


def _ikm_visible(user) -> models.Q:
    """Open needs, and needs the user's company was invited to (whatever their visibility, unless draft)."""
    if not user.organisation_id:
        return _visible_to_ikm()
    from django.apps import apps

    candidate = apps.get_model("matching", "Candidate")
    invited = candidate.objects.filter(
        need=models.OuterRef("pk"), company__organisation_id=user.organisation_id, status__in=INVITED_STATUSES
    )
    return _visible_to_ikm() | (models.Q(models.Exists(invited)) & ~models.Q(status=NeedStatus.DRAFT))


class Need(TimeStampedModel):
    reference = models.CharField(
        _("reference"), max_length=30, unique=True, help_text=_("Short code, e.g. DPM-2019-014; made if left empty.")
    )
    buyer = models.ForeignKey(
        Company,
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="needs",
        limit_choices_to={"kind": "industry"},
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    hs_code = models.CharField(_("HS code"), max_length=13, blank=True)
    part_category = models.CharField(_("part category"), max_length=100, blank=True)
    processes = models.ManyToManyField(Process, verbose_name=_("processes"), blank=True, related_name="needs")
    materials = models.ManyToManyField(Material, verbose_name=_("materials"), blank=True, related_name="needs")
    annual_volume = models.PositiveIntegerField(_("annual volume"), null=True, blank=True)
    volume_unit = models.CharField(_("unit"), max_length=5, choices=VolumeUnit.choices, default=VolumeUnit.PIECES)
    target_price = models.DecimalField(
        _("target unit price (Rp)"),
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        help_text=_("Private: seen only by the buyer and officers."),
    )
    required_certifications = models.ManyToManyField(
        CertificationType,
        verbose_name=_("required certifications"),
        blank=True,
        related_name="+",
        help_text=_("Hard requirements: a candidate without a valid one is filtered out or penalised."),
    )
    preferred_certifications = models.ManyToManyField(
        CertificationType,
        verbose_name=_("preferred certifications"),
        blank=True,
        related_name="+",
    )
    max_defect_ppm = models.PositiveIntegerField(_("maximum defects (ppm)"), null=True, blank=True)
    delivery_plant = models.ForeignKey(
        Plant, verbose_name=_("delivery plant"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start_date = models.DateField(_("supply start"), null=True, blank=True)
    imported = models.BooleanField(_("imported today"), default=False)
    annual_import_value = models.DecimalField(
        _("annual import value (Rp)"), max_digits=18, decimal_places=0, null=True, blank=True
    )
    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.OPEN)
    status = models.CharField(
        _("status"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.DRAFT, db_index=True
    )
    hard_filter = models.BooleanField(
        _("filter out candidates missing a hard requirement"),
        default=True,
        help_text=_("Off: such candidates stay in the ranking with a penalty and the gap shown."),
    )

    private_fields = ("target_price",)
    access_policy = AccessPolicy(
        rules={
            "view": {
                Role.PROGRAMME_OFFICER: [ALL],
                Role.REGIONAL_OFFICER: [ALL],
                Role.BUYER: [OWN],
                Role.IKM: ["ikm_visible"],
                Role.ASSESSOR: ["ikm_visible"],
            },
            "view_private": {Role.PROGRAMME_OFFICER: [ALL], Role.REGIONAL_OFFICER: [ALL], Role.BUYER: [OWN]},
            "change": {Role.PROGRAMME_OFFICER: [ALL], Role.BUYER: [OWN]},
            "add": {Role.PROGRAMME_OFFICER: [ALL], Role.BUYER: [OWN]},
            "delete": {Role.PROGRAMME_OFFICER: [ALL], Role.BUYER: [OWN]},
        },
        organisation_field="buyer__organisation",
        extra={"ikm_visible": _ikm_visible},
    )

    class Meta:
        ordering = ["-created"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [models.Index(fields=["status", "visibility"])]

    def __str__(self) -> str:
        return f"{self.reference} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("sourcing:detail", args=[self.pk])

    @property
    def monthly_volume(self) -> int | None:
        return round(self.annual_volume / 12) if self.annual_volume else None


class NeedAttachment(models.Model):
    """A drawing or specification of a need; seen by whoever may see the need."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="needs/%Y/")
    title = models.CharField(_("title"), max_length=200, blank=True)
    uploaded = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title or self.file.name.rsplit("/", 1)[-1]
