"""Forms of event setup, participation and meeting requests. Each ``save(actor=…)`` calls a service in
:mod:`jalin.events.setup`; no form writes a model itself."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jalin.companies.forms import DateInput
from jalin.regions.models import Region

from . import setup
from .models import Event, MeetingTable, Participant, Priority, Representative, Session


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ServiceErrorsMixin:
    def add_service_error(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, exc)


class EventForm(ServiceErrorsMixin, forms.ModelForm):
    groups = [
        ("what", _("The event"), ["reference", "name", "description", "organiser"]),
        ("where", _("Where and when"), ["venue", "address", "region", "starts_on", "ends_on", "timezone"]),
        ("meetings", _("Meetings"), ["slot_minutes", "max_meetings", "requests_close"]),
    ]
    wide = frozenset({"name", "description", "venue", "address", "region", "organiser"})

    class Meta:
        model = Event
        fields = [
            "reference",
            "name",
            "description",
            "organiser",
            "venue",
            "address",
            "region",
            "starts_on",
            "ends_on",
            "timezone",
            "slot_minutes",
            "max_meetings",
            "requests_close",
        ]
        widgets = {
            "starts_on": DateInput,
            "ends_on": DateInput,
            "requests_close": DateTimeInput,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        regions = Region.objects.filter(level="regency").order_by("code")
        if user is not None and not user.is_superuser and user.role == "regional_officer" and user.region_scope_id:
            code = user.region_scope.code
            regions = Region.objects.filter(code__startswith=code).order_by("code")
        self.fields["region"].queryset = regions
        self.fields["region"].label_from_instance = lambda r: f"{r.name} ({r.code})"
        self.fields["reference"].widget.attrs["class"] = "mono"
        self.fields["slot_minutes"].min_value = 5
        self.fields["slot_minutes"].widget.attrs["min"] = 5
        self.fields["max_meetings"].widget.attrs["min"] = 1

    @property
    def fieldsets(self):
        return [
            (key, legend, [self[name] for name in names if name in self.fields]) for key, legend, names in self.groups
        ]

    def clean_reference(self):
        value = self.cleaned_data["reference"].strip().upper()
        clash = Event.objects.filter(reference__iexact=value)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("Another event already has this reference."))
        return value

    def clean(self):
        data = super().clean()
        first, last = data.get("starts_on"), data.get("ends_on")
        if first and last and last < first:
            self.add_error("ends_on", _("The last day cannot be before the first."))
        if data.get("slot_minutes") is not None and data["slot_minutes"] < 5:
            self.add_error("slot_minutes", _("A meeting lasts at least 5 minutes."))
        if data.get("max_meetings") is not None and data["max_meetings"] < 1:
            self.add_error("max_meetings", _("Allow at least one meeting per participant."))
        return data

    def _post_clean(self):
        # The model's checks run in the service (full_clean there); skip the duplicate here.
        pass

    def save(self, *, actor) -> Event:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if self.instance.pk:
            return setup.update_event(self.instance, actor=actor, **fields)
        return setup.create_event(actor=actor, **fields)


class SessionForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Session
        fields = ["name", "date", "start", "end"]
        widgets = {"date": DateInput, "start": TimeInput, "end": TimeInput}

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["name"].widget.attrs["placeholder"] = _("e.g. Morning")
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("date", event.starts_on)

    def _post_clean(self):
        pass

    def save(self, *, actor) -> Session:
        return setup.save_session(
            self.event, actor=actor, session=self.instance if self.instance.pk else None, **self.cleaned_data
        )


class TableForm(ServiceErrorsMixin, forms.Form):
    label = forms.CharField(label=_("Label"), max_length=40, help_text=_("As on the sign, e.g. Meja 12 or Ruang B."))


class TablesForm(ServiceErrorsMixin, forms.Form):
    count = forms.IntegerField(label=_("Number of tables"), min_value=1, max_value=500, initial=10)
    prefix = forms.CharField(label=_("Label"), max_length=30, initial="Meja", help_text=_("Numbered 1, 2, 3…"))


class FixedTableForm(ServiceErrorsMixin, forms.Form):
    participant = forms.ModelChoiceField(label=_("Buyer"), queryset=Participant.objects.none())
    table = forms.ModelChoiceField(
        label=_("Fixed table"), queryset=MeetingTable.objects.none(), required=False, empty_label=_("No fixed table")
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = (
            Participant.objects.filter(event=event, side="buyer", status__in=setup.ACTIVE_PARTICIPANT)
            .select_related("company")
            .order_by("company__legal_name")
        )
        self.fields["table"].queryset = MeetingTable.objects.filter(event=event)


class ParticipantForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Participant
        fields = ["available_sessions", "max_meetings", "fixed_table", "note"]
        widgets = {"available_sessions": forms.CheckboxSelectMultiple}

    def __init__(self, *args, manager: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        event = self.instance.event
        self.fields["available_sessions"].queryset = Session.objects.filter(event=event)
        self.fields["max_meetings"].widget.attrs["min"] = 0
        self.fields["max_meetings"].help_text = _("Empty: the event's cap of %(n)s meetings.") % {
            "n": event.max_meetings
        }
        if manager and self.instance.side == "buyer":
            self.fields["fixed_table"].queryset = MeetingTable.objects.filter(event=event)
        else:
            del self.fields["fixed_table"]

    def _post_clean(self):
        pass

    def save(self, *, actor) -> Participant:
        return setup.update_participant(self.instance, actor=actor, **self.cleaned_data)


class RepresentativeForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Representative
        fields = ["name", "position", "email", "phone"]

    def _post_clean(self):
        pass


class RequestForm(ServiceErrorsMixin, forms.Form):
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.WANT, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you would like to talk about (optional)."),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
