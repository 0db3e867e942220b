"""Writes the generated IKM population (:mod:`jalin.demo.population`) at any scale, from 2,000 to millions.

The derived fields (size classes, completeness, search text, filter tokens) are computed in Python by
:func:`derived_fields`, through the :class:`jalin.companies.services.Deriver` that ``derive()`` uses
(``tests/test_demo_population.py`` compares them with ``derive()`` on saved rows). Every batch is written
with a fixed number of statements, never one per row: ``COPY`` on PostgreSQL (company ids reserved from
the sequence first, so the many-to-many through rows, machines, certifications and products can follow in
the same batch), ``bulk_create`` elsewhere. Each batch is its own transaction, so an interrupted run resumes
where it stopped, and progress is reported every 50,000 rows.

The generated companies are seed data, not a user's change: they are written without the change log
(one ``ObjectChange`` per generated row would double the work and tell an officer nothing). The
real-story companies of :mod:`jalin.demo.companies` go through the services and are logged.
"""

from __future__ import annotations

import datetime
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, models, transaction
from django.utils import timezone

from jalin.companies.models import (
    Certification,
    CertificationType,
    Company,
    CompanyKind,
    Kbli,
    Machine,
    Material,
    Process,
    Product,
    Verification,
)
from jalin.companies.services import DERIVED_FIELDS, Deriver, Related
from jalin.regions.models import Region

from .population import DEFAULT_COUNT, DEFAULT_SEED, GeneratedCompany, RegionInfo, demo_nib, generate
from .vocabulary import CLUSTERS

BATCH_SIZE = 5000
PROGRESS_EVERY = 50_000


class ProductText(NamedTuple):
    """A generated product as :class:`jalin.companies.services.Related` reads one."""

    name: str
    hs_code: str
    description: str


@dataclass
class Context:
    """What the writer needs from the database, read once per run."""

    regions: dict[str, RegionInfo]
    processes: dict[str, Process]
    materials: dict[str, Material]
    kbli: dict[str, int]
    certification_types: dict[str, int]
    verifier_id: int | None
    now: datetime.datetime
    today: datetime.date
    derive: Deriver = field(default_factory=Deriver)  # one per run: it memoises what repeats

    @classmethod
    def load(cls, verifier=None) -> Context:
        def taxonomy(model) -> dict:
            return {item.code: item for item in model.objects.all()}

        regions = {
            r.code: RegionInfo(r.pk, r.name, float(r.latitude), float(r.longitude), r.parent_id)
            for r in Region.objects.filter(code__in=[c.code for c in CLUSTERS])
        }
        missing = {c.code for c in CLUSTERS} - set(regions)
        if missing:
            raise RuntimeError(f"Regions {sorted(missing)} are not loaded; run `jalin load_regions`.")
        now = timezone.now()
        return cls(
            regions=regions,
            processes=taxonomy(Process),
            materials=taxonomy(Material),
            kbli=dict(Kbli.objects.values_list("code", "pk")),
            certification_types=dict(CertificationType.objects.values_list("code", "pk")),
            verifier_id=verifier.pk if verifier is not None else None,
            now=now,
            today=timezone.localdate(now),
        )


def derived_fields(company: GeneratedCompany, ctx: Context) -> dict:
    """The fields ``companies.services.derive()`` computes, from plain values and without a query: through
    the run's :class:`jalin.companies.services.Deriver` (``tests/test_demo_population.py`` compares them with
    ``derive()`` on saved rows)."""
    related = Related(
        kbli=bool(company.kbli),
        processes=[ctx.processes[code] for code in company.processes],
        materials=[ctx.materials[code] for code in company.materials],
        product_items=[ProductText(*item) for item in sorted(company.items)],  # Product's order, by name
        machines=bool(company.machines),
        certifications=bool(company.certifications),
        certification_types=[ctx.certification_types[cert[0]] for cert in company.certifications],
    )
    values = ctx.derive.values(company, ctx.regions[company.region_code], related)
    return dict(zip(DERIVED_FIELDS, values, strict=True))


