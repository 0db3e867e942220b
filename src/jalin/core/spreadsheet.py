"""Helpers for files users open in a spreadsheet program."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

# A cell that starts with one of these is read as a formula by Excel, LibreOffice and Google Sheets
# (OWASP "CSV injection"); prefixing a quote makes it plain text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Return ``value`` ready for a CSV/XLSX cell, neutralising formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


# ---------------------------------------------------------------------------------------------------------
# Writing exports and import templates (CSV in UTF-8 with a byte-order mark, so Excel reads the accents;
# XLSX through openpyxl, imported only when a workbook is written)

#: The fill of a template's header rows.
HEADER_FILL = "E7F2F4"
#: The header of a template's code-list sheet.
CODES_HEADER = ["Daftar / List", "Kode / Code", "Nama (Indonesia)", "Name (English)", "Sinonim / Synonyms"]


def write_csv(out, header: list[str], rows: Iterable[list], progress=None) -> int:
    """``header`` and ``rows`` (safe cells) as CSV to the binary file ``out``, which is left open."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(header)
    count = 0
    for count, cells in enumerate(rows, start=1):
        writer.writerow(cells)
        if progress is not None:
            progress.advance(count)
    text.flush()
    text.detach()  # leave ``out`` open for the caller
    return count


def write_xlsx(out, sheet: str, header: list[str], rows: Iterable[list], widths: dict, progress=None) -> int:
    """``header`` and ``rows`` (safe cells) as the sheet ``sheet`` of an XLSX workbook, in openpyxl's write-only
    mode (constant memory): bold, frozen header; columns as wide as ``widths`` says (default 14)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(index)].width = widths.get(name, 14)
    bold = Font(bold=True)
    head = []
    for name in header:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        head.append(cell)
    ws.append(head)
    count = 0
    for count, cells in enumerate(rows, start=1):
        ws.append([None if v == "" else v for v in cells])
        if progress is not None:
            progress.advance(count)
    wb.save(out)
    return count


def template_csv(columns) -> bytes:
    """An import template as CSV: the header row and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.name for c in columns])
    writer.writerow([safe_cell(c.example) for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_workbook(sheet: str, columns, *, widths: dict, text_columns, lists: dict, list_rows: int):
    """An import template's workbook with its data sheet ``sheet``: the header (bold, filled, frozen) and the
    example row; ``text_columns`` formatted as text (so no leading zero is lost); for a column in ``lists``
    (``{name: (comma-separated choices, error message)}``) a drop-down list down to row ``list_rows``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([c.name for c in columns])
    ws.append([c.example or None for c in columns])
    ws.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = widths.get(column.name, 14)
        cell = ws.cell(row=1, column=index)
        cell.font, cell.fill = bold, fill
        if column.name in text_columns:
            ws.column_dimensions[letter].number_format = "@"
            ws.cell(row=2, column=index).number_format = "@"
        if column.name in lists:
            choices, error = lists[column.name]
            validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
            validation.error = error
            validation.showErrorMessage = True
            ws.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{list_rows}")
    return wb


def add_sheet(wb, title: str, header: list, rows: Iterable[list], *, widths: Iterable[int], wrap: bool = False):
    """A sheet of a template (the guide, the code lists): a bold, filled, frozen ``header``, then ``rows``;
    ``widths`` of the columns in order; with ``wrap``, long cells wrap."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append(header)
    for row in rows:
        ws.append(row)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
    if wrap:
        for line in ws.iter_rows(min_row=2):
            for cell in line:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    return ws


def workbook_bytes(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
