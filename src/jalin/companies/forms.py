"""Forms of the registry pages. Each ``save(actor=…)`` calls a service; no form writes a model itself."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jalin.accounts.models import Organisation, OrganisationKind
from jalin.regions.forms import RegencyChoiceField
from jalin.regions.models import Region, RegionLevel

from . import services
from .identifiers import clean_hs, clean_nib, clean_npwp, format_npwp
from .models import (
    Certification,
    CertificationType,
    Company,
    CompanyKind,
    Kbli,
    Machine,
    Material,
    Plant,
    Process,
    Product,
    in_language,
)

#: Evidence files: what a scanner or phone produces, checked by extension *and* by the file's first bytes.
EVIDENCE_TYPES = {
    "pdf": (b"%PDF",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

# Indonesia's bounding box, with a margin: catches swapped latitude and longitude.
LATITUDE_RANGE = (Decimal("-11.5"), Decimal("6.5"))
LONGITUDE_RANGE = (Decimal("94.5"), Decimal("141.5"))
_SIX_PLACES = Decimal("0.000001")
_HS_SEPARATORS = re.compile(r"[,;\s]+")


def regencies_for(user):
    """The regencies and cities a user may place a company in: a regional officer only inside its scope."""
    qs = Region.objects.exclude(level=RegionLevel.PROVINCE)
    if user is not None and not user.is_programme_officer and user.region_scope_id:
        code = user.region_scope.code
        qs = qs.filter(Q(code=code) | Q(code__startswith=code + "."))
    return qs


def clean_hs_list(value: str) -> str:
    """A comma-separated list of HS codes, each normalised; duplicates dropped, order kept."""
    codes: list[str] = []
    errors = []
    for raw in _HS_SEPARATORS.split(value or ""):
        if not raw:
            continue
        try:
            code = clean_hs(raw)
        except ValidationError as exc:
            errors.append(exc)
            continue
        if code not in codes:
            codes.append(code)
    if errors:
        raise ValidationError(errors)
    return ", ".join(codes)


def clean_coordinate(value, bounds: tuple[Decimal, Decimal], message) -> Decimal | None:
    if value is None:
        return None
    if not bounds[0] <= value <= bounds[1]:
        raise ValidationError(message, code="coordinates")
    return value.quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)


def validate_evidence(upload) -> None:
    """PDF, JPEG or PNG up to 10 MB, recognised by its content, not only by its name."""
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in EVIDENCE_TYPES:
        raise ValidationError(
            _("The evidence must be a PDF, JPEG or PNG file (you sent “%(name)s”)."),
            code="evidence_type",
            params={"name": upload.name},
        )
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("The evidence file is %(size)s MB; the limit is 10 MB. Scan at a lower resolution or compress it."),
            code="evidence_size",
            params={"size": f"{upload.size / 1024 / 1024:.1f}"},
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in EVIDENCE_TYPES[extension]):
        raise ValidationError(
            _("The file “%(name)s” is not a readable %(kind)s file."),
            code="evidence_content",
            params={"name": upload.name, "kind": extension.upper()},
        )


class RupiahField(forms.DecimalField):
    """An amount in whole rupiah, typed as people write it: ``Rp 4.500.000.000``, ``4,500,000,000`` and
    ``4500000000`` are the same amount. Shown with dots between thousands."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.error_messages["invalid"] = _("Enter an amount in whole rupiah, e.g. 4.500.000.000.")

    def to_python(self, value):
        if isinstance(value, str):
            cleaned = re.sub(r"(?i)^\s*rp\.?", "", value).strip()
            cleaned = re.sub(r"[\s.,]", "", cleaned)
            if cleaned and not re.fullmatch(r"-?\d+", cleaned):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            value = cleaned
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, Decimal | int):
            return f"{int(value):,}".replace(",", ".")
        return value


