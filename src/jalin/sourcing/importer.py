"""Import needs from CSV or XLSX: a dry run that lists every row's errors, then an upsert by reference.

Needs number in the hundreds or thousands, so every row goes through the services (:func:`create_need`,
:func:`update_need`, :func:`set_status`) — the same checks and change log as the pages — each in its own
savepoint. A dry run does exactly the same inside a transaction that is rolled back, so it finds every
problem a commit would. With *all or nothing* (the default) a single bad row means nothing is written.

An empty cell never erases a stored value (so an export with hidden private columns imports back
unchanged); to clear a value, edit the need's page.
"""

from __future__ import annotations

import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from jalin.companies.import_cells import CompaniesByNib, issue
from jalin.companies.models import Company, CompanyKind, Plant
from jalin.core.imports import (
    ImportFileError,
    ImportReport,
    apply_rows,
    clean_rows,
    flag_repeats,
    header_columns,
    read_table,
    service_issues,
)
from jalin.core.permissions import can, can_add
from jalin.core.roles import Role
from jalin.core.services import snapshot

from . import services
from .columns import BY_NAME, match_header
from .import_cells import Lookups, Row, cleaners, key
from .models import Need, NeedStatus

#: Service field → the column that carries it (for errors the services report by field).
FIELD_COLUMNS = {"buyer": "buyer_nib", "reference": "reference"}


#: The file error when no row of the top ten names the columns.
NO_HEADER = _("No header row found: the first row must name the columns, as in the template (reference, title, …).")


# ---------------------------------------------------------------------------------------------------------
# The import


def run_import(
    source,
    *,
    filename: str,
    actor,
    dry_run: bool = True,
    all_or_nothing: bool = True,
    progress=None,
) -> ImportReport:
    """Check (``dry_run``) or import ``source`` (a path, bytes or binary file) as ``actor`` (``None``: the
    system, which may do everything). Problems in the file never raise: the report lists them."""
    started = time.monotonic()
    report = ImportReport(dataset="needs", filename=filename, dry_run=dry_run, all_or_nothing=all_or_nothing)
    if actor is not None and not can_add(actor, Need):
        report.error(None, "", "", _("You do not have permission to import needs."))
        return report
    own = None
    if actor is not None and not actor.is_superuser and actor.role == Role.BUYER:
        own = services.buyer_company_of(actor)
        if own is None:
            report.error(
                None,
                "",
                "",
                _("Your organisation has no buyer profile in the registry yet: ask a programme officer to add it."),
            )
            return report
    try:
        table = read_table(source, filename)
    except ImportFileError as exc:
        report.error(None, "", "", exc.message, **exc.params)
        return report
    rows, columns = _parse(table, report, Lookups())
    if report.file_errors:
        return report
    report.rows_read = len(rows)
    _check_duplicates(rows, columns.get("reference", "reference"))
    writer = Writer(actor=actor, own=own, columns=columns, report=report)
    apply_rows(rows, report, writer, progress=progress)
    report.seconds = round(time.monotonic() - started, 3)
    return report


def _parse(table, report: ImportReport, lookups: Lookups) -> tuple[list[Row], dict[str, str]]:
    header_at, columns, found = header_columns(table, report, match_header, BY_NAME, NO_HEADER)
    if header_at is None:
        return [], {}
    clean = cleaners(lookups)
    plan = [(index, title, clean[name], False) for index, title, name in found]
    if "title" not in columns and "reference" not in columns:
        report.error(None, "title", "", _("The column title (or reference, to update needs) is missing."))
    if report.file_errors:
        return [], columns
    rows = clean_rows(table, header_at, plan, Row, issue)
    return rows, columns


def _check_duplicates(rows: list[Row], column: str) -> None:
    message = _("Reference %(reference)s appears more than once in this file (rows %(rows)s).")
    flag_repeats(rows, lambda row: row.reference, column, message, "reference", issue)


