"""The Django side of matching: companies and needs as the engine's rows, and one live index per process.

Public API (what services, views, jobs and the command line call)::

    rank_need(need, top_k=50, *, synced=False) -> list[Match]
        The best companies for a need, best first, each with its score parts, reasons and gaps (see
        ``engine/types.py``; ``Match.as_dict()`` for JSON). Syncs the index with the database first, so an
        edit made a moment ago counts (``synced=True``: the caller just called ``sync()``). Uses the
        programme's ``MatchSettings`` (weights, hard penalty) and the need's ``hard_filter``.
    opportunities(company, top_k=20) -> list[tuple[Need, Match]]
        The open needs this company may see (status open; visibility open, or it was invited), best fit
        first; needs that filter on a hard requirement the company misses are left out.
    index_status() -> dict
        companies, built_at, last_sync, memory_bytes, build_seconds, fetch_seconds, builds,
        lexicon_rebuilds, rebuilding, watermark, lexicon_version, upserted, removed: for an officer's status
        panel or a health check.
    sync() -> dict
        Catch up with the database now (called by the two above; exposed for jobs and tests).

The first call in a process builds the index (about 2.5 minutes at 1,000,000 companies on one core; see
``bench/matching_speed.py``); a web process may call ``get_index()`` at start-up to pay that up front.

Lower level, for tests and benchmarks: :func:`company_rows` (the registry as ``CompanyRow``\\s, a fixed
number of queries per chunk of 20,000 companies), :func:`need_query` / :func:`need_queries`,
:func:`get_index` and :func:`reset_index`.

Freshness. The index is built lazily on first use and then kept current without rebuilding:

- **Edits**: every write to a company goes through ``companies.services``, which stamps
  ``Company.updated`` (indexed), also when a certification, machine or product changes. A sync asks for
  rows updated after the watermark (the newest stamp seen) and upserts them. A transaction that commits
  late carries a stamp older than its commit, so a sync also re-reads the stamps of the last
  ``SYNC_OVERLAP`` (120 s) and upserts only the rows it has not seen with that stamp. A write that stamps
  a row more than that before it commits (or not at all: a bare ``QuerySet.update()``) is not seen.
- **Deletions**: the change log records every delete made through the services; a sync removes the
  companies deleted since the last sync. A row deleted behind the services' back (raw SQL, a rolled back
  test) is caught when it would be shown: before returning, ``rank_need`` checks that the matched
  companies still exist (one query by primary key) and drops the missing ones from the index.
- **Lexicon**: officers' ``LexiconEntry`` rows are merged with the engine's built-in lexicon (they are the
  ``extra`` pairs of its ``Analyzer``). The engine analyses a company's text once, when indexing, and keeps
  no text, so a change (seen as a new count or newest ``updated``) rebuilds the index from the database:
  at once for a small registry, in a background thread from ``BACKGROUND_REBUILD_MIN`` companies on
  (rankings go on with the old lexicon meanwhile, and the new index is swapped in and caught up).

One index per process, guarded by a lock (builds, syncs and rankings are serialised; a ranking takes
milliseconds). Each web or worker process that ranks holds its own copy in memory (see ``memory_bytes``).
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Iterable, Iterator

from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from jalin.companies.models import (
    Certification,
    CertificationType,
    Company,
    Material,
    Plant,
    Process,
    Product,
    Verification,
)
from jalin.core.models import ChangeAction, ObjectChange
from jalin.regions.models import Region
from jalin.sourcing.models import INVITED_STATUSES, Need, NeedStatus, Visibility

from .engine.index import MatchIndex
from .engine.text import Analyzer
from .engine.types import CompanyRow, Match, NeedQuery
from .models import Candidate, LexiconEntry, MatchSettings

CHUNK_SIZE = 20_000  # companies per chunk of company_rows(): 5 queries each
SYNC_BATCH = 5000  # companies per upsert batch of a sync (an IN list of primary keys)
#: The company columns a row is built from (one values_list; never ``search_text``, see _text()).
BASE_COLUMNS = (
    "pk",
    "legal_name",
    "brand_name",
    "products",
    "hs_codes",
    "monthly_capacity",
    "latitude",
    "longitude",
    "verification",
    "completeness",
    "region_id",
    "kind",
)


# --- companies as rows -----------------------------------------------------------------------------------


class _Lookups:
    """The small tables a row refers to, read once per fetch: taxonomy codes and regency centroids."""

    def __init__(self) -> None:
        self.processes = dict(Process.objects.values_list("pk", "code"))
        self.materials = dict(Material.objects.values_list("pk", "code"))
        self.cert_types = dict(CertificationType.objects.values_list("pk", "code"))
        self.regions = {
            pk: (code, float(lat) if lat is not None else None, float(lon) if lon is not None else None)
            for pk, code, lat, lon in Region.objects.values_list("pk", "code", "latitude", "longitude")
        }


def _children(model, ids: list[int], columns: tuple[str, ...]) -> Iterable[tuple]:
    """``columns`` of the child rows of these companies (first column ``company_id``), in one query.

    A dense run of ids (the full table read in primary-key order) is read as a range, which PostgreSQL
    answers with one index range scan instead of parsing thousands of IN parameters; a sparse set (a sync
    of a few edited companies) as ``IN``. Rows of companies outside the chunk are skipped.
    """
    lo, hi = ids[0], ids[-1]
    if hi - lo < 2 * len(ids):
        rows = model.objects.filter(company_id__gte=lo, company_id__lte=hi).values_list(*columns)
        if hi - lo + 1 == len(ids):  # every id of the range is in the chunk
            return rows
        wanted = set(ids)
        return (r for r in rows if r[0] in wanted)
    return model.objects.filter(company_id__in=ids).values_list(*columns)


def _text(base: tuple, items: list[tuple[str, str, str]]) -> str:
    """What the company wrote about itself: names, products, HS codes, product items.

    Not ``Company.search_text``: that column adds the taxonomy names and synonyms of the processes and
    materials the company ticked (which the engine scores as structured parts already: counting them again
    as text would reward ticking boxes twice), the regency name (a need mentioning "Tegal" is about the
    part, not the place) and the NIB digits. The engine applies its own lexicon to the words written here.
    """
    _pk, legal, brand, products, hs_codes = base[:5]
    parts = [legal, brand, products, hs_codes]
    for name, hs_code, description in items:
        parts += [name, hs_code, description]
    return "\n".join(p for p in parts if p)


def _chunk_rows(chunk: list[tuple], lookups: _Lookups) -> Iterator[CompanyRow]:
    ids = [r[0] for r in chunk]
    processes: dict[int, set[str]] = {}
    for company_id, process_id in _children(Company.processes.through, ids, ("company_id", "process_id")):
        processes.setdefault(company_id, set()).add(lookups.processes[process_id])
    materials: dict[int, set[str]] = {}
    for company_id, material_id in _children(Company.materials.through, ids, ("company_id", "material_id")):
        materials.setdefault(company_id, set()).add(lookups.materials[material_id])
    certs: dict[int, dict[str, int | None]] = {}
    columns = ("company_id", "certification_type_id", "valid_until")
    for company_id, type_id, until in _children(Certification, ids, columns):
        held = certs.setdefault(company_id, {})
        code, day = lookups.cert_types[type_id], until.toordinal() if until else None
        # The best certificate of a type counts: one without expiry, else the one valid longest.
        if code not in held or (held[code] is not None and (day is None or day > held[code])):
            held[code] = day
    items: dict[int, list[tuple[str, str, str]]] = {}
    for company_id, *item in _children(Product, ids, ("company_id", "name", "hs_code", "description")):
        items.setdefault(company_id, []).append(tuple(item))
    for base in chunk:
        pk, capacity, lat, lon, verification, completeness, region_id, kind = (base[0], *base[5:])
        region_code, region_lat, region_lon = lookups.regions.get(region_id, ("", None, None))
        if lat is None or lon is None:  # the regency's centre: within ~30 km, enough to rank by distance
            lat, lon = region_lat, region_lon
        yield CompanyRow(
            id=pk,
            name=base[1],
            text=_text(base, items.get(pk, ())),
            processes=frozenset(processes.get(pk, ())),
            materials=frozenset(materials.get(pk, ())),
            certifications=certs.get(pk, {}),
            monthly_capacity=capacity,
            latitude=float(lat) if lat is not None else None,
            longitude=float(lon) if lon is not None else None,
            verified=verification == Verification.VERIFIED,
            completeness=completeness,
            region=region_code,
            kind=kind,
        )


def company_rows(queryset: QuerySet | None = None, *, chunk_size: int = CHUNK_SIZE) -> Iterator[CompanyRow]:
    """Every company of ``queryset`` (default: the whole registry) as a ``CompanyRow``, in primary-key order.

    Queries: 4 for the lookups, then per chunk of ``chunk_size`` companies one for the base columns (read
    through ``iterator()``: a server-side cursor on PostgreSQL) and one each for processes, materials,
    certifications and product items, whatever the number of companies in the chunk.
    """
    lookups = _Lookups()
    qs = (Company.objects.all() if queryset is None else queryset).order_by("pk").values_list(*BASE_COLUMNS)
    chunk: list[tuple] = []
    for base in qs.iterator(chunk_size=chunk_size):
        chunk.append(base)
        if len(chunk) == chunk_size:
            yield from _chunk_rows(chunk, lookups)
            chunk = []
    if chunk:
        yield from _chunk_rows(chunk, lookups)


# --- needs as queries ------------------------------------------------------------------------------------


def _plant_point(plant: Plant | None) -> tuple[float | None, float | None]:
    if plant is None:
        return None, None
    if plant.latitude is not None and plant.longitude is not None:
        return float(plant.latitude), float(plant.longitude)
    region = plant.region
    if region.latitude is not None and region.longitude is not None:
        return float(region.latitude), float(region.longitude)
    return None, None


def need_query(need: Need, *, today: datetime.date | None = None) -> NeedQuery:
    """The need as the engine sees it. Uses prefetched relations when present (see :func:`need_queries`)."""
    lat, lon = _plant_point(need.delivery_plant)
    text = [need.title, need.description, need.part_category, need.hs_code]
    return NeedQuery(
        id=need.pk,
        text="\n".join(t for t in text if t),
        processes=frozenset(p.code for p in need.processes.all()),
        materials=frozenset(m.code for m in need.materials.all()),
        required_certifications=frozenset(c.code for c in need.required_certifications.all()),
        preferred_certifications=frozenset(c.code for c in need.preferred_certifications.all()),
        monthly_volume=need.monthly_volume,
        latitude=lat,
        longitude=lon,
        hard_filter=need.hard_filter,
        as_of=(today or timezone.localdate()).toordinal(),
    )


NEED_RELATIONS = ("processes", "materials", "required_certifications", "preferred_certifications")


def need_queries(queryset: QuerySet[Need]) -> list[tuple[Need, NeedQuery]]:
    """Many needs with their queries in a fixed number of queries (one per relation)."""
    needs = queryset.select_related("delivery_plant__region").prefetch_related(*NEED_RELATIONS)
    today = timezone.localdate()
    return [(need, need_query(need, today=today)) for need in needs]


def open_needs_for(company: Company) -> QuerySet[Need]:
    """Open needs the company may see: open to IKM, or it was invited (as ``Need.access_policy`` says)."""
    invited = Candidate.objects.filter(need=OuterRef("pk"), company=company, status__in=INVITED_STATUSES)
    return Need.objects.filter(Q(visibility=Visibility.OPEN) | Q(Exists(invited)), status=NeedStatus.OPEN)


# --- the live index --------------------------------------------------------------------------------------

#: How far back a sync re-reads stamps, for transactions that committed after a later one was synced.
SYNC_OVERLAP = datetime.timedelta(seconds=120)
#: From this size on, a lexicon change rebuilds in a background thread while rankings go on (old lexicon).
BACKGROUND_REBUILD_MIN = 50_000


def lexicon_version() -> tuple[int, str]:
    """Changes whenever an officer adds, edits or deletes a lexicon entry (count, newest ``updated``)."""
    agg = LexiconEntry.objects.aggregate(n=Count("pk"), last=Max("updated"))
    return agg["n"], agg["last"].isoformat() if agg["last"] else ""


def analyzer() -> Analyzer:
    """The engine's text analyser: its built-in lexicon plus the officers' entries and taxonomy codes."""
    return Analyzer(
        extra=LexiconEntry.objects.order_by("pk").values_list("term", "concept"),
        process_codes=Process.objects.values_list("code", flat=True),
        material_codes=Material.objects.values_list("code", flat=True),
    )


class _Timed:
    """Wraps an iterator and adds up the time spent producing its items (the database fetch)."""

    def __init__(self, items: Iterable) -> None:
        self.items, self.seconds = iter(items), 0.0

    def __iter__(self):
        return self

    def __next__(self):
        start = time.perf_counter()
        try:
            return next(self.items)
        finally:
            self.seconds += time.perf_counter() - start


class LiveIndex:
    """The engine's ``MatchIndex`` plus what keeps it current: watermark, recent stamps, lexicon version.

    Not thread-safe by itself: the module functions hold ``_lock`` around every use.
    """

    def __init__(self) -> None:
        self.engine: MatchIndex | None = None
        self.builds = self.lexicon_rebuilds = 0
        self.built_at: datetime.datetime | None = None
        self.last_sync: datetime.datetime | None = None
        self.build_seconds = self.fetch_seconds = 0.0
        self.watermark: datetime.datetime | None = None  # the newest Company.updated seen
        self.recent: dict[int, datetime.datetime] = {}  # stamps seen within the overlap window
        self.deleted: set[int] = set()  # deletions already applied, within the overlap window
        self.lexicon_version: tuple[int, str] | None = None
        self.rebuilding = False
        self.upserted = self.removed = 0

    def _fresh(self) -> dict:
        """A new engine index from the database, and the sync state that goes with it. Takes no lock."""
        start = timezone.now()
        # Read before the scan: a row stamped during the scan is newer and the next sync fetches it.
        watermark = Company.objects.aggregate(m=Max("updated"))["m"]
        recent = dict(Company.objects.filter(updated__gte=start - SYNC_OVERLAP).values_list("pk", "updated"))
        version = lexicon_version()
        began = time.perf_counter()
        rows = _Timed(company_rows())
        engine = MatchIndex.build(rows, analyzer())
        return {
            "engine": engine,
            "build_seconds": time.perf_counter() - began,
            "fetch_seconds": rows.seconds,
            "watermark": watermark,
            "recent": recent,
            "deleted": set(),
            "lexicon_version": version,
            "built_at": start,
            "last_sync": start,
        }

    def build(self) -> None:
        for name, value in self._fresh().items():
            setattr(self, name, value)
        self.builds += 1

    def _rebuild_in_background(self) -> None:
        def run() -> None:
            try:
                state = self._fresh()
                with _lock:
                    for name, value in state.items():
                        setattr(self, name, value)
                    self.builds += 1
                    self.lexicon_rebuilds += 1
            finally:
                self.rebuilding = False
                connections.close_all()  # this thread's connections

        self.rebuilding = True
        threading.Thread(target=run, name="matching-lexicon-rebuild", daemon=True).start()

    def sync(self) -> dict:
        """Apply the edits, deletions and lexicon changes made since the last sync; returns what it did."""
        start = timezone.now()
        version = lexicon_version()
        if version != self.lexicon_version and not self.rebuilding:
            # The engine analyses text once, at indexing, and keeps no text: a new lexicon needs the rows again.
            if len(self.engine) >= BACKGROUND_REBUILD_MIN:
                self._rebuild_in_background()
            else:
                self.build()
                self.lexicon_rebuilds += 1
                return {"upserted": 0, "removed": 0, "lexicon": "rebuilt"}
        window = self.last_sync - SYNC_OVERLAP
        changed = Company.objects.all()
        if self.watermark is not None:
            changed = (
                changed.filter(updated__gte=window)
                if window <= self.watermark
                else changed.filter(updated__gt=self.watermark)
            )
        stamps = dict(changed.values_list("pk", "updated"))
        fresh = [pk for pk, stamp in stamps.items() if self.recent.get(pk) != stamp]
        upserted = 0
        for i in range(0, len(fresh), SYNC_BATCH):
            rows = list(company_rows(Company.objects.filter(pk__in=fresh[i : i + SYNC_BATCH])))
            self.engine.upsert(rows)
            upserted += len(rows)
        if stamps:
            newest = max(stamps.values())
            self.watermark = newest if self.watermark is None else max(self.watermark, newest)
        self.recent.update(stamps)
        self.recent = {pk: stamp for pk, stamp in self.recent.items() if stamp >= start - SYNC_OVERLAP}
        logged = ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Company), action=ChangeAction.DELETE, time__gte=window
        )
        deleted = {int(pk) for pk in logged.values_list("object_id", flat=True)}
        removed = self.engine.remove(sorted(deleted - self.deleted))
        self.deleted = deleted
        self.last_sync = start
        self.upserted += upserted
        self.removed += removed
        return {"upserted": upserted, "removed": removed, "lexicon": "rebuilding" if self.rebuilding else ""}

    def rank(self, query: NeedQuery, *, top_k: int, weights: dict[str, float], hard_penalty: float) -> list[Match]:
        """The engine's ranking, without companies that no longer exist (see the module docstring)."""
        existing: set[int] = set()
        for _attempt in range(5):
            matches = self.engine.rank(query, weights, top_k=top_k, hard_penalty=hard_penalty)
            ids = [m.company_id for m in matches]
            existing = set(Company.objects.filter(pk__in=ids).values_list("pk", flat=True))
            gone = [pk for pk in ids if pk not in existing]
            if not gone:
                return matches
            self.removed += self.engine.remove(gone)
        return [m for m in matches if m.company_id in existing]

    def status(self) -> dict:
        return {
            "companies": len(self.engine) if self.engine is not None else 0,
            "built_at": self.built_at,
            "last_sync": self.last_sync,
            "memory_bytes": self.engine.memory_bytes() if self.engine is not None else 0,
            "build_seconds": round(self.build_seconds, 3),
            "fetch_seconds": round(self.fetch_seconds, 3),
            "builds": self.builds,
            "lexicon_rebuilds": self.lexicon_rebuilds,
            "rebuilding": self.rebuilding,
            "watermark": self.watermark,
            "lexicon_version": self.lexicon_version,
            "upserted": self.upserted,
            "removed": self.removed,
        }


