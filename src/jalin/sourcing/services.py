"""Every write to the needs. Views, the API, the import, the command line and the demo call these.

A need's status moves only through :func:`set_status`, along :data:`TRANSITIONS` (draft → open →
closed or awarded; closed → open again; awarded is final), with the row locked while it changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jalin.companies.identifiers import clean_hs
from jalin.companies.models import Company, CompanyKind
from jalin.core.models import ChangeAction
from jalin.core.roles import Role
from jalin.core.services import (
    create_object,
    delete_object,
    ensure_can,
    ensure_can_add,
    log_change,
    snapshot,
    update_object,
)

from .models import Need, NeedAttachment, NeedStatus, Visibility

#: The status workflow as data: from each status, the statuses one step may reach.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    NeedStatus.DRAFT: (NeedStatus.OPEN,),
    NeedStatus.OPEN: (NeedStatus.CLOSED, NeedStatus.AWARDED),
    NeedStatus.CLOSED: (NeedStatus.OPEN,),
    NeedStatus.AWARDED: (),
}

#: What the button for a transition says (the target status decides, except reopening).
ACTION_LABELS = {
    (NeedStatus.DRAFT, NeedStatus.OPEN): gettext_lazy("Publish"),
    (NeedStatus.OPEN, NeedStatus.CLOSED): gettext_lazy("Close"),
    (NeedStatus.OPEN, NeedStatus.AWARDED): gettext_lazy("Mark as awarded"),
    (NeedStatus.CLOSED, NeedStatus.OPEN): gettext_lazy("Reopen"),
}

# ---------------------------------------------------------------------------------------------------------
# Attachments: drawings and specifications, recognised by their content and not only by their name.

ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_EXTENSIONS = ("pdf", "jpg", "jpeg", "png", "dxf", "step", "stp", "zip")
_MAGIC = {
    "pdf": (b"%PDF",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "zip": (b"PK\x03\x04", b"PK\x05\x06"),
    "step": (b"ISO-10303-21",),
    "stp": (b"ISO-10303-21",),
}
# An ASCII DXF starts with group code 0 (or a 999 comment) and a SECTION; a binary one names itself.
_DXF = re.compile(rb"^\s*(?:0\s*[\r\n]+\s*SECTION|999\s*[\r\n])")
_DXF_BINARY = b"AutoCAD Binary DXF"


def validate_attachment(upload) -> None:
    """PDF, JPEG, PNG, DXF, STEP or ZIP up to 20 MB, checked by extension *and* by the file's first bytes."""
    name = getattr(upload, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            gettext_lazy("Attach a PDF, JPEG, PNG, DXF, STEP or ZIP file (you sent “%(name)s”)."),
            code="attachment_type",
            params={"name": name},
        )
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            gettext_lazy("The file is %(size)s MB; the limit is 20 MB. Compress it or split it into parts."),
            code="attachment_size",
            params={"size": f"{upload.size / 1024 / 1024:.1f}"},
        )
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    if extension == "dxf":
        ok = head.startswith(_DXF_BINARY) or bool(_DXF.match(head.lstrip(b"\xef\xbb\xbf")))
    else:
        ok = any(head.lstrip(b"\xef\xbb\xbf").startswith(magic) for magic in _MAGIC[extension])
    if not ok:
        raise ValidationError(
            gettext_lazy("The file “%(name)s” is not a readable %(kind)s file."),
            code="attachment_content",
            params={"name": name, "kind": extension.upper()},
        )


# ---------------------------------------------------------------------------------------------------------
# References: the buyer's initials, the year and a sequence (DPM-2026-001)

_LEGAL_FORMS = frozenset({"pt", "cv", "ud", "tbk", "persero", "pd", "koperasi", "fa", "firma"})


def buyer_initials(company: Company) -> str:
    """``PT Mada Wikri Tunggal`` → ``MWT``; a short brand (``PATRIA``) is used as it is; at least 3 letters."""
    brand = re.sub(r"[^A-Za-z0-9]", "", company.brand_name or "")
    if 2 <= len(brand) <= 6:
        return brand.upper()
    name = re.sub(r"\([^)]*\)", " ", company.legal_name or "")
    words = [w for w in re.split(r"[^A-Za-z0-9]+", name) if w and w.lower() not in _LEGAL_FORMS]
    if not words:
        return "NEED"
    initials = "".join(w[0] for w in words[:4]).upper()
    if len(initials) < 3:
        initials += words[-1][1 : 1 + 3 - len(initials)].upper()
    return initials


