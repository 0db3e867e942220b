"""Forms of the needs pages. Each ``save(actor=…)`` calls a service; no form writes a model itself."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jalin.companies.forms import DateInput, RupiahField
from jalin.companies.identifiers import clean_hs
from jalin.companies.models import CertificationType, Company, CompanyKind, Material, Plant, Process
from jalin.core.roles import Role

from . import services
from .models import Need, Visibility

ATTACHMENT_ACCEPT = ".pdf,.jpg,.jpeg,.png,.dxf,.step,.stp,.zip,application/pdf,image/jpeg,image/png,application/zip"


def is_programme_officer(user) -> bool:
    return user.is_superuser or user.role == Role.PROGRAMME_OFFICER


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each checked as a drawing or specification."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        cleaned = [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]
        errors = []
        for upload in cleaned:
            try:
                services.validate_attachment(upload)
            except ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise ValidationError(errors)
        return cleaned


class PlantChoiceField(forms.ModelChoiceField):
    """Plants of one buyer by name; when the buyer is not chosen yet, every buyer's plants with their company."""

    show_company = False

    def label_from_instance(self, plant):
        region = plant.region.name if plant.region_id else ""
        label = f"{plant.name} — {region}" if region else plant.name
        return f"{plant.company.legal_name}: {label}" if self.show_company else label


def plants_for(buyer: Company | None):
    qs = Plant.objects.select_related("region", "company")
    if buyer is None:
        return qs.filter(company__kind=CompanyKind.INDUSTRY).order_by("company__legal_name", "name")
    return qs.filter(company=buyer).order_by("name")


