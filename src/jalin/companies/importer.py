"""Import companies from CSV or XLSX: a dry run that lists every row's errors, then an upsert by NIB.

The whole file is read and checked first (cells, duplicates within the file, the importer's region), then
the NIBs already in the registry are looked up, a query per 5,000. The database work runs in batches of
:data:`BATCH` rows: a batch with existing companies loads them and their related rows (a query each), and
every batch ends in bulk inserts and updates for companies, their many-to-many rows, certifications and the
change log (see :mod:`jalin.core.bulk`). The inserts of a batch run on a writer thread, through this
thread's connection, while the next batch is planned (:class:`jalin.core.bulk.WriteBehind`: one at a time,
and this thread waits for it before a query of its own). Everything happens in one transaction: with *all
or nothing* (the default) a single bad row means nothing is written; otherwise the valid rows are written
and the report lists the skipped ones with why. An error on the writer thread is raised here and rolls the
whole transaction back.

An empty cell never erases a stored value (so an export with hidden private columns imports back
unchanged); to clear a value, edit the company's page.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jalin.core.bulk import BulkSession, IdAllocator, Insert, WriteBehind, prepare, update_rows
from jalin.core.imports import (
    DetachedProgress,
    ImportFileError,
    ImportReport,
    gc_paused,
    ranges,
    read_table,
)
from jalin.core.models import ChangeAction, ObjectChange
from jalin.core.permissions import annotate_can, can_add
from jalin.core.services import snapshot

from .import_cells import Lookups, Row, issue
from .import_parse import check_duplicates, check_regions, parse_table
from .import_write import (
    M2M,
    ChangeLog,
    CompanyFactory,
    Deriver,
    Plan,
    Snapshot,
    Stored,
    stored_for,
    through_model,
)
from .models import Certification, Company

BATCH = 1000
CERT_COMPANY = Certification._meta.get_field("company")

#: Whether a commit's inserts run on a helper thread while the next batch is planned (see
#: :class:`jalin.core.bulk.WriteBehind`); off, they run in the importing thread, in the same order.
WRITE_BEHIND = True


# ---------------------------------------------------------------------------------------------------------
# The import


@dataclass
class Context:
    actor: object
    report: ImportReport
    lookups: Lookups
    columns: dict[str, str]  # field → the header as the file writes it
    write: bool
    now: object = None
    change: ChangeLog | None = None
    snapshot: Snapshot | None = None
    cert_snapshot: Snapshot | None = None
    factory: CompanyFactory | None = None
    derive: Deriver | None = None
    ids: IdAllocator | None = None
    known: set[str] = field(default_factory=set)  # NIBs of the file already in the registry
    writer: WriteBehind | None = None  # runs the inserts (see _write)
    outcomes: dict = field(default_factory=lambda: {"created": [], "updated": [], "unchanged": []})


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
    system, which may do everything). Problems in the file never raise: the report lists them.

    ``progress`` (a :class:`jalin.core.jobs.Progress`) hears about reading and checking as it happens, and
    about writing as well as the database allows (see :class:`jalin.core.imports.DetachedProgress`)."""
    with gc_paused():
        return _run(source, filename, actor, dry_run, all_or_nothing, progress)


def _run(source, filename, actor, dry_run, all_or_nothing, progress) -> ImportReport:
    started = time.monotonic()
    report = ImportReport(dataset="companies", filename=filename, dry_run=dry_run, all_or_nothing=all_or_nothing)
    if actor is not None and not can_add(actor, Company):
        report.error(None, "", "", _("You do not have permission to import companies."))
        return report
    try:
        table = read_table(source, filename)
    except ImportFileError as exc:
        report.error(None, "", "", exc.message, **exc.params)
        return report
    if progress is not None:
        progress.total(len(table.rows), str(_("Reading the rows")))
    lookups = Lookups()
    rows, columns = parse_table(table, report, lookups, progress)
    if report.file_errors:
        return report
    report.rows_read = len(rows)
    check_duplicates(rows, columns["nib"])
    check_regions(rows, actor, columns["region"])
    if progress is not None:
        progress.total(len(rows), str(_("Checking rows") if dry_run else _("Checking and writing rows")))
        progress.advance(0, force=True)
    now = timezone.now()
    context = Context(
        actor=actor,
        report=report,
        lookups=lookups,
        columns=columns,
        write=not dry_run and not (all_or_nothing and any(r.errors for r in rows)),
        now=now,
        change=ChangeLog(actor, now),
        snapshot=Snapshot(Company),
        cert_snapshot=Snapshot(Certification),
        factory=CompanyFactory(lookups),
        derive=Deriver(lookups),
    )
    if dry_run:  # reads only: no transaction, so nothing is locked and progress shows as it goes
        context.known = _known_nibs(rows)
        _batches(rows, context, progress)
    else:
        with (
            transaction.atomic(),
            DetachedProgress(progress) as detached,
            BulkSession(Company),
            WriteBehind(enabled=WRITE_BEHIND) as context.writer,
        ):
            context.ids = IdAllocator()
            context.ids.before_query = context.writer.wait
            # Which NIBs exist, and ids for every company and certification the file may add: one query
            # each, so that batches of new companies need none.
            context.known = _known_nibs(rows)
            if context.write:
                new = [r for r in rows if not r.errors and r.nib not in context.known]
                context.ids.reserve(Company, len(new))
                context.ids.reserve(Certification, sum(len(r.certs) for r in rows if not r.errors))
            _batches(rows, context, detached)
            report.committed = not (all_or_nothing and report.errors)
            if not report.committed:
                transaction.set_rollback(True)
        if progress is not None:
            progress.advance(len(rows), force=True)
    report.errors.sort(key=lambda i: i.row or 0)
    report.warnings.sort(key=lambda i: i.row or 0)
    report.taken = {k: ranges(v) for k, v in context.outcomes.items() if v}
    report.seconds = round(time.monotonic() - started, 3)
    return report


