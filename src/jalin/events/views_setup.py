"""Event setup pages: the list, create and edit, status, delete and history; the overview; sessions and
tables; participants and representatives; registering and invitations. Every read goes through
``restrict`` (via :class:`EventMixin`), every write through :mod:`jalin.events.setup`."""

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

from jalin.companies.models import Company
from jalin.core.permissions import can, can_add
from jalin.core.views import ObjectHistoryView, next_url, paginate, sort_queryset

from . import services, setup
from .forms_setup import (
    EventForm,
    FixedTableForm,
    ParticipantForm,
    RepresentativeForm,
    SessionForm,
    TableForm,
    TablesForm,
)
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
    Priority,
    Representative,
    RequestStatus,
    Session,
    Slot,
)
from .views_base import EventMixin


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def back(request, default: str) -> HttpResponseRedirect:
    """Redirect to ``next`` when it is a path on this site, else to ``default``."""
    return HttpResponseRedirect(next_url(request, default))


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
        events = Event.objects.restrict(user, "view").select_related("region")
        status = request.GET.get("status", "")
        year = request.GET.get("year", "")
        q = request.GET.get("q", "").strip()
        if status in EventStatus.values:
            events = events.filter(status=status)
        else:
            status = ""
        if year.isdigit():
            events = events.filter(starts_on__year=int(year))
        else:
            year = ""
        if q:
            events = events.filter(Q(name__icontains=q) | Q(reference__icontains=q) | Q(venue__icontains=q))
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
                "filters": {"status": status, "year": year, "q": q, "active": bool(status or year or q)},
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


def sessions_with_slots(event: Event) -> list[Session]:
    sessions = list(Session.objects.filter(event=event))
    slots: dict[int, list[Slot]] = {}
    for slot in Slot.objects.filter(event=event).order_by("index"):
        slots.setdefault(slot.session_id, []).append(slot)
    for session in sessions:
        session.slot_list = slots.get(session.pk, [])
    return sessions


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
        company = setup.company_of(request.user)
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


# ================================================================================================ sessions


class SessionsView(EventMixin, View):
    manager_only = True
    active_tab = "detail"

    def _render(self, form, editing=None, status=200):
        return render(
            self.request,
            "events/session_list.html",
            self.event_context(
                sessions=sessions_with_slots(self.event),
                form=form,
                editing=editing,
                locked=services.has_meetings(self.event),
            ),
            status=status,
        )

    def _session(self, raw):
        if raw and str(raw).isdigit():
            return get_object_or_404(Session, pk=int(raw), event=self.event)
        return None

    def get(self, request, pk):
        editing = self._session(request.GET.get("edit"))
        return self._render(SessionForm(instance=editing, event=self.event), editing)

    def post(self, request, pk):
        if "delete" in request.POST:
            session = self._session(request.POST.get("delete"))
            if session is None:
                return HttpResponseRedirect(reverse("events:sessions", args=[pk]))
            try:
                setup.delete_session(session, actor=request.user)
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("Deleted: %(object)s") % {"object": session.name})
            return HttpResponseRedirect(reverse("events:sessions", args=[pk]))
        editing = self._session(request.POST.get("session"))
        form = SessionForm(request.POST, instance=editing, event=self.event)
        if form.is_valid():
            try:
                session = form.save(actor=request.user)
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                n = Slot.objects.filter(session=session).count()
                messages.success(request, _("Saved: %(object)s — %(n)s slots.") % {"object": session.name, "n": n})
                return HttpResponseRedirect(reverse("events:sessions", args=[pk]))
        return self._render(form, editing, status=400)


# ================================================================================================ tables