class NeedForm(forms.ModelForm):
    """Create or edit a need. A buyer posts for its own company; a programme officer chooses the buyer."""

    target_price = RupiahField(
        label=_("Target unit price (Rp)"),
        required=False,
        max_digits=14,
        help_text=_("Private: seen only by your company and programme officers, never by the IKM."),
    )
    annual_import_value = RupiahField(
        label=_("Annual import value (Rp)"),
        required=False,
        help_text=_("What the part costs in imports per year. Required when it is imported today."),
    )
    hs_code = forms.CharField(
        label=_("HS code"), max_length=20, required=False, help_text=_("E.g. 8708.92 (4 to 10 digits).")
    )
    drawings = MultipleFileField(
        label=_("Drawings and specifications"),
        help_text=_("PDF, JPEG, PNG, DXF, STEP or ZIP, at most 20 MB each; several files at once are fine."),
    )

    groups = [
        ("part", _("The part"), ["buyer", "title", "part_category", "hs_code", "description", "drawings", "reference"]),
        ("making", _("How it is made"), ["processes", "materials"]),
        ("volume", _("Volume, price and timing"), ["annual_volume", "volume_unit", "target_price", "start_date"]),
        (
            "quality",
            _("Quality requirements"),
            ["required_certifications", "preferred_certifications", "max_defect_ppm", "hard_filter"],
        ),
        ("delivery", _("Delivery"), ["delivery_plant"]),
        ("imports", _("Import substitution"), ["imported", "annual_import_value"]),
        ("visibility", _("Who sees it"), ["visibility"]),
    ]
    #: Fields that take a whole row; the others share a row two by two on wide screens.
    wide = frozenset(
        {
            "buyer",
            "title",
            "description",
            "drawings",
            "processes",
            "materials",
            "required_certifications",
            "preferred_certifications",
            "hard_filter",
            "delivery_plant",
            "imported",
            "visibility",
        }
    )
    checks = frozenset({"processes", "materials", "required_certifications", "preferred_certifications"})

    class Meta:
        model = Need
        fields = [
            "buyer",
            "reference",
            "title",
            "part_category",
            "description",
            "hs_code",
            "processes",
            "materials",
            "annual_volume",
            "volume_unit",
            "target_price",
            "start_date",
            "required_certifications",
            "preferred_certifications",
            "max_defect_ppm",
            "hard_filter",
            "delivery_plant",
            "imported",
            "annual_import_value",
            "visibility",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "processes": forms.CheckboxSelectMultiple,
            "materials": forms.CheckboxSelectMultiple,
            "required_certifications": forms.CheckboxSelectMultiple,
            "preferred_certifications": forms.CheckboxSelectMultiple,
            "visibility": forms.RadioSelect,
            "start_date": DateInput,
        }

    def __init__(self, *args, user, buyer: Company | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        instance = self.instance
        fields = self.fields
        fields["title"].help_text = _(
            "What the part is, e.g. “Muffler assembly for 110cc scooter” or “Bos track roller”."
        )
        fields["part_category"].help_text = _("A short family name, e.g. exhaust, stamping part, bushing, casting.")
        fields["description"].help_text = _(
            "Dimensions, tolerances, surface treatment, packaging: what a supplier needs to judge and quote. "
            "Indonesian or English; the matching reads both."
        )
        fields["annual_volume"].help_text = _(
            "Expected quantity per year; the matching compares it with each IKM's monthly capacity."
        )
        fields["annual_volume"].widget.attrs["min"] = 0
        fields["max_defect_ppm"].help_text = _("Defective parts per million you accept, e.g. 500.")
        fields["max_defect_ppm"].widget.attrs["min"] = 0
        fields["start_date"].help_text = _("When the first delivery is due.")
        fields["imported"].help_text = _("Tick if you import this part today: replacing imports is a programme goal.")
        fields["required_certifications"].help_text = _(
            "Hard requirements: a candidate without a valid certificate is filtered out or penalised."
        )
        fields["preferred_certifications"].help_text = _(
            "Count in a candidate's favour but are not required. A certification cannot be in both lists."
        )
        fields["visibility"].help_text = _(
            "Open: every verified IKM may see the need once it is published. By invitation: only the IKM you "
            "invite. Draft: only your company and the officers."
        )
        fields["visibility"].choices = Visibility.choices

        chosen = (lambda name: getattr(instance, name).all()) if instance.pk else (lambda name: [])
        for name, model in (
            ("processes", Process),
            ("materials", Material),
            ("required_certifications", CertificationType),
            ("preferred_certifications", CertificationType),
        ):
            selected = [t.pk for t in chosen(name)]
            fields[name].queryset = model.objects.filter(Q(is_active=True) | Q(pk__in=selected))

        if instance.pk:
            fields["reference"].disabled = True
            fields["reference"].help_text = _("The reference stays as it is: imports and documents refer to it.")
        else:
            fields["reference"].required = False
            fields["reference"].help_text = _(
                "Leave empty to have one made from the buyer's initials, e.g. DPM-2026-001."
            )

        if is_programme_officer(user):
            buyers = Company.objects.restrict(user, "view").filter(kind=CompanyKind.INDUSTRY).order_by("legal_name")
            fields["buyer"].queryset = buyers
            fields["buyer"].help_text = _("The large industry whose need this is.")
            if buyer is None and instance.pk:
                buyer = instance.buyer
            if buyer is None and self.is_bound:
                raw = str(self.data.get("buyer") or "")
                buyer = buyers.filter(pk=int(raw)).first() if raw.isdigit() else None
        else:
            del fields["buyer"]
            buyer = instance.buyer if instance.pk else services.buyer_company_of(user)
        self.buyer = buyer

        plant = PlantChoiceField(
            queryset=plants_for(buyer),
            required=False,
            empty_label=_("Not decided yet"),
            label=_("Delivery plant"),
            help_text=_("Where the parts go; the matching weighs each IKM's distance to it."),
        )
        plant.show_company = buyer is None
        if buyer is not None and not plant.queryset.exists():
            plant.help_text = _("The buyer has no plants in the registry yet: add them on the company's page.")
        fields["delivery_plant"] = plant

    # ------------------------------------------------------------------ validation
    def clean_hs_code(self):
        value = (self.cleaned_data.get("hs_code") or "").strip()
        return clean_hs(value) if value else ""

    def clean_reference(self):
        if self.instance.pk:
            return self.instance.reference
        value = (self.cleaned_data.get("reference") or "").strip().upper()
        if value and Need.objects.filter(reference=value).exists():
            raise ValidationError(_("Another need already has this reference."), code="unique")
        return value

    def clean(self):
        cleaned = super().clean()
        # The rules across fields, on what did clean (a field with its own error is left out of them).
        data = {name: cleaned[name] for name in self.service_fields() if name in cleaned}
        data["buyer"] = cleaned.get("buyer") if "buyer" in self.fields else self.buyer
        try:
            services.validate_need(data, self.instance if self.instance.pk else None)
        except ValidationError as exc:
            self.add_service_error(exc)
        return cleaned

    def add_service_error(self, exc: ValidationError) -> None:
        """A service's error by field, on the field when the form shows it, else above the form."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, errors in exc.error_dict.items():
            self.add_error(name if name in self.fields else None, errors)

    # ------------------------------------------------------------------ display and save
    def service_fields(self) -> list[str]:
        return [name for name in self.fields if name not in ("drawings", "buyer") and not self.fields[name].disabled]

    def fieldsets(self):
        return [
            (key, legend, [self[name] for name in names if name in self.fields]) for key, legend, names in self.groups
        ]

    @transaction.atomic
    def save(self, *, actor):
        data = {name: self.cleaned_data[name] for name in self.service_fields()}
        if "buyer" in self.fields:
            data["buyer"] = self.cleaned_data["buyer"]
        if self.instance.pk:
            need = services.update_need(Need.objects.get(pk=self.instance.pk), actor=actor, **data)
        else:
            need = services.create_need(actor=actor, **data)
        for upload in self.cleaned_data.get("drawings") or []:
            services.add_attachment(need, actor=actor, file=upload, title="")
        return need


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A drawing or specification: PDF, JPEG, PNG, DXF, STEP or ZIP, at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("E.g. “Drawing rev. B” or “Packaging standard”. Empty: the file name is shown."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        services.validate_attachment(upload)
        return upload
