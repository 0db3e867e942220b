"""The filters of the events list pages, as django-filter FilterSets: the events list, an event's
participants, its meeting requests, the check-in search and the outcomes. The query parameter names are
those of the pages' filter forms.

A value that does not validate (an unknown status, a year that is not a number, a search with a NUL
character…) is ignored: the list shows as if that filter were not given, and the form shows it empty. The
other filters still apply."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from .models import (
    EventStatus,
    MeetingOutcome,
    NextStep,
    OutcomeRound,
    ParticipantSide,
    ParticipantStatus,
    Priority,
    RequestStatus,
)


class IntegerFilter(django_filters.Filter):
    field_class = forms.IntegerField


class SearchField(forms.CharField):
    """Stripped text; with ``max_chars``, cut to that length rather than refused."""

    def __init__(self, *, max_chars: int | None = None, **kwargs):
        self.max_chars = max_chars
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value[: self.max_chars] if self.max_chars else value


class SearchFilter(django_filters.CharFilter):
    """``icontains`` on any of ``fields`` (empty: no filter)."""

    field_class = SearchField

    def __init__(self, *fields: str, **kwargs):
        self.search_fields = fields
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        query = Q()
        for name in self.search_fields:
            query |= Q(**{f"{name}__icontains": value})
        qs = qs.filter(query)
        return qs.distinct() if self.distinct else qs


class ListFilterSet(django_filters.FilterSet):
    """A list page's filters. :meth:`values` gives what the filter form shows."""

    def values(self) -> dict:
        """Each filter's value as the page's form shows it ("" when absent or invalid), and ``active``: whether
        any filter applies."""
        self.form.is_valid()  # cleans: invalid fields are left out of cleaned_data
        cleaned = self.form.cleaned_data
        values = {}
        for name in self.filters:
            value = cleaned.get(name)
            values[name] = "" if value in EMPTY_VALUES else str(value)
        values["active"] = any(values.values())
        return values


class EventFilter(ListFilterSet):
    """The events list: ``status``, ``year`` (of the first day) and ``q`` (name, reference or venue)."""

    q = SearchFilter("name", "reference", "venue")
    status = django_filters.ChoiceFilter(choices=EventStatus.choices)
    year = IntegerFilter(field_name="starts_on", lookup_expr="year", min_value=1, max_value=9999)


class ParticipantFilter(ListFilterSet):
    """An event's participants: ``side``, ``status``, ``checked_in`` (1 or 0) and ``q`` (company name)."""

    q = SearchFilter("company__legal_name", "company__brand_name")
    side = django_filters.ChoiceFilter(choices=ParticipantSide.choices)
    status = django_filters.ChoiceFilter(choices=ParticipantStatus.choices)
    checked_in = django_filters.ChoiceFilter(choices=[("1", _("Checked in")), ("0", _("Not yet"))], method="arrived")

    def arrived(self, qs, name, value):
        return qs.filter(checked_in_at__isnull=value != "1")


class RequestFilter(ListFilterSet):
    """An event's meeting requests: ``status``, ``priority``, ``mutual`` (1) and ``q`` (either company's name)."""

    q = SearchFilter("requester__company__legal_name", "recipient__company__legal_name")
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices)
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    mutual = django_filters.ChoiceFilter(choices=[("1", _("Mutual only"))], method="mutual_only")

    def mutual_only(self, qs, name, value):
        return qs.filter(mutual=True)


class CheckinFilter(ListFilterSet):
    """The check-in search: ``q``, a company's legal or brand name or a representative's name (the first 100
    characters)."""

    q = SearchFilter(
        "company__legal_name", "company__brand_name", "representatives__name", distinct=True, max_chars=100
    )


class OutcomeFilter(ListFilterSet):
    """The outcomes of an event's meetings (officers): ``round`` (one of ``rounds``; else ``current``) decides
    which answers count; ``recorded`` (complete: both sides answered in that round, missing: not) and ``step``
    (a side chose that next step in that round).

    The queryset of meetings is annotated with ``recorded``, the number of answers in the round shown; the
    figures of the page count :attr:`queryset` (before ``recorded`` and ``step``), the list shows :attr:`qs`."""

    recorded = django_filters.ChoiceFilter(
        choices=[("complete", _("Both sides recorded")), ("missing", _("Missing an answer"))], method="answers"
    )
    step = django_filters.ChoiceFilter(choices=NextStep.choices, method="next_step")
    round = django_filters.TypedChoiceFilter(choices=OutcomeRound.choices, coerce=int, method="shown")

    def __init__(self, data, queryset, *, event, rounds, current):
        super().__init__(data, queryset)
        self.event = event
        self.filters["round"].extra["choices"] = [(r, OutcomeRound(r).label) for r in rounds]
        self.form.is_valid()
        chosen = self.form.cleaned_data.get("round")
        self.round = int(current) if chosen in EMPTY_VALUES else chosen
        self.queryset = queryset.annotate(
            recorded=Count("outcomes", filter=Q(outcomes__round=self.round), distinct=True)
        )

    def answers(self, qs, name, value):
        return qs.filter(recorded__gte=2) if value == "complete" else qs.filter(recorded__lt=2)

    def next_step(self, qs, name, value):
        return qs.filter(
            pk__in=MeetingOutcome.objects.filter(meeting__event=self.event, round=self.round, next_step=value).values(
                "meeting_id"
            )
        )

    def shown(self, qs, name, value):
        return qs  # the round is applied by the annotation

    def values(self) -> dict:
        values = super().values()
        values["round"] = str(self.round)
        values["active"] = bool(values["recorded"] or values["step"])
        return values
