from django import forms
from django.utils.choices import BaseChoiceIterator

from .models import Region, RegionLevel


class _GroupedRegencies(BaseChoiceIterator):
    """Choices computed when the widget renders, not when the form class is defined."""

    def __init__(self, field):
        self.field = field

    def __iter__(self):
        groups: dict[str, list] = {}
        for region in self.field.queryset:
            province = region.parent.name if region.parent else ""
            groups.setdefault(province, []).append((region.pk, f"{region.name} ({region.code})"))
        yield ("", self.field.empty_label)
        yield from groups.items()


class RegencyChoiceField(forms.ModelChoiceField):
    """A regency/city select grouped by province (514 flat options are unusable)."""

    def __init__(self, queryset=None, **kwargs):
        if queryset is None:
            queryset = Region.objects.exclude(level=RegionLevel.PROVINCE)
        super().__init__(queryset.select_related("parent").order_by("parent__name", "name"), **kwargs)

    choices = property(lambda self: _GroupedRegencies(self), forms.ChoiceField.choices.fset)
