"""Parsing a company import: the header row, every data row through the column cleaners of
:mod:`jalin.companies.import_cells`, and the checks that need the whole file (duplicate NIBs, the
importer's region). Large files can be parsed half in a forked child process (see :data:`PARALLEL_ROWS`)."""

from __future__ import annotations

import dataclasses
import multiprocessing
import threading

from django.utils.translation import gettext_lazy as _

from jalin.core.imports import CellError, ImportReport, flag_repeats, header_columns

from .columns import BY_NAME, REQUIRED, match_header
from .import_cells import Lookups, Row, cleaners, issue

#: The file error when no row of the top ten names the columns.
NO_HEADER = _("No header row found: the first row must name the columns, as in the template (nib, legal_name, …).")


def parse_table(table, report: ImportReport, lookups: Lookups, progress=None) -> tuple[list[Row], dict[str, str]]:
    header_at, columns, found = header_columns(table, report, match_header, BY_NAME, NO_HEADER)
    if header_at is None:
        return [], {}
    clean = cleaners(lookups)
    plan = [
        (index, title, _memoised(clean[name]) if name in REPEATING else clean[name]) for index, title, name in found
    ]
    for name in REQUIRED:
        if name not in columns:
            report.error(None, name, "", _("The required column %(column)s is missing."), column=name)
    if report.file_errors:
        return [], columns
    data = table.rows[header_at + 1 :]
    rows = _parse_in_two(data, plan, columns, lookups) if len(data) >= PARALLEL_ROWS else None
    if rows is None:
        rows = _parse_rows(data, plan, columns, progress)
    return rows, columns


def _parse_rows(data: list, plan: list, columns: dict[str, str], progress=None) -> list[Row]:
    rows = []
    width = max(index for index, _title, _cleaner in plan) + 1
    for number, cells in data:
        if _blank(cells):
            continue
        if len(cells) < width:
            cells = [*cells, *([None] * (width - len(cells)))]
        row = Row(number)
        for index, title, cleaner in plan:
            raw = cells[index]
            if raw is None:
                continue
            if type(raw) is str:
                raw = raw.strip()
                if not raw:
                    continue
            try:
                cleaner(row, raw, title)
            except CellError as exc:
                row.errors.append(issue(number, title, raw, exc.message, **exc.params))
        for name in REQUIRED:
            if name not in row.values and not any(e.column == columns[name] for e in row.errors):
                row.errors.append(issue(number, columns[name], "", _("Required.")))
        rows.append(row)
        if progress is not None and len(rows) % 5000 == 0:
            progress.advance(number)
    return rows


#: From this many rows on, a forked child process reads the first half of the file while this process reads
#: the second (parsing is pure Python and touches no database). Off by default: on the 2-core machine of
#: bench/registry_import.py it measured slower in every paired run (100,000 rows: the whole import 32.9 and
#: 34.8 s against 29.5 and 29.5 s in one process; parsing alone 5.9–23 s against 4.5–15 s at load averages
#: 1–5): each half ran at under half the speed of one process, and the child's rows cost 1.5 s to pickle
#: and 1–2 s to receive. Set a row count here where spare cores make it pay; the path is tested.
PARALLEL_ROWS = 1 << 62


def _parse_in_two(data: list, plan: list, columns: dict[str, str], lookups: Lookups) -> list[Row] | None:
    """Parse ``data`` in two halves, one in a forked child; ``None`` when that is not possible (no ``fork``
    on this platform, threads already running) or fails, and the caller parses alone.

    The child inherits everything it needs (rows, cleaners, reference data) through ``fork``, never touches
    the database connection it inherits, reports no progress, and ends with ``os._exit`` (multiprocessing's
    way), so nothing of the parent's is closed or finalised. It sends back its rows with each region as an
    id, which this process turns into the region again."""
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return None
    half = len(data) // 2
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_parse_child, args=(sender, data[:half], plan, columns), daemon=True)
    try:
        child.start()
    except OSError:
        return None
    sender.close()
    second = _parse_rows(data[half:], plan, columns)
    try:
        first = receiver.recv()
    except (EOFError, OSError):
        first = None
    finally:
        receiver.close()
        child.join()
    if first is None:
        return None
    regions = lookups.regions.by_id
    for row in first:
        if "region" in row.values:
            row.values["region"] = regions[row.values["region"]]
    return first + second


def _parse_child(sender, data: list, plan: list, columns: dict[str, str]) -> None:
    try:
        rows = _parse_rows(data, plan, columns)
        for row in rows:
            if "region" in row.values:
                row.values["region"] = row.values["region"].pk
        sender.send(rows)
    except Exception:  # the parent parses this half itself
        sender.send(None)
    finally:
        sender.close()


#: Columns whose values repeat from row to row (a region, a list of processes): each distinct cell is
#: cleaned once.
REPEATING = frozenset(
    {"kind", "buyer_type", "region", "kbli", "processes", "materials", "hs_codes", "certifications", "workforce"}
)


def _memoised(cleaner):
    cache: dict = {}

    def clean(row: Row, raw, column: str) -> None:
        outcome = cache.get(raw if type(raw) is str else (type(raw), raw))
        if outcome is None:
            outcome = _outcome(cleaner, raw, column)
            if len(cache) < 100_000:
                cache[raw if type(raw) is str else (type(raw), raw)] = outcome
        values, m2m, certs, problems = outcome
        if values:
            row.values.update(values)
        if m2m:
            row.m2m.update(m2m)
        if certs:
            row.certs = certs
        if problems is not None:
            errors, warnings, error = problems
            row.errors += [dataclasses.replace(i, row=row.number) for i in errors]
            row.warnings += [dataclasses.replace(i, row=row.number) for i in warnings]
            if error is not None:
                raise CellError(error.message, **error.params)

    return clean


def _outcome(cleaner, raw, column: str) -> tuple:
    """What cleaning ``raw`` does to a row, to replay for every other row with the same cell."""
    scratch = Row(0)
    error = None
    try:
        cleaner(scratch, raw, column)
    except CellError as exc:
        error = exc
    problems = (scratch.errors, scratch.warnings, error) if scratch.errors or scratch.warnings or error else None
    return scratch.values, scratch.m2m, scratch.certs, problems


def _blank(cells) -> bool:
    try:
        return not "".join(cells).strip()  # a CSV row: all text
    except TypeError:  # an XLSX row: numbers, dates, None
        return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def check_duplicates(rows: list[Row], column: str) -> None:
    message = _("NIB %(nib)s appears more than once in this file (rows %(rows)s).")
    flag_repeats(rows, lambda row: row.nib, column, message, "nib", issue)


def check_regions(rows: list[Row], actor, column: str) -> None:
    """A regional officer imports only companies located in its own province or regency."""
    if actor is None or actor.is_superuser or actor.is_programme_officer:
        return
    scope = actor.region_scope
    for row in rows:
        region = row.values.get("region")
        if region is None:
            continue
        if scope is None or not (region.code == scope.code or region.code.startswith(scope.code + ".")):
            row.errors.append(
                issue(
                    row.number,
                    column,
                    region.code,
                    _("Outside your region (%(region)s): you may import only companies of your own region."),
                    region=scope.name if scope else "—",
                )
            )
