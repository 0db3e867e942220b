"""The sessions page of an event (officers): add, change and delete sessions; each change rebuilds the
slots through :mod:`jalin.events.setup`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from . import services, setup
from .forms_setup import SessionForm
from .models import Event, Session, Slot
from .views_base import EventMixin, error_text


def sessions_with_slots(event: Event) -> list[Session]:
    sessions = list(Session.objects.filter(event=event))
    slots: dict[int, list[Slot]] = {}
    for slot in Slot.objects.filter(event=event).order_by("index"):
        slots.setdefault(slot.session_id, []).append(slot)
    for session in sessions:
        session.slot_list = slots.get(session.pk, [])
    return sessions


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
