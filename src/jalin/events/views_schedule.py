"""The schedule page: run the scheduler as a background job with progress, read its figures, see the grid of
slots × tables, lock meetings that must stay, and the accepted requests left out."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from jalin.core.jobs import start_job
from jalin.core.models import ChangeAction, Job
from jalin.core.services import log_change, snapshot
from jalin.core.views import next_url

from .models import (
    ACTIVE_MEETING,
    Meeting,
    MeetingRequest,
    MeetingSeat,
    MeetingTable,
    ParticipantSide,
    RequestStatus,
    ScheduleRun,
    Slot,
)
from .planning import SCHEDULE_JOB, TIME_LIMITS
from .views_base import EventMixin

#: Grids wider than this show a table filter instead of every column at once.
GRID_TABLES = 24


def _schedule_job(event, job_id):
    return Job.objects.filter(pk=job_id, kind=SCHEDULE_JOB, params__event=event.pk).first() if job_id else None


def _table_pages(tables: list) -> list[tuple[int, str, str]]:
    """(first index, first label, last label) of each group of GRID_TABLES tables, when there is more than one."""
    if len(tables) <= GRID_TABLES:
        return []
    starts = range(0, len(tables), GRID_TABLES)
    return [(i, tables[i].label, tables[min(i + GRID_TABLES, len(tables)) - 1].label) for i in starts]


class ScheduleView(EventMixin, View):
    manager_only = True
    active_tab = "schedule"

    def get(self, request, pk):
        event = self.event
        tables = list(MeetingTable.objects.filter(event=event))
        table_page = request.GET.get("tables", "")
        first = int(table_page) if table_page.isdigit() else 0
        shown = tables[first : first + GRID_TABLES]
        slots = list(Slot.objects.filter(event=event).select_related("session").order_by("index"))
        meetings = Meeting.objects.filter(event=event, status__in=ACTIVE_MEETING, table__in=shown).select_related(
            "request__requester__company", "request__recipient__company"
        )
        cell = {}
        for m in meetings:
            a, b = m.request.requester, m.request.recipient
            m.sides = (a, b) if a.side == ParticipantSide.IKM else (b, a)  # IKM first, then the buyer
            cell[(m.slot_id, m.table_id)] = m
        rows = []
        session = None
        for slot in slots:
            rows.append(
                {
                    "slot": slot,
                    "new_session": slot.session_id != session,
                    "cells": [cell.get((slot.pk, t.pk)) for t in shown],
                }
            )
            session = slot.session_id
        accepted = MeetingRequest.objects.filter(event=event, status=RequestStatus.ACCEPTED)
        unscheduled = (
            accepted.exclude(meetings__status__in=ACTIVE_MEETING)
            .select_related("requester__company", "recipient__company")
            .order_by("priority", "-mutual", "created")
        )
        loads = dict(
            MeetingSeat.objects.filter(meeting__event=event).values_list("participant_id").annotate(n=Count("pk"))
        )
        left_out = []
        for r in unscheduled[:100]:
            r.requester_load = loads.get(r.requester_id, 0)
            r.recipient_load = loads.get(r.recipient_id, 0)
            left_out.append(r)
        counts = Meeting.objects.filter(event=event).aggregate(
            active=Count("pk", filter=Q(status__in=ACTIVE_MEETING)),
            locked=Count("pk", filter=Q(status__in=ACTIVE_MEETING, locked=True)),
        )
        job = _schedule_job(event, request.GET.get("job"))
        context = self.event_context(
            runs=ScheduleRun.objects.filter(event=event).select_related("actor")[:5],
            rows=rows,
            tables=shown,
            table_pages=_table_pages(tables),
            table_first=first,
            accepted=accepted.count(),
            unscheduled_count=unscheduled.count(),
            left_out=left_out,
            counts=counts,
            time_limits=TIME_LIMITS,
            job=job,
            has_slots=bool(slots),
            all_started=bool(slots) and slots[-1].starts_at <= timezone.now(),
        )
        return render(request, "events/schedule.html", context)


class ScheduleRunView(EventMixin, View):
    manager_only = True

    def post(self, request, pk):
        try:
            limit = int(request.POST.get("time_limit", 30))
        except ValueError:
            limit = 0
        if limit not in TIME_LIMITS:
            messages.error(request, _("Choose one of the offered time limits."))
            return HttpResponseRedirect(reverse("events:schedule", args=[pk]))
        running = Job.objects.filter(kind=SCHEDULE_JOB, params__event=self.event.pk, status__in=["queued", "running"])
        if running.exists():
            messages.warning(request, _("The scheduler is already running for this event."))
            return HttpResponseRedirect(f"{reverse('events:schedule', args=[pk])}?job={running.first().pk}")
        job = start_job(
            kind=SCHEDULE_JOB,
            label=_("Schedule of %(event)s") % {"event": self.event.reference},
            actor=request.user,
            params={"event": self.event.pk, "time_limit": limit},
        )
        return HttpResponseRedirect(f"{reverse('events:schedule', args=[pk])}?job={job.pk}")


class ScheduleJobView(EventMixin, View):
    """The job's status for htmx polling; once finished, the page reloads to show the new schedule."""

    manager_only = True

    def get(self, request, pk, job):
        found = _schedule_job(self.event, job)
        if found is None:
            return HttpResponse(status=404)
        response = render(request, "events/_schedule_job.html", {"event": self.event, "job": found})
        if found.is_finished and request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"
        return response


class MeetingLockView(EventMixin, View):
    manager_only = True

    def post(self, request, pk, meeting):
        item = get_object_or_404(Meeting.objects.restrict(request.user, "change"), pk=meeting, event=self.event)
        before = snapshot(item)
        item.locked = not item.locked
        item.save(update_fields=["locked", "updated"])
        log_change(actor=request.user, action=ChangeAction.UPDATE, obj=item, before=before, after=snapshot(item))
        text = _("Meeting locked: re-scheduling leaves it where it is.") if item.locked else _("Meeting unlocked.")
        messages.success(request, text)
        return HttpResponseRedirect(next_url(request, reverse("events:schedule", args=[pk])))
