"""Participant pages: the list (officers add, register and cancel companies there), a participant's page
and its edit form, representatives; a company registering or declining its invitation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from jalin.companies.models import Company
from jalin.companies.queries import pick_companies
from jalin.core.pagination import paginate
from jalin.core.permissions import can
from jalin.core.views import sort_queryset

from . import setup
from .filters import ParticipantFilter
from .forms_setup import ParticipantForm, RepresentativeForm
from .models import (
    ACTIVE_MEETING,
    EventStatus,
    Meeting,
    MeetingRequest,
    Participant,
    ParticipantSide,
    ParticipantStatus,
    Priority,
    Representative,
    RequestStatus,
)
from .views_base import EventMixin, back, error_text

PARTICIPANT_SORTS = {"name": "company__legal_name", "side": "side", "status": "status", "joined": "created"}


class ParticipantsView(EventMixin, View):
    active_tab = "participants"

    def get(self, request, pk):
        event = self.event
        found = ParticipantFilter(
            request.GET,
            Participant.objects.restrict(request.user, "view")
            .filter(event=event)
            .select_related("company__region", "fixed_table"),
        )
        qs, sort = sort_queryset(request, found.qs, PARTICIPANT_SORTS, "side")
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
            visible = Company.objects.restrict(request.user, "view").exclude(pk__in=taken)
            companies = pick_companies(visible.select_related("region"), add_q[:100], 20)
        return render(
            request,
            "events/participant_list.html",
            self.event_context(
                page=page,
                sort=sort,
                filters=found.values(),
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