# --- rows of each table, as {attname: value} ---------------------------------------------------------------


def company_values(row: GeneratedCompany, ctx: Context) -> dict:
    verified = row.verified_days_ago is not None
    return {
        "kind": CompanyKind.IKM.value,
        "legal_name": row.legal_name,
        "brand_name": row.brand_name,
        "nib": row.nib,
        "npwp": row.npwp,
        "region_id": ctx.regions[row.region_code].id,
        "address": row.address,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "workforce": row.workforce,
        "investment": row.investment,
        "business_capital": row.business_capital,
        "turnover": row.turnover,
        "products": row.products,
        "hs_codes": row.hs_codes,
        "monthly_capacity": row.monthly_capacity,
        "capacity_note": row.capacity_note,
        "contact_name": row.contact_name,
        "phone": row.phone,
        "email": row.email,
        "website": row.website,
        "verification": (Verification.VERIFIED if verified else Verification.SELF_DECLARED).value,
        "verified_by_id": ctx.verifier_id if verified else None,
        "verified_at": ctx.now - datetime.timedelta(days=row.verified_days_ago) if verified else None,
        "created": ctx.now,
        "updated": ctx.now,
        **derived_fields(row, ctx),
    }


def child_values(row: GeneratedCompany, pk: int, ctx: Context) -> dict[type[models.Model], list[dict]]:
    certifications = []
    for code, number, issuer, since, days in row.certifications:
        valid_from = ctx.today - datetime.timedelta(days=since)
        certifications.append(
            {
                "company_id": pk,
                "certification_type_id": ctx.certification_types[code],
                "number": number,
                "issuer": issuer,
                "valid_from": valid_from,
                "valid_until": valid_from + datetime.timedelta(days=days),
            }
        )
    return {
        Company.processes.through: [{"company_id": pk, "process_id": ctx.processes[c].id} for c in row.processes],
        Company.materials.through: [{"company_id": pk, "material_id": ctx.materials[c].id} for c in row.materials],
        Company.kbli.through: [{"company_id": pk, "kbli_id": ctx.kbli[c]} for c in row.kbli],
        Machine: [
            {"company_id": pk, "machine_type": t, "count": n, "capacity": cap, "year": year}
            for t, n, cap, year in row.machines
        ],
        Certification: certifications,
        Product: [{"company_id": pk, "name": n, "hs_code": hs, "description": d} for n, hs, d in row.items],
    }


CHILD_MODELS = (
    Company.processes.through,
    Company.materials.through,
    Company.kbli.through,
    Machine,
    Certification,
    Product,
)


# --- writers ------------------------------------------------------------------------------------------------


def _fields(model: type[models.Model], with_pk: bool) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]


def _copy(cursor, model: type[models.Model], rows: list[dict], *, with_pk: bool = False) -> None:
    """``COPY`` ``rows`` into ``model``'s table; a column the rows leave out gets the field's default."""
    if not rows:
        return
    fields = _fields(model, with_pk)
    defaults = [f.get_default() for f in fields]
    names = [f.attname for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row.get(name, default) for name, default in zip(names, defaults, strict=True)])


def _write_copy(rows: list[GeneratedCompany], ctx: Context) -> None:
    table = connection.ops.quote_name(Company._meta.db_table)
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor  # the psycopg cursor
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)]
        )
        pks = [pk for (pk,) in cursor.fetchall()]
        companies, children = [], {model: [] for model in CHILD_MODELS}
        for row, pk in zip(rows, pks, strict=True):
            companies.append({"id": pk, **company_values(row, ctx)})
            for model, values in child_values(row, pk, ctx).items():
                children[model] += values
        _copy(cursor, Company, companies, with_pk=True)
        for model, values in children.items():
            _copy(cursor, model, values)