def _batches(rows: list[Row], ctx: Context, progress) -> None:
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        _process(batch, ctx)
        for row in batch:
            ctx.report.errors.extend(row.errors)
            ctx.report.warnings.extend(row.warnings)
        if progress is not None:
            progress.advance(min(start + BATCH, len(rows)))


# ---------------------------------------------------------------------------------------------------------
# One batch: plan every row against the database, then write in bulk


def _known_nibs(rows: list[Row]) -> set[str]:
    """The file's NIBs that are already in the registry (one query per 5,000)."""
    nibs = [r.nib for r in rows if r.nib and not r.errors]
    known: set[str] = set()
    for start in range(0, len(nibs), 5000):
        known.update(Company.objects.filter(nib__in=nibs[start : start + 5000]).values_list("nib", flat=True))
    return known


def _process(batch: list[Row], ctx: Context) -> None:
    existing = {}
    nibs = [r.nib for r in batch if not r.errors and r.nib in ctx.known]
    if nibs:  # only batches with updates query
        if ctx.writer is not None:
            ctx.writer.wait()  # the connection is the writer's until then
        existing = _existing(nibs, ctx)
    for row in batch:
        company = existing.get(row.nib) if not row.errors else None
        if company is not None and not getattr(company, "import_can_change", True):
            row.errors.append(
                issue(
                    row.number,
                    ctx.columns["nib"],
                    row.nib,
                    _("A company with this NIB already exists and you may not change it."),
                )
            )
    if ctx.report.all_or_nothing and any(r.errors for r in batch):
        ctx.write = False
    valid = [r for r in batch if not r.errors]
    ids = [existing[r.nib].pk for r in valid if r.nib in existing]
    stored = stored_for(ids)
    plan = Plan()
    for row in valid:
        company = existing.get(row.nib)
        if company is None:
            _plan_create(row, plan, ctx)
            ctx.report.created += 1
            ctx.outcomes["created"].append(row.number)
        elif _plan_update(row, company, stored, plan, ctx):
            ctx.report.updated += 1
            ctx.outcomes["updated"].append(row.number)
        else:
            ctx.report.unchanged += 1
            ctx.outcomes["unchanged"].append(row.number)
    if ctx.write:
        _write(plan, ctx)


def _existing(nibs: list[str], ctx: Context) -> dict[str, Company]:
    if not nibs:
        return {}
    qs = Company.objects.filter(nib__in=nibs)
    if ctx.actor is not None:
        qs = annotate_can(qs, ctx.actor, "change", "import_can_change")
    if ctx.write and connection.features.has_select_for_update:
        of = ("self",) if connection.features.has_select_for_update_of else ()
        qs = qs.select_for_update(of=of)
    return {c.nib: c for c in qs}


def _plan_create(row: Row, plan: Plan, ctx: Context) -> None:
    company = ctx.factory(row.values)
    m2m = {name: row.m2m.get(name, []) for name in M2M}
    certs = [ctx.factory.certification(company, t, u) for t, u in row.certs]
    ctx.derive.row(
        company,
        m2m["processes"],
        m2m["materials"],
        kbli=bool(m2m["kbli"]),
        certifications=bool(certs),
        certification_types=[t for t, _u in row.certs],
    )
    plan.creates.append((company, m2m))
    plan.cert_creates += certs


