"""Meeting tables: add one or many, rename, delete; a buyer's fixed table."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jalin.core.services import create_object, delete_object, ensure_can, snapshot, update_object

from ..models import Event, Meeting, MeetingTable, Participant, ParticipantSide
from .base import log_update


def _next_position(event: Event) -> int:
    last = MeetingTable.objects.filter(event=event).order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def add_table(event: Event, *, actor, label: str) -> MeetingTable:
    ensure_can(actor, "change", event)
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Give the table a label, e.g. Meja 12.")})
    if MeetingTable.objects.filter(event=event, label__iexact=label).exists():
        raise ValidationError({"label": _("This event already has a table called %(label)s.") % {"label": label}})
    return create_object(
        MeetingTable, actor=actor, check=False, event=event, label=label, position=_next_position(event)
    )


@transaction.atomic
def add_tables(event: Event, *, actor, count: int, prefix: str = "Meja") -> list[MeetingTable]:
    """Add ``count`` tables numbered after the existing ones (Meja 1…N), skipping labels already used."""
    ensure_can(actor, "change", event)
    if count < 1 or count > 500:
        raise ValidationError({"count": _("Add between 1 and 500 tables at a time.")})
    used = {label.lower() for label in MeetingTable.objects.filter(event=event).values_list("label", flat=True)}
    made = []
    number = 1
    position = _next_position(event)
    while len(made) < count:
        label = f"{prefix} {number}"
        number += 1
        if label.lower() in used:
            continue
        made.append(create_object(MeetingTable, actor=actor, check=False, event=event, label=label, position=position))
        position += 1
    return made


@transaction.atomic
def rename_table(table: MeetingTable, *, actor, label: str) -> MeetingTable:
    ensure_can(actor, "change", table.event)
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Give the table a label, e.g. Meja 12.")})
    if MeetingTable.objects.filter(event_id=table.event_id, label__iexact=label).exclude(pk=table.pk).exists():
        raise ValidationError({"label": _("This event already has a table called %(label)s.") % {"label": label}})
    return update_object(table, actor=actor, check=False, label=label)


@transaction.atomic
def delete_table(table: MeetingTable, *, actor) -> None:
    ensure_can(actor, "change", table.event)
    if Meeting.objects.filter(table=table).exists():
        raise ValidationError(_("%(table)s has meetings: it cannot be deleted.") % {"table": table.label})
    for participant in Participant.objects.filter(fixed_table=table):
        before = snapshot(participant)
        participant.fixed_table = None
        participant.save(update_fields=["fixed_table", "updated"])
        log_update(actor, participant, before)
    delete_object(table, actor=actor, check=False)


@transaction.atomic
def set_fixed_table(participant: Participant, *, actor, table: MeetingTable | None) -> Participant:
    """Give a buyer its own table for every meeting (or take it away)."""
    ensure_can(actor, "manage", participant)
    if table is not None:
        if table.event_id != participant.event_id:
            raise ValidationError({"fixed_table": _("The table must belong to this event.")})
        if participant.side != ParticipantSide.BUYER:
            raise ValidationError({"fixed_table": _("Only a buyer receives its meetings at a fixed table.")})
        holder = Participant.objects.filter(fixed_table=table).exclude(pk=participant.pk).first()
        if holder is not None:
            raise ValidationError(
                {"fixed_table": _("%(table)s is already %(company)s's table.") % {"table": table, "company": holder}}
            )
    return update_object(participant, actor=actor, check=False, fixed_table=table)
