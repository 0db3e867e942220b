"""Agendas (page, PDF, iCalendar, QR), table signage, check-in, the live board, and handling no-shows.

Reads go through ``restrict``; writes through :mod:`jalin.events.services`, which checks permission again
and runs in one transaction. A refused write (BookingError, ValidationError) becomes a message.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.shortcuts import render as django_render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from jalin.core.pagination import paginate
from jalin.core.permissions import can
from jalin.core.views import next_url

from . import agenda as ag
from . import services
from .filters import CheckinFilter
from .models import (
    ACTIVE_MEETING,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Participant,
    ParticipantStatus,
    Representative,
    Slot,
)
from .views_base import EventMixin, error_text

EXPECTED = (ParticipantStatus.INVITED, ParticipantStatus.REGISTERED)


def render(request, template: str, context: dict):
    """Render with the event's time zone active, so times show as on the venue's clocks."""
    with timezone.override(context["event"].timezone):
        return django_render(request, template, context)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# --------------------------------------------------------------------------------------------- agendas


class MyAgendaView(EventMixin, View):
    active_tab = "my_agenda"

    def get(self, request, *args, **kwargs):
        if self.participant is None:
            raise Http404(_("Your company does not take part in this event."))
        return redirect("events:agenda", self.event.pk, self.participant.pk)


class ParticipantMixin(EventMixin):
    """Loads ``self.subject``: a participant whose agenda the user may see — its own company's (``change`` on
    the participant) or any, for the event's officers. A fellow participant gets 404."""

    def load_subject(self) -> Participant:
        return get_object_or_404(
            Participant.objects.restrict(self.request.user, "change")
            .filter(event=self.event)
            .select_related("company", "event", "fixed_table"),
            pk=self.kwargs["participant"],
        )

    def agenda_context(self) -> dict:
        subject = self.subject
        code_url = self.request.build_absolute_uri(
            reverse("events:checkin_code", args=[self.event.pk, subject.checkin_code])
        )
        days = ag.agenda(subject)
        own_reps = Representative.objects.restrict(self.request.user, "view").filter(participant=subject)
        return self.event_context(
            subject=subject,
            days=days,
            meetings=sum(day.meetings for day in days),
            has_meetings=any(not row.is_break for day in days for row in day.rows),
            zone=ag.zone_label(self.event),
            code_url=code_url,
            own_representatives=list(own_reps),
            generated=timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(self.event.timezone)),
        )


class AgendaView(ParticipantMixin, View):
    template_name = "events/agenda.html"

    @property
    def active_tab(self):
        return "my_agenda" if self.participant and self.participant.pk == self.subject.pk else "schedule"

    def get(self, request, *args, **kwargs):
        self.subject = self.load_subject()
        context = self.agenda_context()
        context["qr_svg"] = ag.qr_svg(context["code_url"], scale=4)
        return render(request, self.template_name, context)


class AgendaPdfView(ParticipantMixin, View):
    def get(self, request, *args, **kwargs):
        self.subject = self.load_subject()
        context = self.agenda_context()
        context["qr_uri"] = ag.qr_data_uri(context["code_url"], scale=3)
        with timezone.override(self.event.timezone):
            pdf = ag.render_pdf("events/agenda_print.html", context, request=request)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{ag.filename(self.event, self.subject, "pdf")}"'
        return response


