"""The one write path's shared pieces: permission checks, snapshots and the change log.

App services call :func:`create_object`, :func:`update_object` and :func:`delete_object` (or
:func:`log_change` directly for writes of their own shape); each runs in ``transaction.atomic``
and records actor, time, request id and the before/after values.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from .middleware import current_request_id
from .models import ChangeAction, ObjectChange
from .permissions import can, can_add

#: Fields never written to the change log, whatever the model.
SECRET_FIELDS = frozenset({"password"})


def ensure_can(actor, action: str, obj: models.Model) -> None:
    """Raise PermissionDenied unless ``actor`` may ``action`` ``obj``. ``actor=None`` is the system
    (command line, demo loader, jobs acting for nobody)."""
    if actor is not None and not can(actor, action, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


def ensure_can_add(actor, model: type[models.Model]) -> None:
    if actor is not None and not can_add(actor, model):
        raise PermissionDenied(_("You do not have permission to do this."))


def _json_value(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return str(value)


def snapshot(obj: models.Model) -> dict:
    """The object's concrete field values (foreign keys as ids, many-to-many as sorted ids)."""
    data = {}
    for f in obj._meta.concrete_fields:
        if f.name in SECRET_FIELDS or f.name in getattr(obj, "changelog_exclude", ()):
            continue
        if getattr(f, "auto_now", False):  # the "updated" stamp is the log's own time
            continue
        data[f.name] = _json_value(f.value_from_object(obj))
    if obj.pk is not None:
        for f in obj._meta.many_to_many:
            data[f.name] = sorted(_json_value(v) for v in getattr(obj, f.name).values_list("pk", flat=True))
    return data


def change_label(obj: models.Model) -> str:
    """The change log's name for ``obj``: its ``change_label()`` where it has one (a company's certification
    says whose it is), else ``str(obj)``; at most 200 characters."""
    label = getattr(obj, "change_label", None)
    return (label() if callable(label) else str(obj))[:200]


def log_change(*, actor, action: str, obj: models.Model, before: dict | None, after: dict | None) -> ObjectChange:
    return ObjectChange.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(actor.get_full_name() or actor.get_username()) if actor is not None else "system",
        request_id=current_request_id(),
        action=action,
        content_type=ContentType.objects.get_for_model(obj._meta.model),
        object_id=str(obj.pk),
        object_repr=change_label(obj),
        before=before,
        after=after,
    )


def _set_m2m(obj: models.Model, m2m: dict[str, Iterable]) -> None:
    for name, values in m2m.items():
        getattr(obj, name).set(values)


def _split_m2m(model: type[models.Model], fields: dict) -> tuple[dict, dict]:
    m2m_names = {f.name for f in model._meta.many_to_many}
    return (
        {k: v for k, v in fields.items() if k not in m2m_names},
        {k: v for k, v in fields.items() if k in m2m_names},
    )


@transaction.atomic
def create_object(model: type[models.Model], *, actor, check: bool = True, **fields) -> models.Model:
    if check:
        ensure_can_add(actor, model)
    plain, m2m = _split_m2m(model, fields)
    obj = model(**plain)
    obj.full_clean()
    obj.save()
    _set_m2m(obj, m2m)
    log_change(actor=actor, action=ChangeAction.CREATE, obj=obj, before=None, after=snapshot(obj))
    return obj


@transaction.atomic
def update_object(obj: models.Model, *, actor, check: bool = True, **fields) -> models.Model:
    if check:
        ensure_can(actor, "change", obj)
    # Lock the row so that two concurrent edits serialise and each logs a true "before".
    locked = obj._meta.model._default_manager.select_for_update().get(pk=obj.pk)
    before = snapshot(locked)
    plain, m2m = _split_m2m(obj._meta.model, fields)
    for name, value in plain.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    _set_m2m(obj, m2m)
    after = snapshot(obj)
    if after != before:
        log_change(actor=actor, action=ChangeAction.UPDATE, obj=obj, before=before, after=after)
    return obj


@transaction.atomic
def delete_object(obj: models.Model, *, actor, check: bool = True) -> None:
    if check:
        ensure_can(actor, "delete", obj)
    before = snapshot(obj)
    log_change(actor=actor, action=ChangeAction.DELETE, obj=obj, before=before, after=None)
    obj.delete()
