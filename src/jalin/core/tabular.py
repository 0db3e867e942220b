"""Reading spreadsheets for imports: CSV and XLSX files into rows, and cells into text and numbers the way
Indonesian users and their spreadsheet programs write them. No Django models; messages are translatable.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .spreadsheet import FORMULA_PREFIXES


def msgid(message) -> str:
    """The untranslated English text of a (lazy) message, for storing; :func:`gettext` turns it back."""
    with translation.override(None):
        return str(message)


class ImportFileError(Exception):
    """The whole file cannot be read; carries a translatable message and its parameters."""

    def __init__(self, message, /, **params):
        super().__init__(msgid(message) % params if params else msgid(message))
        self.message = message
        self.params = params

    @property
    def text(self) -> str:
        """The message in the active language."""
        return gettext(msgid(self.message)) % self.params if self.params else gettext(msgid(self.message))


# ---------------------------------------------------------------------------------------------------------
# Reading CSV and XLSX

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx")


@dataclass
class Table:
    """The rows of a sheet: each as (spreadsheet row number, list of cell values). Row 1 is the first line."""

    rows: list[tuple[int, list]]


def file_kind(filename: str) -> str:
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".xls", ".ods", ".numbers"):
        raise ImportFileError(
            _("%(ext)s files cannot be read: save the sheet as .xlsx or .csv (File › Save as) and upload that."),
            ext=suffix,
        )
    raise ImportFileError(_("Unsupported file type %(ext)s: upload a .csv or .xlsx file."), ext=suffix or "?")


def read_table(source, filename: str) -> Table:
    """Read a CSV (UTF-8, UTF-8 with BOM or Windows-1252; ``,`` ``;`` or tab separated) or the first sheet
    of an XLSX workbook. ``source`` is a path, bytes or a binary file."""
    kind = file_kind(filename)
    data = _bytes(source)
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if kind == "xlsx" or data[:2] == b"PK":
        if data[:2] != b"PK":
            raise ImportFileError(_("This is not an XLSX workbook: save it from the spreadsheet as .xlsx or .csv."))
        return _read_xlsx(data)
    return _read_csv(data)


def _bytes(source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | PurePath):
        with open(source, "rb") as f:
            return f.read()
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read()


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # never fails; cp1252 leaves five bytes undefined


def _read_csv(data: bytes) -> Table:
    text = decode(data)
    sample = text[:20000]
    first_line = sample.split("\n", 1)[0]
    # The header line decides: a spreadsheet in an Indonesian locale writes ";" (its decimal mark is ",").
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [(n, row) for n, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise ImportFileError(_("This file could not be read as CSV: %(error)s"), error=str(exc)) from None
    return Table(rows)


def _read_xlsx(data: bytes) -> Table:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(_("This file could not be read as XLSX: %(error)s"), error=str(exc)) from None
    try:
        ws = wb.worksheets[0]
        rows = []
        for n, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            rows.append((n, list(cells)))
    finally:
        wb.close()
    return Table(rows)


def count_data_rows(source, filename: str) -> int:
    """A quick estimate of the number of rows (for deciding whether to run in the background)."""
    data = _bytes(source)
    if file_kind(filename) == "xlsx" or data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True)
            try:
                return wb.worksheets[0].max_row or 0
            finally:
                wb.close()
        except Exception:  # unreadable files are reported by the import itself
            return 0
    return data.count(b"\n")


# ---------------------------------------------------------------------------------------------------------
# Cells


class CellError(Exception):
    """A cell's value is wrong: a translatable message with parameters."""

    def __init__(self, message, /, **params):
        super().__init__(message)
        self.message = message
        self.params = params


def header_key(text) -> str:
    """``"Jumlah Tenaga Kerja (orang)"`` → ``"jumlah tenaga kerja"``: what header matching compares."""
    text = re.sub(r"\([^)]*\)", " ", str(text or "").lower())
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def text_cell(value) -> str:
    """A cell as trimmed text: numbers without a spurious ``.0``; the quote our exports put before a
    formula-like value is taken off again."""
    if type(value) is str:  # the common case first: every CSV cell
        text = value.strip()
        if "\u00a0" in text:
            text = text.replace("\u00a0", " ").strip()
        if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
            text = text[1:]
        return text
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return text_cell(str(value))