class CoordinatesMixin:
    """Latitude and longitude as typed or pasted from a map (any number of decimals), rounded to six."""

    def _coordinate_fields(self):
        for name in ("latitude", "longitude"):
            if name in self.fields:
                old = self.fields[name]
                self.fields[name] = forms.DecimalField(
                    label=old.label,
                    required=False,
                    help_text=old.help_text,
                    widget=forms.NumberInput(attrs={"step": "any"}),
                )
        if "latitude" in self.fields:
            self.fields["latitude"].help_text = _("Decimal degrees, e.g. -6.9817 (south of the equator is negative).")
        if "longitude" in self.fields:
            self.fields["longitude"].help_text = _("Decimal degrees, e.g. 109.1406.")

    def clean_latitude(self):
        return clean_coordinate(
            self.cleaned_data.get("latitude"), LATITUDE_RANGE, _("The latitude must lie in Indonesia (-11 to 6).")
        )

    def clean_longitude(self):
        return clean_coordinate(
            self.cleaned_data.get("longitude"), LONGITUDE_RANGE, _("The longitude must lie in Indonesia (95 to 141).")
        )

    def clean(self):
        cleaned = super().clean()
        if "latitude" in self.fields and (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            raise ValidationError(_("Give both the latitude and the longitude, or neither."), code="coordinates")
        return cleaned


def kbli_label(kbli: Kbli) -> str:
    return f"{kbli.code} — {in_language(kbli.title_id, kbli.title_en)}"


class CompanyForm(CoordinatesMixin, forms.ModelForm):
    """Create or edit a company profile. Officers set the kind, region and organisation; the company
    itself edits the rest."""

    nib = forms.CharField(
        label=_("NIB"), max_length=30, help_text=_("Nomor Induk Berusaha from OSS: 13 digits; spaces are ignored.")
    )
    npwp = forms.CharField(
        label=_("NPWP"),
        max_length=30,
        required=False,
        help_text=_("15 digits (XX.XXX.XXX.X-XXX.XXX) or the new 16-digit form."),
    )
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")
    hs_codes = forms.CharField(
        label=_("HS codes"),
        max_length=600,
        required=False,
        help_text=_("Comma-separated, e.g. 8708.92, 8714.10 (4 to 10 digits)."),
    )

    groups = [
        (
            "identity",
            _("Identity"),
            ["kind", "buyer_type", "legal_name", "brand_name", "nib", "npwp", "kbli", "organisation"],
        ),
        ("location", _("Location"), ["region", "address", "latitude", "longitude"]),
        ("size", _("Size"), ["workforce", "investment", "business_capital", "turnover"]),
        (
            "capabilities",
            _("Capabilities"),
            ["products", "hs_codes", "processes", "materials", "monthly_capacity", "capacity_note"],
        ),
        ("contact", _("Contact"), ["contact_name", "phone", "email", "website"]),
    ]

    class Meta:
        model = Company
        fields = [
            "kind",
            "buyer_type",
            "legal_name",
            "brand_name",
            "nib",
            "npwp",
            "kbli",
            "organisation",
            "region",
            "address",
            "latitude",
            "longitude",
            "workforce",
            "investment",
            "business_capital",
            "turnover",
            "products",
            "hs_codes",
            "processes",
            "materials",
            "monthly_capacity",
            "capacity_note",
            "contact_name",
            "phone",
            "email",
            "website",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "kbli": forms.CheckboxSelectMultiple,
            "processes": forms.CheckboxSelectMultiple,
            "materials": forms.CheckboxSelectMultiple,
            "products": forms.Textarea(attrs={"rows": 4}),
        }

    #: Fields that take a whole row; the others share a row two by two on wide screens.
    wide = frozenset({"kind", "legal_name", "kbli", "organisation", "region", "address", "products", "hs_codes"})
    wide |= {"processes", "materials"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        instance = self.instance
        self._coordinate_fields()
        if instance.pk and instance.npwp:
            self.initial["npwp"] = format_npwp(instance.npwp)

        self.fields["kind"].choices = CompanyKind.choices
        self.fields["buyer_type"].help_text = _("Only for a large industry (buyer).")
        for name in ("investment", "business_capital", "turnover"):
            old = self.fields[name]
            self.fields[name] = RupiahField(label=old.label, help_text=old.help_text, required=False)
        for name in ("workforce", "monthly_capacity"):
            self.fields[name].widget.attrs["min"] = 0
            self.fields[name].validators.append(MinValueValidator(0))

        chosen = (lambda name: getattr(instance, name).all()) if instance.pk else (lambda name: [])
        self.fields["kbli"].label_from_instance = kbli_label
        for name, model in (("processes", Process), ("materials", Material)):
            selected = [t.pk for t in chosen(name)]
            self.fields[name].queryset = model.objects.filter(Q(is_active=True) | Q(pk__in=selected))

        if user.is_officer:
            region = self.fields["region"]
            self.fields["region"] = RegencyChoiceField(
                queryset=regencies_for(user), label=region.label, help_text=region.help_text, initial=region.initial
            )
            orgs = Organisation.objects.restrict(user, "change").filter(
                kind__in=[OrganisationKind.IKM, OrganisationKind.BUYER]
            )
            self.fields["organisation"].queryset = orgs.filter(Q(company__isnull=True) | Q(company=instance.pk))
        else:
            # The kind, region and the link to an organisation are the officers' to set.
            for name in ("kind", "region", "organisation"):
                del self.fields[name]
            if instance.kind != CompanyKind.INDUSTRY:
                del self.fields["buyer_type"]

    # ------------------------------------------------------------------ validation
    def clean_nib(self):
        return clean_nib(self.cleaned_data["nib"])

    def clean_npwp(self):
        value = self.cleaned_data.get("npwp", "").strip()
        return clean_npwp(value) if value else ""

    def clean_hs_codes(self):
        value = clean_hs_list(self.cleaned_data.get("hs_codes", ""))
        if len(value) > 300:
            raise ValidationError(_("Too many HS codes: keep the list under 300 characters."), code="hs_length")
        return value

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind", self.instance.kind) if "kind" in self.fields else self.instance.kind
        if "buyer_type" in self.fields:
            if kind == CompanyKind.INDUSTRY and not cleaned.get("buyer_type"):
                self.add_error("buyer_type", _("Choose the buyer type of a large industry."))
            elif kind != CompanyKind.INDUSTRY:
                cleaned["buyer_type"] = ""
        return cleaned

    # ------------------------------------------------------------------ display and save
    def fieldsets(self):
        return [
            (key, legend, [self[name] for name in names if name in self.fields]) for key, legend, names in self.groups
        ]

    def save(self, *, actor):
        data = {name: self.cleaned_data[name] for name in self.fields}
        if self.instance.pk:
            # A fresh copy: the service compares the new region with the stored one.
            return services.update_company(Company.objects.get(pk=self.instance.pk), actor=actor, **data)
        return services.create_company(actor=actor, **data)


# ---------------------------------------------------------------------------------- company rows


class ChildForm(forms.ModelForm):
    """A row that belongs to a company (certification, machine, product, plant), saved by save_child."""

    def __init__(self, *args, company: Company, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        self.user = user

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}

    def save(self, *, actor):
        return services.save_child(
            self._meta.model,
            actor=actor,
            company=self.company,
            instance=self.instance if self.instance.pk else None,
            **self.service_data(),
        )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CertificationForm(ChildForm):
    class Meta:
        model = Certification
        fields = ["certification_type", "number", "issuer", "valid_from", "valid_until", "evidence"]
        widgets = {"valid_from": DateInput, "valid_until": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.certification_type_id if self.instance.pk else None
        self.fields["certification_type"].queryset = CertificationType.objects.filter(Q(is_active=True) | Q(pk=current))
        self.fields["evidence"].help_text = _("The certificate as PDF, JPEG or PNG, at most 10 MB.")
        self.fields["evidence"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
        self.fields["valid_until"].help_text = _("Leave empty if the certificate does not expire.")

    def clean_evidence(self):
        evidence = self.cleaned_data.get("evidence")
        if evidence and hasattr(evidence, "content_type"):  # a new upload, not the stored file
            validate_evidence(evidence)
        return evidence

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end of validity comes before its start."))
        return cleaned

    def service_data(self) -> dict:
        data = super().service_data()
        evidence = data.pop("evidence")
        if evidence is False:  # "clear" ticked
            data["evidence"] = ""
        elif evidence and hasattr(evidence, "content_type"):
            data["evidence"] = evidence
        return data


class MachineForm(ChildForm):
    class Meta:
        model = Machine
        fields = ["machine_type", "count", "capacity", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["machine_type"].help_text = _("E.g. CNC lathe, press 60 t, MIG welder.")
        self.fields["capacity"].help_text = _("E.g. 60 ton, Ø 400 × 1000 mm, 200 pcs/hour.")
        self.fields["count"].min_value = 1
        self.fields["count"].validators.append(MinValueValidator(1))
        self.fields["year"].help_text = _("Year of manufacture.")

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not 1900 <= year <= timezone.localdate().year + 1:
            raise ValidationError(_("Enter a year between 1900 and next year."), code="year")
        return year


class ProductForm(ChildForm):
    class Meta:
        model = Product
        fields = ["name", "hs_code", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hs_code"].max_length = 20
        self.fields["hs_code"].help_text = _("E.g. 8708.92 (4 to 10 digits).")

    def clean_hs_code(self):
        value = (self.cleaned_data.get("hs_code") or "").strip()
        return clean_hs(value) if value else ""


class PlantForm(CoordinatesMixin, ChildForm):
    region = RegencyChoiceField(label=_("Regency or city"))

    class Meta:
        model = Plant
        fields = ["name", "region", "address", "latitude", "longitude"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._coordinate_fields()


CHILD_FORMS: dict[str, type[ChildForm]] = {
    "certification": CertificationForm,
    "machine": MachineForm,
    "product": ProductForm,
    "plant": PlantForm,
}


# ---------------------------------------------------------------------------------- taxonomies


class TaxonomyForm(forms.ModelForm):
    """A process, material or certification type. The code is fixed once created (imports and the API use it)."""

    class Meta:
        model = Process  # replaced per kind by taxonomy_form()
        fields = ["code", "name_id", "name_en", "synonyms", "is_active"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("The code cannot change: imports and the API refer to it.")
        else:
            self.fields["code"].help_text = _("Lower-case letters, digits and hyphens, e.g. laser-cutting.")

    def save(self, *, actor):
        from jalin.core.services import create_object, update_object

        data = {name: self.cleaned_data[name] for name in self.fields if not self.fields[name].disabled}
        if self.instance.pk:
            return update_object(self.instance, actor=actor, **data)
        return create_object(self._meta.model, actor=actor, **data)


def taxonomy_form(model) -> type[TaxonomyForm]:
    return forms.modelform_factory(model, form=TaxonomyForm, fields=TaxonomyForm.Meta.fields)


class ExpiringFilterForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=3650, required=False)

    def days_or_default(self, default: int = 90) -> int:
        if self.is_valid() and self.cleaned_data.get("days"):
            return self.cleaned_data["days"]
        return default