class TablesView(EventMixin, View):
    manager_only = True
    active_tab = "detail"

    def _render(self, *, one=None, many=None, fixed=None, status=200):
        tables = list(
            MeetingTable.objects.filter(event=self.event).annotate(
                n_meetings=Count("meetings", filter=Q(meetings__status__in=ACTIVE_MEETING))
            )
        )
        holders = {
            p.fixed_table_id: p
            for p in Participant.objects.filter(event=self.event, fixed_table__isnull=False).select_related("company")
        }
        for table in tables:
            table.holder = holders.get(table.pk)
        return render(
            self.request,
            "events/table_list.html",
            self.event_context(
                tables=tables,
                one_form=one or TableForm(),
                many_form=many or TablesForm(),
                fixed_form=fixed or FixedTableForm(event=self.event),
            ),
            status=status,
        )

    def get(self, request, pk):
        return self._render()

    def post(self, request, pk):
        action = request.POST.get("action", "")
        here = HttpResponseRedirect(reverse("events:tables", args=[pk]))
        if action == "add":
            form = TableForm(request.POST)
            if form.is_valid():
                try:
                    table = setup.add_table(self.event, actor=request.user, label=form.cleaned_data["label"])
                except ValidationError as exc:
                    form.add_service_error(exc)
                else:
                    messages.success(request, _("Added: %(object)s") % {"object": table})
                    return here
            return self._render(one=form, status=400)
        if action == "add_many":
            form = TablesForm(request.POST)
            if form.is_valid():
                try:
                    made = setup.add_tables(self.event, actor=request.user, **form.cleaned_data)
                except ValidationError as exc:
                    form.add_service_error(exc)
                else:
                    messages.success(
                        request,
                        _("Added %(n)s tables: %(first)s to %(last)s.")
                        % {"n": len(made), "first": made[0], "last": made[-1]},
                    )
                    return here
            return self._render(many=form, status=400)
        if action == "fixed":
            form = FixedTableForm(request.POST, event=self.event)
            if form.is_valid():
                try:
                    setup.set_fixed_table(
                        form.cleaned_data["participant"], actor=request.user, table=form.cleaned_data["table"]
                    )
                except ValidationError as exc:
                    form.add_service_error(exc)
                else:
                    messages.success(request, _("Saved: %(object)s") % {"object": form.cleaned_data["participant"]})
                    return here
            return self._render(fixed=form, status=400)
        table = get_object_or_404(MeetingTable, pk=request.POST.get("table") or 0, event=self.event)
        try:
            if action == "rename":
                setup.rename_table(table, actor=request.user, label=request.POST.get("label", ""))
                messages.success(request, _("Saved: %(object)s") % {"object": table})
            elif action == "delete":
                setup.delete_table(table, actor=request.user)
                messages.success(request, _("Deleted: %(object)s") % {"object": table})
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return here


# ================================================================================================ participants

PARTICIPANT_SORTS = {"name": "company__legal_name", "side": "side", "status": "status", "joined": "created"}


class ParticipantsView(EventMixin, View):
    active_tab = "participants"

    def get(self, request, pk):
        event = self.event
        qs = (
            Participant.objects.restrict(request.user, "view")
            .filter(event=event)
            .select_related("company__region", "fixed_table")
        )
        side = request.GET.get("side", "")
        status = request.GET.get("status", "")
        checked = request.GET.get("checked_in", "")
        q = request.GET.get("q", "").strip()
        if side in ParticipantSide.values:
            qs = qs.filter(side=side)
        else:
            side = ""
        if status in ParticipantStatus.values:
            qs = qs.filter(status=status)
        else:
            status = ""
        if checked == "1":
            qs = qs.filter(checked_in_at__isnull=False)
        elif checked == "0":
            qs = qs.filter(checked_in_at__isnull=True)
        else:
            checked = ""
        if q:
            qs = qs.filter(Q(company__legal_name__icontains=q) | Q(company__brand_name__icontains=q))
        qs, sort = sort_queryset(request, qs, PARTICIPANT_SORTS, "side")
        page = paginate(request, qs)
        own = self.participant
        pairs = {}
        if own is not None:
            for req in MeetingRequest.objects.filter(Q(requester=own) | Q(recipient=own)):
                other = req.recipient_id if req.requester_id == own.pk else req.requester_id
                pairs[other] = req
        for p in page.object_list:
            p.pair = pairs.get(p.pk)
            p.can_ask = (
                own is not None
                and p.pk != own.pk
                and p.side != own.side
                and p.status in setup.ACTIVE_PARTICIPANT
                and (p.pair is None or p.pair.status not in setup.LIVE_REQUEST)
            )
        companies = []
        add_q = request.GET.get("company", "").strip()
        if self.can_manage and add_q:
            taken = Participant.objects.filter(event=event, status__in=setup.ACTIVE_PARTICIPANT).values("company_id")
            companies = list(
                Company.objects.restrict(request.user, "view")
                .filter(Q(legal_name__icontains=add_q) | Q(brand_name__icontains=add_q) | Q(nib=add_q))
                .exclude(pk__in=taken)
                .select_related("region")
                .order_by("legal_name")[:20]
            )
        return render(
            request,
            "events/participant_list.html",
            self.event_context(
                page=page,
                sort=sort,
                filters={
                    "side": side,
                    "status": status,
                    "checked_in": checked,
                    "q": q,
                    "active": bool(side or status or checked or q),
                },
                sides=ParticipantSide.choices,
                statuses=ParticipantStatus.choices,
                company_q=add_q,
                companies=companies,
                requests_closed=setup.requests_closed(event),
                priorities=Priority.choices,
            ),
        )

    def post(self, request, pk):
        if not self.can_manage:
            raise PermissionDenied
        here = reverse("events:participants", args=[pk])
        action = request.POST.get("action", "")
        if action == "add":
            company = get_object_or_404(
                Company.objects.restrict(request.user, "view"), pk=request.POST.get("company") or 0
            )
            status = ParticipantStatus.INVITED if request.POST.get("invite") else ParticipantStatus.REGISTERED
            try:
                p = setup.add_participant(self.event, company, actor=request.user, status=status)
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(
                    request,
                    _("%(company)s takes part as %(side)s (%(status)s).")
                    % {"company": company, "side": p.get_side_display(), "status": p.get_status_display()},
                )
            return HttpResponseRedirect(here)
        participant = get_object_or_404(Participant, pk=request.POST.get("participant") or 0, event=self.event)
        try:
            if action == "register" and participant.status == ParticipantStatus.INVITED:
                # An invited company confirmed to the officer (add_participant refuses an active participant).
                if self.event.status == EventStatus.CLOSED:
                    raise ValidationError(_("This event is closed."))
                setup.update_participant(participant, actor=request.user, status=ParticipantStatus.REGISTERED)
                messages.success(request, _("%(company)s is registered.") % {"company": participant.company})
            elif action == "register":
                setup.add_participant(self.event, participant.company, actor=request.user)
                messages.success(request, _("%(company)s is registered.") % {"company": participant.company})
            elif action == "cancel":
                setup.cancel_participation(participant, actor=request.user)
                messages.success(request, _("%(company)s no longer takes part.") % {"company": participant.company})
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return back(request, here)


