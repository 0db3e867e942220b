"""Business meetings (temu bisnis): events, their sessions, slots and tables, participants, meeting requests,
the meetings the scheduler places, and what both sides say afterwards.

Double booking is impossible at the database level: a meeting occupies one *seat* per participant
(unique per participant and slot) and its table (unique per slot among active meetings), so two
concurrent bookings of the same participant or table cannot both commit.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jalin.core.models import TimeStampedModel
from jalin.core.permissions import ALL, OWN, PUBLIC, REGION, AccessPolicy, RestrictedQuerySet
from jalin.core.roles import Role


def _officers_and(scope: str, *, regional_too: bool = False) -> dict:
    """Programme officers everywhere, regional officers in their region (and by ``scope`` too with
    ``regional_too``), buyer and IKM staff by ``scope``."""
    return {
        Role.PROGRAMME_OFFICER: [ALL],
        Role.REGIONAL_OFFICER: [REGION, scope] if regional_too else [REGION],
        Role.BUYER: [scope],
        Role.IKM: [scope],
    }


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for registration and requests")
    PUBLISHED = "published", _("Schedule published")
    CLOSED = "closed", _("Closed")


def _participating_events(user) -> Q:
    """Events (not drafts) in which the user's company takes part."""
    if not user.organisation_id:
        return Q(pk__in=[])
    return Q(
        pk__in=Participant.objects.filter(company__organisation_id=user.organisation_id)
        .exclude(event__status=EventStatus.DRAFT)
        .values("event_id")
    )


