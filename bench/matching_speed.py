"""Matching at national scale: build the index from PostgreSQL, then rank every company for a need on one
core, against the same ranking done as one PostgreSQL query.

    .venv/bin/python bench/matching_speed.py                       # 1,000,000 companies in jalin_bench
    .venv/bin/python bench/matching_speed.py --companies 100000 --repeat 3

Data: the ``jalin_bench`` database of ``bench/registry.py`` (created, migrated and filled with
``jalin demo --companies N`` if missing; reused, never dropped, when there). The demo has no buyers'
needs yet, so the benchmark uses 50 needs of its own (:data:`NEEDS`): realistic requests in English and
Indonesian over the generated trades, with processes, materials, required and preferred certifications,
annual volumes and delivery plants in the industrial estates (Cikarang, Karawang, Sunter, Pasuruan…).
They are built as the engine's ``NeedQuery`` directly; nothing is written to the database.

What is timed, on ONE core (``OMP_NUM_THREADS``/``OPENBLAS_NUM_THREADS``/``MKL_NUM_THREADS`` = 1 before
NumPy loads, and ``max_parallel_workers_per_gather = 0`` for the peer):

- **build**: ``LiveIndex.build()`` — the rows read from PostgreSQL through ``matching.index.company_rows``
  (time spent inside the row generator) and the engine's own build (the rest), reported separately; the
  resident set (``ru_maxrss``) before and after, and the engine's own memory figure.
- **rank**: for each need, ``engine.rank(query, weights, top_k=20)`` — every company scored, the top 20
  returned with their parts, reasons and gaps in both languages — after a warm-up, ``--repeat`` times;
  p50/p95 over all calls. Also the adapter's ``LiveIndex.rank`` (engine + the existence check of the 20
  by primary key), and a sync with nothing to do and with one edited company (in a rolled-back
  transaction).
- **peer**: the same ranking as one SQL query per need — full-text search over
  ``to_tsvector('simple', search_text)`` (the registry's GIN index; any of the need's words, as prefixes),
  the required certifications as ``EXISTS`` filters (valid today), and a score combining ``ts_rank``,
  process and material overlap counts, preferred certifications, capacity against the monthly volume,
  haversine distance to the plant (company coordinates, else the regency centre) and readiness, with the
  programme's weights, ``ORDER BY score DESC LIMIT 20``. It returns ids and scores, no explanations.
  Its words are OR-ed (a company need not use every word of the need to be a candidate, as in the engine);
  a common word (*motor*, *karet*) matches a large share of the registry, and ``ts_rank`` parses
  ``search_text`` again for every matching row (the registry has the GIN expression index, no stored
  ``tsvector``). It is slow, so ``--peer-needs`` (default 10, evenly spread) are timed, once each after
  one warm-up query, and the ratio compares them with the engine on the same needs.
- **all needs**: the 50 needs ranked one after the other through the adapter (top 20 each).

The last line printed is JSON.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_name] = "1"  # before NumPy is imported anywhere: one core

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.registry import DEFAULT_URL, ensure_database, percentile, populate, setup_django  # noqa: E402

GOAL_P50_MS = 30
GOAL_RATIO = 20
TOP = 20

#: Delivery plants: (name, latitude, longitude).
PLANTS = {
    "cikarang": ("Cikarang", -6.3000, 107.1500),
    "karawang": ("Karawang (KIIC)", -6.3590, 107.2870),
    "sunter": ("Sunter, Jakarta Utara", -6.1420, 106.8720),
    "pulogadung": ("Pulogadung", -6.1900, 106.9100),
    "tangerang": ("Tangerang", -6.1780, 106.6300),
    "cibitung": ("Cibitung", -6.2600, 107.0800),
    "pasuruan": ("Pasuruan (PIER)", -7.6450, 112.8350),
    "semarang": ("Semarang", -6.9660, 110.4200),
    "batam": ("Batam", 1.0450, 104.0300),
}

#: Two lines a need: "title | description", then "processes | materials | required certs | preferred certs |
#: annual volume | delivery plant | hard (filter out candidates missing a required certificate) or soft (penalise)".
NEEDS_TABLE = """
Muffler assembly for 110cc scooter | Complete silencer with heat shield, chrome tip
    pipe-bending welding | steel-pipe | iso-9001 |  | 60000 | cikarang | hard
