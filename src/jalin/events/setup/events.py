"""The event itself: create, change (re-slotting when its dates or meeting length change), delete, and its
workflow draft → open → published → closed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from jalin.core.roles import Role
from jalin.core.services import create_object, delete_object, ensure_can, snapshot, update_object

from .. import services
from ..models import Event, EventStatus, Session
from .base import log_update
from .meeting_requests import expire_requests

#: The event's workflow: from each status, the statuses it may move to.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    EventStatus.DRAFT: (EventStatus.OPEN,),
    EventStatus.OPEN: (EventStatus.PUBLISHED, EventStatus.DRAFT),
    EventStatus.PUBLISHED: (EventStatus.CLOSED, EventStatus.OPEN),
    EventStatus.CLOSED: (EventStatus.PUBLISHED,),
}


def _check_region(actor, region) -> None:
    """A regional officer runs events inside its own area only."""
    if actor is None or actor.is_superuser or actor.role != Role.REGIONAL_OFFICER:
        return
    scope = actor.region_scope
    if region is None or scope is None or not (region.code == scope.code or region.code.startswith(scope.code + ".")):
        raise ValidationError(
            {"region": _("As a regional officer you run events in %(area)s only.") % {"area": scope or "—"}}
        )


@transaction.atomic
def create_event(*, actor, **fields) -> Event:
    _check_region(actor, fields.get("region"))
    fields.setdefault("status", EventStatus.DRAFT)
    return create_object(Event, actor=actor, **fields)


@transaction.atomic
def update_event(event: Event, *, actor, **fields) -> Event:
    ensure_can(actor, "change", event)
    if "region" in fields:
        _check_region(actor, fields["region"])
    old = Event.objects.get(pk=event.pk)
    reslot = any(
        name in fields and fields[name] != getattr(old, name)
        for name in ("slot_minutes", "timezone", "starts_on", "ends_on")
    )
    if reslot and services.has_meetings(event):
        raise ValidationError(
            _("Meetings are already booked: cancel them before changing the dates, time zone or meeting length.")
        )
    fields.pop("status", None)  # the status moves only through set_status
    event = update_object(event, actor=actor, **fields)
    if reslot:
        outside = Session.objects.filter(event=event).filter(Q(date__lt=event.starts_on) | Q(date__gt=event.ends_on))
        if outside.exists():
            raise ValidationError(
                _("Some sessions fall outside the new dates: move or delete them first (%(sessions)s).")
                % {"sessions": ", ".join(s.name for s in outside)}
            )
        services.regenerate_slots(event)
    return event


@transaction.atomic
def delete_event(event: Event, *, actor) -> None:
    ensure_can(actor, "delete", event)
    if event.status != EventStatus.DRAFT:
        raise ValidationError(_("Only a draft event can be deleted; close this one instead."))
    if services.has_meetings(event):
        raise ValidationError(_("This event has meetings: it cannot be deleted."))
    delete_object(event, actor=actor, check=False)


def status_problems(event: Event, target: str) -> list[str]:
    """Why ``event`` cannot move to ``target`` now (empty: it can)."""
    if target not in EventStatus.values:
        return [_("Unknown status: %(status)s.") % {"status": target}]
    if target not in TRANSITIONS.get(event.status, ()):
        return [
            _("An event cannot move from “%(from)s” to “%(to)s”.")
            % {"from": EventStatus(event.status).label, "to": EventStatus(target).label}
        ]
    problems = []
    if target in (EventStatus.OPEN, EventStatus.PUBLISHED) and not event.slots.exists():
        problems.append(_("Add at least one session long enough for a meeting: the event has no slots."))
    if target == EventStatus.PUBLISHED and not event.tables.exists():
        problems.append(_("Add the tables before publishing the schedule."))
    if target == EventStatus.DRAFT and event.participants.exists():
        problems.append(_("Companies have joined this event: it can no longer go back to draft."))
    return problems


@transaction.atomic
def set_status(event: Event, *, actor, status: str) -> Event:
    """Move the event along draft → open → published → closed. Publishing expires the pending requests."""
    ensure_can(actor, "change", event)
    event = Event.objects.select_for_update().get(pk=event.pk)
    problems = status_problems(event, status)
    if problems:
        raise ValidationError(problems)
    before = snapshot(event)
    event.status = status
    event.save(update_fields=["status", "updated"])
    log_update(actor, event, before)
    if status == EventStatus.PUBLISHED:
        expire_requests(event)
    return event
