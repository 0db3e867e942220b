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
from collections.abc import Callable, Iterable, Sequence

from django.db import DEFAULT_DB_ALIAS, connections, models

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
    wrapper = wrapper or _wrapper()
    meta = model._meta
    quote = wrapper.ops.quote_name
    names = ", ".join(quote(meta.get_field(c).column) for c in _field_names(model, columns))
    table = quote(meta.db_table)
    with wrapper.cursor() as cursor:
        if wrapper.vendor == "postgresql":
            # COPY: the fastest way into PostgreSQL; psycopg adapts each value as it would for a query.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)  # noqa: S608


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
    PostgreSQL a bigger GIN pending list.

    (A writer thread sharing the connection was tried, to overlap the database's work with the next batch's
    preparation: on SQLite the driver takes the GIL back for every row it binds, and on PostgreSQL the
    server was the slower side anyway; both measured slower than inserting in the importing thread.)
    """

    def __init__(self):
        self.wrapper = _wrapper()
        self.cache_size: int | None = None

    def __enter__(self) -> BulkSession:
        if self.wrapper.vendor == "postgresql":
            # GIN indexes (full-text search) collect new entries in a pending list and merge it whenever it
            # passes this limit (4 MB by default), inside the insert that crosses it: a bigger list for this
            # transaction merges less often (measured: a 50,000-row import ran in about two thirds of the
            # time). SET LOCAL ends with the transaction; vacuum merges what is left.
            with self.wrapper.cursor() as cursor:
                cursor.execute(f"SET LOCAL gin_pending_list_limit = '{GIN_PENDING_LIST_LIMIT}'")
        if self.wrapper.vendor == "sqlite":
            self.wrapper.ensure_connection()
            raw = self.wrapper.connection  # the sqlite3 connection: a setting, not part of the transaction
            self.cache_size = raw.execute("PRAGMA cache_size").fetchone()[0]
            raw.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        return self

    def __exit__(self, *exc) -> None:
        if self.cache_size is not None and self.wrapper.connection is not None:
            self.wrapper.connection.execute(f"PRAGMA cache_size = {int(self.cache_size)}")
