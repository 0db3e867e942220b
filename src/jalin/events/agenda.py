"""What a participant's day looks like, in the forms people carry it: rows for the agenda page and the
printed PDF, an iCalendar file for calendar programs, the check-in QR code, and table signage.

The functions take model objects the caller may already see (the views check permission); none writes.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass, field

import segno
from django.db.models import Max, Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import (
    ACTIVE_MEETING,
    Event,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Participant,
    Representative,
    Session,
    Slot,
)
from .services import participant_slots

ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def zone_label(event: Event) -> str:
    """WIB, WITA or WIT (the zone's name for another zone)."""
    return ZONE_LABELS.get(event.timezone, event.timezone)


def local(event: Event, moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment, zoneinfo.ZoneInfo(event.timezone))


def time_range(event: Event, start: datetime.datetime, end: datetime.datetime) -> str:
    """``09.00–09.20 WIB`` in the event's zone."""
    return f"{local(event, start):%H.%M}–{local(event, end):%H.%M} {zone_label(event)}"


# ------------------------------------------------------------------------------------------------ rows


def meetings_of(participant: Participant):
    """Every meeting of the participant (any status), with what a row shows, in slot order."""
    reps = Prefetch("representatives", queryset=Representative.objects.order_by("name"))
    return (
        Meeting.objects.filter(
            Q(request__requester_id=participant.pk) | Q(request__recipient_id=participant.pk),
            event=participant.event_id,
        )
        .select_related(
            "slot",
            "table",
            "no_show__company",
            "request__requester__company",
            "request__recipient__company",
            "request__candidate__need",
        )
        .prefetch_related(
            Prefetch("request__requester", queryset=Participant.objects.prefetch_related(reps)),
            Prefetch("request__recipient", queryset=Participant.objects.prefetch_related(reps)),
        )
        .order_by("slot__index", "pk")
    )


def counterpart(meeting: Meeting, participant: Participant) -> Participant:
    request = meeting.request
    return request.recipient if request.requester_id == participant.pk else request.requester


@dataclass
class AgendaRow:
    """One line of an agenda: a meeting (any status) or a break of one or more free slots."""

    starts: datetime.datetime
    ends: datetime.datetime
    label: str  # time range with the zone
    meeting: Meeting | None = None
    other: Participant | None = None
    slots: int = 1

    @property
    def is_break(self) -> bool:
        return self.meeting is None

    @property
    def active(self) -> bool:
        return self.meeting is not None and self.meeting.status in ACTIVE_MEETING

    @property
    def need(self):
        candidate = self.meeting.request.candidate if self.meeting else None
        return candidate.need if candidate else None

    @property
    def representatives(self) -> list:
        return list(self.other.representatives.all()) if self.other else []


@dataclass
class AgendaDay:
    session: Session
    rows: list[AgendaRow] = field(default_factory=list)

    @property
    def meetings(self) -> int:
        return sum(1 for row in self.rows if row.active)


def agenda(participant: Participant) -> list[AgendaDay]:
    """The participant's sessions, each with its meetings in time order and the free slots between them
    merged into breaks. A no-show or cancelled meeting stays on its line (struck) so the agenda explains
    what happened; its slot also shows as free if nothing replaced it."""
    event = participant.event
    meetings = list(meetings_of(participant))
    available = participant_slots(participant)
    used = {m.slot_id for m in meetings}
    slots = list(
        Slot.objects.filter(event=event)
        .filter(Q(pk__in=available) | Q(pk__in=used))
        .select_related("session")
        .order_by("index")
    )
    by_slot: dict[int, list[Meeting]] = {}
    for meeting in meetings:
        by_slot.setdefault(meeting.slot_id, []).append(meeting)
    days: list[AgendaDay] = []
    for slot in slots:
        if not days or days[-1].session.pk != slot.session_id:
            days.append(AgendaDay(session=slot.session))
        rows = days[-1].rows
        here = by_slot.get(slot.pk, [])
        for meeting in here:
            rows.append(
                AgendaRow(
                    slot.starts_at,
                    slot.ends_at,
                    time_range(event, slot.starts_at, slot.ends_at),
                    meeting=meeting,
                    other=counterpart(meeting, participant),
                )
            )
        if any(m.status in ACTIVE_MEETING for m in here):
            continue
        if rows and rows[-1].is_break and rows[-1].ends == slot.starts_at:
            last = rows[-1]
            last.ends = slot.ends_at
            last.slots += 1
            last.label = time_range(event, last.starts, last.ends)
        else:
            rows.append(AgendaRow(slot.starts_at, slot.ends_at, time_range(event, slot.starts_at, slot.ends_at)))
    return days


def first_meetings(event: Event) -> dict[int, datetime.datetime]:
    """Participant id → start of its first active meeting."""
    first: dict[int, datetime.datetime] = {}
    rows = Meeting.objects.filter(event=event, status__in=ACTIVE_MEETING).values_list(
        "request__requester_id", "request__recipient_id", "slot__starts_at"
    )
    for requester, recipient, start in rows:
        for pk in (requester, recipient):
            if pk not in first or start < first[pk]:
                first[pk] = start
    return first


# ---------------------------------------------------------------------------------------------- files


def filename(event: Event, participant: Participant, ext: str) -> str:
    """``agenda-LM-2019-pt-sadiyah-cahaya-logam.pdf``."""
    reference = re.sub(r"[^A-Za-z0-9-]+", "-", event.reference).strip("-") or str(event.pk)
    company = slugify(participant.company.legal_name)[:60] or str(participant.pk)
    return f"agenda-{reference}-{company}.{ext}"


def qr_svg(url: str, *, scale: int = 4) -> str:
    """An SVG QR code (XML, no declaration) for ``url``, dark on white, with a quiet zone."""
    return segno.make(url, error="m").svg_inline(scale=scale, dark="#111a24", light="#ffffff", border=4)


def qr_data_uri(url: str, *, scale: int = 4) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=scale, dark="#111a24", light="#ffffff", border=4)


