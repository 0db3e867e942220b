"""The registry of IKM and industry: profiles, capabilities, certifications and plants."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jalin.core.models import TimeStampedModel
from jalin.core.permissions import ALL, OWN, PUBLIC, REGION, AccessPolicy, RestrictedQuerySet
from jalin.core.roles import Role


def in_language(indonesian: str, english: str) -> str:
    """The one of a bilingual pair the reader's language asks for (Indonesian unless it is English)."""
    return english if (get_language() or "id").startswith("en") else indonesian


class Taxonomy(models.Model):
    """A bilingual code list that officers maintain (processes, materials, certification types)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    synonyms = models.CharField(
        _("synonyms"), max_length=300, blank=True, help_text=_("Other words for it, comma-separated (trade slang).")
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedQuerySet.as_manager()
    access_policy = AccessPolicy(
        rules={
            "view": {role: [ALL] for role in Role.values},
            "change": {Role.PROGRAMME_OFFICER: [ALL]},
            "add": {Role.PROGRAMME_OFFICER: [ALL]},
            "delete": {Role.PROGRAMME_OFFICER: [ALL]},
        }
    )

    class Meta:
        abstract = True
        ordering = ["name_id"]

    def __str__(self) -> str:
        return in_language(self.name_id, self.name_en)


class Process(Taxonomy):
    class Meta(Taxonomy.Meta):
        verbose_name = _("process")
        verbose_name_plural = _("processes")


class Material(Taxonomy):
    class Meta(Taxonomy.Meta):
        verbose_name = _("material")
        verbose_name_plural = _("materials")


class CertificationType(Taxonomy):
    class Meta(Taxonomy.Meta):
        verbose_name = _("certification type")
        verbose_name_plural = _("certification types")


class Kbli(models.Model):
    """A KBLI 2020 code (Peraturan BPS 2/2020)."""

    code = models.CharField(_("KBLI code"), max_length=5, unique=True)
    title_id = models.CharField(_("title (Indonesian)"), max_length=250)
    title_en = models.CharField(_("title (English)"), max_length=250)

    class Meta:
        ordering = ["code"]
        verbose_name = _("KBLI code")
        verbose_name_plural = _("KBLI codes")

    def __str__(self) -> str:
        return self.code


class CompanyKind(models.TextChoices):
    IKM = "ikm", _("IKM (small or medium industry)")
    INDUSTRY = "industry", _("Large industry (buyer)")


class BuyerType(models.TextChoices):
    APM_4W = "apm_4w", _("APM four-wheel")
    APM_2W = "apm_2w", _("APM two-wheel")
    TIER_1 = "tier1", _("Tier-1 supplier")
    TIER_2 = "tier2", _("Tier-2 supplier")
    HEAVY = "heavy", _("Heavy equipment")
    APPLIANCE = "appliance", _("Appliance")
    OTHER = "other", _("Other")


class SizeClass(models.TextChoices):
    MICRO = "micro", _("Micro")
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")


class Verification(models.TextChoices):
    SELF_DECLARED = "self", _("Self-declared")
    VERIFIED = "verified", _("Verified by an officer")


class Company(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=10, choices=CompanyKind.choices, default=CompanyKind.IKM)
    buyer_type = models.CharField(_("buyer type"), max_length=10, choices=BuyerType.choices, blank=True)
    organisation = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="company",
        help_text=_("The organisation whose staff sign in for this company."),
    )
    legal_name = models.CharField(_("legal name"), max_length=200)  # indexed in Meta (no LIKE index)
    brand_name = models.CharField(_("brand name"), max_length=200, blank=True)
    nib = models.CharField(_("NIB"), max_length=13, unique=True, help_text=_("Nomor Induk Berusaha: 13 digits."))
    npwp = models.CharField(_("NPWP"), max_length=16, blank=True, help_text=_("15 or 16 digits."))
    kbli = models.ManyToManyField(Kbli, verbose_name=_("KBLI codes"), blank=True, related_name="companies")
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("regency or city"),
        on_delete=models.PROTECT,
        related_name="companies",
        db_index=False,  # the (region, legal_name) index in Meta serves lookups by region
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    workforce = models.PositiveIntegerField(_("workforce"), null=True, blank=True)
    investment = models.DecimalField(
        _("investment (Rp)"),
        max_digits=18,
        decimal_places=0,
        null=True,
        blank=True,
        help_text=_("Excluding land and buildings (Permenperin 64/2016)."),
    )
    business_capital = models.DecimalField(
        _("business capital (Rp)"),
        max_digits=18,
        decimal_places=0,
        null=True,
        blank=True,
        help_text=_("Excluding land and buildings (PP 7/2021)."),
    )
    turnover = models.DecimalField(_("annual turnover (Rp)"), max_digits=18, decimal_places=0, null=True, blank=True)
    industry_class = models.CharField(_("industry class"), max_length=10, choices=SizeClass.choices, blank=True)
    industry_class_rule = models.CharField(_("industry class rule"), max_length=200, blank=True)
    enterprise_class = models.CharField(_("enterprise class"), max_length=10, choices=SizeClass.choices, blank=True)
    enterprise_class_rule = models.CharField(_("enterprise class rule"), max_length=200, blank=True)
    products = models.TextField(_("products"), blank=True, help_text=_("What the company makes, in its own words."))
    hs_codes = models.CharField(_("HS codes"), max_length=300, blank=True, help_text=_("Comma-separated."))
    processes = models.ManyToManyField(Process, verbose_name=_("processes"), blank=True, related_name="companies")
    materials = models.ManyToManyField(Material, verbose_name=_("materials"), blank=True, related_name="companies")
    monthly_capacity = models.PositiveIntegerField(_("monthly capacity (pieces)"), null=True, blank=True)
    capacity_note = models.CharField(_("capacity note"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    verification = models.CharField(
        _("verification"),
        max_length=10,
        choices=Verification.choices,
        default=Verification.SELF_DECLARED,
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    completeness = models.PositiveSmallIntegerField(_("profile completeness (%)"), default=0)
    # Denormalised text for search: names, products, HS codes, process and material names (both languages).
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    # Denormalised filter tokens (region, province, processes, materials, certification types by id; see
    # companies.search.filter_tokens): on PostgreSQL they are part of the GIN-indexed search vector, so one
    # index lookup answers a search with its filters.
    filter_tokens = models.TextField(_("filter tokens"), blank=True, editable=False)

    private_fields = ("npwp", "phone", "email", "turnover", "business_capital", "contact_name")
    changelog_exclude = ("search_text", "filter_tokens")
    access_policy = AccessPolicy(
        rules={
            "view": {
                Role.PROGRAMME_OFFICER: [ALL],
                Role.REGIONAL_OFFICER: [REGION, PUBLIC],
                Role.BUYER: [OWN, PUBLIC],
                Role.IKM: [OWN, PUBLIC],
                Role.ASSESSOR: [OWN, PUBLIC],
            },
            "view_private": {
                Role.PROGRAMME_OFFICER: [ALL],
                Role.REGIONAL_OFFICER: [REGION],
                Role.BUYER: [OWN],
                Role.IKM: [OWN],
                Role.ASSESSOR: [OWN],
            },
            "change": {
                Role.PROGRAMME_OFFICER: [ALL],
                Role.REGIONAL_OFFICER: [REGION],
                Role.BUYER: [OWN],
                Role.IKM: [OWN],
            },
            "verify": {Role.PROGRAMME_OFFICER: [ALL], Role.REGIONAL_OFFICER: [REGION]},
            "add": {Role.PROGRAMME_OFFICER: [ALL], Role.REGIONAL_OFFICER: [REGION]},
            "delete": {Role.PROGRAMME_OFFICER: [ALL]},
        },
        organisation_field="organisation",
        region_field="region",
        # Buyers, IKM and assessors see the verified registry; officers see everything.
        public=lambda: models.Q(verification=Verification.VERIFIED),
    )

    class Meta:
        ordering = ["legal_name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        # Every index costs each imported row its upkeep (issue 3's import goal): one per sort, plus those
        # filters use. Not indexed on purpose: verification (two values; a filter on it reads a large share of
        # the table either way), LIKE on the legal name (searches go through the search vector), the region
        # alone and completeness alone (the composite indexes below lead with them), the enterprise class
        # (shown, exported, never filtered or sorted on).
        indexes = [
            models.Index(fields=["legal_name"], name="companies_company_legal_name"),
            models.Index(fields=["kind", "legal_name"]),
            models.Index(fields=["region", "legal_name"]),
            models.Index(fields=["industry_class"]),
            models.Index(fields=["-completeness", "legal_name"]),
            # The matching index catches up with edits by asking for rows updated since its last sync.
            models.Index(fields=["updated"]),
        ]

    def __str__(self) -> str:
        return self.legal_name

    def get_absolute_url(self) -> str:
        return reverse("companies:detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        return f"{self.legal_name} ({self.brand_name})" if self.brand_name else self.legal_name


class CompanyPart:
    """A row that belongs to a company: a product, machine, certification or plant."""

    def change_label(self) -> str:
        """How the change log names it: with its company, which the log's list does not otherwise show (unless
        the company is gone already, as when a deleted company takes its rows along)."""
        try:
            return f"{self} · {self.company}"
        except ObjectDoesNotExist:
            return str(self)


class Product(CompanyPart, models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="product_items")
    name = models.CharField(_("product"), max_length=200)
    hs_code = models.CharField(_("HS code"), max_length=13, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name


class Machine(CompanyPart, models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="machines")
    machine_type = models.CharField(_("machine type"), max_length=120)
    count = models.PositiveIntegerField(_("count"), default=1)
    capacity = models.CharField(_("capacity"), max_length=120, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)

    class Meta:
        ordering = ["machine_type"]
        verbose_name = _("machine")
        verbose_name_plural = _("machines")

    def __str__(self) -> str:
        return f"{self.count}× {self.machine_type}"


def child_policy() -> AccessPolicy:
    """Rows that belong to a company are seen and changed as the company is."""
    rules = {action: by_role for action, by_role in Company.access_policy.rules.items() if action != "add"}
    return AccessPolicy(
        rules=rules,
        organisation_field="company__organisation",
        region_field="company__region",
        public=lambda: models.Q(company__verification=Verification.VERIFIED),
    )


class Certification(CompanyPart, models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="certifications")
    certification_type = models.ForeignKey(
        CertificationType, verbose_name=_("certification"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("certificate number"), max_length=80, blank=True)
    issuer = models.CharField(_("issuer"), max_length=120, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, db_index=True)
    evidence = models.FileField(_("evidence"), upload_to="certificates/%Y/", blank=True)

    objects = RestrictedQuerySet.as_manager()
    access_policy = child_policy()

    class Meta:
        ordering = ["certification_type__code"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        indexes = [models.Index(fields=["certification_type", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.certification_type} {self.number}".strip()

    @property
    def is_valid(self) -> bool:
        return self.valid_until is None or self.valid_until >= timezone.localdate()


class Plant(CompanyPart, models.Model):
    """A buyer's delivery location."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="plants")
    name = models.CharField(_("plant"), max_length=120)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("regency or city"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("plant")
        verbose_name_plural = _("plants")

    def __str__(self) -> str:
        return self.name
