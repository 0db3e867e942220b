"""Inviting shortlisted matching candidates of the participating buyers to an event (officers)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from . import setup
from .models import Participant, ParticipantSide, ParticipantStatus
from .views_base import EventMixin, error_text


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