class Event(TimeStampedModel):
    reference = models.CharField(
        _("reference"), max_length=30, unique=True, help_text=_("Short code, e.g. LM-2019; used by `jalin schedule`.")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    organiser = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organiser"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organised_events",
    )
    venue = models.CharField(_("venue"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("regency or city"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=40,
        default="Asia/Jakarta",
        choices=[
            ("Asia/Jakarta", _("WIB (Asia/Jakarta)")),
            ("Asia/Makassar", _("WITA (Asia/Makassar)")),
            ("Asia/Jayapura", _("WIT (Asia/Jayapura)")),
        ],
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    slot_minutes = models.PositiveSmallIntegerField(_("meeting length (minutes)"), default=20)
    max_meetings = models.PositiveSmallIntegerField(
        _("meetings per participant (cap)"), default=10, help_text=_("A participant may lower its own cap.")
    )
    requests_close = models.DateTimeField(
        _("requests close"),
        null=True,
        blank=True,
        help_text=_("Pending requests expire at this time; empty: when the schedule is published."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT, db_index=True
    )
    follow_up_opened = models.DateTimeField(_("follow-up round opened"), null=True, blank=True)

    access_policy = AccessPolicy(
        rules={
            "view": {
                Role.PROGRAMME_OFFICER: [ALL],
                Role.REGIONAL_OFFICER: [REGION, PUBLIC],
                Role.BUYER: [PUBLIC, "participating"],
                Role.IKM: [PUBLIC, "participating"],
                Role.ASSESSOR: [PUBLIC],
            },
            # Run the event: edit, sessions, tables, invitations, scheduling, check-in, no-shows.
            "change": {Role.PROGRAMME_OFFICER: [ALL], Role.REGIONAL_OFFICER: [REGION]},
            "add": {Role.PROGRAMME_OFFICER: [ALL], Role.REGIONAL_OFFICER: [REGION]},
            "delete": {Role.PROGRAMME_OFFICER: [ALL]},
        },
        region_field="region",
        public=lambda: ~Q(status=EventStatus.DRAFT),
        extra={"participating": _participating_events},
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("business meeting event")
        verbose_name_plural = _("business meeting events")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="event_ends_after_start"),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="event_slot_at_least_5_minutes"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.pk])


def _event_child_policy(*, view_extra: dict | None = None, **more) -> AccessPolicy:
    """Rows that belong to an event: officers as on the event, everyone else as the event's view rule says."""
    rules = {
        "view": {
            Role.PROGRAMME_OFFICER: [ALL],
            Role.REGIONAL_OFFICER: [REGION, "event_visible"],
            Role.BUYER: ["event_visible"],
            Role.IKM: ["event_visible"],
            Role.ASSESSOR: ["event_visible"],
        },
        "change": {Role.PROGRAMME_OFFICER: [ALL], Role.REGIONAL_OFFICER: [REGION]},
    }
    extra = {
        "event_visible": lambda user: Q(event__in=Event.objects.restrict(user, "view").values("pk")),
    }
    if view_extra:
        extra.update(view_extra)
    return AccessPolicy(rules=rules, region_field="event__region", extra=extra, **more)


class Session(models.Model):
    """A block of meetings on one day (morning, afternoon), split into slots of the event's length."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="sessions")
    name = models.CharField(_("name"), max_length=80)
    date = models.DateField(_("date"))
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    objects = RestrictedQuerySet.as_manager()
    access_policy = _event_child_policy()

    class Meta:
        ordering = ["date", "start"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="session_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%d-%m-%Y} {self.start:%H:%M}–{self.end:%H:%M})"


class Slot(models.Model):
    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="slots")
    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="slots")
    index = models.PositiveIntegerField(_("number"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    objects = RestrictedQuerySet.as_manager()
    access_policy = _event_child_policy()

    class Meta:
        ordering = ["event", "index"]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        constraints = [models.UniqueConstraint(fields=["event", "index"], name="unique_slot_index_per_event")]

    def __str__(self) -> str:
        return f"#{self.index}"


class MeetingTable(models.Model):
    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="tables")
    label = models.CharField(_("label"), max_length=40, help_text=_("As on the sign, e.g. Meja 12 or Ruang B."))
    position = models.PositiveIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()
    access_policy = _event_child_policy()

    class Meta:
        ordering = ["event", "position", "label"]
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        constraints = [models.UniqueConstraint(fields=["event", "label"], name="unique_table_label_per_event")]

    def __str__(self) -> str:
        return self.label


class ParticipantStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    REGISTERED = "registered", _("Registered")
    DECLINED = "declined", _("Declined the invitation")
    CANCELLED = "cancelled", _("Cancelled")


class ParticipantSide(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    IKM = "ikm", _("IKM")


def _own_company(user) -> Q:
    return Q(company__organisation_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])


class Participant(TimeStampedModel):
    """A company taking part in an event, with its availability and (for buyers) an optional fixed table."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="participants")
    company = models.ForeignKey(
        "companies.Company", verbose_name=_("company"), on_delete=models.PROTECT, related_name="event_participations"
    )
    side = models.CharField(_("side"), max_length=5, choices=ParticipantSide.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ParticipantStatus.choices, default=ParticipantStatus.REGISTERED
    )
    available_sessions = models.ManyToManyField(
        Session,
        verbose_name=_("available in"),
        blank=True,
        related_name="+",
        help_text=_("Sessions in which the company can meet; none ticked means all."),
    )
    max_meetings = models.PositiveSmallIntegerField(
        _("meetings cap"), null=True, blank=True, help_text=_("Empty: the event's cap.")
    )
    fixed_table = models.ForeignKey(
        MeetingTable,
        verbose_name=_("fixed table"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A buyer that receives every meeting at its own table."),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checkin_code = models.UUIDField(_("check-in code"), default=uuid.uuid4, unique=True, editable=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    access_policy = AccessPolicy(
        rules={
            "view": {
                Role.PROGRAMME_OFFICER: [ALL],
                Role.REGIONAL_OFFICER: [REGION, "co_participant"],
                Role.BUYER: [OWN, "co_participant"],
                Role.IKM: [OWN, "co_participant"],
                Role.ASSESSOR: [],
            },
            # Availability, cap, representatives, accepting an invitation.
            "change": _officers_and(OWN),
            "manage": {Role.PROGRAMME_OFFICER: [ALL], Role.REGIONAL_OFFICER: [REGION]},
        },
        organisation_field="company__organisation",
        region_field="event__region",
        extra={
            # Fellow participants of an event the user's company takes part in (to browse and request).
            "co_participant": lambda user: (
                Q(event__in=Event.objects.filter(_participating_events(user)).values("pk"))
                & Q(status__in=[ParticipantStatus.INVITED, ParticipantStatus.REGISTERED])
            ),
        },
    )

    class Meta:
        ordering = ["event", "side", "company__legal_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["event", "company"], name="unique_participant_per_event"),
            models.UniqueConstraint(
                fields=["fixed_table"], condition=Q(fixed_table__isnull=False), name="one_participant_per_fixed_table"
            ),
        ]

    def __str__(self) -> str:
        return str(self.company)

    @property
    def cap(self) -> int:
        return self.max_meetings if self.max_meetings is not None else self.event.max_meetings


class Representative(models.Model):
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="representatives"
    )
    name = models.CharField(_("name"), max_length=120)
    position = models.CharField(_("position"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    objects = RestrictedQuerySet.as_manager()
    access_policy = AccessPolicy(
        rules={"view": _officers_and(OWN), "change": _officers_and(OWN)},
        organisation_field="participant__company__organisation",
        region_field="participant__event__region",
    )

    class Meta:
        ordering = ["participant", "name"]
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")

    def __str__(self) -> str:
        return self.name


class Priority(models.TextChoices):
    MUST = "must", _("Must meet")
    WANT = "want", _("Want to meet")
    MAYBE = "maybe", _("Maybe")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def _party_q(prefix: str = ""):
    def q(user) -> Q:
        if not user.organisation_id:
            return Q(pk__in=[])
        org = user.organisation_id
        return Q(**{f"{prefix}requester__company__organisation_id": org}) | Q(
            **{f"{prefix}recipient__company__organisation_id": org}
        )

    return q


def _side_q(side: str):
    """Requests whose ``side`` (requester or recipient) is the user's company."""

    def q(user) -> Q:
        if not user.organisation_id:
            return Q(pk__in=[])
        return Q(**{f"{side}__company__organisation_id": user.organisation_id})

    return q


class MeetingRequest(TimeStampedModel):
    """One company asking to meet another at an event; answered by the other side (or by an officer)."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="requests")
    requester = models.ForeignKey(
        Participant, verbose_name=_("from"), on_delete=models.CASCADE, related_name="requests_made"
    )
    recipient = models.ForeignKey(
        Participant, verbose_name=_("to"), on_delete=models.CASCADE, related_name="requests_received"
    )
    candidate = models.ForeignKey(
        "matching.Candidate",
        verbose_name=_("candidate"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_requests",
        help_text=_("The need → IKM match this meeting is about, if any."),
    )
    priority = models.CharField(_("priority"), max_length=5, choices=Priority.choices, default=Priority.WANT)
    message = models.CharField(_("message"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING, db_index=True
    )
    mutual = models.BooleanField(_("mutual"), default=False, help_text=_("Both sides asked to meet each other."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    access_policy = AccessPolicy(
        rules={
            "view": _officers_and("party", regional_too=True),
            "respond": _officers_and("recipient"),
            "withdraw": _officers_and("requester"),
        },
        region_field="event__region",
        extra={
            "party": _party_q(),
            "recipient": lambda user: (
                Q(recipient__company__organisation_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])
            ),
            "requester": lambda user: (
                Q(requester__company__organisation_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])
            ),
        },
    )

    class Meta:
        ordering = ["-created"]
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        constraints = [
            models.UniqueConstraint(fields=["requester", "recipient"], name="one_request_per_pair_and_direction"),
            models.CheckConstraint(condition=~Q(requester=models.F("recipient")), name="request_not_to_self"),
        ]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self) -> str:
        return f"{self.requester} → {self.recipient}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


#: Statuses in which a meeting occupies its slot, table and participants.
ACTIVE_MEETING = (MeetingStatus.SCHEDULED, MeetingStatus.HELD)


class Meeting(TimeStampedModel):
    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="meetings")
    request = models.ForeignKey(
        MeetingRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="meetings"
    )
    slot = models.ForeignKey(Slot, verbose_name=_("slot"), on_delete=models.CASCADE, related_name="meetings")
    table = models.ForeignKey(MeetingTable, verbose_name=_("table"), on_delete=models.PROTECT, related_name="meetings")
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED, db_index=True
    )
    locked = models.BooleanField(_("locked"), default=False, help_text=_("Re-scheduling leaves it where it is."))
    no_show = models.ForeignKey(
        Participant,
        verbose_name=_("did not come"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty with status no-show: neither side came."),
    )
    rescheduled_from = models.ForeignKey(
        "self",
        verbose_name=_("rescheduled from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rescheduled_to",
    )

    access_policy = AccessPolicy(
        rules={
            "view": _officers_and("party", regional_too=True),
            "record": _officers_and("party"),  # the outcome of one's own side
            "change": {Role.PROGRAMME_OFFICER: [ALL], Role.REGIONAL_OFFICER: [REGION]},
        },
        region_field="event__region",
        extra={"party": _party_q("request__")},
    )

    class Meta:
        ordering = ["slot__index", "table__position", "table__label"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "table"],
                condition=Q(status__in=ACTIVE_MEETING),
                name="one_active_meeting_per_table_and_slot",
            ),
            models.UniqueConstraint(
                fields=["request"], condition=Q(status__in=ACTIVE_MEETING), name="one_active_meeting_per_request"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} @ {self.slot} / {self.table}"


class MeetingSeat(models.Model):
    """A participant's place in a slot, held by an active meeting: unique per participant and slot."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="seats")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="seats")
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        constraints = [
            models.UniqueConstraint(fields=["participant", "slot"], name="one_meeting_per_participant_and_slot")
        ]

    def __str__(self) -> str:
        return f"{self.participant} @ {self.slot}"


class Interest(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")
    NONE = "none", _("None")


class NextStep(models.TextChoices):
    SAMPLE = "sample", _("Sample / evaluation")
    QUOTATION = "quotation", _("Quotation")
    MOU = "mou", _("MoU intention")
    NONE = "none", _("None")


class OutcomeRound(models.IntegerChoices):
    EVENT = 0, _("At the event")
    FOLLOW_UP = 1, _("Follow-up")


class MeetingOutcome(models.Model):
    """What one side says after a meeting: interest and the next step; asked again in a follow-up round."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="outcomes")
    participant = models.ForeignKey(
        Participant, verbose_name=_("side"), on_delete=models.CASCADE, related_name="outcomes"
    )
    round = models.PositiveSmallIntegerField(_("round"), choices=OutcomeRound.choices, default=OutcomeRound.EVENT)
    interest = models.CharField(_("interest"), max_length=6, choices=Interest.choices)
    next_step = models.CharField(_("next step"), max_length=10, choices=NextStep.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    access_policy = AccessPolicy(
        rules={
            "view": {
                Role.PROGRAMME_OFFICER: [ALL],
                Role.REGIONAL_OFFICER: [REGION, OWN],
                Role.BUYER: [OWN],
                Role.IKM: [OWN],
            },
        },
        organisation_field="participant__company__organisation",
        region_field="meeting__event__region",
    )

    class Meta:
        ordering = ["meeting", "round", "participant"]
        verbose_name = _("meeting outcome")
        verbose_name_plural = _("meeting outcomes")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "participant", "round"], name="one_outcome_per_side_and_round")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.participant}: {self.get_next_step_display()}"


class ScheduleRun(models.Model):
    """One run of the scheduler for an event: its figures and the meetings it moved."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="schedule_runs")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started = models.DateTimeField(_("started"), auto_now_add=True)
    time_limit = models.FloatField(_("time limit (s)"))
    status = models.CharField(_("solver status"), max_length=20, blank=True)
    objective = models.IntegerField(_("weighted meetings"), null=True, blank=True)
    bound = models.IntegerField(_("upper bound"), null=True, blank=True)
    gap = models.FloatField(_("gap"), null=True, blank=True)
    meetings = models.PositiveIntegerField(_("meetings"), default=0)
    unscheduled = models.PositiveIntegerField(_("accepted requests left out"), default=0)
    idle_gaps = models.PositiveIntegerField(_("idle gaps"), default=0)
    table_changes = models.PositiveIntegerField(_("table changes"), default=0)
    moved = models.PositiveIntegerField(_("meetings moved"), default=0)
    seconds = models.FloatField(_("solve time (s)"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()
    access_policy = AccessPolicy(
        rules={"view": {Role.PROGRAMME_OFFICER: [ALL], Role.REGIONAL_OFFICER: [REGION]}},
        region_field="event__region",
    )

    class Meta:
        ordering = ["-started"]
        verbose_name = _("schedule run")
        verbose_name_plural = _("schedule runs")

    def __str__(self) -> str:
        return f"{self.event.reference} {self.started:%Y-%m-%d %H:%M}"

    @property
    def gap_percent(self) -> str:
        """The distance to the proven bound, for people: "0.00 %" means optimal."""
        return "—" if self.gap is None else f"{100 * self.gap:.2f} %"
