"""Sessions: blocks of one day within the event's dates, never overlapping; every change rebuilds the slots."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jalin.core.services import create_object, delete_object, ensure_can, update_object

from .. import services
from ..models import Event, Session
from .base import deny


def _session_problems(event: Event, *, date, start, end, exclude: Session | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if date is not None and not (event.starts_on <= date <= event.ends_on):
        errors.setdefault("date", []).append(
            _("The date must fall within the event (%(first)s to %(last)s).")
            % {"first": event.starts_on.strftime("%d-%m-%Y"), "last": event.ends_on.strftime("%d-%m-%Y")}
        )
    if start is not None and end is not None:
        if end <= start:
            errors.setdefault("end", []).append(_("The session must end after it starts."))
        else:
            others = Session.objects.filter(event=event, date=date, start__lt=end, end__gt=start)
            if exclude is not None and exclude.pk:
                others = others.exclude(pk=exclude.pk)
            clash = others.first()
            if clash is not None:
                errors.setdefault("start", []).append(
                    _("It overlaps “%(session)s” (%(start)s–%(end)s).")
                    % {"session": clash.name, "start": f"{clash.start:%H:%M}", "end": f"{clash.end:%H:%M}"}
                )
            minutes = (datetime.datetime.combine(date, end) - datetime.datetime.combine(date, start)).seconds // 60
            if not errors and minutes < event.slot_minutes:
                errors.setdefault("end", []).append(
                    _("The session is shorter than one meeting (%(n)s minutes).") % {"n": event.slot_minutes}
                )
    return errors


@transaction.atomic
def save_session(event: Event, *, actor, session: Session | None = None, name, date, start, end) -> Session:
    """Add or change a session (within the event's dates, not overlapping another); the slots are rebuilt."""
    ensure_can(actor, "change", event)
    Event.objects.select_for_update().get(pk=event.pk)  # serialise the event's setup writes
    services.refuse_if_booked(event)
    errors = _session_problems(event, date=date, start=start, end=end, exclude=session)
    if errors:
        raise ValidationError(errors)
    if session is None:
        session = create_object(
            Session, actor=actor, check=False, event=event, name=name, date=date, start=start, end=end
        )
    else:
        if session.event_id != event.pk:
            deny()
        session = update_object(session, actor=actor, check=False, name=name, date=date, start=start, end=end)
    services.regenerate_slots(event)
    return session


@transaction.atomic
def delete_session(session: Session, *, actor) -> None:
    event = session.event
    ensure_can(actor, "change", event)
    services.refuse_if_booked(event)
    delete_object(session, actor=actor, check=False)
    services.regenerate_slots(event)
