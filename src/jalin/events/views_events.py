"""Event pages: the list, create and edit, status, delete and history, and the overview. Every read goes
through ``restrict`` (via :class:`EventMixin`), every write through :mod:`jalin.events.setup`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from jalin.core.pagination import paginate
from jalin.core.permissions import can, can_add
from jalin.core.views import ObjectHistoryView, sort_queryset
from jalin.matching.services import company_of

from . import services, setup
from .filters import EventFilter
from .forms_setup import EventForm
from .models import (
    ACTIVE_MEETING,
    Event,
    EventStatus,
    Meeting,
    MeetingRequest,
    MeetingTable,
    Participant,
    ParticipantSide,
    ParticipantStatus,
    RequestStatus,
)
from .views_base import EventMixin, error_text
from .views_sessions import sessions_with_slots

STATUS_ACTIONS = {
    (EventStatus.DRAFT, EventStatus.OPEN): _("Open registration and requests"),
    (EventStatus.OPEN, EventStatus.PUBLISHED): _("Publish the schedule"),
    (EventStatus.OPEN, EventStatus.DRAFT): _("Back to draft"),
    (EventStatus.PUBLISHED, EventStatus.CLOSED): _("Close the event"),
    (EventStatus.PUBLISHED, EventStatus.OPEN): _("Reopen requests"),
    (EventStatus.CLOSED, EventStatus.PUBLISHED): _("Reopen the event"),
}


# ================================================================================================ the list

SORTS = {"starts": "starts_on", "name": "name", "reference": "reference", "status": "status"}


class EventListView(LoginRequiredMixin, View):
    def get(self, request):
        user = request.user
        found = EventFilter(request.GET, Event.objects.restrict(user, "view").select_related("region"))
        events = found.qs
        years = sorted({d.year for d in Event.objects.restrict(user, "view").dates("starts_on", "year")}, reverse=True)
        events = events.annotate(
            n_participants=Count(
                "participants",
                filter=Q(participants__status__in=setup.ACTIVE_PARTICIPANT),
                distinct=True,
            )
        )
        events, sort = sort_queryset(request, events, SORTS, "-starts")
        page = paginate(request, events)
        own = {}
        if user.organisation_id:
            own = dict(
                Participant.objects.filter(
                    company__organisation_id=user.organisation_id, event__in=[e.pk for e in page.object_list]
                ).values_list("event_id", "status")
            )
        for event in page.object_list:
            event.own_status = own.get(event.pk)
        return render(
            request,
            "events/event_list.html",
            {
                "page": page,
                "sort": sort,
                "filters": found.values(),
                "statuses": EventStatus.choices,
                "years": years,
                "can_add": can_add(user, Event),
                "participant_statuses": dict(ParticipantStatus.choices),
            },
        )


# ================================================================================================ create / edit


class EventEditView(LoginRequiredMixin, View):
    def _event(self):
        if "pk" in self.kwargs:
            event = get_object_or_404(Event.objects.restrict(self.request.user, "view"), pk=self.kwargs["pk"])
            if not can(self.request.user, "change", event):
                raise PermissionDenied(_("You do not have permission to do this."))
            return event
        if not can_add(self.request.user, Event):
            raise PermissionDenied(_("You do not have permission to do this."))
        return None

    def _render(self, form, event, status=200):
        return render(self.request, "events/event_form.html", {"form": form, "object": event}, status=status)

    def get(self, request, **kwargs):
        event = self._event()
        form = EventForm(instance=event, user=request.user)
        if event is None and request.user.region_scope_id and request.user.role == "regional_officer":
            form.initial["region"] = request.user.region_scope_id
        if event is None and request.user.organisation_id:
            form.initial["organiser"] = request.user.organisation_id
        return self._render(form, event)

    def post(self, request, **kwargs):
        event = self._event()
        form = EventForm(request.POST, instance=event, user=request.user)
        if form.is_valid():
            try:
                saved = form.save(actor=request.user)
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(saved.get_absolute_url())
        return self._render(form, event, status=400)


class EventDeleteView(EventMixin, View):
    manager_only = True

    def get(self, request, pk):
        if not can(request.user, "delete", self.event):
            raise PermissionDenied
        deletable = self.event.status == EventStatus.DRAFT and not services.has_meetings(self.event)
        return render(request, "events/event_delete.html", self.event_context(deletable=deletable))

    def post(self, request, pk):
        if not can(request.user, "delete", self.event):
            raise PermissionDenied
        try:
            setup.delete_event(self.event, actor=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return HttpResponseRedirect(self.event.get_absolute_url())
        messages.success(request, _("Deleted: %(object)s") % {"object": self.event})
        return HttpResponseRedirect(reverse("events:list"))


class EventHistoryView(ObjectHistoryView):
    model = Event
    template_name = "core/object_history.html"


class EventStatusView(EventMixin, View):
    manager_only = True
    http_method_names = ["post"]

    def post(self, request, pk):
        target = request.POST.get("status", "")
        pending = MeetingRequest.objects.filter(event=self.event, status=RequestStatus.PENDING).count()
        try:
            setup.set_status(self.event, actor=request.user, status=target)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            text = {
                EventStatus.OPEN: _("%(event)s is open: companies can register and ask for meetings."),
                EventStatus.PUBLISHED: _("The schedule of %(event)s is published."),
                EventStatus.CLOSED: _("%(event)s is closed."),
                EventStatus.DRAFT: _("%(event)s is a draft again."),
            }[target] % {"event": self.event.reference}
            if target == EventStatus.PUBLISHED and pending:
                text += " " + _("%(n)s unanswered requests expired.") % {"n": pending}
            messages.success(request, text)
        return HttpResponseRedirect(self.event.get_absolute_url())


# ================================================================================================ overview


def key_figures(event: Event) -> dict:
    sides = dict(
        Participant.objects.filter(event=event, status__in=setup.ACTIVE_PARTICIPANT)
        .values_list("side")
        .annotate(n=Count("pk"))
        .values_list("side", "n")
    )
    statuses = dict(
        MeetingRequest.objects.filter(event=event)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {
        "buyers": sides.get(ParticipantSide.BUYER, 0),
        "ikm": sides.get(ParticipantSide.IKM, 0),
        "pending": statuses.get(RequestStatus.PENDING, 0),
        "accepted": statuses.get(RequestStatus.ACCEPTED, 0),
        "meetings": Meeting.objects.filter(event=event, status__in=ACTIVE_MEETING).count(),
    }


class EventDetailView(EventMixin, View):
    active_tab = "detail"

    def get(self, request, pk):
        event = self.event
        expired = setup.expire_if_due(event)
        if expired and self.can_manage:
            messages.info(request, _("%(n)s unanswered requests expired: requests are closed.") % {"n": expired})
        tables = list(MeetingTable.objects.filter(event=event))
        fixed = dict(
            Participant.objects.filter(event=event, fixed_table__isnull=False).values_list(
                "fixed_table_id", "company__legal_name"
            )
        )
        for table in tables:
            table.holder = fixed.get(table.pk)
        own = self.participant
        own_counts = None
        if own is not None:
            own_counts = {
                "incoming": MeetingRequest.objects.filter(recipient=own, status=RequestStatus.PENDING).count(),
                "accepted": MeetingRequest.objects.filter(
                    Q(requester=own) | Q(recipient=own), status=RequestStatus.ACCEPTED
                ).count(),
                "meetings": Meeting.objects.filter(seats__participant=own, status__in=ACTIVE_MEETING).count(),
            }
            own.representative_list = list(own.representatives.all())
            own.session_list = list(own.available_sessions.all())
        company = company_of(request.user)
        can_register = (
            own is None
            and company is not None
            and event.status == EventStatus.OPEN
            and request.user.role in ("ikm", "buyer")
        )
        transitions = []
        if self.can_manage:
            for target in setup.TRANSITIONS.get(event.status, ()):
                transitions.append(
                    {
                        "status": target,
                        "label": STATUS_ACTIONS[(event.status, target)],
                        "problems": setup.status_problems(event, target),
                    }
                )
        return render(
            request,
            "events/event_detail.html",
            self.event_context(
                figures=key_figures(event),
                sessions=sessions_with_slots(event),
                tables=tables,
                own_counts=own_counts,
                can_register=can_register,
                transitions=transitions,
                can_delete=can(request.user, "delete", event) and event.status == EventStatus.DRAFT,
                requests_closed=setup.requests_closed(event),
                has_meetings=services.has_meetings(event),
            ),
        )
