"""Matching quality on a labelled set: the engine against plain full-text BM25, in the same run.

    .venv/bin/python bench/matching_quality.py                 # default: 4,000 companies, ~68 needs
    .venv/bin/python bench/matching_quality.py --ablations     # also the engine's variants (what moves it)
    .venv/bin/python bench/matching_quality.py --tune          # weight search on odd needs, checked on even ones
    .venv/bin/python bench/matching_quality.py --write-docs    # refresh the generated part of the doc

The labelled set comes from ``bench/matching_labels.py`` (seeded: the same every run): companies with a
hidden true profile and a noisy visible one, needs written as buyers write them, each (need, company)
graded 0–3 from the hidden truth. It is written to ``var/bench/matching_labels.json`` (not committed).

Engine: ``jalin.matching.engine.index.MatchIndex`` built from the visible profiles (text = name,
products, HS codes; processes, materials, certificates, capacity, location, verification), each need
ranked with the default weights of ``MatchSettings`` and its hard filter or penalty, top 20 with
explanations — exactly what the product does. Baseline: ``rank_bm25.BM25Okapi`` over the same visible
text, lower case, split on anything that is not a letter or a digit, no lexicon (the "plain full-text"
a developer would otherwise use). If ``DATABASE_URL`` is PostgreSQL, also ``ts_rank`` over
``to_tsvector('simple', text)`` with the need's words OR-ed.

Metrics (averaged over needs): nDCG@10 with gain 2^grade − 1 and the ideal ranking over all graded
companies; P@5 with grade ≥ 2 relevant; Recall@20 = relevant in the top 20 / min(20, relevant).
The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from matching_labels import AS_OF, FAMILY, SEED, generate, write  # noqa: E402
from rank_bm25 import BM25Okapi  # noqa: E402

from jalin.matching.engine.index import TERM_WEIGHTS, MatchIndex  # noqa: E402
from jalin.matching.engine.text import Analyzer  # noqa: E402
from jalin.matching.engine.types import WEIGHTS, CompanyRow, NeedQuery  # noqa: E402


def _programme_defaults() -> tuple[dict[str, float], float]:
    """The weights and hard penalty a new programme starts with: MatchSettings' field defaults."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jalin.settings")
    import django

    django.setup()
    from jalin.matching.models import MatchSettings

    fields = {f.name: f.default for f in MatchSettings._meta.get_fields() if hasattr(f, "default")}
    return {name: fields[name] for name in WEIGHTS}, fields["hard_penalty"]


DEFAULT_WEIGHTS, HARD_PENALTY = _programme_defaults()
GOAL_NDCG, GOAL_RATIO = 0.85, 1.6
DOC = ROOT / "docs" / "matching-quality.md"
_WORD = re.compile(r"[a-z0-9]+")


# --- metrics ----------------------------------------------------------------------------------------------


def metrics(ranked: list[int], grades: dict[int, int]) -> dict[str, float]:
    gains = [(2 ** grades.get(c, 0) - 1) for c in ranked[:10]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted(grades.values(), reverse=True)[:10]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    relevant = sum(g >= 2 for g in grades.values())
    return {
        "ndcg@10": dcg / idcg if idcg else 0.0,
        "p@5": sum(grades.get(c, 0) >= 2 for c in ranked[:5]) / 5,
        "recall@20": sum(grades.get(c, 0) >= 2 for c in ranked[:20]) / min(20, relevant) if relevant else 0.0,
    }


def mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(float(np.mean([r[k] for r in rows])), 4) for k in rows[0]} if rows else {}


# --- systems ----------------------------------------------------------------------------------------------


def company_rows(visible) -> list[CompanyRow]:
    return [
        CompanyRow(
            id=v.id,
            name=v.name,
            text=v.text,
            processes=frozenset(v.processes),
            materials=frozenset(v.materials),
            certifications=dict(v.certifications),
            monthly_capacity=v.monthly_capacity,
            latitude=v.latitude,
            longitude=v.longitude,
            verified=v.verified,
            completeness=v.completeness,
            region=v.region,
        )
        for v in visible
    ]


def need_query(n) -> NeedQuery:
    return NeedQuery(
        id=n.id,
        text=n.text,
        processes=frozenset(n.processes),
        materials=frozenset(n.materials),
        required_certifications=frozenset(n.required),
        preferred_certifications=frozenset(n.preferred),
        monthly_volume=n.monthly_volume,
        latitude=n.latitude,
        longitude=n.longitude,
        hard_filter=n.hard_filter,
        as_of=n.as_of,
    )


