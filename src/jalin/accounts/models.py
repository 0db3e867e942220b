from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jalin.core.models import TimeStampedModel
from jalin.core.permissions import ALL, OWN, PUBLIC, REGION, SELF, AccessPolicy, RestrictedQuerySet
from jalin.core.roles import Role


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry (Ditjen IKMA)")
    REGIONAL_OFFICE = "regional_office", _("Regional office (Dinas)")
    BUYER = "buyer", _("Buyer (large industry)")
    IKM = "ikm", _("IKM")
    ASSESSOR = "assessor", _("Assessor / mentor organisation")


class Organisation(TimeStampedModel):
    """Who a user works for. A buyer or IKM organisation gets its registry profile in `companies`."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text=_("Regency or city of the head office; for a regional office, the area it serves."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    # Private: seen only by the organisation itself and by officers.
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    private_fields = ("email", "phone")
    access_policy = AccessPolicy(
        rules={
            "view": {
                Role.PROGRAMME_OFFICER: [ALL],
                Role.REGIONAL_OFFICER: [REGION, OWN, PUBLIC],
                Role.BUYER: [OWN, PUBLIC],
                Role.IKM: [OWN, PUBLIC],
                Role.ASSESSOR: [OWN, PUBLIC],
            },
            "view_private": {
                Role.PROGRAMME_OFFICER: [ALL],
                Role.REGIONAL_OFFICER: [REGION, OWN],
                Role.BUYER: [OWN],
                Role.IKM: [OWN],
                Role.ASSESSOR: [OWN],
            },
            "change": {
                Role.PROGRAMME_OFFICER: [ALL],
                Role.REGIONAL_OFFICER: [REGION, OWN],
                Role.BUYER: [OWN],
                Role.IKM: [OWN],
                Role.ASSESSOR: [OWN],
            },
            "add": {Role.PROGRAMME_OFFICER: [ALL], Role.REGIONAL_OFFICER: [REGION]},
            "delete": {Role.PROGRAMME_OFFICER: [ALL]},
        },
        organisation_field="pk",
        region_field="region",
        public=lambda: models.Q(is_active=True),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:organisation", args=[self.pk])


class JalinUserManager(UserManager.from_queryset(RestrictedQuerySet)):
    """Users sign in with their e-mail address; there is no separate username."""

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        extra_fields.setdefault("role", Role.PROGRAMME_OFFICER)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person signing in. Email is the sign-in name; the role and scope drive every permission."""

    username = None
    email = models.EmailField(_("e-mail"), unique=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.IKM)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    region_scope = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region scope"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For a regional officer: the province or regency whose companies they manage."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=[("id", "Bahasa Indonesia"), ("en", "English")], default="id"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = JalinUserManager()
    changelog_exclude = ("last_login",)
    access_policy = AccessPolicy(
        rules={
            "view": {
                Role.PROGRAMME_OFFICER: [ALL],
                Role.REGIONAL_OFFICER: [REGION, SELF],
                Role.BUYER: ["colleague", SELF],
                Role.IKM: ["colleague", SELF],
                Role.ASSESSOR: ["colleague", SELF],
            },
            "change": {
                Role.PROGRAMME_OFFICER: [ALL],
                Role.REGIONAL_OFFICER: ["regional_non_officer", SELF],
                Role.BUYER: [SELF],
                Role.IKM: [SELF],
                Role.ASSESSOR: [SELF],
            },
            "add": {Role.PROGRAMME_OFFICER: [ALL], Role.REGIONAL_OFFICER: [REGION]},
            "manage": {Role.PROGRAMME_OFFICER: [ALL], Role.REGIONAL_OFFICER: ["regional_non_officer"]},
        },
        region_field="organisation__region",
        extra={
            "colleague": lambda user: (
                models.Q(organisation_id=user.organisation_id) if user.organisation_id else models.Q(pk=user.pk)
            ),
            # A regional officer manages the IKM users of its region, never officers or buyers.
            "regional_non_officer": lambda user: (
                models.Q(role=Role.IKM)
                & (
                    models.Q(organisation__region__code=user.region_scope.code)
                    | models.Q(organisation__region__code__startswith=user.region_scope.code + ".")
                )
                if user.region_scope_id
                else models.Q(pk__in=[])
            ),
        },
    )

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_absolute_url(self) -> str:
        return reverse("accounts:user", args=[self.pk])

    @property
    def is_officer(self) -> bool:
        return self.is_superuser or self.role in (Role.PROGRAMME_OFFICER, Role.REGIONAL_OFFICER)

    @property
    def is_programme_officer(self) -> bool:
        return self.is_superuser or self.role == Role.PROGRAMME_OFFICER
