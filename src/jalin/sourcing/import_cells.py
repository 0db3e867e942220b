"""Reading the cells of a needs import: taxonomy look-ups and one cleaner per column. A cleaner writes the
cleaned value into the :class:`Row` or raises :class:`CellError`. See docs/needs.md."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jalin.companies.import_cells import TaxonomyIndex, date_cell, issue
from jalin.companies.models import CertificationType, Material, Process
from jalin.core.imports import CellError, Issue, parse_number, text_cell

from .models import Need, NeedStatus, Visibility, VolumeUnit

_LIST = re.compile(r"[;,\n|]+")
_WORD = re.compile(r"[^0-9a-z]+")


def key(text: str) -> str:
    """Look-up key: lower case, letters and digits only."""
    return _WORD.sub("", str(text).lower())


_BOOLEANS = {
    **dict.fromkeys(("ya", "y", "yes", "1", "true", "benar", "x", "v"), True),
    **dict.fromkeys(("tidak", "tdk", "t", "no", "n", "0", "false", "salah", "bukan"), False),
}
_UNITS = {
    **dict.fromkeys(("pcs", "pc", "piece", "pieces", "buah", "bh", "unit", "units", "ea"), VolumeUnit.PIECES),
    **dict.fromkeys(("set", "sets", "stel"), VolumeUnit.SETS),
    **dict.fromkeys(("kg", "kilogram", "kilograms"), VolumeUnit.KG),
    **dict.fromkeys(("m", "meter", "metre", "metres", "meters"), VolumeUnit.METRES),
}
_VISIBILITIES = {
    **dict.fromkeys(("open", "terbuka", "umum", "public", "publik"), Visibility.OPEN),
    **dict.fromkeys(("invitation", "byinvitation", "undangan", "diundang", "invite", "invited"), Visibility.INVITATION),
    **dict.fromkeys(("draft", "draf", "konsep", "hidden", "tersembunyi"), Visibility.DRAFT),
}
_STATUSES = {
    **dict.fromkeys(("draft", "draf", "konsep"), NeedStatus.DRAFT),
    **dict.fromkeys(("open", "terbuka", "buka", "dibuka", "aktif"), NeedStatus.OPEN),
    **dict.fromkeys(("closed", "tutup", "ditutup", "selesai"), NeedStatus.CLOSED),
    **dict.fromkeys(("awarded", "diberikan", "dimenangkan", "terpilih", "award"), NeedStatus.AWARDED),
}


# ---------------------------------------------------------------------------------------------------------
# Rows and cells


@dataclass
class Row:
    number: int
    values: dict = field(default_factory=dict)  # Need field → cleaned value (non-empty cells only)
    m2m: dict = field(default_factory=dict)  # many-to-many field → list of ids
    buyer_nib: str = ""
    plant: str = ""
    status: str = ""
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def reference(self) -> str:
        return self.values.get("reference", "")


class Lookups:
    def __init__(self):
        self.processes = TaxonomyIndex(Process, _("Unknown process %(value)s: use a code or name from the list."))
        self.materials = TaxonomyIndex(Material, _("Unknown material %(value)s: use a code or name from the list."))
        self.certifications = TaxonomyIndex(
            CertificationType, _("Unknown certification %(value)s: use a code or name from the list.")
        )


def _text(name: str):
    max_length = Need._meta.get_field(name).max_length

    def clean(row: Row, raw, column: str) -> None:
        text = text_cell(raw)
        if max_length and len(text) > max_length:
            raise CellError(_("Too long: at most %(max)s characters (this has %(n)s)."), max=max_length, n=len(text))
        row.values[name] = text

    return clean


def _reference(row: Row, raw, column: str) -> None:
    text = text_cell(raw).upper()
    if len(text) > 30:
        raise CellError(_("Too long: at most %(max)s characters (this has %(n)s)."), max=30, n=len(text))
    row.values["reference"] = text


def _nib(row: Row, raw, column: str) -> None:
    text = text_cell(raw)
    if re.search(r"[^0-9.\-\s]", text):
        raise CellError(_("Only digits, dots, dashes and spaces are allowed here."))
    digits = re.sub(r"\D", "", text)
    if len(digits) == 12 and isinstance(raw, int | float):
        row.warnings.append(
            issue(row.number, column, raw, _("Leading zero restored: the spreadsheet stored the NIB as a number."))
        )
        digits = "0" + digits
    if len(digits) != 13:
        raise CellError(_("NIB must have 13 digits (got %(n)s)."), n=len(digits))
    row.buyer_nib = digits


def _hs(row: Row, raw, column: str) -> None:
    from jalin.companies.identifiers import clean_hs

    text = text_cell(raw)
    if re.fullmatch(r"\d{4},\d{1,2}", text):  # 8708,92: a number in an Indonesian-locale CSV
        text = text.replace(",", ".")
    if re.fullmatch(r"\d{4}\.\d", text):  # 8708.10 shown as 8708.1
        text += "0"
    try:
        row.values["hs_code"] = clean_hs(text)
    except ValidationError as exc:
        raise CellError(exc.message, **(exc.params or {})) from None


def _whole(name: str, limit: int):
    def clean(row: Row, raw, column: str) -> None:
        number = parse_number(raw, integer=True)
        if number is None:
            return
        if number < 0:
            raise CellError(_("Must not be negative."))
        if number >= limit:
            raise CellError(_("The number is too large."))
        if name in ("target_price", "annual_import_value"):
            row.values[name] = number.quantize(Decimal(1))
        elif number != number.to_integral_value():
            raise CellError(_("Must be a whole number (1500 or 1.500)."))
        else:
            row.values[name] = int(number)

    return clean


def _choice(name: str, choices: dict, message):
    def clean(row: Row, raw, column: str) -> None:
        value = choices.get(key(text_cell(raw)))
        if value is None:
            raise CellError(message, value=text_cell(raw))
        if name == "status":
            row.status = value
        else:
            row.values[name] = value

    return clean


def _taxonomy(name: str, index: TaxonomyIndex):
    def clean(row: Row, raw, column: str) -> None:
        ids, problems = [], []
        for part in (p.strip() for p in _LIST.split(text_cell(raw))):
            if not part:
                continue
            edition = re.match(r"^(.+?)\s*:\s*\d{4}$", part)  # "ISO 9001:2015" names the edition
            try:
                ids.append(index.find(edition[1] if edition else part))
            except CellError as exc:
                problems.append(exc)
        for exc in problems[1:]:
            row.errors.append(issue(row.number, column, raw, exc.message, **exc.params))
        if problems:
            raise problems[0]
        row.m2m[name] = sorted(set(ids))

    return clean


def _date(row: Row, raw, column: str) -> None:
    row.values["start_date"] = date_cell(raw)


def _plant(row: Row, raw, column: str) -> None:
    row.plant = text_cell(raw)


def cleaners(lookups: Lookups) -> dict:
    boolean = _("Write ya or tidak (yes/no, 1/0), not %(value)s.")
    return {
        "reference": _reference,
        "buyer_nib": _nib,
        "title": _text("title"),
        "description": lambda row, raw, column: row.values.__setitem__("description", text_cell(raw)),
        "hs_code": _hs,
        "part_category": _text("part_category"),
        "processes": _taxonomy("processes", lookups.processes),
        "materials": _taxonomy("materials", lookups.materials),
        "annual_volume": _whole("annual_volume", 2**31),
        "volume_unit": _choice("volume_unit", _UNITS, _("Unknown unit %(value)s: use pcs, sets, kg or m.")),
        "target_price": _whole("target_price", 10**14),
        "required_certifications": _taxonomy("required_certifications", lookups.certifications),
        "preferred_certifications": _taxonomy("preferred_certifications", lookups.certifications),
        "max_defect_ppm": _whole("max_defect_ppm", 10**6 + 1),
        "delivery_plant": _plant,
        "start_date": _date,
        "imported": _choice("imported", _BOOLEANS, boolean),
        "annual_import_value": _whole("annual_import_value", 10**18),
        "visibility": _choice(
            "visibility", _VISIBILITIES, _("Unknown visibility %(value)s: use open, invitation or draft.")
        ),
        "status": _choice("status", _STATUSES, _("Unknown status %(value)s: use draft, open, closed or awarded.")),
        "hard_filter": _choice("hard_filter", _BOOLEANS, boolean),
    }
