"""The outcome form: one side's interest, next step and a note; officers also choose the side."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Interest, NextStep


class OutcomeForm(forms.Form):
    side = forms.TypedChoiceField(label=_("Side"), coerce=int, widget=forms.RadioSelect)
    interest = forms.ChoiceField(
        label=_("Interest"),
        choices=Interest.choices,
        widget=forms.RadioSelect,
        help_text=_("How interested is this side in working together?"),
    )
    next_step = forms.ChoiceField(
        label=_("Next step"),
        choices=NextStep.choices,
        widget=forms.RadioSelect,
        help_text=_("A sample, a quotation or an MoU intention moves the match to evaluation."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was agreed, e.g. drawing to send, sample date, volume discussed."),
    )

    def __init__(self, *args, sides, **kwargs):
        super().__init__(*args, **kwargs)
        self.sides = {p.pk: p for p in sides}
        self.fields["side"].choices = [(p.pk, f"{p.company} ({p.get_side_display()})") for p in sides]
        if len(sides) == 1:
            self.fields["side"].widget = forms.HiddenInput()
            self.fields["side"].initial = sides[0].pk

    def clean_side(self):
        value = self.cleaned_data["side"]
        if value not in self.sides:
            raise forms.ValidationError(_("Choose one of the two sides of this meeting."))
        return self.sides[value]