_lock = threading.RLock()
_index: LiveIndex | None = None


def get_index() -> LiveIndex:
    """The process's index, built on first use (once, whatever the number of threads asking)."""
    global _index
    with _lock:
        if _index is None:
            index = LiveIndex()
            index.build()
            _index = index
        return _index


def reset_index() -> None:
    """Forget the index: the next use builds it again (tests; after restoring a database)."""
    global _index
    with _lock:
        _index = None


def sync() -> dict:
    """Catch up with the database now: ``{"upserted": n, "removed": n, "lexicon": "" | "rebuilt" | "rebuilding"}``."""
    with _lock:
        return get_index().sync()


def index_status() -> dict:
    """What the process's index holds (builds it if needed); see :meth:`LiveIndex.status`."""
    with _lock:
        return get_index().status()


# --- what the workflow calls -----------------------------------------------------------------------------


def rank_need(need: Need, top_k: int = 50, *, synced: bool = False) -> list[Match]:
    """The ``top_k`` best companies for ``need``, best first, with parts, reasons and gaps.

    Syncs the index first unless ``synced`` (a caller ranking many needs syncs once, then passes True).
    """
    settings_row = MatchSettings.current()
    query = need_query(need)
    with _lock:
        index = get_index()
        if not synced:
            index.sync()
        return index.rank(query, top_k=top_k, weights=settings_row.weights(), hard_penalty=settings_row.hard_penalty)


def opportunities(company: Company, top_k: int = 20) -> list[tuple[Need, Match]]:
    """The open needs ``company`` may see, best fit first, each with the company's match for it.

    Needs whose hard requirements the company misses are left out when the need filters (``hard_filter``).
    """
    needs = need_queries(open_needs_for(company))
    row = next(company_rows(Company.objects.filter(pk=company.pk)), None)
    if not needs or row is None:
        return []
    settings_row = MatchSettings.current()
    by_id = {need.pk: need for need, _query in needs}
    with _lock:
        index = get_index()
        index.sync()
        ranked = index.engine.rank_needs(
            row, [q for _need, q in needs], settings_row.weights(), top_k=top_k, hard_penalty=settings_row.hard_penalty
        )
    return [(by_id[need_id], match) for need_id, match in ranked]