Knalpot standar motor bebek 125cc | Knalpot standar lengkap dengan leher dan sarangan
    pipe-bending welding | steel-pipe |  | iso-9001 | 36000 | sunter | hard
Brake shoe lining for drum brake | Friction lining riveted to the shoe, 130 mm drum
    stamping assembly |  | iso-9001 | sni | 240000 | karawang | hard
Kampas rem tromol motor | Kampas rem tromol belakang untuk motor matic
    assembly |  |  | sni | 120000 | pulogadung | hard
Gear shaft, heat treated | Countershaft for 4-speed gearbox, induction hardened
    turning heat-treatment | alloy-steel | iso-9001 | iatf-16949 | 48000 | cikarang | hard
Poros gir transmisi | As gir transmisi motor, dikeraskan
    turning heat-treatment grinding | alloy-steel |  |  | 24000 | semarang | hard
Cast iron brake drum FC250 | Rear brake drum, machined braking surface
    casting turning | cast-iron | iso-9001 |  | 30000 | karawang | soft
Tromol rem besi cor | Tromol belakang, cor dan bubut
    casting turning | cast-iron |  |  | 18000 | semarang | hard
Stamped bracket for rear fender | SPCC 2.3 mm, zinc plated, 3 holes
    stamping | sheet-steel | iso-9001 |  | 120000 | cikarang | hard
Braket dudukan spion | Braket pres pelat baja, dicat hitam
    stamping painting | sheet-steel |  |  | 60000 | tangerang | hard
Coil spring for rear shock absorber | SUP9 spring steel wire, shot peened
    spring-making heat-treatment | alloy-steel | iso-9001 | iatf-16949 | 200000 | cikarang | hard
Per keong shockbreaker belakang | Per shock motor bebek
    spring-making | alloy-steel |  |  | 80000 | pasuruan | hard
Leaf spring for light truck | Parabolic leaf spring, 7 leaves
    spring-making heat-treatment | alloy-steel | iso-9001 |  | 12000 | karawang | soft
Per daun truk engkel | Per daun belakang truk ringan
    spring-making | alloy-steel |  |  | 6000 | semarang | hard
Rubber engine mount | NR rubber damper bonded to steel bracket
    rubber-moulding | rubber | iso-9001 |  | 96000 | cikarang | hard
Karet peredam dudukan mesin | Karet peredam getaran mesin motor
    rubber-moulding | rubber |  |  | 48000 | cibitung | hard
Injection moulded ABS side cover | Painted ABS cover for scooter body
    injection-moulding painting | plastic | iso-9001 |  | 300000 | cikarang | hard
Cover plastik injeksi | Tutup aki plastik PP injeksi
    injection-moulding | plastic |  |  | 100000 | tangerang | hard
Hex flange bolt M8 zinc plated | Class 8.8, 25 mm, zinc plated
    forging plating | carbon-steel | sni | iso-9001 | 600000 | karawang | hard
Baut dan mur M10 | Baut mur baja, lapis galvanis
    turning plating | carbon-steel |  | sni | 400000 | pulogadung | hard
Rear sprocket 428 chain | 43T sprocket, carburised
    turning heat-treatment | carbon-steel | iso-9001 |  | 150000 | cikarang | soft
Gir sproket belakang motor | Sproket 428 untuk motor bebek
    turning heat-treatment | carbon-steel |  |  | 72000 | pasuruan | hard
Aluminium die-cast clutch cover | ADC12 clutch cover, machined faces
    die-casting cnc-machining | aluminium | iso-9001 | iso-14001 | 90000 | karawang | hard
Cover kopling aluminium | Tutup kopling cor aluminium
    die-casting | aluminium |  |  | 30000 | semarang | hard
Welded steel fuel tank | 12 litre fuel tank, leak tested, ED coated
    sheet-metal welding painting | sheet-steel | iso-9001 |  | 48000 | cikarang | hard