class ParticipantMixin(EventMixin):
    active_tab = "participants"

    def load(self, action: str = "view") -> Participant:
        participant = get_object_or_404(
            Participant.objects.restrict(self.request.user, "view")
            .filter(event=self.event)
            .select_related("company__region", "fixed_table", "event"),
            pk=self.kwargs["participant"],
        )
        if action != "view" and not can(self.request.user, action, participant):
            raise PermissionDenied(_("You do not have permission to do this."))
        return participant


class ParticipantDetailView(ParticipantMixin, View):
    def get(self, request, pk, participant):
        p = self.load()
        can_change = can(request.user, "change", p)
        reps = list(Representative.objects.restrict(request.user, "view").filter(participant=p))
        requests = (
            MeetingRequest.objects.restrict(request.user, "view")
            .filter(Q(requester=p) | Q(recipient=p))
            .select_related("requester__company", "recipient__company")
            .order_by("status", "-created")
        )
        meetings = (
            Meeting.objects.restrict(request.user, "view")
            .filter(seats__participant=p, status__in=ACTIVE_MEETING)
            .select_related("slot", "table", "request__requester__company", "request__recipient__company")
            .order_by("slot__index")
        )
        own = self.participant
        pair = None
        if own is not None and own.pk != p.pk:
            pair = MeetingRequest.objects.filter(Q(requester=own, recipient=p) | Q(requester=p, recipient=own)).first()
        return render(
            request,
            "events/participant_detail.html",
            self.event_context(
                p=p,
                can_change=can_change,
                representatives=reps,
                rep_form=RepresentativeForm() if can_change else None,
                sessions=list(p.available_sessions.all()),
                requests=list(requests[:50]),
                meetings=list(meetings),
                accepted=MeetingRequest.objects.filter(
                    Q(requester=p) | Q(recipient=p), status=RequestStatus.ACCEPTED
                ).count(),
                pair=pair,
                can_ask=own is not None
                and own.side != p.side
                and p.status in setup.ACTIVE_PARTICIPANT
                and (pair is None or pair.status not in setup.LIVE_REQUEST),
                can_decline=can_change and p.status == ParticipantStatus.INVITED,
                can_accept=can_change
                and p.status == ParticipantStatus.INVITED
                and self.event.status == EventStatus.OPEN,
            ),
        )


