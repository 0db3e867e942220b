"""An event's figures: participants, requests, meetings, outcomes and the candidates they moved, and the
data of its charts. A handful of aggregate queries, whatever the event's size.

Definitions (docs/events-outcomes.md):

* acceptance rate = accepted / answered (accepted + declined); pending, expired and withdrawn are not answers;
* meetings on the schedule = meetings booked and not cancelled (scheduled, held, no-show);
* no-show rate = no-show / (held + no-show);
* the funnel counts *pairs* (requests): requested → accepted → scheduled (booked at least once, not only
  cancelled) → held → positive next step (either side, either round: sample, quotation or MoU intention).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import (
    Event,
    Meeting,
    MeetingOutcome,
    MeetingRequest,
    MeetingStatus,
    NextStep,
    OutcomeRound,
    Participant,
    ParticipantSide,
    ParticipantStatus,
    Priority,
    RequestStatus,
    Slot,
)
from .outcomes import CONCRETE_STEPS

ACTIVE_PARTICIPANT = (ParticipantStatus.INVITED, ParticipantStatus.REGISTERED)


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class EventStats:
    buyers: int = 0
    ikm: int = 0
    checked_in: int = 0
    requests: int = 0
    by_priority: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    mutual: int = 0
    accepted: int = 0
    answered: int = 0
    acceptance_rate: float | None = None
    on_schedule: int = 0
    scheduled: int = 0  # still to take place (or not yet marked)
    held: int = 0
    no_show: int = 0
    cancelled: int = 0
    rescheduled: int = 0
    no_show_rate: float | None = None
    outcomes: dict[int, dict[str, int]] = field(default_factory=dict)  # round → next step → count
    outcomes_recorded: dict[int, int] = field(default_factory=dict)
    candidates_met: int = 0
    candidates_evaluating: int = 0
    rounds: list[int] = field(default_factory=lambda: [OutcomeRound.EVENT])  # rounds to show
    funnel: list[tuple[str, str, int]] = field(default_factory=list)  # key, label, pairs
    per_slot: list[dict] = field(default_factory=list)

    @property
    def participants(self) -> int:
        return self.buyers + self.ikm

    @property
    def empty(self) -> bool:
        return not (self.participants or self.requests or self.on_schedule)

    def outcome_rows(self) -> list[dict]:
        """One row per next step: its label and the count in each round."""
        return [
            {
                "step": step.value,
                "label": str(step.label),
                "rounds": [self.outcomes.get(r, {}).get(step.value, 0) for r in self.rounds],
            }
            for step in NextStep
        ]

    def chart_data(self) -> dict:
        """What stats.js draws (labels already translated)."""
        return {
            "funnel": {
                "labels": [label for _key, label, _n in self.funnel],
                "values": [n for _key, _label, n in self.funnel],
                "label": _("Pairs"),
            },
            "outcomes": {
                "labels": [row["label"] for row in self.outcome_rows()],
                "series": [
                    {"label": str(OutcomeRound(r).label), "values": [row["rounds"][i] for row in self.outcome_rows()]}
                    for i, r in enumerate(self.rounds)
                ],
            },
            "slots": {
                "labels": [row["label"] for row in self.per_slot],
                "series": [
                    {"key": "held", "label": _("Held"), "values": [row["held"] for row in self.per_slot]},
                    {"key": "no_show", "label": _("No-show"), "values": [row["no_show"] for row in self.per_slot]},
                    {
                        "key": "scheduled",
                        "label": _("Not yet marked"),
                        "values": [row["scheduled"] for row in self.per_slot],
                    },
                ],
            },
        }

    def csv_rows(self) -> list[tuple[str, str, object]]:
        """(section, figure, value) rows for the CSV download."""
        rows: list[tuple[str, str, object]] = [
            ("participants", "buyers", self.buyers),
            ("participants", "ikm", self.ikm),
            ("participants", "checked_in", self.checked_in),
            ("requests", "total", self.requests),
        ]
        rows += [("requests", f"priority_{p}", self.by_priority.get(p, 0)) for p in Priority.values]
        rows += [("requests", f"status_{s}", self.by_status.get(s, 0)) for s in RequestStatus.values]
        rows += [
            ("requests", "mutual", self.mutual),
            ("requests", "answered", self.answered),
            ("requests", "acceptance_rate_percent", "" if self.acceptance_rate is None else self.acceptance_rate),
            ("meetings", "on_schedule", self.on_schedule),
            ("meetings", "held", self.held),
            ("meetings", "no_show", self.no_show),
            ("meetings", "not_yet_marked", self.scheduled),
            ("meetings", "cancelled", self.cancelled),
            ("meetings", "rescheduled", self.rescheduled),
            ("meetings", "no_show_rate_percent", "" if self.no_show_rate is None else self.no_show_rate),
        ]
        for r in OutcomeRound.values:
            rows.append((f"outcomes_round_{r}", "recorded", self.outcomes_recorded.get(r, 0)))
            rows += [(f"outcomes_round_{r}", s, self.outcomes.get(r, {}).get(s, 0)) for s in NextStep.values]
        rows += [("candidates", "met", self.candidates_met), ("candidates", "evaluating", self.candidates_evaluating)]
        rows += [("funnel", key, n) for key, _label, n in self.funnel]
        for row in self.per_slot:
            rows += [
                (f"slot_{row['index']}", "starts_at", row["starts_at"].isoformat()),
                (f"slot_{row['index']}", "held", row["held"]),
                (f"slot_{row['index']}", "no_show", row["no_show"]),
                (f"slot_{row['index']}", "not_yet_marked", row["scheduled"]),
            ]
        return rows


def event_stats(event: Event) -> EventStats:
    from jalin.matching.models import CandidateStatus

    s = EventStats()
    people = Participant.objects.filter(event=event, status__in=ACTIVE_PARTICIPANT).aggregate(
        buyers=Count("pk", filter=Q(side=ParticipantSide.BUYER)),
        ikm=Count("pk", filter=Q(side=ParticipantSide.IKM)),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
    )
    s.buyers, s.ikm, s.checked_in = people["buyers"], people["ikm"], people["checked_in"]

    requests = MeetingRequest.objects.filter(event=event)
    for row in requests.values("priority", "status", "mutual").annotate(n=Count("pk")):
        s.requests += row["n"]
        s.by_priority[row["priority"]] = s.by_priority.get(row["priority"], 0) + row["n"]
        s.by_status[row["status"]] = s.by_status.get(row["status"], 0) + row["n"]
        if row["mutual"]:
            s.mutual += row["n"]
    s.accepted = s.by_status.get(RequestStatus.ACCEPTED, 0)
    s.answered = s.accepted + s.by_status.get(RequestStatus.DECLINED, 0)
    s.acceptance_rate = rate(s.accepted, s.answered)

    meetings = Meeting.objects.filter(event=event)
    counts = meetings.aggregate(
        scheduled=Count("pk", filter=Q(status=MeetingStatus.SCHEDULED)),
        held=Count("pk", filter=Q(status=MeetingStatus.HELD)),
        no_show=Count("pk", filter=Q(status=MeetingStatus.NO_SHOW)),
        cancelled=Count("pk", filter=Q(status=MeetingStatus.CANCELLED)),
        rescheduled=Count("pk", filter=Q(rescheduled_from__isnull=False)),
    )
    s.scheduled, s.held, s.no_show = counts["scheduled"], counts["held"], counts["no_show"]
    s.cancelled, s.rescheduled = counts["cancelled"], counts["rescheduled"]
    s.on_schedule = s.scheduled + s.held + s.no_show
    s.no_show_rate = rate(s.no_show, s.held + s.no_show)

    for row in MeetingOutcome.objects.filter(meeting__event=event).values("round", "next_step").annotate(n=Count("pk")):
        s.outcomes.setdefault(row["round"], {})[row["next_step"]] = row["n"]
        s.outcomes_recorded[row["round"]] = s.outcomes_recorded.get(row["round"], 0) + row["n"]

    if event.follow_up_opened or s.outcomes.get(OutcomeRound.FOLLOW_UP):
        s.rounds = [OutcomeRound.EVENT, OutcomeRound.FOLLOW_UP]

    candidates = (
        requests.filter(candidate__isnull=False).values("candidate_id", "candidate__status").distinct().order_by()
    )
    statuses = [row["candidate__status"] for row in candidates]
    s.candidates_met = statuses.count(CandidateStatus.MET)
    s.candidates_evaluating = statuses.count(CandidateStatus.EVALUATING)

    pairs = meetings.exclude(status=MeetingStatus.CANCELLED)
    s.funnel = [
        ("requested", _("Requested"), s.requests),
        ("accepted", _("Accepted"), s.accepted),
        ("scheduled", _("Scheduled"), pairs.values("request_id").distinct().count()),
        ("held", _("Held"), meetings.filter(status=MeetingStatus.HELD).values("request_id").distinct().count()),
        (
            "positive",
            _("Positive next step"),
            MeetingOutcome.objects.filter(meeting__event=event, next_step__in=CONCRETE_STEPS)
            .values("meeting__request_id")
            .distinct()
            .count(),
        ),
    ]

    per_slot = {
        row["slot_id"]: row
        for row in meetings.values("slot_id").annotate(
            held=Count("pk", filter=Q(status=MeetingStatus.HELD)),
            no_show=Count("pk", filter=Q(status=MeetingStatus.NO_SHOW)),
            scheduled=Count("pk", filter=Q(status=MeetingStatus.SCHEDULED)),
        )
    }
    zone = zoneinfo.ZoneInfo(event.timezone)
    for slot in Slot.objects.filter(event=event).order_by("index"):
        row = per_slot.get(slot.pk, {})
        local = timezone.localtime(slot.starts_at, zone)
        s.per_slot.append(
            {
                "index": slot.index,
                "starts_at": slot.starts_at,
                "label": f"{date_format(local, 'd/m')} {local:%H:%M}",
                "held": row.get("held", 0),
                "no_show": row.get("no_show", 0),
                "scheduled": row.get("scheduled", 0),
            }
        )
    return s