Tangki bensin motor | Tangki bensin pelat baja dilas
    sheet-metal welding | sheet-steel |  |  | 24000 | sunter | hard
CNC machined flange | Steel flange, 6 holes, turned and milled
    cnc-machining turning | carbon-steel |  | iso-9001 | 20000 | batam | hard
Flensa bubut CNC | Flensa baja dibubut CNC
    cnc-machining turning | carbon-steel |  |  | 12000 | pasuruan | hard
Chrome plating of handlebar | Decorative chrome, salt spray 48 h
    plating | steel-pipe | iso-9001 |  | 60000 | cikarang | hard
Pelapisan krom stang motor | Krom stang dan footstep
    plating |  |  |  | 36000 | semarang | hard
Forged steel universal joint yoke | Closed-die forged yoke, machined
    forging turning | carbon-steel | iso-9001 | iatf-16949 | 36000 | karawang | hard
Yoke tempa baja | Yoke hasil tempa untuk kopel
    forging | carbon-steel |  |  | 12000 | cibitung | hard
Wheel spokes and nipples | Spoke set for 17 inch rim, zinc plated
    plating | carbon-steel |  |  | 500000 | tangerang | hard
Jari-jari roda motor | Ruji dan nipel roda belakang
     | carbon-steel |  |  | 300000 | pasuruan | hard
NBR oil seal and gasket | Oil seal 20x32x6 and cylinder gasket
    rubber-moulding | rubber | iso-9001 |  | 250000 | cikarang | hard
Paking karet NBR | Paking blok dan sil oli
    rubber-moulding | rubber |  |  | 100000 | sunter | hard
Progressive press die for bracket | Die making, 5 stations, SKD11 inserts
    die-making | alloy-steel |  |  |  | cikarang | hard
Pembuatan dies press | Dies pres untuk braket, bahan SKD11
    die-making |  |  |  |  | semarang | hard
Cast iron V-belt pulley | FC200 pulley, bored and keyed
    casting turning | cast-iron |  | iso-9001 | 24000 | pasuruan | hard
Puli besi cor | Puli cor dibubut
    casting turning | cast-iron |  |  | 6000 |  | hard
Powder coated steel carrier frame | Rear carrier, MIG welded, black powder coat
    welding painting | steel-pipe | iso-9001 |  | 30000 | cikarang | hard
Rangka besi las dicat | Rangka boncengan las, cat powder coating
    welding painting | steel-pipe |  |  | 18000 | tangerang | hard
Brake disc machining | Disc rotor 220 mm, turned and ground
    turning grinding | carbon-steel | iso-9001 |  | 90000 | karawang | hard
Piringan cakram rem | Cakram depan motor, bubut dan gerinda
    turning grinding |  |  |  | 40000 | pasuruan | hard
Rubber bushing for suspension arm | Bonded bushing, steel sleeve
    turning rubber-moulding | rubber carbon-steel | iatf-16949 |  | 150000 | cikarang | soft
Bos arm karet | Bushing arm suspensi
    rubber-moulding | rubber |  |  | 60000 | cibitung | hard
Camshaft grinding | Cam lobes ground, induction hardened
    grinding heat-treatment | alloy-steel | iso-9001 | iatf-16949 | 24000 | karawang | hard
Noken as motor | Noken as dikeraskan dan digerinda
    grinding heat-treatment | alloy-steel |  |  | 12000 | semarang | hard
Piston pin, heat treated | Case hardened, ground to h6
    turning grinding heat-treatment | alloy-steel | iso-9001 |  | 200000 | cikarang | hard
Pen piston seher | Pen seher bubut dan gerinda
    turning grinding | alloy-steel |  |  | 60000 |  | hard