class ParticipantEditView(ParticipantMixin, View):
    def _render(self, p, form, status=200):
        return render(
            request=self.request,
            template_name="events/participant_form.html",
            context=self.event_context(p=p, form=form),
            status=status,
        )

    def get(self, request, pk, participant):
        p = self.load("change")
        return self._render(p, ParticipantForm(instance=p, manager=self.can_manage))

    def post(self, request, pk, participant):
        p = self.load("change")
        form = ParticipantForm(request.POST, instance=p, manager=self.can_manage)
        if form.is_valid():
            try:
                form.save(actor=request.user)
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": p})
                return HttpResponseRedirect(reverse("events:participant", args=[pk, p.pk]))
        return self._render(p, form, status=400)


class RepresentativeAddView(ParticipantMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk, participant):
        p = self.load("change")
        form = RepresentativeForm(request.POST)
        if form.is_valid():
            try:
                rep = setup.add_representative(p, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("Added: %(object)s") % {"object": rep})
        else:
            errors = "; ".join(
                f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items() if k in form.fields
            )
            messages.error(request, errors or _("Please correct the errors below."))
        return HttpResponseRedirect(reverse("events:participant", args=[pk, p.pk]) + "#representatives")


class RepresentativeDeleteView(ParticipantMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk, participant, representative):
        p = self.load("change")
        rep = get_object_or_404(Representative, pk=representative, participant=p)
        setup.delete_representative(rep, actor=request.user)
        messages.success(request, _("Deleted: %(object)s") % {"object": rep})
        return HttpResponseRedirect(reverse("events:participant", args=[pk, p.pk]) + "#representatives")


# ================================================================================================ register


class RegisterView(EventMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        was_invited = self.participant is not None and self.participant.status == ParticipantStatus.INVITED
        try:
            p = setup.register(self.event, actor=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            if was_invited:
                messages.success(
                    request, _("You accepted the invitation: %(company)s takes part.") % {"company": p.company}
                )
            else:
                messages.success(request, _("%(company)s is registered for this event.") % {"company": p.company})
        return back(request, self.event.get_absolute_url())


class DeclineInvitationView(EventMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        if self.participant is None:
            raise PermissionDenied
        try:
            setup.decline_invitation(self.participant, actor=request.user, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("You declined the invitation."))
        return HttpResponseRedirect(self.event.get_absolute_url())


# ================================================================================================ invitations


class InviteView(EventMixin, View):
    manager_only = True
    active_tab = "participants"

    def get(self, request, pk):
        candidates = list(setup.invitable_candidates(self.event, request.user))
        status_of = dict(
            Participant.objects.filter(event=self.event, company__in=[c.company_id for c in candidates]).values_list(
                "company_id", "status"
            )
        )
        groups: dict[int, dict] = {}
        for c in candidates:
            c.participant_status = status_of.get(c.company_id)
            group = groups.setdefault(c.need_id, {"need": c.need, "candidates": []})
            group["candidates"].append(c)
        buyers = Participant.objects.filter(
            event=self.event, side=ParticipantSide.BUYER, status__in=setup.ACTIVE_PARTICIPANT
        ).count()
        return render(
            request,
            "events/invite.html",
            self.event_context(
                groups=list(groups.values()),
                buyers=buyers,
                participant_statuses=dict(ParticipantStatus.choices),
                regional=not request.user.is_programme_officer and not request.user.is_superuser,
            ),
        )

    def post(self, request, pk):
        ids = [int(x) for x in request.POST.getlist("candidate") if x.isdigit()]
        chosen = list(setup.invitable_candidates(self.event, request.user).filter(pk__in=ids))
        if not chosen:
            messages.error(request, _("Tick at least one candidate to invite."))
            return HttpResponseRedirect(reverse("events:invite", args=[pk]))
        try:
            result = setup.invite(self.event, chosen, actor=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return HttpResponseRedirect(reverse("events:invite", args=[pk]))
        messages.success(
            request,
            _("Invited %(companies)s companies; %(requests)s requests sent; %(moved)s candidates moved to invited.")
            % {"companies": len(result.invited), "requests": result.requests, "moved": result.moved},
        )
        for candidate, why in result.not_moved:
            messages.warning(
                request, _("%(candidate)s stays shortlisted: %(why)s.") % {"candidate": candidate.company, "why": why}
            )
        for candidate, why in result.skipped:
            messages.warning(
                request, _("%(candidate)s skipped: %(why)s.") % {"candidate": candidate.company, "why": why}
            )
        return HttpResponseRedirect(reverse("events:invite", args=[pk]))