_SEQUENCE = {MeetingStatus.SCHEDULED: 0, MeetingStatus.HELD: 1, MeetingStatus.NO_SHOW: 2, MeetingStatus.CANCELLED: 2}


def ical(participant: Participant, *, agenda_url: str = "") -> bytes:
    """An iCalendar (RFC 5545) file with one VEVENT per meeting of the participant.

    The UID is stable per meeting, so importing the file again updates the calendar; a no-show or
    cancelled meeting is sent with STATUS:CANCELLED (and a higher SEQUENCE) so calendar programs drop it.
    Times carry the event's TZID, described by a VTIMEZONE.
    """
    from icalendar import Calendar
    from icalendar import Event as VEvent

    event = participant.event
    zone = zoneinfo.ZoneInfo(event.timezone)
    cal = Calendar()
    cal.add("prodid", "-//Jalin//Temu bisnis//ID")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{event.reference} · {participant.company.legal_name}")
    cal.add("x-wr-timezone", event.timezone)
    place = ", ".join(part for part in (event.venue, event.address) if part)
    for meeting in meetings_of(participant):
        other = counterpart(meeting, participant)
        vevent = VEvent()
        vevent.add("uid", f"meeting-{meeting.pk}@jalin")
        vevent.add("dtstamp", meeting.updated.astimezone(datetime.UTC))
        vevent.add("last-modified", meeting.updated.astimezone(datetime.UTC))
        vevent.add("sequence", _SEQUENCE.get(meeting.status, 0))
        vevent.add("dtstart", meeting.slot.starts_at.astimezone(zone))
        vevent.add("dtend", meeting.slot.ends_at.astimezone(zone))
        vevent.add("summary", _("Business meeting: %(company)s") % {"company": other.company.legal_name})
        vevent.add("location", f"{place} · {meeting.table.label}" if place else meeting.table.label)
        lines = [f"{event.name} ({event.reference})", _("Table: %(table)s") % {"table": meeting.table.label}]
        candidate = meeting.request.candidate
        if candidate is not None:
            lines.append(
                _("About the need: %(need)s") % {"need": f"{candidate.need.reference} · {candidate.need.title}"}
            )
        names = ", ".join(rep.name for rep in other.representatives.all())
        if names:
            lines.append(_("Representatives: %(names)s") % {"names": names})
        if meeting.status == MeetingStatus.NO_SHOW:
            lines.append(_("Marked as a no-show."))
        if agenda_url:
            lines.append(agenda_url)
            vevent.add("url", agenda_url)
        vevent.add("description", "\n".join(lines))
        vevent.add("status", "CONFIRMED" if meeting.status in ACTIVE_MEETING else "CANCELLED")
        vevent.add("transp", "OPAQUE")
        cal.add_component(vevent)
    cal.add_missing_timezones()
    return cal.to_ical()