"""


def need_queries():
    import datetime

    from jalin.matching.engine.types import NeedQuery

    today = datetime.date.today().toordinal()
    queries = []
    lines = NEEDS_TABLE.strip().splitlines()
    for i, (head, facts) in enumerate(zip(lines[::2], lines[1::2], strict=True)):
        title, description = (cell.strip() for cell in head.split("|"))
        processes, materials, required, preferred, annual, plant, hard = (cell.strip() for cell in facts.split("|"))
        lat, lon = (PLANTS[plant][1], PLANTS[plant][2]) if plant else (None, None)
        queries.append(
            NeedQuery(
                id=i + 1,
                text=f"{title}\n{description}",
                processes=frozenset(processes.split()),
                materials=frozenset(materials.split()),
                required_certifications=frozenset(required.split()),
                preferred_certifications=frozenset(preferred.split()),
                monthly_volume=round(int(annual) / 12) if annual else None,
                latitude=lat,
                longitude=lon,
                hard_filter=hard == "hard",
                as_of=today,
            )
        )
    return queries


# --- the peer: one PostgreSQL query per need ----------------------------------------------------------------

PEER_SQL = """
WITH need AS (SELECT to_tsquery('simple', %(tsquery)s) AS q)
SELECT c.id,
    %(w_text)s * ts_rank(to_tsvector('simple', c.search_text), need.q)
  + %(w_processes)s * (SELECT count(*) FROM companies_company_processes cp
                       WHERE cp.company_id = c.id AND cp.process_id = ANY(%(processes)s::int[]))::float
                    / GREATEST(cardinality(%(processes)s::int[]), 1)
  + %(w_materials)s * (SELECT count(*) FROM companies_company_materials cm
                       WHERE cm.company_id = c.id AND cm.material_id = ANY(%(materials)s::int[]))::float
                    / GREATEST(cardinality(%(materials)s::int[]), 1)
  + %(w_certifications)s * (SELECT count(DISTINCT ce.certification_type_id) FROM companies_certification ce
                       WHERE ce.company_id = c.id AND ce.certification_type_id = ANY(%(preferred)s::int[])
                         AND (ce.valid_until IS NULL OR ce.valid_until >= CURRENT_DATE))::float
                    / GREATEST(cardinality(%(preferred)s::int[]), 1)
  + %(w_capacity)s * CASE WHEN %(volume)s::int IS NULL THEN 0.5
                          WHEN c.monthly_capacity IS NULL THEN 0.3
                          ELSE LEAST(1.0, c.monthly_capacity::float / %(volume)s::int) END
  + %(w_distance)s * CASE WHEN %(lat)s::float IS NULL THEN 0.5 ELSE GREATEST(0.0, 1.0 - (
        2 * 6371 * asin(sqrt(
            power(sin(radians(COALESCE(c.latitude, r.latitude)::float - %(lat)s::float) / 2), 2)
          + cos(radians(%(lat)s::float)) * cos(radians(COALESCE(c.latitude, r.latitude)::float))
          * power(sin(radians(COALESCE(c.longitude, r.longitude)::float - %(lon)s::float) / 2), 2)))
        ) / 1000.0) END
  + %(w_readiness)s * ((CASE WHEN c.verification = 'verified' THEN 0.5 ELSE 0 END) + c.completeness / 200.0)
    AS score
FROM companies_company c
JOIN regions_region r ON r.id = c.region_id
CROSS JOIN need
WHERE c.kind = 'ikm'
  AND to_tsvector('simple', c.search_text) @@ need.q
  {required}
