"""Outcomes of meetings (both sides, two rounds), the follow-up round, and the event's statistics."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from jalin.core.pagination import paginate

from . import outcomes as services
from .filters import OutcomeFilter
from .forms_outcomes import OutcomeForm
from .models import Meeting, MeetingOutcome, MeetingStatus, NextStep, OutcomeRound, Priority
from .stats import event_stats
from .views_base import EventMixin


def _outcome_meetings(user, event, now=None):
    """Meetings that take an outcome, as ``user`` may see them: held, or scheduled with their slot ended."""
    now = now or timezone.now()
    return (
        Meeting.objects.restrict(user, "view")
        .filter(event=event)
        .filter(Q(status=MeetingStatus.HELD) | Q(status=MeetingStatus.SCHEDULED, slot__ends_at__lte=now))
        .select_related("slot", "table", "request__requester__company", "request__recipient__company")
    )


class OutcomeListView(EventMixin, View):
    party_only = True
    active_tab = "outcomes"

    def get(self, request, *args, **kwargs):
        event = self.event
        current = services.current_round(event)
        rounds = [OutcomeRound.EVENT, OutcomeRound.FOLLOW_UP] if event.follow_up_opened else [OutcomeRound.EVENT]
        meetings = _outcome_meetings(request.user, event)
        visible = MeetingOutcome.objects.restrict(request.user, "view").select_related("recorded_by")
        filters = {"recorded": "", "step": "", "round": str(current), "active": False}
        if self.can_manage:
            found = OutcomeFilter(request.GET, meetings, event=event, rounds=rounds, current=current)
            filters = found.values()
            total = found.queryset.count()
            complete = found.queryset.filter(recorded__gte=2).count()
            counts = {"all": total, "complete": complete, "missing": total - complete}
            meetings = found.qs
        else:
            mine = self.participant
            meetings = meetings.filter(Q(request__requester=mine) | Q(request__recipient=mine))
            counts = None
            visible = visible.filter(participant=mine)
        meetings = meetings.prefetch_related(Prefetch("outcomes", queryset=visible, to_attr="visible_outcomes"))
        page = paginate(request, meetings.order_by("slot__index", "table__position", "pk"))
        rows = [self._row(m, rounds, current) for m in page.object_list]
        filtered = filters["active"]
        return render(
            request,
            "events/outcome_list.html",
            self.event_context(
                page=page,
                rows=rows,
                rounds=[(r, OutcomeRound(r).label) for r in rounds],
                current_round=current,
                current_round_label=OutcomeRound(current).label,
                filters=filters,
                filtered=filtered,
                counts=counts,
                next_steps=NextStep.choices,
                follow_up_problem=services.follow_up_problem(event) if self.can_manage else None,
            ),
        )

    def _row(self, meeting, rounds, current):
        by_key = {(o.participant_id, o.round): o for o in meeting.visible_outcomes}
        parties = services.sides(meeting)
        if not self.can_manage:
            parties = [p for p in parties if p.pk == self.participant.pk]
        sides = []
        for p in parties:
            sides.append(
                {
                    "participant": p,
                    "outcomes": [by_key.get((p.pk, r)) for r in rounds],
                    "current": by_key.get((p.pk, current)),
                    "url": reverse("events:outcome_record", args=[self.event.pk, meeting.pk])
                    + (f"?side={p.pk}" if self.can_manage else ""),
                }
            )
        other = None
        if not self.can_manage:
            other = next(p for p in services.sides(meeting) if p.pk != self.participant.pk)
        return {"meeting": meeting, "sides": sides, "other": other}


class OutcomeRecordView(EventMixin, View):
    party_only = True
    active_tab = "outcomes"

    def setup_meeting(self, request, meeting_pk):
        meeting = get_object_or_404(
            Meeting.objects.restrict(request.user, "view").select_related(
                "slot", "table", "event", "request__requester__company", "request__recipient__company"
            ),
            pk=meeting_pk,
            event=self.event,
        )
        sides = services.sides_for(request.user, meeting)
        if not sides:
            raise PermissionDenied
        return meeting, sides

    def _initial(self, meeting, sides, chosen):
        side = chosen or sides[0]
        outcome = MeetingOutcome.objects.filter(
            meeting=meeting, participant=side, round=services.current_round(self.event)
        ).first()
        initial = {"side": side.pk}
        if outcome:
            initial.update(interest=outcome.interest, next_step=outcome.next_step, note=outcome.note)
        return initial, outcome

    def render_form(self, request, meeting, sides, form, existing=None, status=200):
        earlier = None
        if self.event.follow_up_opened:
            earlier = (
                MeetingOutcome.objects.restrict(request.user, "view")
                .filter(meeting=meeting, round=OutcomeRound.EVENT, participant__in=sides)
                .select_related("participant__company")
            )
        return render(
            request,
            "events/outcome_form.html",
            self.event_context(
                meeting=meeting,
                form=form,
                existing=existing,
                earlier=earlier,
                problem=services.outcome_problem(meeting),
                round_label=OutcomeRound(services.current_round(self.event)).label,
                manages=len(sides) > 1,
            ),
            status=status,
        )

    def get(self, request, *args, **kwargs):
        meeting, sides = self.setup_meeting(request, kwargs["meeting"])
        chosen = None
        if request.GET.get("side", "").isdigit():
            chosen = next((p for p in sides if p.pk == int(request.GET["side"])), None)
        initial, existing = self._initial(meeting, sides, chosen)
        return self.render_form(request, meeting, sides, OutcomeForm(initial=initial, sides=sides), existing)

    def post(self, request, *args, **kwargs):
        meeting, sides = self.setup_meeting(request, kwargs["meeting"])
        posted = request.POST.get("side", "")
        allowed = {str(p.pk) for p in sides}
        if posted not in allowed and posted in {str(p.pk) for p in services.sides(meeting)}:
            raise PermissionDenied(_("You can record the outcome of your own side only."))
        form = OutcomeForm(request.POST, sides=sides)
        problem = services.outcome_problem(meeting)
        if problem:
            messages.error(request, problem)
            return redirect("events:outcomes", self.event.pk)
        if form.is_valid():
            try:
                services.record_outcome(
                    meeting,
                    actor=request.user,
                    participant=form.cleaned_data["side"],
                    interest=form.cleaned_data["interest"],
                    next_step=form.cleaned_data["next_step"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Outcome recorded for %(company)s.") % {"company": form.cleaned_data["side"].company},
                )
                return redirect("events:outcomes", self.event.pk)
        return self.render_form(request, meeting, sides, form, status=400)


class FollowUpView(EventMixin, View):
    manager_only = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            services.open_follow_up(self.event, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The follow-up round is open: both sides of every meeting are asked again."))
        return redirect("events:outcomes", self.event.pk)


class StatsView(EventMixin, View):
    manager_only = True
    active_tab = "stats"

    def get(self, request, *args, **kwargs):
        stats = event_stats(self.event)
        return render(
            request,
            "events/stats.html",
            self.event_context(
                stats=stats,
                chart_data=stats.chart_data(),
                outcome_rows=stats.outcome_rows(),
                rounds=[(r, OutcomeRound(r).label) for r in stats.rounds],
                priorities=[(label, stats.by_priority.get(value, 0)) for value, label in Priority.choices],
            ),
        )


class StatsCsvView(EventMixin, View):
    manager_only = True

    def get(self, request, *args, **kwargs):
        stats = event_stats(self.event)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.event.reference}-stats.csv"'
        writer = csv.writer(response)
        writer.writerow(["event", "section", "figure", "value"])
        for section, figure, value in stats.csv_rows():
            writer.writerow([self.event.reference, section, figure, value])
        return response
