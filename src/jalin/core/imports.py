"""Spreadsheet import and export shared by every app: the registry, the report, progress and command-line
helpers. Reading files and cells is in :mod:`jalin.core.tabular` (its names are importable from here too).

An app registers what it imports and exports under a name (``"companies"``, later ``"needs"``)::

    register_importer("companies", run_import)      # run_import(source, *, filename, actor, dry_run, ...)
    register_exporter("companies", export_companies, filters=("q", "region", ...))

and the ``jalin import <what> FILE`` / ``jalin export <what> FILE`` commands dispatch on that name.

Reports carry their messages as English msgids with parameters, and translate them when shown, so a report
stored in a job reads in whatever language its reader uses.
"""

from __future__ import annotations

import contextlib
import gc
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

# Reading files and cells lives in .tabular; importers use these names from here.
from .tabular import MAX_UPLOAD_BYTES as MAX_UPLOAD_BYTES
from .tabular import CellError as CellError
from .tabular import ImportFileError as ImportFileError
from .tabular import Table as Table
from .tabular import count_data_rows as count_data_rows
from .tabular import decode as decode
from .tabular import file_kind as file_kind
from .tabular import header_key as header_key
from .tabular import is_scientific as is_scientific
from .tabular import msgid as msgid
from .tabular import parse_number as parse_number
from .tabular import read_table as read_table
from .tabular import text_cell as text_cell

# ---------------------------------------------------------------------------------------------------------
# Registry


@dataclass(frozen=True)
class Importer:
    name: str
    run: Callable  # run(source, *, filename, actor, dry_run, all_or_nothing, progress) -> ImportReport


@dataclass(frozen=True)
class Exporter:
    name: str
    run: Callable  # run(out, *, fmt, user, params) -> int (rows written)
    filters: tuple[str, ...] = ()  # query parameters it accepts, e.g. ("q", "region")


_IMPORTERS: dict[str, Importer] = {}
_EXPORTERS: dict[str, Exporter] = {}


def register_importer(name: str, run: Callable) -> None:
    _IMPORTERS[name] = Importer(name, run)


def register_exporter(name: str, run: Callable, filters: Iterable[str] = ()) -> None:
    _EXPORTERS[name] = Exporter(name, run, tuple(filters))


def importers() -> dict[str, Importer]:
    return dict(_IMPORTERS)


def exporters() -> dict[str, Exporter]:
    return dict(_EXPORTERS)


# ---------------------------------------------------------------------------------------------------------
# Messages and the report


@dataclass(frozen=True)
class Issue:
    """One problem: the spreadsheet row (``None`` for the whole file), the column, the value and why."""

    row: int | None
    column: str
    value: str
    message: str  # English msgid, translated by :attr:`text`
    params: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        translated = gettext(self.message)
        return translated % self.params if self.params else translated

    def to_json(self) -> list:
        return [self.row, self.column, self.value, self.message, self.params]

    @classmethod
    def from_json(cls, data: Sequence) -> Issue:
        return cls(data[0], data[1], data[2], data[3], data[4] or {})


def ranges(numbers: Iterable[int]) -> list[list[int]]:
    """``[2, 3, 4, 7]`` → ``[[2, 4], [7, 7]]``: rows taken, stored compactly."""
    out: list[list[int]] = []
    for n in sorted(numbers):
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


def format_ranges(pairs: Sequence[Sequence[int]]) -> str:
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in pairs)