def _write_orm(rows: list[GeneratedCompany], ctx: Context) -> None:
    companies = [Company(**company_values(row, ctx)) for row in rows]
    with transaction.atomic():
        Company.objects.bulk_create(companies, batch_size=BATCH_SIZE)
        children = {model: [] for model in CHILD_MODELS}
        for row, company in zip(rows, companies, strict=True):
            for model, values in child_values(row, company.pk, ctx).items():
                children[model] += [model(**v) for v in values]
        for model, objs in children.items():
            model.objects.bulk_create(objs, batch_size=BATCH_SIZE)


def write(rows: list[GeneratedCompany], ctx: Context) -> None:
    """Insert ``rows`` and everything that hangs off them, in one transaction and a fixed number of queries."""
    if connection.vendor == "postgresql":
        _write_copy(rows, ctx)
    else:
        _write_orm(rows, ctx)


# --- the run ------------------------------------------------------------------------------------------------


class _BackgroundWriter:
    """Writes batches on its own thread and database connection while the caller draws the next ones.

    On PostgreSQL the server's work (indexes, the GIN full-text index above all, foreign-key checks)
    and Python's (drawing rows) then overlap on a two-core machine. Used only outside a transaction,
    since the writer's connection cannot see the caller's uncommitted rows.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.error: BaseException | None = None
        self.queue: queue.Queue[list[GeneratedCompany] | None] = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self._run, name="demo-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            while (rows := self.queue.get()) is not None:
                if self.error is None:  # after a failure, drain the queue so the caller never blocks
                    try:
                        write(rows, self.ctx)
                    except BaseException as error:  # handed to the caller's thread
                        self.error = error
        finally:
            connection.close()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def put(self, rows: list[GeneratedCompany]) -> None:
        self._raise()
        self.queue.put(rows)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        self._raise()


@dataclass
class PopulationResult:
    created: int = 0
    existing: int = 0


def load_population(
    count: int = DEFAULT_COUNT,
    *,
    seed: int = DEFAULT_SEED,
    report: Callable[[str], None] = lambda message: None,
    verifier=None,
    batch_size: int = BATCH_SIZE,
) -> PopulationResult:
    """Generate ``count`` IKM of ``seed``; those whose NIB already exists are left alone.

    ``verifier`` is the officer recorded on the verified ones (``None``: nobody).
    """
    result = PopulationResult()
    if count <= 0:
        return result
    ctx = Context.load(verifier)
    background = connection.vendor == "postgresql" and not connection.in_atomic_block and count > batch_size
    writer = _BackgroundWriter(ctx) if background else None
    started = time.monotonic()
    next_report = PROGRESS_EVERY

    def progress(done: int) -> None:
        report(
            f"companies: {done:,} of {count:,} ({result.created:,} created, {result.existing:,} already there)"
            f" in {time.monotonic() - started:,.0f} s"
        )

    try:
        for start in range(0, count, batch_size):
            stop = min(count, start + batch_size)
            nibs = {demo_nib(seed, i): i for i in range(start, stop)}
            existing = set(Company.objects.filter(nib__in=list(nibs)).values_list("nib", flat=True))
            todo = [i for nib, i in nibs.items() if nib not in existing]
            if todo:
                rows = [generate(seed, i, ctx.regions) for i in todo]
                if writer is not None:
                    writer.put(rows)
                else:
                    write(rows, ctx)
            result.created += len(todo)
            result.existing += len(existing)
            if next_report <= stop < count:
                progress(stop)
                next_report = (stop // PROGRESS_EVERY + 1) * PROGRESS_EVERY
    finally:
        if writer is not None:
            writer.close()
    if count >= PROGRESS_EVERY:
        progress(count)
    if connection.vendor == "postgresql" and result.created >= 100_000:
        # Fresh statistics, so that the very next query plans for the new size (autovacuum comes later).
        tables = [Company, *CHILD_MODELS]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(m._meta.db_table) for m in tables))
    return result