def run_engine(index: MatchIndex, needs, weights=DEFAULT_WEIGHTS, penalty=HARD_PENALTY):
    per_need, ranked_all = [], {}
    for n in needs:
        ranked = [m.company_id for m in index.rank(need_query(n), weights, top_k=20, hard_penalty=penalty)]
        ranked_all[n.id] = ranked
        per_need.append(metrics(ranked, n.grades))
    return mean(per_need), ranked_all, per_need


def plain_tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def run_bm25(visible, needs):
    ids = np.array([v.id for v in visible])
    bm25 = BM25Okapi([plain_tokens(v.text) or ["∅"] for v in visible])
    per_need, ranked_all = [], {}
    for n in needs:
        scores = bm25.get_scores(plain_tokens(n.text))
        order = np.lexsort((ids, -scores))[:20]
        ranked = [int(ids[i]) for i in order]
        ranked_all[n.id] = ranked
        per_need.append(metrics(ranked, n.grades))
    return mean(per_need), ranked_all, per_need


def run_postgres(visible, needs):
    """ts_rank over to_tsvector('simple', text) with the need's words OR-ed (only with a PostgreSQL URL)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    import psycopg

    per_need = []
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        # A temporary table: it lives in this session only and leaves the database as it was.
        cur.execute("CREATE TEMP TABLE bench_company (id int primary key, body text)")
        with cur.copy("COPY bench_company (id, body) FROM STDIN") as copy:
            for v in visible:
                copy.write_row((v.id, v.text))
        cur.execute("ALTER TABLE bench_company ADD COLUMN doc tsvector")
        cur.execute("UPDATE bench_company SET doc = to_tsvector('simple', body)")
        for n in needs:
            words = sorted(set(plain_tokens(n.text)))
            query = " | ".join(words) or "x"
            cur.execute(
                "SELECT id FROM bench_company, to_tsquery('simple', %s) q WHERE doc @@ q "
                "ORDER BY ts_rank(doc, q) DESC, id LIMIT 20",
                (query,),
            )
            per_need.append(metrics([r[0] for r in cur.fetchall()], n.grades))
    return mean(per_need)


# --- reporting --------------------------------------------------------------------------------------------


def table(rows: list[tuple[str, dict[str, float]]]) -> str:
    out = ["| system | nDCG@10 | P@5 | Recall@20 |", "|---|---:|---:|---:|"]
    for name, m in rows:
        out.append(f"| {name} | {m['ndcg@10']:.3f} | {m['p@5']:.3f} | {m['recall@20']:.3f} |")
    return "\n".join(out)


def sample(visible, needs, engine_ranked, bm25_ranked, count=5) -> str:
    by_id = {v.id: v for v in visible}
    rng = random.Random(7)
    out = []
    for n in rng.sample(needs, count):
        counts = {g: sum(1 for x in n.grades.values() if x == g) for g in (3, 2, 1)}
        out.append(f"### Need {n.id} — family `{n.family}`\n")
        out.append(f"> {n.text}\n")
        out.append(
            f"Monthly volume {n.monthly_volume:,}; required {', '.join(n.required) or '—'}; "
            f"preferred {', '.join(n.preferred) or '—'}; processes given {', '.join(n.processes) or '—'}; "
            f"{'hard filter' if n.hard_filter else 'penalty'}. Graded companies: {counts[3]} × 3, "
            f"{counts[2]} × 2, {counts[1]} × 1.\n"
        )
        out.append("| rank | engine (grade) | visible text | BM25 (grade) | visible text |")
        out.append("|---:|---|---|---|---|")
        for i in range(5):
            cells = []
            for ranked in (engine_ranked[n.id], bm25_ranked[n.id]):
                if i < len(ranked):
                    c = ranked[i]
                    text = by_id[c].text.replace("|", "/")[:70]
                    cells += [f"{c} ({n.grades.get(c, 0)})", text]
                else:
                    cells += ["", ""]
            out.append(f"| {i + 1} | " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def write_docs(block: str) -> None:
    start, end = "<!-- generated:start -->", "<!-- generated:end -->"
    text = DOC.read_text() if DOC.exists() else f"# Matching quality\n\n{start}\n{end}\n"
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    DOC.write_text(f"{head}{start}\n{block}\n{end}{tail}")


# --- variants ---------------------------------------------------------------------------------------------


def ablations(rows, needs) -> list[tuple[str, dict[str, float]]]:
    out = []
    variants = [
        ("engine, affix stripper on", {"analyzer": Analyzer(affixes=True)}, DEFAULT_WEIGHTS),
        ("engine, English plurals off", {"analyzer": Analyzer(plurals=False)}, DEFAULT_WEIGHTS),
        ("engine, no lexicon", {"analyzer": Analyzer(builtin_lexicon=False)}, DEFAULT_WEIGHTS),
        ("engine, every query word weighs 1", {"term_weights": dict.fromkeys(TERM_WEIGHTS, 1.0)}, DEFAULT_WEIGHTS),
        ("engine, unknown words weigh 1", {"term_weights": {"raw": 1.0}}, DEFAULT_WEIGHTS),
        ("engine, unknown words weigh 0.25", {"term_weights": {"raw": 0.25}}, DEFAULT_WEIGHTS),
        (
            "engine, processes/materials in text weigh 1",
            {"term_weights": {"process": 1, "material": 1}},
            DEFAULT_WEIGHTS,
        ),
        ("engine, no text floor", {"text_floor": 0.0}, DEFAULT_WEIGHTS),
        ("engine, text floor 0.6", {"text_floor": 0.6}, DEFAULT_WEIGHTS),
        ("engine, text saturation 1.0 (text = BM25 / top)", {"text_saturation": 1.0}, DEFAULT_WEIGHTS),
        ("engine, text saturation 0.9", {"text_saturation": 0.9}, DEFAULT_WEIGHTS),
        ("engine, text saturation 0.7", {"text_saturation": 0.7}, DEFAULT_WEIGHTS),
        ("engine, text saturation 0.55", {"text_saturation": 0.55}, DEFAULT_WEIGHTS),
        ("engine, query term frequency off (a repeated word counts once)", {"query_tf": 0.0}, DEFAULT_WEIGHTS),
        ("engine, query term frequency linear (k3 = 1000)", {"query_tf": 1000.0}, DEFAULT_WEIGHTS),
        ("engine, capacity fit linear (power 1)", {"capacity_power": 1.0}, DEFAULT_WEIGHTS),
        ("engine, capacity fit power 2", {"capacity_power": 2.0}, DEFAULT_WEIGHTS),
        ("engine, no fit gate (fit parts independent of text)", {"gate_floor": 1.0}, DEFAULT_WEIGHTS),
        ("engine, fit gate floor 0 (no text, no fit parts)", {"gate_floor": 0.0}, DEFAULT_WEIGHTS),
        (
            "engine as before #4's changes (k3 0, linear capacity, no gate, saturation 0.7)",
            {"query_tf": 0.0, "capacity_power": 1.0, "gate_floor": 1.0, "text_saturation": 0.7},
            DEFAULT_WEIGHTS,
        ),
        ("engine, no process route (another route keeps all of its text part)", {"route_factor": 1.0}, DEFAULT_WEIGHTS),
        ("engine, process route factor 0.5", {"route_factor": 0.5}, DEFAULT_WEIGHTS),
        ("engine, no purpose rule (a part after 'for' weighs as a part)", {"purpose": False}, DEFAULT_WEIGHTS),
        ("engine, text part only", {}, {"text": 1}),
        ("engine, structured parts only (no text, no fit gate)", {"gate_floor": 1.0}, {**DEFAULT_WEIGHTS, "text": 0}),
        ("engine, no distance/readiness", {}, {**DEFAULT_WEIGHTS, "distance": 0, "readiness": 0}),
    ]
    for name, options, weights in variants:
        index = MatchIndex.build(rows, **options)
        out.append((name, run_engine(index, needs, weights)[0]))
    return out


def tune(index: MatchIndex, needs, rounds: int = 3) -> tuple[dict[str, float], dict, dict]:
    """Coordinate search of the weights on the odd needs (each weight ×0, ×0.5, ×1.5, ×2, ×3 in turn, kept when
    nDCG@10 rises); the result is then measured on the even needs, which the search never saw."""
    train = [n for n in needs if n.id % 2]
    test = [n for n in needs if not n.id % 2]
    best_w = dict(DEFAULT_WEIGHTS)
    best = run_engine(index, train, best_w)[0]["ndcg@10"]
    for _ in range(rounds):
        improved = False
        for name in DEFAULT_WEIGHTS:
            for factor in (0, 0.5, 1.5, 2, 3):
                w = {**best_w, name: round(best_w[name] * factor, 4) if best_w[name] else 0.05 * factor}
                score = run_engine(index, train, w)[0]["ndcg@10"]
                if score > best + 1e-4:
                    best, best_w, improved = score, w, True
        if not improved:
            break
    total = sum(best_w.values())
    best_w = {k: round(v / total, 3) for k, v in best_w.items()}
    return best_w, run_engine(index, train, best_w)[0], run_engine(index, test, best_w)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=4000)
    parser.add_argument(
        "--seed", type=int, default=SEED, help=f"labelled set's seed (default {SEED}; others: held out)"
    )
    parser.add_argument("--ablations", action="store_true")
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args()

    t0 = time.perf_counter()
    truths, visible, needs = generate(args.companies, seed=args.seed)
    path = write(args.out, truths, visible, needs, seed=args.seed)
    print(f"labelled set: {len(visible):,} companies, {len(needs)} needs, {len(FAMILY)} part families → {path}")
    graded = [sum(1 for g in n.grades.values() if g >= 2) for n in needs]
    print(f"relevant (grade ≥ 2) per need: median {int(np.median(graded))}, min {min(graded)}, max {max(graded)}")

    rows = company_rows(visible)
    t1 = time.perf_counter()
    index = MatchIndex.build(rows)
    build_s = time.perf_counter() - t1
    engine, engine_ranked, engine_per = run_engine(index, needs)
    bm25, bm25_ranked, _ = run_bm25(visible, needs)
    results = [("engine (lexicon + structured parts)", engine), ("BM25Okapi, plain tokens", bm25)]
    pg = run_postgres(visible, needs)
    if pg:
        results.append(("PostgreSQL ts_rank, simple", pg))
    ratio = engine["ndcg@10"] / bm25["ndcg@10"] if bm25["ndcg@10"] else float("inf")
    print()
    print(table(results))
    print(f"\nengine/BM25 nDCG@10 ratio {ratio:.2f} (goal ≥ {GOAL_RATIO}); engine nDCG@10 goal ≥ {GOAL_NDCG}")
    worst = sorted(zip(needs, engine_per, strict=True), key=lambda p: p[1]["ndcg@10"])[:5]
    print("weakest needs: " + "; ".join(f"#{n.id} {n.family} {m['ndcg@10']:.2f}" for n, m in worst))
    extra: dict = {}
    if args.ablations:
        rows_ab = ablations(rows, needs)
        print("\n" + table([("engine (default)", engine), *rows_ab]))
        extra["ablations"] = dict(rows_ab)
    if args.tune:
        best_w, train_m, test_m = tune(index, needs)
        print(f"\ntuned weights (odd needs): {best_w}")
        print(f"  odd needs nDCG@10 {train_m['ndcg@10']:.3f}; even needs (held out) nDCG@10 {test_m['ndcg@10']:.3f}")
        default_even = run_engine(index, [n for n in needs if not n.id % 2])[0]
        print(f"  default weights on the even needs: nDCG@10 {default_even['ndcg@10']:.3f}")
        extra["tuned"] = {"weights": best_w, "odd": train_m, "even": test_m, "default_even": default_even}
    if args.write_docs:
        block = [
            f"Generated by `.venv/bin/python bench/matching_quality.py --write-docs` (seed fixed): "
            f"{len(visible):,} companies, {len(needs)} needs, as of {date.fromordinal(AS_OF).isoformat()}.\n",
            table(results),
            f"\nRatio engine/BM25 nDCG@10: **{ratio:.2f}**.\n",
        ]
        if "ablations" in extra:
            block += ["#### Variants of the engine\n", table([("engine (default)", engine), *rows_ab]), ""]
        block += ["### Sample: five needs, the engine's top 5 and BM25's top 5 with their grades\n"]
        block.append(sample(visible, needs, engine_ranked, bm25_ranked))
        write_docs("\n".join(block))
        print(f"\nwrote {DOC.relative_to(ROOT)}")
    summary = {
        "seed": args.seed,
        "needs": len(needs),
        "companies": len(visible),
        "engine": engine,
        "bm25": bm25,
        "ratio_ndcg": round(ratio, 3),
        "goal_ndcg": GOAL_NDCG,
        "goal_ratio": GOAL_RATIO,
        "index_build_s": round(build_s, 3),
        "elapsed_s": round(time.perf_counter() - t0, 1),
    }
    if pg:
        summary["postgres_ts_rank"] = pg
    if "tuned" in extra:
        summary["tuned"] = extra["tuned"]
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