def _plan_update(row: Row, company: Company, stored: Stored, plan: Plan, ctx: Context) -> bool:
    """Apply the row to ``company`` in memory; True when anything changes."""
    current = {name: sorted(stored.m2m[name].get(company.pk, [])) for name in M2M}
    company.region = ctx.lookups.regions.by_id[company.region_id]  # search_text reads its name
    before = ctx.snapshot(company, current)
    hidden_before = (company.search_text, company.filter_tokens)  # derived, and not in the change log
    for name, value in row.values.items():
        setattr(company, name, value)
    m2m = {name: row.m2m.get(name) or current[name] for name in M2M}
    existing_certs = {c.certification_type_id: c for c in stored.certs.get(company.pk, [])}
    cert_changes = 0
    for type_id, until in row.certs:
        cert = existing_certs.get(type_id)
        if cert is None:
            plan.cert_creates.append(ctx.factory.certification(company, type_id, until))
            cert_changes += 1
        elif until is not None and cert.valid_until != until:
            CERT_COMPANY.set_cached_value(cert, company)  # the change log names it with its company
            plan.cert_updates.append((cert, snapshot(cert)))
            cert.valid_until = until
            cert_changes += 1
    ctx.derive.row(
        company,
        m2m["processes"],
        m2m["materials"],
        kbli=bool(m2m["kbli"]),
        product_items=stored.products.get(company.pk, []),
        machines=company.pk in stored.machines,
        certifications=bool(existing_certs) or cert_changes > 0,
        certification_types=[*existing_certs, *(t for t, _u in row.certs if t not in existing_certs)],
    )
    after = ctx.snapshot(company, m2m)
    changed = {k for k, v in after.items() if before.get(k) != v}
    hidden = {
        name
        for name, old in zip(("search_text", "filter_tokens"), hidden_before, strict=True)
        if getattr(company, name) != old
    }
    if changed:
        plan.updates.append((company, before, after, changed | hidden))
    elif hidden:  # e.g. a new certification: the row's tokens change, nothing the change log shows
        plan.refreshes.append((company, hidden))
    return bool(changed) or cert_changes > 0


def _write(plan: Plan, ctx: Context) -> None:
    """New rows are inserted in bulk, with ids allocated here (so links and the change log need no
    read-back), on the writer thread while the next batch is planned; updates are ORM bulk updates, run
    here once the writer is idle (before this batch's inserts, so replaced links go before new ones)."""
    inserts = []  # (model, columns, rows), for the writer
    changes = []
    if plan.creates:
        inserts.append(prepare([c for c, _m2m in plan.creates], ctx.ids, ctx.now))
        texts = ctx.snapshot.json_many(plan.creates)
        changes += [
            ctx.change(ChangeAction.CREATE, c, None, t) for (c, _m2m), t in zip(plan.creates, texts, strict=True)
        ]
    if plan.updates or plan.refreshes or plan.cert_updates:
        ctx.writer.wait()
    if plan.updates:
        fields = set().union(*(changed for *_x, changed in plan.updates)) - set(M2M)
        for company, *_x in plan.updates:
            company.updated = ctx.now
        update_rows([u[0] for u in plan.updates], sorted(fields | {"updated"}))
        changes += [ctx.change(ChangeAction.UPDATE, c, b, a) for c, b, a, _changed in plan.updates]
    if plan.refreshes:
        fields = set().union(*(hidden for _c, hidden in plan.refreshes))
        update_rows([c for c, _hidden in plan.refreshes], sorted(fields))
    for name in M2M:
        through, source, target = through_model(name)
        replaced = [(c, a[name]) for c, _b, a, changed in plan.updates if name in changed]
        if replaced:
            through.objects.filter(**{f"{source}__in": [c.pk for c, _ids in replaced]}).delete()
        links = [(c, m2m[name]) for c, m2m in plan.creates] + replaced
        inserts.append((through, [source, target], [(c.pk, i) for c, ids in links for i in ids]))
    if plan.cert_creates:
        for cert in plan.cert_creates:
            company = cert.company
            cert.company_id = company.pk  # the company got its id after the certification was built
            CERT_COMPANY.set_cached_value(cert, company)  # setting the id dropped it: the change log reads it
        inserts.append(prepare(plan.cert_creates, ctx.ids, ctx.now))
        texts = ctx.cert_snapshot.json_many([(c, {}) for c in plan.cert_creates])
        changes += [ctx.change(ChangeAction.CREATE, c, None, t) for c, t in zip(plan.cert_creates, texts, strict=True)]
    if plan.cert_updates:
        update_rows([c for c, _b in plan.cert_updates], ["valid_until"])
        changes += [ctx.change(ChangeAction.UPDATE, c, b, snapshot(c)) for c, b in plan.cert_updates]
    inserts.append((ObjectChange, ChangeLog.columns, changes))
    wrapper = ctx.writer.wrapper
    ctx.writer.submit(_insert_all, [Insert(*i, wrapper) for i in inserts if i[2]], wrapper)


def _insert_all(inserts: list[Insert], wrapper) -> None:
    """The writer's job: every insert of a batch, through the importing thread's connection ``wrapper``."""
    for insert in inserts:
        insert.run(wrapper)
