"""Bulk inserts for imports that must reach thousands of rows a second.

``QuerySet.bulk_create`` spends about 8 µs per field and row preparing values (a 37-field company costs
more than the whole budget of a 5,000 rows/s import), so the hot path of an import prepares values once per
field type and hands whole batches to the driver: ``COPY`` on PostgreSQL, ``executemany`` elsewhere.

Primary keys are allocated up front (:class:`IdAllocator`), so callers link many-to-many rows and change-log
entries without reading anything back.

Values are the instances' attributes, converted as Django would for fields whose Python value is not
already what the driver takes (dates, JSON, UUIDs, files). ``save()``, signals and ``pre_save`` other than
``auto_now``/``auto_now_add`` do not run: use this only for models that have none. Written for the two
databases Jalin runs on, PostgreSQL and SQLite.
"""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

# Fields whose Python value goes to the driver unchanged (Decimal included: psycopg adapts it and Django
# registers an adapter with sqlite3).
_AS_IS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.DecimalField,
    models.BooleanField,
    models.FloatField,
)


SQLITE_CACHE_KIB = 256 * 1024  # page cache while an import runs on SQLite
GIN_PENDING_LIST_LIMIT = "64MB"  # PostgreSQL, for the import's transaction


def _wrapper():
    return connections[DEFAULT_DB_ALIAS]  # the wrapper object itself, resolved once by each caller


def supported() -> bool:
    return _wrapper().vendor in ("postgresql", "sqlite")


def converter(field: models.Field) -> Callable | None:
    """``None`` when the value goes as it is, else the function that prepares it for the database."""
    if field.is_relation:
        field = field.target_field
    if isinstance(field, _AS_IS) and not isinstance(field, models.JSONField):
        return None
    wrapper = _wrapper()
    return lambda value, field=field: field.get_db_prep_save(value, wrapper)


class IdAllocator:
    """Primary keys for rows about to be inserted.

    PostgreSQL: ``nextval()`` of the table's sequence, ``n`` values in one query. SQLite: the next ids
    after the table's highest (and its AUTOINCREMENT counter), read once and then counted here; the import
    runs inside ``transaction.atomic()`` and Jalin's SQLite connections begin transactions IMMEDIATE, so
    no other writer can take the same ids meanwhile.
    """

    def __init__(self):
        self.next: dict[type[models.Model], int] = {}
        self.pool: dict[type[models.Model], list[int]] = {}
        self.before_query: Callable[[], None] | None = None  # e.g. WriteBehind.wait: the connection is free

    def reserve(self, model: type[models.Model], count: int) -> None:
        """Allocate ``count`` ids now, for later calls to take without a query (unused ones leave a gap)."""
        self.pool.setdefault(model, []).extend(reversed(self._allocate(model, count)))

    def __call__(self, model: type[models.Model], count: int) -> list[int]:
        pool = self.pool.get(model, [])
        taken = [pool.pop() for _ in range(min(count, len(pool)))]
        return taken + self._allocate(model, count - len(taken))

    def _allocate(self, model: type[models.Model], count: int) -> list[int]:
        if count <= 0:
            return []
        wrapper = _wrapper()
        table, pk = model._meta.db_table, model._meta.pk.column
        if self.before_query is not None and (wrapper.vendor == "postgresql" or model not in self.next):
            self.before_query()
        if wrapper.vendor == "postgresql":
            with wrapper.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count]
                )
                return [row[0] for row in cursor.fetchall()]
        if model not in self.next:
            with wrapper.cursor() as cursor:
                cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')  # noqa: S608 - names from _meta
                highest = cursor.fetchone()[0]
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
                if cursor.fetchone():
                    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                    row = cursor.fetchone()
                    highest = max(highest, row[0] if row else 0)
            self.next[model] = highest + 1
        first = self.next[model]
        self.next[model] = first + count
        return list(range(first, first + count))


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence], wrapper=None) -> None:
    """INSERT ``rows`` (database-ready values in the order of ``columns``, which are field attnames)."""
    Insert(model, columns, rows, wrapper).run(wrapper)


#: At most this many values bound to one SQLite statement (and never more than the library allows).
SQLITE_MAX_PARAMS = 32_766