# ------------------------------------------------------------------------------------------------ PDF


def no_network_fetcher():
    """WeasyPrint's URL fetcher for printing: data: URIs only, never the network or the file system."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def render_pdf(template: str, context: dict, request=None) -> bytes:
    """Render ``template`` (HTML with its CSS inline) to a PDF with WeasyPrint."""
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    return HTML(string=html, base_url="about:blank", url_fetcher=no_network_fetcher()).write_pdf()


# -------------------------------------------------------------------------------------------- signage


@dataclass
class SignRow:
    slot: Slot
    label: str
    meeting: Meeting | None


@dataclass
class Sign:
    table: MeetingTable
    rows: list[SignRow]
    fixed: Participant | None = None

    @property
    def meetings(self) -> int:
        return sum(1 for row in self.rows if row.meeting is not None)


def signage(event: Event, tables) -> list[Sign]:
    """Per table, every slot with the meeting booked there (active meetings only)."""
    slots = list(Slot.objects.filter(event=event).order_by("index"))
    booked = {
        (m.slot_id, m.table_id): m
        for m in Meeting.objects.filter(event=event, status__in=ACTIVE_MEETING).select_related(
            "request__requester__company", "request__recipient__company"
        )
    }
    fixed = {
        p.fixed_table_id: p
        for p in Participant.objects.filter(event=event, fixed_table__isnull=False).select_related("company")
    }
    return [
        Sign(
            table=table,
            fixed=fixed.get(table.pk),
            rows=[
                SignRow(slot, time_range(event, slot.starts_at, slot.ends_at), booked.get((slot.pk, table.pk)))
                for slot in slots
            ],
        )
        for table in tables
    ]


# ---------------------------------------------------------------------------------------------- board


def current_slot(event: Event, now: datetime.datetime | None = None) -> Slot | None:
    """The slot under way, or the next one to start. Once the day is over: the first slot with a meeting still
    to mark (held or no-show), else the first slot with meetings, so the board opens where there is work."""
    now = now or timezone.now()
    slots = Slot.objects.filter(event=event).order_by("index")
    upcoming = slots.filter(ends_at__gt=now).first()
    if upcoming is not None:
        return upcoming
    return (
        slots.filter(meetings__status=MeetingStatus.SCHEDULED).first()
        or slots.filter(meetings__isnull=False).first()
        or slots.last()
    )


def reschedule_after(meeting: Meeting, now: datetime.datetime | None = None) -> datetime.datetime:
    """From when a released meeting may be booked again: after its own slot, and not in the past while the
    event is running (after the event, as in a demo, the slot's end is used)."""
    now = now or timezone.now()
    after = meeting.slot.ends_at
    last = Slot.objects.filter(event_id=meeting.event_id).aggregate(last=Max("ends_at"))["last"]
    if last and after < now < last:
        after = now
    return after
