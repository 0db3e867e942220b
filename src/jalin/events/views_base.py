"""What every event page shares: the event loaded through ``restrict`` (404 for those who may not see it),
the user's own participation, whether the user runs the event, and the tabs across the event's pages; the
message of a refused write and the redirect back."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jalin.core.permissions import can
from jalin.core.views import next_url

from .models import Event, Participant, ParticipantStatus


@dataclass(frozen=True)
class Tab:
    name: str  # url name in the events namespace; takes the event's pk
    label: str
    who: str  # "all": anyone who sees the event; "party": its participants and officers; "manager": officers


TABS = (
    Tab("detail", _("Overview"), "all"),
    Tab("participants", _("Participants"), "all"),
    Tab("requests", _("Meeting requests"), "party"),
    Tab("my_agenda", _("My agenda"), "participant"),
    Tab("schedule", _("Schedule"), "manager"),
    Tab("board", _("Live board"), "manager"),
    Tab("checkin", _("Check-in"), "manager"),
    Tab("outcomes", _("Outcomes"), "party"),
    Tab("stats", _("Statistics"), "manager"),
)


def own_participant(user, event: Event) -> Participant | None:
    """The user's company's participation in ``event`` (invited or registered), if any."""
    if not user.is_authenticated or not user.organisation_id:
        return None
    return (
        Participant.objects.filter(event=event, company__organisation_id=user.organisation_id)
        .exclude(status__in=[ParticipantStatus.CANCELLED])
        .select_related("company", "fixed_table")
        .first()
    )


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def back(request, default: str) -> HttpResponseRedirect:
    """Redirect to ``next`` when it is a path on this site, else to ``default``."""
    return HttpResponseRedirect(next_url(request, default))


class EventMixin(LoginRequiredMixin):
    """Loads ``self.event`` (``pk`` URL argument) for users who may see it; ``manager_only`` pages need
    ``change`` on the event; ``party_only`` pages need a participation or ``change``."""

    manager_only = False
    party_only = False
    active_tab = "detail"
    event_lookup = "pk"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.event = get_object_or_404(
            Event.objects.restrict(request.user, "view").select_related("region", "organiser"),
            pk=kwargs[self.event_lookup],
        )
        self.can_manage = can(request.user, "change", self.event)
        self.participant = own_participant(request.user, self.event)
        if self.manager_only and not self.can_manage:
            raise PermissionDenied
        if self.party_only and not (self.can_manage or self.participant):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def tabs(self) -> list[dict]:
        shown = []
        for tab in TABS:
            if tab.who == "manager" and not self.can_manage:
                continue
            if tab.who == "party" and not (self.can_manage or self.participant):
                continue
            if tab.who == "participant" and not self.participant:
                continue
            shown.append(
                {
                    "name": tab.name,
                    "label": tab.label,
                    "url": reverse(f"events:{tab.name}", args=[self.event.pk]),
                    "active": tab.name == self.active_tab,
                }
            )
        return shown

    def event_context(self, **extra) -> dict:
        return {
            "event": self.event,
            "can_manage": self.can_manage,
            "participant": self.participant,
            "tabs": self.tabs(),
            **extra,
        }