ORDER BY score DESC, c.id
LIMIT %(top)s
"""

REQUIRED_SQL = """AND EXISTS (SELECT 1 FROM companies_certification rc WHERE rc.company_id = c.id
      AND rc.certification_type_id = %(required_{i})s
      AND (rc.valid_until IS NULL OR rc.valid_until >= CURRENT_DATE))"""

_WORD = re.compile(r"[0-9a-zà-ÿ]+")
_SKIP = frozenset({"for", "and", "the", "with", "of", "to", "dan", "untuk", "dengan", "mm"})


def peer_statement(query, ids: dict[str, dict[str, int]], weights: dict[str, float]) -> tuple[str, dict]:
    words = [w for w in _WORD.findall(query.text.lower()) if len(w) >= 2 and w not in _SKIP]
    tsquery = " | ".join(dict.fromkeys(words)) or "x"
    required = sorted(query.required_certifications) if query.hard_filter else []
    params = {f"w_{k}": v for k, v in weights.items()}
    params.update(
        tsquery=tsquery,
        processes=[ids["process"][c] for c in query.processes],
        materials=[ids["material"][c] for c in query.materials],
        preferred=[ids["cert"][c] for c in query.preferred_certifications],
        volume=query.monthly_volume,
        lat=query.latitude,
        lon=query.longitude,
        top=TOP,
    )
    for i, code in enumerate(required):
        params[f"required_{i}"] = ids["cert"][code]
    sql = PEER_SQL.replace("{required}", "\n  ".join(REQUIRED_SQL.replace("{i}", str(i)) for i in range(len(required))))
    return sql, params


# --- measuring -------------------------------------------------------------------------------------------------


def summary(values_ms: list[float]) -> dict:
    return {
        "p50": round(statistics.median(values_ms), 2),
        "p95": round(percentile(values_ms, 95), 2),
        "n": len(values_ms),
    }


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=1_000_000, help="generate this many if missing")
    parser.add_argument("--repeat", type=int, default=5, help="rankings per need (after one warm-up)")
    parser.add_argument(
        "--peer-needs", type=int, default=10, help="needs timed for the peer, evenly spread (default 10: it is slow)"
    )
    parser.add_argument("--db-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()

    ensure_database(args.db_url)
    setup_django(args.db_url)
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from jalin.companies.models import CertificationType, Company, Material, Process
    from jalin.matching import index as matching
    from jalin.matching.models import MatchSettings

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('companies_company') IS NOT NULL")
        exists = cursor.fetchone()[0]
    total = Company.objects.count() if exists else 0
    if total < args.companies:
        generated = populate(args.companies)
        print(f"generated {args.companies:,} companies in {generated or 0:,.0f} s (jalin demo)")
        total = Company.objects.count()
    else:
        call_command("migrate", verbosity=0)  # the lexicon table, and the index on Company.updated that sync() uses
    import numpy

    print(f"{total:,} companies in {connection.vendor} ({args.db_url.rsplit('/', 1)[-1]}); numpy {numpy.__version__}")

    # --- build ---
    rss_before = rss_mb()
    live = matching.LiveIndex()
    live.build()
    connection.close()
    rss_after = rss_mb()
    status = live.status()
    engine_seconds = status["build_seconds"] - status["fetch_seconds"]
    print(
        f"build: {status['companies']:,} rows fetched in {status['fetch_seconds']:.1f} s, engine build "
        f"{engine_seconds:.1f} s (total {status['build_seconds']:.1f} s)"
    )
    print(
        f"memory: max RSS {rss_before:,.0f} MB before, {rss_after:,.0f} MB after; "
        f"engine's own figure {status['memory_bytes'] / 2**20:,.0f} MB"
    )

    # --- rank (engine alone, then through the adapter) ---
    settings_row = MatchSettings()  # the programme's default weights (not read from the bench database)
    weights, penalty = settings_row.weights(), settings_row.hard_penalty
    queries = need_queries()
    engine = live.engine
    for query in queries[:5]:
        engine.rank(query, weights, top_k=TOP, hard_penalty=penalty)
    engine_ms, returned = [], []
    for query in queries:
        for _ in range(args.repeat):
            started = time.perf_counter()
            matches = engine.rank(query, weights, top_k=TOP, hard_penalty=penalty)
            engine_ms.append((time.perf_counter() - started) * 1000)
        returned.append(len(matches))
        assert all(m.reasons or m.gaps for m in matches), "every match carries its explanation"
    engine_stats = summary(engine_ms)
    print(f"rank (engine, one core, top {TOP} with explanations): p50 {engine_stats['p50']} ms, "
          f"p95 {engine_stats['p95']} ms over {engine_stats['n']} rankings of {len(queries)} needs")  # fmt: skip
    adapter_ms = []
    for query in queries:
        started = time.perf_counter()
        live.rank(query, top_k=TOP, weights=weights, hard_penalty=penalty)
        adapter_ms.append((time.perf_counter() - started) * 1000)
    adapter_stats = summary(adapter_ms)
    print(f"rank (adapter: engine + existence check): p50 {adapter_stats['p50']} ms, p95 {adapter_stats['p95']} ms")

    # --- freshness: a sync with nothing to do, and with one edited company (rolled back) ---
    idle_ms = []
    for _ in range(20):
        started = time.perf_counter()
        live.sync()
        idle_ms.append((time.perf_counter() - started) * 1000)
    with transaction.atomic():
        edited = Company.objects.filter(kind="ikm").order_by("pk").values_list("pk", flat=True)[total // 2]
        Company.objects.filter(pk=edited).update(products="Knalpot racing stainless", updated=timezone.now())
        started = time.perf_counter()
        done = live.sync()
        edit_ms = (time.perf_counter() - started) * 1000
        transaction.set_rollback(True)
    print(f"sync: {statistics.median(idle_ms):.1f} ms with nothing to do, {edit_ms:.1f} ms for one edit ({done})")

    # --- all needs, through the adapter ---
    started = time.perf_counter()
    for query in queries:
        live.rank(query, top_k=TOP, weights=weights, hard_penalty=penalty)
    all_seconds = time.perf_counter() - started
    print(f"all {len(queries)} needs (generated: the demo has no open needs yet) ranked in {all_seconds:.2f} s")

    # --- the peer ---
    ids = {
        "process": dict(Process.objects.values_list("code", "pk")),
        "material": dict(Material.objects.values_list("code", "pk")),
        "cert": dict(CertificationType.objects.values_list("code", "pk")),
    }
    step = max(1, len(queries) // max(1, args.peer_needs))
    sampled = queries[::step][: args.peer_needs]
    peer_ms, peer_rows = [], []
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")  # one core, as the engine
        cursor.execute(*peer_statement(sampled[0], ids, weights))  # warm-up
        for query in sampled:
            started = time.perf_counter()
            cursor.execute(*peer_statement(query, ids, weights))
            peer_rows.append(len(cursor.fetchall()))
            peer_ms.append((time.perf_counter() - started) * 1000)
            print(f"  peer {peer_ms[-1]:9,.0f} ms  {query.text.splitlines()[0]}")
    peer_stats = summary(peer_ms)
    engine_sampled = summary([ms for i, ms in enumerate(engine_ms) if queries[i // args.repeat] in sampled])
    print(f"peer (one PostgreSQL query per need, {len(sampled)} needs): p50 {peer_stats['p50']} ms, "
          f"p95 {peer_stats['p95']} ms; the engine on the same needs: p50 {engine_sampled['p50']} ms, "
          f"p95 {engine_sampled['p95']} ms")  # fmt: skip

    result = {
        "companies": status["companies"],
        "needs": len(queries),
        "fetch_s": round(status["fetch_seconds"], 1),
        "engine_build_s": round(engine_seconds, 1),
        "build_s": round(status["build_seconds"], 1),
        "rss_before_mb": round(rss_before),
        "rss_after_mb": round(rss_after),
        "engine_memory_mb": round(status["memory_bytes"] / 2**20),
        "rank_p50_ms": engine_stats["p50"],
        "rank_p95_ms": engine_stats["p95"],
        "adapter_rank_p50_ms": adapter_stats["p50"],
        "adapter_rank_p95_ms": adapter_stats["p95"],
        "sync_idle_ms": round(statistics.median(idle_ms), 1),
        "sync_one_edit_ms": round(edit_ms, 1),
        "all_needs_s": round(all_seconds, 2),
        "peer_needs": len(sampled),
        "peer_p50_ms": peer_stats["p50"],
        "peer_p95_ms": peer_stats["p95"],
        "engine_same_needs_p50_ms": engine_sampled["p50"],
        "ratio_p50": round(peer_stats["p50"] / engine_sampled["p50"], 1),
        "ratio_p95": round(peer_stats["p95"] / engine_sampled["p95"], 1),
        "goal_p50_ms": GOAL_P50_MS,
        "goal_ratio": GOAL_RATIO,
        "goal_met": engine_stats["p50"] <= GOAL_P50_MS and peer_stats["p50"] / engine_sampled["p50"] >= GOAL_RATIO,
        "threads": 1,
        "db": connection.vendor,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
