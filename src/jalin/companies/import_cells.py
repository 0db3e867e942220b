"""Reading the cells of a company import: reference lookups (regions, taxonomies, KBLI) and one cleaner per
column. A cleaner writes the cleaned value into the :class:`Row` or raises :class:`CellError`; warnings (a
leading zero restored) go to ``row.warnings``. See docs/import-format.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _

from jalin.core.imports import CellError, Issue, is_scientific, msgid, parse_number, text_cell
from jalin.core.permissions import can
from jalin.core.tabular import _GROUPED
from jalin.regions.models import Region, RegionLevel

from .columns import BY_NAME
from .identifiers import clean_hs, clean_kbli, clean_npwp
from .models import BuyerType, CertificationType, Company, CompanyKind, Kbli, Material, Process

EXAMPLE_NIB = BY_NAME["nib"].example
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_PARENTHESES = re.compile(r"\([^)]*\)")
_NOT_ID = re.compile(r"[^0-9.\-\s/]")
_NOT_DIGIT = re.compile(r"\D")
_LIST = re.compile(r"[;,\n|]+")  # lists of names: ; , newline or |
_CODES = re.compile(r"[;,\s]+")  # lists of codes: also spaces


# ---------------------------------------------------------------------------------------------------------
# Reference data, loaded once per import


def _key(text: str) -> str:
    """Taxonomy lookup key: lower case, letters and digits only (``ISO 9001`` = ``iso-9001``)."""
    return _NOT_ALNUM.sub("", str(text).lower())


class TaxonomyIndex:
    """Finds a taxonomy entry by code, Indonesian or English name, or (second) by a synonym."""

    def __init__(self, model, unknown_message):
        self.unknown_message = unknown_message
        self.by_id = {}
        self.primary: dict[str, set[int]] = {}
        self.synonyms: dict[str, set[int]] = {}
        self.cache: dict[str, int | CellError] = {}
        for item in model.objects.all():
            self.by_id[item.pk] = item  # retired entries too: companies that have one keep it
            if not item.is_active:
                continue  # but a file cannot name it
            for text in (item.code, item.name_id, item.name_en):
                self.primary.setdefault(_key(text), set()).add(item.pk)
            for text in item.synonyms.split(","):
                if text.strip():
                    self.synonyms.setdefault(_key(text), set()).add(item.pk)

    def find(self, text: str) -> int:
        found = self.cache.get(text)
        if found is None:
            try:
                found = self._find(text)
            except CellError as exc:
                found = exc
            self.cache[text] = found
        if isinstance(found, CellError):
            raise CellError(found.message, **found.params)
        return found

    def _find(self, text: str) -> int:
        key = _key(text)
        ids = self.primary.get(key) or self.synonyms.get(key)
        if not ids:
            raise CellError(self.unknown_message, value=text)
        if len(ids) > 1:
            names = sorted(self.by_id[i].code for i in ids)
            raise CellError(_("%(value)s is ambiguous: it could be %(choices)s."), value=text, choices=", ".join(names))
        return next(iter(ids))


_PREFIXES = {"kabupaten": "kab", "kab": "kab", "kota": "kota", "kodya": "kota", "kotamadya": "kota"}
_REGION_CODE = re.compile(r"^(\d{2})(?:[.,](\d{1,2})|(\d{2}))$")


def _region_name_key(text: str) -> tuple[str, str]:
    """``"Kab. Tegal"`` → ``("kab", "tegal")``; also ``"Tegal, Kabupaten"`` and ``"Kota Administrasi …"``."""
    words = _NOT_ALNUM.sub(" ", _PARENTHESES.sub(" ", str(text).lower())).split()
    kind = ""
    if words and words[0] in _PREFIXES:
        kind = _PREFIXES[words.pop(0)]
    elif len(words) > 1 and words[-1] in _PREFIXES:
        kind = _PREFIXES[words.pop()]
    if words and words[0] in ("administrasi", "adm"):
        words.pop(0)
    return kind, " ".join(words)


class RegionIndex:
    def __init__(self):
        self.by_code: dict[str, Region] = {}
        self.by_id: dict[int, Region] = {}
        self.by_kind_name: dict[tuple[str, str], Region] = {}
        self.by_name: dict[str, list[Region]] = {}
        self.provinces: dict[str, Region] = {}
        self.cache: dict[str, Region | CellError] = {}
        for region in Region.objects.all():
            self.by_code[region.code] = region
            self.by_id[region.pk] = region
            kind, name = _region_name_key(region.name)
            if region.level == RegionLevel.PROVINCE:
                self.provinces[name] = region
                continue
            self.by_kind_name[(kind, name)] = region
            self.by_name.setdefault(name, []).append(region)

    def find(self, raw) -> Region:
        text = text_cell(raw)
        found = self.cache.get(text)
        if found is None:
            try:
                found = self._find(text)
            except CellError as exc:
                found = exc
            self.cache[text] = found
        if isinstance(found, CellError):
            raise CellError(found.message, **found.params)
        return found

    def _find(self, text: str, province: Region | None = None) -> Region:
        match = _REGION_CODE.match(text)
        if match:
            tail = match[2] or match[3]
            # A spreadsheet shows the code 33.10 typed as a number as 33.1: a one-digit tail is tens.
            code = f"{match[1]}.{tail.ljust(2, '0')}"
            return self._regency(self.by_code.get(code), text)
        if text.isdigit() and len(text) == 2:
            return self._regency(self.by_code.get(text), text)
        if "," in text and province is None:  # "Banjar, Kalimantan Selatan": the province narrows the choice
            head, _sep, tail = text.rpartition(",")
            named = self.provinces.get(_region_name_key(tail)[1])
            if named is not None:
                return self._find(head.strip(), named)
        kind, name = _region_name_key(text)
        if kind:
            found = [r for r in (self.by_kind_name.get((kind, name)),) if r is not None]
        else:
            found = self.by_name.get(name, [])
        if province is not None:
            found = [r for r in found if r.parent_id == province.pk]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise CellError(
                _("%(value)s is ambiguous: it could be %(choices)s. Write the full name or the code."),
                value=text,
                choices=", ".join(f"{r.name} ({r.code})" for r in found),
            )
        return self._regency(None if kind else self.provinces.get(name), text)

    def _regency(self, region: Region | None, text: str) -> Region:
        if region is None:
            raise CellError(
                _(
                    "Unknown region %(value)s: give a Kemendagri code such as 33.10 or a regency or city name "
                    "such as Kabupaten Klaten."
                ),
                value=text,
            )
        if region.level == RegionLevel.PROVINCE:
            raise CellError(_("%(value)s is a province: give a regency or city."), value=region.name)
        return region


_KINDS = {
    **dict.fromkeys(
        ("ikm", "industrikecil", "industrikecilmenengah", "industrikecildanmenengah", "umkm"), CompanyKind.IKM
    ),
    **dict.fromkeys(
        ("industry", "industri", "industribesar", "largeindustry", "buyer", "pembeli"), CompanyKind.INDUSTRY
    ),
}
_BUYER_TYPES = {
    **dict.fromkeys(("apm4w", "apmroda4", "apmrodaempat", "apmr4", "apmfourwheel", "apm4"), BuyerType.APM_4W),
    **dict.fromkeys(("apm2w", "apmroda2", "apmrodadua", "apmr2", "apmtwowheel", "apm2"), BuyerType.APM_2W),
    **dict.fromkeys(("tier1", "tier1supplier", "tieri"), BuyerType.TIER_1),
    **dict.fromkeys(("tier2", "tier2supplier", "tierii"), BuyerType.TIER_2),
    **dict.fromkeys(("heavy", "heavyequipment", "alatberat"), BuyerType.HEAVY),
    **dict.fromkeys(("appliance", "homeappliance", "elektronik", "peralatanrumahtangga"), BuyerType.APPLIANCE),
    **dict.fromkeys(("other", "lainnya", "lainlain"), BuyerType.OTHER),
}


class Lookups:
    def __init__(self):
        self.regions = RegionIndex()
        self.processes = TaxonomyIndex(Process, _("Unknown process %(value)s: use a code or name from the list."))
        self.materials = TaxonomyIndex(Material, _("Unknown material %(value)s: use a code or name from the list."))
        self.certifications = TaxonomyIndex(
            CertificationType, _("Unknown certification %(value)s: use a code or name from the list.")
        )
        self.kbli = dict(Kbli.objects.values_list("code", "pk"))


class CompaniesByNib:
    """Registered companies as a file names them, by NIB, each read once: ``None`` for a NIB not in the registry
    and for a company ``actor`` may not see (``None``: the system), which an import reports alike, so that it
    tells nothing of the companies one may not see."""

    def __init__(self, actor):
        self.actor = actor
        self.found: dict[str, Company | None] = {}

    def get(self, nib: str) -> Company | None:
        if nib not in self.found:
            company = Company.objects.filter(nib=nib).first()
            if company is not None and self.actor is not None and not can(self.actor, "view", company):
                company = None
            self.found[nib] = company
        return self.found[nib]


# ---------------------------------------------------------------------------------------------------------
# Cells


@dataclass(slots=True)
class Row:
    number: int
    values: dict = field(default_factory=dict)  # Company field → cleaned value (non-empty cells only)
    m2m: dict = field(default_factory=dict)  # "kbli"/"processes"/"materials" → list of ids
    certs: list = field(default_factory=list)  # (certification type id, valid_until or None)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def nib(self) -> str | None:
        return self.values.get("nib")


def issue(row: int, column: str, cell, message, /, **params) -> Issue:
    text = text_cell(cell)
    return Issue(row, column, text[:119] + "…" if len(text) > 120 else text, msgid(message), params)


_SCIENTIFIC_MESSAGE = _(
    "The spreadsheet turned this number into scientific notation and lost digits: format the column as "
    "Text and type the number again."
)


_DOUBLED = str.maketrans("0123456789", "0246813579")  # Luhn: a doubled digit's digit sum
_NPWP_DOTTED = re.compile(r"[0-9]{2}\.[0-9]{3}\.[0-9]{3}\.[0-9]-[0-9]{3}\.[0-9]{3}")  # 01.234.567.4-901.000


def _luhn_ok(digits: str) -> bool:
    """The Luhn check of ASCII ``digits`` (python-stdnum's ``luhn.validate`` passing)."""
    # Summing the bytes of ASCII digits sums the digits plus 48 each.
    total = sum(digits[-1::-2].encode()) + sum(digits[-2::-2].translate(_DOUBLED).encode()) - 48 * len(digits)
    return total % 10 == 0


def _digits(raw) -> str:
    if isinstance(raw, float) and not raw.is_integer():
        raise CellError(_SCIENTIFIC_MESSAGE)
    text = text_cell(raw)
    if is_scientific(text):
        raise CellError(_SCIENTIFIC_MESSAGE)
    if _NOT_ID.search(text):
        raise CellError(_("Only digits, dots, dashes and spaces are allowed here."))
    return _NOT_DIGIT.sub("", text)


def clean_nib_cell(row: Row, raw, column: str) -> None:
    if type(raw) is str and len(raw) == 13 and raw.isascii() and raw.isdigit() and raw != EXAMPLE_NIB:
        row.values["nib"] = raw  # the common case: what the checks below accept unchanged
        return
    digits = _digits(raw)
    if len(digits) == 12 and isinstance(raw, int | float):
        row.warnings.append(
            issue(row.number, column, raw, _("Leading zero restored: the spreadsheet stored the NIB as a number."))
        )
        digits = "0" + digits
    if len(digits) != 13:
        raise CellError(
            _(
                "NIB must have 13 digits (got %(n)s). If the spreadsheet dropped a leading zero, format the "
                "column as Text and type it again."
            ),
            n=len(digits),
        )
    if digits == EXAMPLE_NIB:
        raise CellError(_("This is the example row of the template: replace it with your own data or delete it."))
    row.values["nib"] = digits


def clean_npwp_cell(row: Row, raw, column: str) -> None:
    dotted = type(raw) is str and _NPWP_DOTTED.fullmatch(raw)  # then _digits() would only drop the dots and dash
    digits = raw.replace(".", "").replace("-", "") if dotted else _digits(raw)
    # The common cases first, accepted exactly as clean_npwp() accepts them (its Luhn check, without
    # python-stdnum's general-purpose cleaning): 15 digits, or 16 starting with 0.
    if len(digits) == 15 and _luhn_ok(digits[:9]):
        row.values["npwp"] = "0" + digits
        return
    if len(digits) == 16 and digits[0] == "0" and _luhn_ok(digits[:10]):
        row.values["npwp"] = digits
        return
    try:
        row.values["npwp"] = clean_npwp(digits)
        return
    except ValidationError as exc:
        error = exc
    if len(digits) in (14, 15):
        try:
            row.values["npwp"] = clean_npwp("0" + digits)
        except ValidationError:
            pass
        else:
            row.warnings.append(
                issue(row.number, column, raw, _("Leading zero restored: the spreadsheet stored the NPWP as a number."))
            )
            return
    raise CellError(error.message, **(error.params or {}))


def text_cleaner(name: str, model=Company) -> Callable:
    """The cleaner of a text column: the trimmed text, at most as long as ``model``'s field ``name`` allows."""
    max_length = model._meta.get_field(name).max_length

    def clean(row: Row, raw, column: str) -> None:
        text = text_cell(raw)
        if max_length and len(text) > max_length:
            raise CellError(_("Too long: at most %(max)s characters (this has %(n)s)."), max=max_length, n=len(text))
        row.values[name] = text

    return clean


def _whole(name: str) -> Callable:
    """Whole numbers: workforce and capacity (integers), or rupiah amounts (decimals rounded to the rupiah)."""
    field_ = Company._meta.get_field(name)
    rupiah = isinstance(field_, models.DecimalField)
    limit = Decimal(10) ** field_.max_digits if rupiah else Decimal(2**31)
    one = Decimal(1)

    def clean(row: Row, raw, column: str) -> None:
        # 1500000000 and 1.500.000.000 (a CSV cell, already trimmed), read as parse_number() reads them.
        if type(raw) is str and raw.isascii() and (raw.isdigit() or _GROUPED.match(raw)):
            number = Decimal(raw.replace(".", ""))
            if number < limit:
                row.values[name] = number if rupiah else int(number)
                return
        number = parse_number(raw, integer=True)
        if number is None:
            return
        if number < 0:
            raise CellError(_("Must not be negative."))
        if rupiah:
            number = number.quantize(one)
        elif number != number.to_integral_value():
            raise CellError(_("Must be a whole number (1500 or 1.500)."))
        if number >= limit:
            raise CellError(_("The number is too large."))
        row.values[name] = number if rupiah else int(number)

    return clean


_MICRODEGREE = Decimal("0.000001")
_DOT_DECIMAL = re.compile(r"-?\d{1,3}\.\d{1,20}")  # -6.87: parse_number() reads it as Decimal(text)
_COMMA_DECIMAL = re.compile(r"(-?)(\d{1,3}),(\d{1,20})")  # -6,87: the Indonesian decimal comma


def _coordinate(name: str, bound: int) -> Callable:
    def clean(row: Row, raw, column: str) -> None:
        number = None
        if type(raw) is str:  # a CSV cell, already trimmed: the common forms, read as parse_number() does
            if _DOT_DECIMAL.fullmatch(raw):
                number = Decimal(raw)
            elif match := _COMMA_DECIMAL.fullmatch(raw):
                number = Decimal(f"{match[2]}.{match[3]}")
                if match[1]:
                    number = -number
        if number is None:
            number = parse_number(raw, integer=False)
        if number is None:
            return
        if not -bound <= number <= bound:
            raise CellError(_("Must be between -%(bound)s and %(bound)s degrees."), bound=bound)
        row.values[name] = number.quantize(_MICRODEGREE)

    return clean


def _choice(name: str, choices: dict, message) -> Callable:
    def clean(row: Row, raw, column: str) -> None:
        value = choices.get(_key(text_cell(raw)))
        if value is None:
            raise CellError(message, value=text_cell(raw))
        row.values[name] = value

    return clean


def _split(raw) -> list[str]:
    return [part.strip() for part in _LIST.split(text_cell(raw)) if part.strip()]


def _taxonomy(name: str, index: TaxonomyIndex) -> Callable:
    def clean(row: Row, raw, column: str) -> None:
        ids, problems = [], []
        for part in _split(raw):
            try:
                ids.append(index.find(part))
            except CellError as exc:
                problems.append(exc)
        for exc in problems[1:]:
            row.errors.append(issue(row.number, column, raw, exc.message, **exc.params))
        if problems:
            raise problems[0]
        row.m2m[name] = sorted(set(ids))

    return clean


def clean_hs_cell(row: Row, raw, column: str) -> None:
    text = text_cell(raw)
    if re.fullmatch(r"\d{4},\d{1,2}", text):  # 8708,92: a number in an Indonesian-locale CSV
        text = text.replace(",", ".")
    codes = []
    for part in _CODES.split(text):
        if not part:
            continue
        if re.fullmatch(r"\d{4}\.\d", part):  # 8708.10 shown as 8708.1
            part += "0"
        try:
            code = clean_hs(part)
        except ValidationError as exc:
            raise CellError(exc.message, **(exc.params or {})) from None
        if code not in codes:
            codes.append(code)
    value = ", ".join(codes)
    if len(value) > Company._meta.get_field("hs_codes").max_length:
        raise CellError(_("Too many HS codes for one company."))
    row.values["hs_codes"] = value


def _kbli(lookups: Lookups) -> Callable:
    def clean(row: Row, raw, column: str) -> None:
        ids = []
        for part in _CODES.split(text_cell(raw)):
            if not part:
                continue
            if part.isdigit() and len(part) == 4 and isinstance(raw, int | float):
                part = "0" + part
            try:
                code = clean_kbli(part)
            except ValidationError as exc:
                raise CellError(exc.message, **(exc.params or {})) from None
            if code not in lookups.kbli:
                raise CellError(_("Unknown KBLI code %(code)s."), code=code)
            ids.append(lookups.kbli[code])
        row.m2m["kbli"] = sorted(set(ids))

    return clean


# Plain addresses (most of them) pass this stricter pattern quickly; anything else gets Django's full check.
_SIMPLE_EMAIL = re.compile(
    r"^[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def clean_email_cell(row: Row, raw, column: str) -> None:
    text = text_cell(raw)
    if len(text) > 254:
        raise CellError(_("Too long: at most %(max)s characters (this has %(n)s)."), max=254, n=len(text))
    if not _SIMPLE_EMAIL.match(text):
        try:
            validate_email(text)
        except ValidationError:
            raise CellError(_("Not a valid e-mail address.")) from None
    row.values["email"] = text


_url = URLValidator()


def clean_website_cell(row: Row, raw, column: str) -> None:
    text = text_cell(raw)
    if not re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
        text = "https://" + text
    try:
        _url(text)
    except ValidationError:
        raise CellError(_("Not a valid web address.")) from None
    if len(text) > Company._meta.get_field("website").max_length:
        raise CellError(_("Too long: at most %(max)s characters (this has %(n)s)."), max=200, n=len(text))
    row.values["website"] = text


def clean_phone_cell(row: Row, raw, column: str) -> None:
    if type(raw) is str:
        _phone_text(row, raw, column)
        return
    if isinstance(raw, int | float):
        text = text_cell(raw)
        if not text.startswith("62"):
            row.warnings.append(
                issue(
                    row.number, column, raw, _("Leading zero restored: the spreadsheet stored the phone as a number.")
                )
            )
            text = "0" + text
        raw = text
    _phone_text(row, raw, column)


_phone_text = text_cleaner("phone")


_CERT_DATE = re.compile(
    r"^(?P<name>.+?)\s*(?:[:=@]\s*|\s+)(?P<date>\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4})$"
)
_EDITION = re.compile(r"^(?P<name>.+?)\s*:\s*\d{4}$")  # "ISO 9001:2015" names the edition, not an expiry


def parse_date(text: str) -> date:
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
            y, m, d = (int(p) for p in text.split("-"))
        else:
            d, m, y = (int(p) for p in re.split(r"[/.-]", text))
        return date(y, m, d)
    except (ValueError, OverflowError):  # no such day; a year too large for a date
        raise CellError(_("Not a valid date %(value)s: write YYYY-MM-DD or DD/MM/YYYY."), value=text) from None


_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}")


def date_cell(raw) -> date:
    """A date cell: a spreadsheet's date (or date and time), or text as YYYY-MM-DD or DD/MM/YYYY."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = text_cell(raw)
    if not _DATE.fullmatch(text):
        raise CellError(_("Not a valid date %(value)s: write YYYY-MM-DD or DD/MM/YYYY."), value=text)
    return parse_date(text)


def _certifications(lookups: Lookups) -> Callable:
    def clean(row: Row, raw, column: str) -> None:
        found: dict[int, date | None] = {}
        for part in _split(raw):
            until = None
            match = _CERT_DATE.match(part)
            if match:
                part, until = match["name"], parse_date(match["date"])
            else:
                edition = _EDITION.match(part)
                if edition:
                    part = edition["name"]
            found[lookups.certifications.find(part)] = until
        row.certs = list(found.items())

    return clean


def cleaners(lookups: Lookups) -> dict[str, Callable]:
    return {
        "nib": clean_nib_cell,
        "npwp": clean_npwp_cell,
        "legal_name": text_cleaner("legal_name"),
        "brand_name": text_cleaner("brand_name"),
        "kind": _choice("kind", _KINDS, _("Unknown kind %(value)s: use ikm or industry.")),
        "buyer_type": _choice(
            "buyer_type",
            _BUYER_TYPES,
            _("Unknown buyer type %(value)s: use apm_4w, apm_2w, tier1, tier2, heavy, appliance or other."),
        ),
        "region": lambda row, raw, column: row.values.__setitem__("region", lookups.regions.find(raw)),
        "address": text_cleaner("address"),
        "latitude": _coordinate("latitude", 90),
        "longitude": _coordinate("longitude", 180),
        "workforce": _whole("workforce"),
        "investment": _whole("investment"),
        "business_capital": _whole("business_capital"),
        "turnover": _whole("turnover"),
        "products": text_cleaner("products"),
        "hs_codes": clean_hs_cell,
        "kbli": _kbli(lookups),
        "processes": _taxonomy("processes", lookups.processes),
        "materials": _taxonomy("materials", lookups.materials),
        "monthly_capacity": _whole("monthly_capacity"),
        "capacity_note": text_cleaner("capacity_note"),
        "contact_name": text_cleaner("contact_name"),
        "phone": clean_phone_cell,
        "email": clean_email_cell,
        "website": clean_website_cell,
        "certifications": _certifications(lookups),
    }
