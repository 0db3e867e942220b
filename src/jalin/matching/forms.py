"""Forms of the matching pages. Each ``save(actor=…)`` calls a service; no form writes a model itself."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from . import services
from .engine.types import WEIGHTS
from .models import CandidateStatus, LexiconEntry, MatchSettings


class TransitionForm(forms.Form):
    """One step of a candidate's workflow; declining needs a reason (checked again by the service)."""

    to = forms.ChoiceField(label=_("New status"), choices=CandidateStatus.choices)
    reason = forms.CharField(label=_("Reason for declining"), max_length=300, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("to") == CandidateStatus.DECLINED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for declining this candidate."))
        return data


class InterestForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the buyer (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. similar parts you make today, or when you could send a sample."),
    )


class NominateForm(forms.Form):
    company = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class LexiconEntryForm(forms.ModelForm):
    class Meta:
        model = LexiconEntry
        fields = ["term", "concept", "language", "note"]
        help_texts = {
            "term": _("The word or phrase as people write it; stored in lower case, e.g. knalpot."),
            "concept": _(
                "The canonical token every term of the same meaning shares: lower-case letters, digits, "
                "hyphens, e.g. exhaust."
            ),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_term(self):
        term = " ".join((self.cleaned_data.get("term") or "").split()).lower()
        if not term:
            raise ValidationError(_("Write the term."))
        others = LexiconEntry.objects.filter(term=term)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(_("This term is already in the lexicon."))
        return term

    def clean_concept(self):
        return (self.cleaned_data.get("concept") or "").strip().lower()

    def save(self, *, actor):
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if self.instance.pk:
            return services.update_lexicon_entry(self.instance, actor=actor, **data)
        return services.create_lexicon_entry(actor=actor, **data)


class MatchSettingsForm(forms.ModelForm):
    class Meta:
        model = MatchSettings
        fields = [*WEIGHTS, "hard_penalty"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name in WEIGHTS:
            field = self.fields[name]
            field.validators.append(MinValueValidator(0))
            field.widget.attrs.update({"min": "0", "step": "0.01"})
        penalty = self.fields["hard_penalty"]
        penalty.widget.attrs.update({"min": "0", "max": "1", "step": "0.05"})

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                services.validate_weights({name: data.get(name) for name in self.Meta.fields})
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    self.add_error(None if field == "__all__" else field, messages)
        return data

    def save(self, *, actor):
        return services.update_match_settings(
            actor=actor, **{name: self.cleaned_data[name] for name in self.Meta.fields}
        )