def next_reference(buyer: Company, year: int | None = None) -> str:
    """The next free reference of ``buyer`` in ``year``; the caller holds the buyer's row lock."""
    year = year or timezone.localdate().year
    prefix = f"{buyer_initials(buyer)}-{year}-"
    used = Need.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
    numbers = [int(ref[len(prefix) :]) for ref in used if ref[len(prefix) :].isdigit()]
    number = max(numbers, default=0) + 1
    while Need.objects.filter(reference=f"{prefix}{number:03d}").exists():  # pragma: no cover (a race)
        number += 1
    return f"{prefix}{number:03d}"


# ---------------------------------------------------------------------------------------------------------
# Validation shared by create and update


def buyer_company_of(user) -> Company | None:
    """The registry profile of a buyer user's organisation (a large industry), if there is one."""
    if user is None or not user.organisation_id:
        return None
    return Company.objects.filter(organisation_id=user.organisation_id, kind=CompanyKind.INDUSTRY).first()


def _check_buyer(actor, buyer: Company | None) -> None:
    """Officers post needs for any large industry; a buyer only for its own company."""
    if buyer is None:
        raise ValidationError({"buyer": [_("Choose the buyer company.")]})
    if buyer.kind != CompanyKind.INDUSTRY:
        raise ValidationError({"buyer": [_("Only a large industry (buyer) can post a need.")]})
    if actor is None or actor.is_superuser or actor.role == Role.PROGRAMME_OFFICER:
        return
    if actor.role == Role.BUYER and actor.organisation_id and buyer.organisation_id == actor.organisation_id:
        return
    raise PermissionDenied(_("You may post needs only for your own company."))


def validate_need(fields: dict, need: Need | None = None) -> dict:
    """Check the rules that span fields; return the cleaned fields. Raises a ValidationError by field."""

    def value(name, default=None):
        if name in fields:
            return fields[name]
        return getattr(need, name) if need is not None else default

    def m2m(name) -> set[int]:
        if name in fields:
            return {getattr(item, "pk", item) for item in fields[name]}
        if need is not None and need.pk:
            return set(getattr(need, name).values_list("pk", flat=True))
        return set()

    errors: dict[str, list] = {}
    if fields.get("hs_code"):
        try:
            fields["hs_code"] = clean_hs(fields["hs_code"])
        except ValidationError as exc:
            errors["hs_code"] = exc.messages
    both = m2m("required_certifications") & m2m("preferred_certifications")
    if both:
        from jalin.companies.models import CertificationType

        names = ", ".join(str(t) for t in CertificationType.objects.filter(pk__in=both))
        errors["preferred_certifications"] = [
            _("%(names)s cannot be both required and preferred: keep it in one list.") % {"names": names}
        ]
    imported = value("imported", False)
    if imported and value("annual_import_value") is None:
        errors["annual_import_value"] = [_("Give the annual import value of a part that is imported today.")]
    if not imported and value("annual_import_value") is not None:
        fields["annual_import_value"] = None  # a part that is not imported has no import value
    for name in ("target_price", "annual_import_value"):
        amount = fields.get(name)
        if amount is not None and amount < 0:
            errors[name] = [_("Must not be negative.")]
    plant = value("delivery_plant")
    buyer = value("buyer")
    if plant is not None and buyer is not None and plant.company_id != buyer.pk:
        errors["delivery_plant"] = [
            _("%(plant)s is not a plant of %(buyer)s: choose one of the buyer's own plants.")
            % {"plant": plant.name, "buyer": buyer.legal_name}
        ]
    if errors:
        raise ValidationError(errors)
    return fields


# ---------------------------------------------------------------------------------------------------------
# Create, update, delete


@transaction.atomic
def create_need(*, actor, buyer: Company | None = None, reference: str = "", **fields) -> Need:
    """Create a need (status draft unless ``status`` says otherwise through :func:`set_status` later).

    A buyer's need always belongs to the buyer's own company; ``reference`` is generated when empty."""
    ensure_can_add(actor, Need)
    if buyer is None and actor is not None and actor.role == Role.BUYER:
        buyer = buyer_company_of(actor)
        if buyer is None:
            raise ValidationError(
                _("Your organisation has no buyer profile in the registry yet: ask a programme officer to add it.")
            )
    _check_buyer(actor, buyer)
    fields.pop("status", None)  # a new need starts as a draft; set_status() moves it on
    fields = validate_need({**fields, "buyer": buyer})
    buyer = Company.objects.select_for_update().get(pk=buyer.pk)  # serialises references of one buyer
    reference = (reference or "").strip().upper() or next_reference(buyer)
    return create_object(Need, actor=actor, check=False, reference=reference, status=NeedStatus.DRAFT, **fields)