@dataclass
class ImportReport:
    """What an import read, found and did. ``committed`` is true only when rows were written."""

    dataset: str
    filename: str = ""
    dry_run: bool = True
    all_or_nothing: bool = True
    committed: bool = False
    rows_read: int = 0
    created: int = 0  # dry run: would create
    updated: int = 0
    unchanged: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # header in the file → field
    ignored_columns: list[str] = field(default_factory=list)
    taken: dict[str, list[list[int]]] = field(default_factory=dict)  # created/updated/unchanged → row ranges
    seconds: float = 0.0

    def error(self, row, column, value, message, /, **params) -> Issue:
        issue = Issue(row, column, _display(value), msgid(message), _plain(params))
        self.errors.append(issue)
        return issue

    def warn(self, row, column, value, message, /, **params) -> Issue:
        issue = Issue(row, column, _display(value), msgid(message), _plain(params))
        self.warnings.append(issue)
        return issue

    @property
    def file_errors(self) -> list[Issue]:
        return [e for e in self.errors if e.row is None]

    @property
    def row_errors(self) -> list[Issue]:
        return [e for e in self.errors if e.row is not None]

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors if e.row is not None})

    @property
    def valid_rows(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def refused(self) -> bool:
        """A commit that wrote nothing because of errors (all or nothing, or a file-level error)."""
        return not self.dry_run and not self.committed

    def skipped(self) -> dict[int, list[Issue]]:
        by_row: dict[int, list[Issue]] = {}
        for issue in self.errors:
            if issue.row is not None:
                by_row.setdefault(issue.row, []).append(issue)
        return dict(sorted(by_row.items()))

    def to_json(self) -> dict:
        return {
            "dataset": self.dataset,
            "filename": self.filename,
            "dry_run": self.dry_run,
            "all_or_nothing": self.all_or_nothing,
            "committed": self.committed,
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [i.to_json() for i in self.errors],
            "warnings": [i.to_json() for i in self.warnings],
            "columns": self.columns,
            "ignored_columns": self.ignored_columns,
            "taken": self.taken,
            "seconds": self.seconds,
        }

    @classmethod
    def from_json(cls, data: dict) -> ImportReport:
        data = dict(data)
        data["errors"] = [Issue.from_json(i) for i in data.get("errors", [])]
        data["warnings"] = [Issue.from_json(i) for i in data.get("warnings", [])]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def lines(self) -> Iterator[str]:
        """The report as plain text lines, in the active language (the command line prints these)."""
        if self.dry_run:
            yield gettext("Dry run of %(file)s: nothing was written.") % {"file": self.filename}
        elif self.committed:
            yield gettext("Imported %(file)s.") % {"file": self.filename}
        else:
            yield gettext("Nothing was written from %(file)s.") % {"file": self.filename}
        yield gettext(
            "Rows read: %(read)s · create: %(created)s · update: %(updated)s · unchanged: %(unchanged)s · "
            "rows with errors: %(errors)s"
        ) % {
            "read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.error_rows,
        }
        for kind, issues in ((gettext("error"), self.errors), (gettext("warning"), self.warnings)):
            for issue in issues:
                where = gettext("file") if issue.row is None else gettext("row %(row)s") % {"row": issue.row}
                column = f" [{issue.column}]" if issue.column else ""
                value = f" {issue.value!r}" if issue.value else ""
                yield f"{kind}: {where}{column}{value}: {issue.text}"
        if self.ignored_columns:
            yield gettext("Columns ignored: %(columns)s") % {"columns": ", ".join(self.ignored_columns)}


# ---------------------------------------------------------------------------------------------------------
# The header row and whole-file checks


def find_header(rows, match_header: Callable) -> tuple[int | None, dict[int, str | None]]:
    """The first of the top ten rows that names at least two known columns (a title may stand above it): its
    position and each named cell's column (``match_header(cell)``, ``None`` for an unknown one)."""
    for position, (_number, cells) in enumerate(rows[:10]):
        mapping = {i: match_header(c) for i, c in enumerate(cells) if c is not None and text_cell(c)}
        if sum(1 for name in mapping.values() if name) >= 2:
            return position, mapping
    return None, {}


def header_columns(
    table: Table, report: ImportReport, match_header: Callable, by_name: dict, no_header
) -> tuple[int | None, dict[str, str], list[tuple[int, str, str]]]:
    """Read the header row of ``table``: its position, the imported columns' titles in the file by column name,
    and those columns as ``(cell index, title, name)``. Records in ``report`` the message ``no_header`` when
    there is none, the columns not imported (unknown or export-only ones), a column named twice (a file
    error), and which title is which column."""
    header_at, mapping = find_header(table.rows, match_header)
    if header_at is None:
        report.error(None, "", "", no_header)
        return None, {}, []
    header = table.rows[header_at][1]
    columns: dict[str, str] = {}
    found = []
    for index, name in mapping.items():
        title = text_cell(header[index])
        if name is None or by_name[name].export_only:
            report.ignored_columns.append(title)
        elif name in columns:
            report.error(
                None,
                title,
                "",
                gettext_lazy("Columns %(first)s and %(second)s both mean %(field)s: keep one of them."),
                first=columns[name],
                second=title,
                field=name,
            )
        else:
            columns[name] = title
            found.append((index, title, name))
    report.columns = {title: name for name, title in columns.items()}
    return header_at, columns, found


def flag_repeats(rows, key: Callable, column: str, message, param: str, issue: Callable) -> None:
    """Give every row whose ``key(row)`` another row of the file shares the error ``message`` (in ``column``),
    with the key as ``param`` and the rows' numbers as ``rows``; ``issue`` makes the error."""
    seen: dict[str, list] = {}
    for row in rows:
        value = key(row)
        if value:
            seen.setdefault(value, []).append(row)
    for value, same in seen.items():
        if len(same) > 1:
            numbers = ", ".join(str(r.number) for r in same)
            for row in same:
                row.errors.append(issue(row.number, column, value, message, **{param: value, "rows": numbers}))


def service_issues(number: int, exc, column: Callable[[str], str], values: dict) -> list[Issue]:
    """A service's refusal of row ``number`` (a ``ValidationError``) as its issues: by field when it names one,
    in the column ``column(field)`` with the row's value of that field, else for the whole row. Its text is
    already in the reader's language."""
    by_field = exc.error_dict.items() if hasattr(exc, "error_dict") else [("", exc.error_list)]
    issues = []
    for name, errors in by_field:
        value = text_cell(values.get(name, "")) if name else ""
        for error in errors:
            text = str(error.message % error.params) if error.params else str(error.message)
            issues.append(Issue(number, column(name) if name else "", value, msgid(text)))
    return issues


def clean_rows(table: Table, header_at: int, plan, new_row: Callable, issue: Callable) -> list:
    """The data rows below the header as ``new_row(number)`` each, filled by the cleaners of ``plan``, a list of
    ``(cell index, title, cleaner, required)``: ``cleaner(row, value, title)`` for every non-empty cell (text
    trimmed) records the cleaned value or raises :class:`CellError`, which becomes the row's error (made by
    ``issue(number, title, value, message, **params)``), as does an empty cell in a required column. Empty
    rows are skipped."""
    rows = []
    for number, cells in table.rows[header_at + 1 :]:
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        row = new_row(number)
        for index, title, cleaner, required in plan:
            raw = cells[index] if index < len(cells) else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if required:
                    row.errors.append(issue(number, title, "", gettext_lazy("Required.")))
                continue
            try:
                cleaner(row, raw.strip() if isinstance(raw, str) else raw, title)
            except CellError as exc:
                row.errors.append(issue(number, title, raw, exc.message, **exc.params))
        rows.append(row)
    return rows


def apply_rows(rows, report: ImportReport, writer, *, progress=None) -> None:
    """The write of an import that takes its rows one at a time through the services (needs, certificates):
    ``writer.apply(row)`` for every row without errors, in one transaction that is rolled back for a dry run
    or a refused commit, so that a check finds every problem a commit would. Fills in ``report``: its errors
    and warnings by row, whether it committed, the counts and rows of ``writer.outcomes`` (``created``,
    ``updated``, ``unchanged``: in a dry run or a refused commit, what would be)."""
    if progress is not None:
        progress.total(len(rows), gettext("Checking rows") if report.dry_run else gettext("Checking and writing rows"))
        progress.advance(0, force=True)
    with transaction.atomic(), DetachedProgress(progress) as detached:
        for done, row in enumerate(rows, start=1):
            if not row.errors:
                writer.apply(row)
            report.errors.extend(row.errors)
            report.warnings.extend(row.warnings)
            detached.advance(done)
        report.committed = not report.dry_run and not (report.all_or_nothing and report.errors)
        if not report.committed:
            transaction.set_rollback(True)
    outcomes = writer.outcomes
    report.created, report.updated = len(outcomes["created"]), len(outcomes["updated"])
    report.unchanged = len(outcomes["unchanged"])
    if progress is not None:
        progress.advance(len(rows), force=True)
    report.errors.sort(key=lambda i: i.row or 0)
    report.warnings.sort(key=lambda i: i.row or 0)
    report.taken = {k: ranges(v) for k, v in outcomes.items() if v} if report.committed else {}


def _display(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 120 else text[:119] + "…"


def _plain(params: dict) -> dict:
    return {k: (v if isinstance(v, int | float) else str(v)) for k, v in params.items()}


# ---------------------------------------------------------------------------------------------------------
# The command line


def system_reader():
    """Who the command line reads as: an unsaved superuser, never stored, so that ``restrict()`` and
    ``annotate_can()`` grant every row. Command-line writes pass ``actor=None`` (the system) instead."""
    from django.contrib.auth import get_user_model

    return get_user_model()(is_superuser=True, is_active=True)


@contextlib.contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector while an import holds hundreds of thousands of objects: each
    full collection walks them all, which made a 100,000-row import half again as slow. Reference counting
    still frees memory; the collector runs again afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class DetachedProgress:
    """Passes progress on from inside a long transaction so that the page polling the job still sees it.

    A :class:`jalin.core.jobs.Progress` writes the job row through the database connection of the thread
    that calls it, so inside the import's transaction its updates would stay invisible until the end. On
    PostgreSQL this hands them to a helper thread with its own connection, which commits each at once.
    SQLite allows one writer at a time, so there the updates made inside the transaction are dropped (the
    caller reports the final count after the commit). Progress objects without a job (the command line)
    are called directly.
    """

    def __init__(self, progress):
        from django.db import connection

        self.progress = progress
        if progress is None or not hasattr(progress, "job"):
            self.mode = "direct"
        else:
            self.mode = "thread" if connection.vendor == "postgresql" else "drop"
        self.updates: queue.Queue = queue.Queue(maxsize=4)
        self.thread: threading.Thread | None = None

    def __enter__(self) -> DetachedProgress:
        if self.mode == "thread":
            self.thread = threading.Thread(target=self._work, name="jalin-progress", daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.thread is not None:
            self.updates.put(None)
            self.thread.join()
            self.thread = None

    def _work(self) -> None:
        from django.db import connections

        try:
            while (update := self.updates.get()) is not None:
                with contextlib.suppress(Exception):  # progress is advisory: never fail the import for it
                    self.progress.advance(*update)
        finally:
            connections.close_all()  # this thread's own connection

    def advance(self, done: int, message: str = "", force: bool = False) -> None:
        if self.mode == "direct" and self.progress is not None:
            self.progress.advance(done, message, force)
        elif self.mode == "thread":
            with contextlib.suppress(queue.Full):  # the helper is behind: skip this one
                self.updates.put_nowait((done, message, force))


class ConsoleProgress:
    """A :class:`jalin.core.jobs.Progress` look-alike for the command line: a line every 10 %."""

    def __init__(self, stream):
        self.stream = stream
        self.count = 0
        self.shown = -1

    def total(self, total: int, message: str = "") -> None:
        self.count = total
        if message:
            self.stream.write(f"{message} ({total})")

    def advance(self, done: int, message: str = "", force: bool = False) -> None:
        if not self.count:
            return
        tenth = 10 * done // self.count
        if tenth != self.shown:
            self.shown = tenth
            self.stream.write(f"  {done}/{self.count}")