_GROUPED = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
_CURRENCY = re.compile(r"^(?:rp\.?|idr)\s*", re.IGNORECASE)
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_MULTIPLIERS = {
    "rb": 10**3,
    "ribu": 10**3,
    "jt": 10**6,
    "juta": 10**6,
    "m": 10**9,
    "miliar": 10**9,
    "milyar": 10**9,
    "t": 10**12,
    "triliun": 10**12,
}
_NUMBER = re.compile(r"^(?P<sign>[+-])?(?P<body>[\d.,]+)\s*(?P<unit>[a-zA-Z]+)?$")


def is_scientific(text: str) -> bool:
    return bool(_SCIENTIFIC.match(text.strip()))


def parse_number(value, *, integer: bool) -> Decimal | None:
    """Read a number the way Indonesians and their spreadsheets write it. Empty → ``None``.

    - ``1.500.000.000``, ``1500000000``, ``1,500,000,000`` and ``Rp 1.500.000.000,00`` are all 1.5 billion;
    - ``Rp 1,5 M`` / ``1,5 miliar`` / ``750 jt`` use the Indonesian words (M = miliar);
    - ``-6,99`` and ``-6.99`` are both minus 6.99; ``1.5E+09`` (scientific notation) is read as written;
    - for whole-number fields (``integer=True``) a single ``.`` before exactly three digits groups
      thousands (``1.500`` is 1500); elsewhere it is the decimal mark.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(_("Not a number."))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = text_cell(value)
    if not text:
        return None
    if text.isdigit():  # the common cases first: 1500000000 and 1.500.000.000
        return Decimal(text)
    if _GROUPED.match(text) and (integer or text.count(".") > 1):
        return Decimal(text.replace(".", ""))
    if "," not in text and " " not in text and (not integer or "." not in text):
        try:  # plain -6.87 or 1.5E+09
            number = Decimal(text)
        except InvalidOperation:
            pass
        else:
            if number.is_finite():
                return number
    text = _CURRENCY.sub("", text).replace(" ", "")
    if _SCIENTIFIC.match(text):
        return Decimal(text.replace(",", "."))
    match = _NUMBER.match(text)
    if not match:
        raise CellError(_("Not a number."))
    body, unit = match["body"], (match["unit"] or "").lower()
    multiplier = 1
    if unit:
        if unit not in _MULTIPLIERS:
            raise CellError(_("Not a number."))
        multiplier = _MULTIPLIERS[unit]
    body = _normalise_separators(body, integer=integer and not unit)
    try:
        number = Decimal(body) * multiplier
    except InvalidOperation:
        raise CellError(_("Not a number.")) from None
    return -number if match["sign"] == "-" else number


def _normalise_separators(body: str, *, integer: bool) -> str:
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        # The last separator is the decimal mark: 1.500.000,50 or 1,500,000.50.
        decimal_mark = "," if body.rfind(",") > body.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        return body.replace(thousands, "").replace(decimal_mark, ".")
    if dots > 1:
        return _thousands(body, ".")
    if commas > 1:
        return _thousands(body, ",")
    if commas == 1:
        return body.replace(",", ".")  # Indonesian decimal comma: -6,99
    if dots == 1 and integer and re.fullmatch(r"\d{1,3}\.\d{3}", body):
        return body.replace(".", "")  # 1.500 workers
    return body


def _thousands(body: str, sep: str) -> str:
    groups = body.split(sep)
    if not groups[0] or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:]):
        digits = "".join(groups)
        if groups[0] and digits.isdigit():  # 1750.000.000: the digits are there, the grouping is not
            regrouped = f"{int(digits):,}".replace(",", sep)
            raise CellError(_("Digits are grouped in threes: did you mean %(number)s?"), number=regrouped)
        raise CellError(_("Not a number."))
    return "".join(groups)