@transaction.atomic
def update_need(need: Need, *, actor, **fields) -> Need:
    ensure_can(actor, "change", need)
    fields.pop("status", None)  # only set_status() changes the status
    if "reference" in fields:
        fields["reference"] = (fields["reference"] or "").strip().upper() or need.reference
    if "buyer" in fields and fields["buyer"] is not None and fields["buyer"].pk != need.buyer_id:
        _check_buyer(actor, fields["buyer"])
        if actor is not None and not actor.is_superuser and actor.role != Role.PROGRAMME_OFFICER:
            raise PermissionDenied(_("Only a programme officer moves a need to another buyer."))
    elif "buyer" in fields:
        fields.pop("buyer")
    fields = validate_need(fields, need)
    return update_object(need, actor=actor, check=False, **fields)


@transaction.atomic
def delete_need(need: Need, *, actor) -> None:
    """Only a draft is deleted; a need that was published is closed instead, so its history stays."""
    ensure_can(actor, "delete", need)
    locked = Need.objects.select_for_update().get(pk=need.pk)
    if locked.status != NeedStatus.DRAFT:
        raise ValidationError(_("Only a draft can be deleted. Close the need instead: its history stays."))
    files = [a.file.name for a in need.attachments.all() if a.file]
    delete_object(need, actor=actor, check=False)
    transaction.on_commit(lambda: _remove_files(files))


def allowed_transitions(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def transition_path(start: str, goal: str) -> list[str] | None:
    """The statuses to pass through from ``start`` to ``goal`` (``[]`` when equal; ``None`` if unreachable)."""
    if start == goal:
        return []
    frontier, seen = [[start]], {start}
    while frontier:
        path = frontier.pop(0)
        for step in TRANSITIONS.get(path[-1], ()):
            if step == goal:
                return [*path[1:], step]
            if step not in seen:
                seen.add(step)
                frontier.append([*path, step])
    return None


@transaction.atomic
def set_status(need: Need, *, actor, status: str) -> Need:
    """Move ``need`` one step along :data:`TRANSITIONS`; anything else is refused with a ValidationError."""
    ensure_can(actor, "change", need)
    locked = Need.objects.select_for_update().get(pk=need.pk)
    if status not in NeedStatus.values:
        raise ValidationError({"status": [_("Unknown status %(status)s.") % {"status": status}]})
    if status not in allowed_transitions(locked.status):
        raise ValidationError(
            {
                "status": [
                    _("A need that is %(current)s cannot become %(target)s.")
                    % {"current": NeedStatus(locked.status).label, "target": NeedStatus(status).label}
                ]
            }
        )
    if status == NeedStatus.OPEN and locked.visibility == Visibility.DRAFT:
        raise ValidationError(
            {
                "visibility": [
                    _(
                        "The visibility is still “draft”: choose “open to verified IKM” or “by invitation” "
                        "before publishing."
                    )
                ]
            }
        )
    before = snapshot(locked)
    locked.status = status
    locked.save(update_fields=["status", "updated"])
    log_change(actor=actor, action=ChangeAction.UPDATE, obj=locked, before=before, after=snapshot(locked))
    need.status, need.updated = locked.status, locked.updated
    return need


# ---------------------------------------------------------------------------------------------------------
# Attachments


@transaction.atomic
def add_attachment(need: Need, *, actor, file, title: str = "") -> NeedAttachment:
    ensure_can(actor, "change", need)
    validate_attachment(file)
    return create_object(NeedAttachment, actor=actor, check=False, need=need, file=file, title=title.strip())


@transaction.atomic
def delete_attachment(attachment: NeedAttachment, *, actor) -> None:
    ensure_can(actor, "change", attachment.need)
    name = attachment.file.name
    delete_object(attachment, actor=actor, check=False)
    transaction.on_commit(lambda: _remove_files([name]))


def _remove_files(names: Iterable[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        if name:
            default_storage.delete(name)