class Insert:
    """An INSERT of many rows, made ready where it is built and run by :meth:`run`, perhaps on a
    :class:`WriteBehind` thread, which then holds the GIL as little as possible.

    PostgreSQL: ``COPY … FROM STDIN``, the fastest way in; psycopg adapts each value as it would for a
    query. SQLite: many rows per ``INSERT … VALUES (…), (…), …`` statement rather than ``executemany``:
    the driver binds the values exactly as ``executemany`` would (the same adapters), then inserts all the
    statement's rows in one ``sqlite3_step`` call, during which it releases the GIL, and which costs about
    half as much per row as stepping once a row. The statements' SQL (with ``?``: Django's conversion of
    ``%s`` costs milliseconds on a statement of thousands of them) and flat lists of values are built here,
    so running them is the driver's C code alone. Errors are Django's, as a query's would be."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence], wrapper=None):
        wrapper = wrapper or _wrapper()
        meta = model._meta
        quote = wrapper.ops.quote_name
        names = ", ".join(quote(meta.get_field(c).column) for c in _field_names(model, columns))
        table = quote(meta.db_table)
        self.rows = rows if isinstance(rows, list) else list(rows)
        self.statements: list[tuple[str, list]] = []
        if wrapper.vendor == "postgresql":
            self.copy = f"COPY {table} ({names}) FROM STDIN"
            return
        self.copy = None
        width = len(columns)
        wrapper.ensure_connection()
        per = max(1, min(SQLITE_MAX_PARAMS, _sqlite_param_limit(wrapper.connection)) // width)
        insert = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 - names from _meta
        one = "(" + ", ".join(["?"] * width) + ")"
        for start in range(0, len(self.rows), per):
            chunk = self.rows[start : start + per]
            values = [value for row in chunk for value in row]
            self.statements.append((insert + ", ".join([one] * len(chunk)), values))

    def run(self, wrapper=None) -> None:
        """Insert the rows through ``wrapper`` (the connection of the thread that built this)."""
        wrapper = wrapper or _wrapper()
        if not self.rows:
            return
        with wrapper.cursor() as cursor, wrapper.wrap_database_errors:
            if self.copy is not None:
                with cursor.cursor.copy(self.copy) as copy:
                    for row in self.rows:
                        copy.write_row(row)
                return
            execute = sqlite3.Cursor.execute
            for sql, values in self.statements:
                execute(cursor.cursor, sql, values)


def update_rows(objs: Sequence[models.Model], fields: Iterable[str], wrapper=None) -> None:
    """Write ``fields`` (names or attribute names) of saved instances of one model: one ``UPDATE … WHERE pk = %s`` per
    row, sent with ``executemany`` (psycopg pipelines them; sqlite3 steps a prepared statement).

    ``QuerySet.bulk_update`` builds a ``CASE WHEN pk = … THEN …`` expression per field through the ORM:
    measured 1.8 ms a company for the seven derived fields (``jalin rederive``, 2,036 demo companies: 3.65 s
    of 4.3 s) and 32 of the 39 s an import of 10,000 changed companies took, where this prepares each value
    once with its field's converter. No signals, no ``auto_now``: pass ``updated`` among the fields to move
    it."""
    if not objs:
        return
    wrapper = wrapper or _wrapper()
    model = type(objs[0])
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = wrapper.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    convert = [converter(f) for f in columns]
    rows = []
    for obj in objs:
        values = [getattr(obj, f.attname) for f in columns]
        rows.append([c(v) if c is not None else v for c, v in zip(convert, values, strict=True)] + [obj.pk])
    with wrapper.cursor() as cursor:
        cursor.executemany(sql, rows)


def _sqlite_param_limit(raw) -> int:
    try:
        return raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except (AttributeError, sqlite3.Error):  # not a sqlite3 connection, or an old driver
        return 999


def _field_names(model, attnames: Sequence[str]) -> list[str]:
    by_attname = {f.attname: f.name for f in model._meta.concrete_fields}
    return [by_attname.get(a, a) for a in attnames]


def prepare(objs: Sequence[models.Model], ids: IdAllocator, now) -> tuple[type[models.Model], list[str], list]:
    """Give unsaved instances of one model their primary keys and ``auto_now`` stamps; return the arguments
    of :func:`insert_rows`."""
    model = type(objs[0])
    wrapper = _wrapper()
    plan = []
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                setattr(obj, field.attname, now)
            stamp = field.get_db_prep_save(now, wrapper)  # the same for every row: convert once
            plan.append((field.attname, lambda _value, stamp=stamp: stamp))
        else:
            plan.append((field.attname, converter(field)))
    for obj, pk in zip(objs, ids(model, len(objs)), strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = wrapper.alias
    # Read the attributes straight from each instance's __dict__ in one C-level call (getattr() would run a
    # descriptor per field), then convert the few that need it.
    read = operator.itemgetter(*(a for a, _c in plan))
    convert = [(i, c) for i, (_a, c) in enumerate(plan) if c is not None]
    rows = []
    for obj in objs:
        values = list(read(obj.__dict__))
        for i, c in convert:
            values[i] = c(values[i])
        rows.append(values)
    return model, [a for a, _c in plan], rows


class BulkSession:
    """Settings for the length of a bulk import on this connection, entered inside its transaction: on
    SQLite a bigger page cache, so that the growing indexes stay in memory instead of being spilled to the
    WAL and read back (the default cache is 2 MB; the previous setting is restored on leaving); on
    PostgreSQL a bigger GIN pending list. (:class:`WriteBehind` overlaps the inserts with Python work.)
    """

    def __init__(self, *models: type[models.Model]):
        self.wrapper = _wrapper()
        self.cache_size: int | None = None
        self.models = models  # PostgreSQL: whose GIN indexes to merge at the end (see merge_pending_lists)

    def __enter__(self) -> BulkSession:
        if self.wrapper.vendor == "postgresql":
            # GIN indexes (full-text search) collect new entries in a pending list and merge it whenever it
            # passes this limit (4 MB by default), inside the insert that crosses it: a bigger list for this
            # transaction merges less often (measured: a 50,000-row import ran in about two thirds of the
            # time). SET LOCAL ends with the transaction; merge_pending_lists() merges what is left.
            with self.wrapper.cursor() as cursor:
                cursor.execute(f"SET LOCAL gin_pending_list_limit = '{GIN_PENDING_LIST_LIMIT}'")
        if self.wrapper.vendor == "sqlite":
            self.wrapper.ensure_connection()
            raw = self.wrapper.connection  # the sqlite3 connection: a setting, not part of the transaction
            self.cache_size = raw.execute("PRAGMA cache_size").fetchone()[0]
            raw.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if self.cache_size is not None and self.wrapper.connection is not None:
            self.wrapper.connection.execute(f"PRAGMA cache_size = {int(self.cache_size)}")
        postgresql = self.wrapper.vendor == "postgresql"
        if exc_type is None and self.models and postgresql and not transaction.get_rollback(self.wrapper.alias):
            self.merge_pending_lists()

    def merge_pending_lists(self) -> None:
        """Merge what the import left in the pending lists of its tables' GIN indexes into the indexes, inside
        its transaction. With the raised limit up to 64 MB would stay pending after the commit: every search
        scans the pending list, and the next ordinary insert (4 MB limit) would merge it all inside someone's
        request. Measured on 50,000 imported companies: 5,348 pending pages left; a search 50 ms with them
        and 28 ms after the merge, which took 1.8 s (7 % of that import). Indexes this role does not own
        are left to vacuum."""
        tables = sorted({model._meta.db_table for model in self.models})
        with self.wrapper.cursor() as cursor:
            cursor.execute(
                "SELECT i.indexrelid::regclass::text FROM pg_index i"
                " JOIN pg_class ix ON ix.oid = i.indexrelid JOIN pg_am am ON am.oid = ix.relam"
                " JOIN pg_class t ON t.oid = i.indrelid"
                " WHERE am.amname = 'gin' AND t.relname = ANY(%s) AND pg_table_is_visible(t.oid)"
                " AND pg_has_role(ix.relowner, 'USAGE')",
                [tables],
            )
            for (index,) in cursor.fetchall():
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])


class WriteBehind:
    """Runs an import's inserts on a helper thread, one job at a time, while the importing thread prepares the
    next batch: SQLite steps a multi-row INSERT and psycopg waits for the server without the GIL, and the
    PostgreSQL server is another process, so the database's work and Python's overlap.

    The helper uses the importing thread's own connection (Django's connections are per thread), inside the
    same transaction, and never at the same time as the importing thread: :meth:`submit` first waits for
    the previous job, and the importing thread calls :meth:`wait` before any query of its own (reading
    existing rows, ORM updates). An error in a job is raised in the importing thread by the next
    :meth:`submit` or :meth:`wait`, or on leaving the ``with`` block, so the transaction around it rolls
    everything back; leaving the block always waits for a running job first, so a rollback never meets a
    job still writing. ``enabled=False`` runs each job at once in the calling thread (the same order).

    It pays when a core is free for the helper; on a machine whose cores are all busy with other work it
    measured slower than writing in the importing thread (see bench/README.md, registry_import.py).

    Use as ``with WriteBehind() as writer: … writer.submit(job, *args) …`` inside the transaction.
    """

    def __init__(self, enabled: bool = True, wrapper=None):
        self.wrapper = wrapper or _wrapper()
        self.enabled = enabled
        self.executor: ThreadPoolExecutor | None = None
        self.pending: Future | None = None

    def __enter__(self) -> WriteBehind:
        if self.enabled:
            self.wrapper.ensure_connection()
            self.wrapper.inc_thread_sharing()  # Django's check that a connection stays in its thread
            self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jalin-writer")
        return self

    def submit(self, job: Callable, *args) -> None:
        """Run ``job(*args)`` once the previous job is done (raising that job's error, if any)."""
        self.wait()
        if self.executor is None:
            job(*args)
        else:
            self.pending = self.executor.submit(job, *args)

    def wait(self) -> None:
        """Return once no job runs: call it before using the connection in this thread."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()  # re-raises the job's exception here

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.wait()
            elif self.pending is not None:
                wait_for([self.pending])  # the error already on its way out matters more than the job's
                self.pending = None
        finally:
            if self.executor is not None:
                self.executor.shutdown(wait=True)
                self.executor = None
                self.wrapper.dec_thread_sharing()