class Writer:
    """Applies rows through the services, each in a savepoint; records what each row did."""

    def __init__(self, *, actor, own: Company | None, columns: dict[str, str], report: ImportReport):
        self.actor, self.own, self.columns, self.report = actor, own, columns, report
        self.buyers = CompaniesByNib(actor)
        self.outcomes: dict[str, list[int]] = {"created": [], "updated": [], "unchanged": []}

    def column(self, name: str) -> str:
        name = FIELD_COLUMNS.get(name, name)
        return self.columns.get(name, name if name in BY_NAME else "")

    def error(self, row: Row, name: str, value, message, /, **params) -> None:
        row.errors.append(issue(row.number, self.column(name), value, message, **params))

    def apply(self, row: Row) -> None:
        try:
            with transaction.atomic():
                outcome = self._apply(row)
        except ValidationError as exc:
            row.errors += service_issues(row.number, exc, self.column, row.values)
        except PermissionDenied as exc:
            self.error(row, "reference", row.reference, str(exc))
        except _RowError:
            pass
        else:
            self.outcomes[outcome].append(row.number)

    def _apply(self, row: Row) -> str:
        need = Need.objects.select_related("buyer").filter(reference=row.reference).first() if row.reference else None
        if need is not None and self.actor is not None and not can(self.actor, "change", need):
            self.error(
                row, "reference", row.reference, _("A need with this reference exists and you may not change it.")
            )
            raise _RowError
        buyer = self._buyer(row, need)
        fields = dict(row.values)
        fields.update({name: self._ids(name, ids) for name, ids in row.m2m.items()})
        if row.plant:
            fields["delivery_plant"] = self._plant(row, buyer)
        if need is None:
            if not fields.get("title"):
                self.error(row, "title", "", _("Required for a new need."))
                raise _RowError
            need = services.create_need(actor=self.actor, buyer=buyer, **fields)
            outcome = "created"
            start = NeedStatus.DRAFT
        else:
            before = snapshot(need)
            fields.pop("reference", None)
            if buyer.pk != need.buyer_id:
                fields["buyer"] = buyer
            if fields:
                need = services.update_need(need, actor=self.actor, **fields)
            outcome = None
            start = need.status
        if row.status:
            path = services.transition_path(start, row.status)
            if path is None:
                self.error(
                    row,
                    "status",
                    row.status,
                    _("A need that is %(current)s cannot become %(target)s."),
                    current=start,
                    target=row.status,
                )
                raise _RowError
            for step in path:
                services.set_status(need, actor=self.actor, status=step)
        if outcome is None:
            need = Need.objects.get(pk=need.pk)
            outcome = "updated" if snapshot(need) != before else "unchanged"
        return outcome

    def _buyer(self, row: Row, need: Need | None) -> Company:
        nib = row.buyer_nib
        if not nib:
            if need is not None:
                return need.buyer
            if self.own is not None:
                return self.own
            self.error(row, "buyer_nib", "", _("Required for a new need: the NIB of the buyer company."))
            raise _RowError
        company = self.buyers.get(nib)
        if company is None:
            self.error(row, "buyer_nib", nib, _("No company with NIB %(nib)s in the registry."), nib=nib)
            raise _RowError
        if self.own is not None and company.pk != self.own.pk:
            self.error(row, "buyer_nib", nib, _("You may import needs only for your own company."))
            raise _RowError
        if company.kind != CompanyKind.INDUSTRY:
            self.error(row, "buyer_nib", nib, _("%(name)s is not a large industry (buyer)."), name=company.legal_name)
            raise _RowError
        return company

    def _plant(self, row: Row, buyer: Company) -> Plant:
        plants = list(Plant.objects.filter(company=buyer))
        found = [p for p in plants if key(p.name) == key(row.plant)]
        if len(found) != 1:
            names = ", ".join(p.name for p in plants) or "—"
            self.error(
                row,
                "delivery_plant",
                row.plant,
                _("%(buyer)s has no plant called %(plant)s; its plants: %(plants)s."),
                buyer=buyer.legal_name,
                plant=row.plant,
                plants=names,
            )
            raise _RowError
        return found[0]

    @staticmethod
    def _ids(name: str, ids: list[int]):
        model = Need._meta.get_field(name).related_model
        return list(model.objects.filter(pk__in=ids))


class _RowError(Exception):
    """The row's problem is already recorded; roll back its savepoint."""