class AgendaIcsView(ParticipantMixin, View):
    def get(self, request, *args, **kwargs):
        self.subject = self.load_subject()
        url = request.build_absolute_uri(reverse("events:agenda", args=[self.event.pk, self.subject.pk]))
        response = HttpResponse(ag.ical(self.subject, agenda_url=url), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{ag.filename(self.event, self.subject, "ics")}"'
        return response


class ParticipantQrView(ParticipantMixin, View):
    def get(self, request, *args, **kwargs):
        self.subject = self.load_subject()
        url = request.build_absolute_uri(
            reverse("events:checkin_code", args=[self.event.pk, self.subject.checkin_code])
        )
        response = HttpResponse(ag.qr_svg(url, scale=8), content_type="image/svg+xml")
        response["Cache-Control"] = "private, max-age=3600"
        return response


# --------------------------------------------------------------------------------------------- signage


class SignageMixin(EventMixin):
    manager_only = True
    active_tab = "schedule"

    def signage_context(self) -> dict:
        tables = MeetingTable.objects.restrict(self.request.user, "view").filter(event=self.event)
        all_tables = list(tables)
        chosen = None
        raw = self.request.GET.get("table", "")
        if raw:
            chosen = next((t for t in all_tables if str(t.pk) == raw), None)
            if chosen is None:
                raise Http404(_("No such table in this event."))
        signs = ag.signage(self.event, [chosen] if chosen else all_tables)
        return self.event_context(
            signs=signs, tables=all_tables, chosen=chosen, zone=ag.zone_label(self.event), generated=timezone.now()
        )


class SignageView(SignageMixin, View):
    def get(self, request, *args, **kwargs):
        return render(request, "events/signage.html", self.signage_context())


class SignagePdfView(SignageMixin, View):
    def get(self, request, *args, **kwargs):
        context = self.signage_context()
        with timezone.override(self.event.timezone):
            pdf = ag.render_pdf("events/signage_print.html", context, request=request)
        suffix = f"-{context['chosen'].label}" if context["chosen"] else ""
        name = re.sub(r"[^A-Za-z0-9-]+", "-", f"signage-{self.event.reference}{suffix}").strip("-")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response


# --------------------------------------------------------------------------------------------- check-in


class CheckinView(EventMixin, View):
    manager_only = True
    active_tab = "checkin"

    def participants(self):
        return (
            Participant.objects.restrict(self.request.user, "manage")
            .filter(event=self.event, status__in=EXPECTED)
            .select_related("company")
        )

    def get(self, request, *args, **kwargs):
        search = CheckinFilter(request.GET, self.participants())
        query = search.values()["q"]
        first = ag.first_meetings(self.event)
        results = None
        if query:
            found = search.qs.order_by("company__legal_name")
            results = paginate(request, found, per_page=20)
            for p in results:
                p.first_meeting = first.get(p.pk)
        context = self.event_context(query=query, results=results, zone=ag.zone_label(self.event))
        if _is_htmx(request) and request.GET.get("partial") == "results":
            return render(request, "events/checkin_results.html", context)
        everyone = list(self.participants())
        arrived = sum(1 for p in everyone if p.checked_in_at)
        waiting = [p for p in everyone if not p.checked_in_at]
        for p in waiting:
            p.first_meeting = first.get(p.pk)
        far = timezone.now() + datetime.timedelta(days=36500)
        waiting.sort(key=lambda p: (p.first_meeting or far, p.company.legal_name))
        context.update(
            expected=len(everyone),
            arrived=arrived,
            waiting=paginate(request, waiting, per_page=25),
            recent=sorted((p for p in everyone if p.checked_in_at), key=lambda p: p.checked_in_at, reverse=True)[:8],
        )
        return render(request, "events/checkin.html", context)

    def post(self, request, *args, **kwargs):
        raw = request.POST.get("participant", "")
        participant = get_object_or_404(self.participants(), pk=int(raw) if raw.isdigit() else 0)
        was = participant.checked_in_at
        try:
            participant = services.check_in(participant, actor=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            if was:
                messages.info(
                    request,
                    _("%(company)s was already checked in at %(time)s.")
                    % {"company": participant.company, "time": ag.local(self.event, was).strftime("%H.%M")},
                )
            else:
                messages.success(request, _("%(company)s is checked in.") % {"company": participant.company})
        return HttpResponseRedirect(next_url(request, reverse("events:checkin", args=[self.event.pk])))


class CheckinCodeView(EventMixin, View):
    """What an officer's phone opens after scanning a participant's QR code. The participant itself sees a
    link to its agenda; anyone else a 404 (the code is not confirmed to exist)."""

    active_tab = "checkin"

    def load(self):
        participant = (
            Participant.objects.filter(event=self.event, checkin_code=self.kwargs["code"])
            .select_related("company")
            .first()
        )
        if participant is None:
            raise Http404
        self.is_own = self.participant is not None and self.participant.pk == participant.pk
        if not (self.can_manage and can(self.request.user, "manage", participant)) and not self.is_own:
            raise Http404
        return participant

    def get(self, request, *args, **kwargs):
        subject = self.load()
        first = ag.first_meetings(self.event).get(subject.pk)
        return render(
            request,
            "events/checkin_code.html",
            self.event_context(
                subject=subject,
                is_own=self.is_own and not self.can_manage,
                first_meeting=first,
                zone=ag.zone_label(self.event),
                representatives=Representative.objects.restrict(request.user, "view").filter(participant=subject),
            ),
        )

    def post(self, request, *args, **kwargs):
        subject = self.load()
        if not self.can_manage:
            raise PermissionDenied
        if subject.status not in EXPECTED:
            messages.error(request, _("This participant is not expected at the event."))
            return redirect("events:checkin_code", self.event.pk, subject.checkin_code)
        was = subject.checked_in_at
        try:
            subject = services.check_in(subject, actor=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            if was:
                messages.info(request, _("%(company)s was already checked in.") % {"company": subject.company})
            else:
                messages.success(request, _("%(company)s is checked in.") % {"company": subject.company})
        return redirect("events:checkin_code", self.event.pk, subject.checkin_code)


# ------------------------------------------------------------------------------------------------ board


class BoardMixin(EventMixin):
    manager_only = True
    active_tab = "board"

    def board_context(self) -> dict:
        slots = list(Slot.objects.restrict(self.request.user, "view").filter(event=self.event).order_by("index"))
        chosen = None
        raw = self.request.GET.get("slot", "")
        if raw.isdigit():
            chosen = next((s for s in slots if s.index == int(raw)), None)
        current = chosen or ag.current_slot(self.event)
        shown = []
        if current is not None:
            position = next(i for i, s in enumerate(slots) if s.pk == current.pk)
            shown = slots[position : position + 2]
        tables = list(MeetingTable.objects.restrict(self.request.user, "view").filter(event=self.event))
        meetings = (
            Meeting.objects.restrict(self.request.user, "view")
            .filter(event=self.event, slot__in=shown)
            .exclude(status=MeetingStatus.CANCELLED)
            .select_related(
                "slot",
                "table",
                "no_show__company",
                "request__requester__company",
                "request__recipient__company",
                "request__candidate__need",
            )
            .prefetch_related("rescheduled_to__slot", "rescheduled_to__table")
        )
        by_cell: dict[tuple[int, int], list[Meeting]] = {}
        for meeting in meetings:
            by_cell.setdefault((meeting.slot_id, meeting.table_id), []).append(meeting)
            meeting.moved_to = next((m for m in meeting.rescheduled_to.all() if m.status in ACTIVE_MEETING), None)
            meeting.option = None
            if meeting.status == MeetingStatus.NO_SHOW and meeting.moved_to is None:
                options = services.free_options(meeting.request, after=ag.reschedule_after(meeting), limit=1)
                meeting.option = _choice(self.event, options[0]) if options else None
        columns = []
        for slot in shown:
            rows = []
            for table in tables:
                cell = by_cell.get((slot.pk, table.pk), [])
                # Active meeting first, then the released ones it replaced.
                cell.sort(key=lambda m: (m.status not in ACTIVE_MEETING, m.pk))
                rows.append({"table": table, "meetings": cell})
            columns.append(
                {
                    "slot": slot,
                    "label": ag.time_range(self.event, slot.starts_at, slot.ends_at),
                    "rows": rows,
                    "count": sum(1 for r in rows for m in r["meetings"] if m.status in ACTIVE_MEETING),
                }
            )
        arrived = Participant.objects.restrict(self.request.user, "manage").filter(
            event=self.event, status__in=EXPECTED
        )
        now = timezone.now()
        query = f"?slot={chosen.index}" if chosen else ""
        return self.event_context(
            slots=slots,
            chosen=chosen,
            current=current,
            columns=columns,
            zone=ag.zone_label(self.event),
            arrived=arrived.filter(checked_in_at__isnull=False).count(),
            expected=arrived.count(),
            fragment_url=reverse("events:board_fragment", args=[self.event.pk]) + query,
            back=reverse("events:board", args=[self.event.pk]) + query,
            now=now,
            is_now=current is not None and current.starts_at <= now < current.ends_at,
        )


class BoardView(BoardMixin, View):
    def get(self, request, *args, **kwargs):
        return render(request, "events/board.html", self.board_context())


class BoardFragmentView(BoardMixin, View):
    def get(self, request, *args, **kwargs):
        return render(request, "events/board_fragment.html", self.board_context())


# -------------------------------------------------------------------------------------- meeting actions


class MeetingActionMixin(EventMixin):
    manager_only = True
    active_tab = "board"

    def load_meeting(self) -> Meeting:
        return get_object_or_404(
            Meeting.objects.restrict(self.request.user, "change")
            .filter(event=self.event)
            .select_related(
                "slot", "table", "request__requester__company", "request__recipient__company", "no_show__company"
            ),
            pk=self.kwargs["meeting"],
        )

    def back(self, meeting: Meeting | None = None) -> HttpResponseRedirect:
        url = reverse("events:board", args=[self.event.pk])
        if meeting is not None:
            url += f"?slot={meeting.slot.index}"
        return HttpResponseRedirect(next_url(self.request, url))


class MeetingHeldView(MeetingActionMixin, View):
    def post(self, request, *args, **kwargs):
        meeting = self.load_meeting()
        try:
            services.mark_held(meeting, actor=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Marked as held: %(meeting)s.") % {"meeting": _pair(meeting)})
        return self.back(meeting)


class MeetingNoShowView(MeetingActionMixin, View):
    def post(self, request, *args, **kwargs):
        meeting = self.load_meeting()
        side = request.POST.get("side", "")
        parties = {
            str(meeting.request.requester_id): meeting.request.requester,
            str(meeting.request.recipient_id): meeting.request.recipient,
        }
        if side == "both":
            absent = None
        elif side in parties:
            absent = parties[side]
        else:
            messages.error(request, _("Choose who did not come: one side or both."))
            return self.back(meeting)
        try:
            services.mark_no_show(meeting, actor=request.user, participant=absent)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            who = absent.company if absent else _("both sides")
            messages.success(
                request,
                _("No-show recorded (%(who)s): %(meeting)s. The table and slot are free again.")
                % {"who": who, "meeting": _pair(meeting)},
            )
        return self.back(meeting)


class MeetingRescheduleView(MeetingActionMixin, View):
    def options(self, meeting):
        options = services.free_options(meeting.request, after=ag.reschedule_after(meeting), limit=10)
        return [_choice(self.event, option) for option in options]

    def get(self, request, *args, **kwargs):
        meeting = self.load_meeting()
        moved_to = meeting.rescheduled_to.filter(status__in=ACTIVE_MEETING).select_related("slot", "table").first()
        return render(
            request,
            "events/meeting_reschedule.html",
            self.event_context(
                meeting=meeting,
                label=ag.time_range(self.event, meeting.slot.starts_at, meeting.slot.ends_at),
                options=self.options(meeting) if meeting.status not in ACTIVE_MEETING and not moved_to else [],
                moved_to=moved_to,
                moved_label=ag.time_range(self.event, moved_to.slot.starts_at, moved_to.slot.ends_at)
                if moved_to
                else "",
                next=request.GET.get("next", ""),
            ),
        )

    def post(self, request, *args, **kwargs):
        meeting = self.load_meeting()
        slot_id, _sep, table_id = request.POST.get("option", "").partition(":")
        slot = Slot.objects.filter(event=self.event, pk=slot_id).first() if slot_id.isdigit() else None
        table = MeetingTable.objects.filter(event=self.event, pk=table_id).first() if table_id.isdigit() else None
        if slot is None or table is None:
            messages.error(request, _("Choose one of the free slots."))
            return redirect("events:meeting_reschedule", self.event.pk, meeting.pk)
        try:
            new = services.reschedule(meeting, actor=request.user, slot=slot, table=table)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect("events:meeting_reschedule", self.event.pk, meeting.pk)
        messages.success(
            request,
            _("Rescheduled %(meeting)s to %(time)s at %(table)s.")
            % {
                "meeting": _pair(meeting),
                "time": ag.time_range(self.event, new.slot.starts_at, new.slot.ends_at),
                "table": new.table.label,
            },
        )
        return self.back(new)


@dataclass(frozen=True)
class Choice:
    """A free option as the pages show it: the slot's time range and the form value ``slot:table``."""

    slot: Slot
    table: MeetingTable
    label: str
    value: str


def _choice(event, option: services.Option) -> Choice:
    return Choice(
        option.slot,
        option.table,
        ag.time_range(event, option.slot.starts_at, option.slot.ends_at),
        f"{option.slot.pk}:{option.table.pk}",
    )


def _pair(meeting: Meeting) -> str:
    return f"{meeting.request.requester.company} – {meeting.request.recipient.company}"
