"""Speed of the pure matching engine at national scale: 1,000,000 companies in memory, one core, no database.

    .venv/bin/python bench/matching_engine_speed.py                      # 1,000,000 companies, 200 queries
    .venv/bin/python bench/matching_engine_speed.py --companies 200000 --queries 100

Data: synthetic ``CompanyRow`` objects made from the 4,000 visible profiles of the labelled set
(``bench/matching_labels.py``): each row takes a profile's products, processes, materials, certificates and
capacity, a fresh generated company name (so the texts are distinct and the analyser's cache does not help),
a jittered location and its own verification and completeness. Needs: the labelled set's needs (text,
processes, materials, certificates, volume, delivery plant, hard filter), cycled.

Measured, on one core (``OMP/OPENBLAS/MKL_NUM_THREADS=1`` and the process pinned to one CPU):

* build — ``MatchIndex.build`` over the rows already in memory (text analysis included; generating the
  rows is not timed);
* memory — ``MatchIndex.memory_bytes()`` and the process's resident set after the rows are dropped;
* rank — p50/p95 of ``MatchIndex.rank(need, weights, top_k=20)`` with explanations (after 5 warm-up
  queries), and of one ``upsert`` of a single company (the delta path, no merge);
* peer — the same scoring as a plain Python loop over pre-analysed rows (token counts, code sets and
  floats per row, the BM25 of each need's terms, the same parts, ``heapq.nlargest`` for the top 20 and the
  same explanations) timed on a 50,000-row slice and **extrapolated ×(N / 50,000)**; the ratio is
  peer / engine p50.

The last line printed is JSON.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import heapq  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from matching_labels import generate  # noqa: E402
from matching_quality import DEFAULT_WEIGHTS, need_query  # noqa: E402

from jalin.demo.vocabulary import NAME_FIRST, NAME_SECOND, NAME_THIRD  # noqa: E402
from jalin.matching.engine import explain as ex  # noqa: E402
from jalin.matching.engine.index import MatchIndex  # noqa: E402
from jalin.matching.engine.types import CompanyRow  # noqa: E402

GOAL_P50_MS = 30
PEER_SLICE = 50_000


def pin_one_core() -> int | None:
    if hasattr(os, "sched_setaffinity"):
        cpu = sorted(os.sched_getaffinity(0))[-1]
        os.sched_setaffinity(0, {cpu})
        return cpu
    return None


def rss_bytes() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def synthetic_rows(count: int, visible, seed: int = 1) -> list[CompanyRow]:
    rng = random.Random(seed)
    forms = ("CV", "UD", "PT", "Bengkel", "")
    templates = []
    for v in visible:
        products = v.text.split(" ", 3)[-1] if " " in v.text else ""
        templates.append((v, products, frozenset(v.processes), frozenset(v.materials)))
    rows = []
    for i in range(1, count + 1):
        v, products, processes, materials = templates[rng.randrange(len(templates))]
        name = f"{rng.choice(forms)} {rng.choice(NAME_FIRST)} {rng.choice(NAME_SECOND)} {rng.choice(NAME_THIRD)} {i}"
        located = v.latitude is not None
        rows.append(
            CompanyRow(
                id=i,
                name=name,
                text=f"{name} {products}",
                processes=processes,
                materials=materials,
                certifications=v.certifications,
                monthly_capacity=v.monthly_capacity,
                latitude=v.latitude + rng.gauss(0, 0.03) if located else None,
                longitude=v.longitude + rng.gauss(0, 0.03) if located else None,
                verified=rng.random() < 0.4,
                completeness=rng.randint(20, 100),
                region=v.region,
                kind="ikm" if rng.random() < 0.97 else "industry",
            )
        )
    return rows


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


# --- the peer: a plain Python loop ------------------------------------------------------------------------


def peer_features(index: MatchIndex, rows: list[CompanyRow]):
    out = []
    for r in rows:
        an = index.analyzer.analyse(r.text)
        company = ex.Company(
            processes=r.processes,
            processes_text=an.processes - r.processes,
            materials=r.materials,
            materials_text=an.materials - r.materials,
            certifications={c: (ex.NO_EXPIRY if d is None else d) for c, d in r.certifications.items()},
            monthly_capacity=r.monthly_capacity,
            latitude=r.latitude,
            longitude=r.longitude,
            verified=r.verified,
            completeness=r.completeness,
        )
        out.append((r.id, r.kind, Counter(an.tokens), len(an.tokens), company))
    return out


def peer_rank(index: MatchIndex, features, query, weights, top_k=20):
    w = ex.normalised_weights(weights)
    prep = index.prepare(query)
    terms = {}
    for token, qw in prep.tokens.items():
        t = index.text.vocab.get(token)
        if t is not None:
            idf, df = index.text.idf(t, len(index))
            if df:
                terms[token] = qw * idf
    k1, b, avgdl = index.text.k1, index.text.b, index.text.avgdl
    raws = []
    for _cid, kind, counts, dl, _company in features:
        raw = 0.0
        if kind in query.kinds:
            for token, wt in terms.items():
                tf = counts.get(token)
                if tf:
                    raw += wt * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
        raws.append(raw)
    top = max(raws) if raws else 0.0
    denom = max(index.text_saturation * top, index.text_floor * sum(terms.values()))
    scored = []
    for (cid, kind, _counts, _dl, company), raw in zip(features, raws, strict=True):
        if kind not in query.kinds:
            continue
        values, hard = ex.parts(prep.need, company, min(1.0, raw / denom) if denom else 0.0)
        if hard and query.hard_filter:
            continue
        scored.append((ex.score(values, w, hard, 0.5), -cid, values, company, counts))
    best = heapq.nlargest(top_k, scored, key=lambda s: (s[0], s[1]))
    return [(-s[1], s[0], ex.explain(prep.need, s[3], [c for c in prep.concepts if c in s[4]])) for s in best]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--peer-queries", type=int, default=10)
    args = parser.parse_args()
    cpu = pin_one_core()
    load = os.getloadavg()[0]
    print(f"pinned to CPU {cpu} (load average {load:.1f} on {os.cpu_count()} CPUs)")
    print(f"generating {args.companies:,} companies …")
    _truths, visible, needs = generate()
    t = time.perf_counter()
    rows = synthetic_rows(args.companies, visible)
    print(f"  rows generated in {time.perf_counter() - t:.1f} s (not part of the build)", flush=True)

    rss_before = rss_bytes()
    t, c = time.perf_counter(), time.thread_time()
    index = MatchIndex.build(rows)
    build_s, build_cpu_s = time.perf_counter() - t, time.thread_time() - c
    print(f"build: {build_s:.1f} s, CPU {build_cpu_s:.1f} s ({args.companies / build_s:,.0f} companies/s)", flush=True)
    peer_rows = rows[:PEER_SLICE]
    upsert_rows = [rows[i] for i in range(0, len(rows), max(1, len(rows) // 200))][:200]
    del rows
    gc.collect()
    memory = index.memory_bytes()
    rss = rss_bytes()
    print(f"index memory_bytes(): {memory / 2**20:,.0f} MiB; process RSS {rss / 2**20:,.0f} MiB", flush=True)

    queries = [need_query(n) for n in needs]
    for q in queries[:5]:
        index.rank(q, DEFAULT_WEIGHTS, top_k=20)
    times, cpu_times, candidates = [], [], []
    for i in range(args.queries):
        q = queries[i % len(queries)]
        t, c = time.perf_counter(), time.thread_time()
        matches = index.rank(q, DEFAULT_WEIGHTS, top_k=20)
        cpu_times.append((time.thread_time() - c) * 1000)
        times.append((time.perf_counter() - t) * 1000)
        candidates.append(len(matches))
    p50, p95 = statistics.median(times), percentile(times, 0.95)
    cpu50, cpu95 = statistics.median(cpu_times), percentile(cpu_times, 0.95)
    print(f"rank top 20 with explanations over {len(index):,} companies: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(f"  CPU time of the rank call (less sensitive to other load): p50 {cpu50:.1f} ms, p95 {cpu95:.1f} ms")

    upsert_ms = []
    for r in upsert_rows:
        changed = CompanyRow(**{**r.__dict__, "text": r.text + " las mig", "monthly_capacity": 9000})
        t = time.perf_counter()
        index.upsert([changed])
        upsert_ms.append((time.perf_counter() - t) * 1000)
    up50 = statistics.median(upsert_ms)
    t = time.perf_counter()
    after = index.rank(queries[0], DEFAULT_WEIGHTS, top_k=20)
    after_ms = (time.perf_counter() - t) * 1000
    t, c = time.perf_counter(), time.thread_time()
    index.compact()
    compact_s, compact_cpu_s = time.perf_counter() - t, time.thread_time() - c
    print(f"upsert one company: p50 {up50:.2f} ms; rank with {len(upsert_rows)} in the delta {after_ms:.1f} ms;")
    print(f"  merge of the delta (compact): {compact_s:.2f} s, CPU {compact_cpu_s:.2f} s")
    del after

    features = peer_features(index, peer_rows)
    peer_ms, peer_cpu = [], []
    for i in range(args.peer_queries):
        q = queries[i % len(queries)]
        t, c = time.perf_counter(), time.thread_time()
        peer_rank(index, features, q, DEFAULT_WEIGHTS)
        peer_ms.append((time.perf_counter() - t) * 1000)
        peer_cpu.append((time.thread_time() - c) * 1000)
    peer_slice_ms = statistics.median(peer_ms)
    peer_full_ms = peer_slice_ms * len(index) / len(peer_rows)
    ratio = peer_full_ms / p50
    ratio_cpu = statistics.median(peer_cpu) * len(index) / len(peer_rows) / cpu50
    print(
        f"peer (plain Python loop): {peer_slice_ms:.0f} ms per need on {len(peer_rows):,} rows, "
        f"extrapolated ×{len(index) / len(peer_rows):.0f} → {peer_full_ms / 1000:.1f} s; ratio {ratio:,.0f}×"
    )
    print(
        json.dumps(
            {
                "companies": len(index),
                "queries": args.queries,
                "build_s": round(build_s, 1),
                "build_cpu_s": round(build_cpu_s, 1),
                "index_memory_bytes": memory,
                "rss_bytes": rss,
                "rss_before_build_bytes": rss_before,
                "rank_p50_ms": round(p50, 2),
                "rank_p95_ms": round(p95, 2),
                "rank_cpu_p50_ms": round(cpu50, 2),
                "rank_cpu_p95_ms": round(cpu95, 2),
                "goal_p50_ms": GOAL_P50_MS,
                "upsert_p50_ms": round(up50, 3),
                "compact_s": round(compact_s, 2),
                "compact_cpu_s": round(compact_cpu_s, 2),
                "peer_slice_rows": len(peer_rows),
                "peer_slice_ms": round(peer_slice_ms, 1),
                "peer_extrapolated_ms": round(peer_full_ms, 0),
                "ratio": round(ratio, 1),
                "ratio_cpu": round(ratio_cpu, 1),
                "cpu": cpu,
                "loadavg_1m": round(os.getloadavg()[0], 2),
                "mean_matches": round(sum(candidates) / len(candidates), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
