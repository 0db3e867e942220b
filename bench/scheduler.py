"""Quality and speed of the business-meeting scheduler on generated events, against first-come-first-served.

    .venv/bin/python bench/scheduler.py                                  # 100, 500, 2,000 participants, 60 s
    .venv/bin/python bench/scheduler.py --sizes 2000 --time-limit 60 --workers 2
    .venv/bin/python bench/scheduler.py --sizes 100,500 --time-limit 10 --seed 7

Data: one generated event per size (seeded): 16 slots in two sessions of 8 (morning, afternoon), one table
per 10 participants (200 at 2,000), 30% buyers and 70% IKM. The most popular buyers (up to 60% of the
tables) sit at their own fixed table all day, the other tables float. Buyer popularity is Zipf-like, so a
few buyers draw many requests. Requests (5 per participant, at most 10,000, each pair once): 80% IKM →
buyer, 12% buyer → IKM, 8% IKM ↔ IKM; priority must 15% / want 50% / maybe 35%; 20% mutual; arrival
order random. A participant misses one session with probability 25% and a few more slots with 10%;
``max_meetings`` is 8–12.

Measured, in one process on the same instance: ``solve()`` under ``--time-limit`` with ``--workers``
CP-SAT workers (its wall time, greedy warm start and table assignment included); the peer, the
first-come-first-served greedy (``greedy(order="fcfs")``: each request in arrival order in its earliest
free slot, what organisers do by hand or in a spreadsheet); and the priority greedy. For each: weighted
meetings, meetings, idle gaps, table changes. ``bound`` is the scheduler's proven upper bound on weighted
meetings (CP-SAT's bound, capped by a counting bound); ``ratio_to_bound`` = scheduler / bound, and
``ratio_to_fcfs`` = scheduler / FCFS. Every schedule goes through the independent ``check()``; a
violation stops the run with exit code 1. Generating the instance is not timed.

The goal (issue 5): at 2,000 participants, ≥ 99% of the bound within 60 s on a 2-core machine, and
strictly more weighted meetings than FCFS on every instance. The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from jalin.events.scheduler import (  # noqa: E402
    Participant,
    Problem,
    Request,
    Result,
    Slot,
    Table,
    check,
    greedy,
    solve,
)

GOAL_RATIO = 0.99
GOAL_SIZE = 2000
SLOTS_PER_SESSION = 8
SESSIONS = 2


def generate(n: int, seed: int) -> Problem:
    """A realistic event of ``n`` participants (see the module docstring)."""
    rng = random.Random(f"{seed}-{n}")
    slots = [Slot(index=i, session=i // SLOTS_PER_SESSION) for i in range(SLOTS_PER_SESSION * SESSIONS)]
    n_tables = min(200, max(4, n // 10))
    tables = [Table(id=1000 + i) for i in range(n_tables)]
    n_buyers = max(2, round(0.3 * n))
    buyers = list(range(1, n_buyers + 1))
    ikm = list(range(n_buyers + 1, n + 1))
    rng.shuffle(buyers)  # popularity rank is independent of the id
    popularity = [1.0 / (rank + 1) ** 0.8 for rank in range(n_buyers)]
    n_fixed = min(int(0.6 * n_tables), n_buyers)
    fixed = {b: tables[i].id for i, b in enumerate(buyers[:n_fixed])}
    participants = []
    for pid in range(1, n + 1):
        available = set(range(len(slots)))
        if rng.random() < 0.25:
            missed = rng.randrange(SESSIONS)
            available -= {s.index for s in slots if s.session == missed}
        if rng.random() < 0.10:
            available -= set(rng.sample(range(len(slots)), rng.randint(1, 2)))
        participants.append(
            Participant(
                id=pid,
                available=frozenset(available),
                max_meetings=rng.randint(8, 12),
                fixed_table=fixed.get(pid),
            )
        )
    n_requests = min(10_000, 5 * n)
    pairs: set[frozenset[int]] = set()
    requests = []
    while len(requests) < n_requests:
        kind = rng.random()
        buyer = rng.choices(buyers, weights=popularity)[0]
        if kind < 0.80:
            a, b = rng.choice(ikm), buyer
        elif kind < 0.92:
            a, b = buyer, rng.choice(ikm)
        else:
            a, b = rng.sample(ikm, 2)
        pair = frozenset((a, b))
        if pair in pairs:
            continue
        pairs.add(pair)
        priority = rng.choices(["must", "want", "maybe"], weights=[15, 50, 35])[0]
        requests.append(Request(id=len(requests) + 1, a=a, b=b, priority=priority, mutual=rng.random() < 0.2))
    arrival = list(range(len(requests)))
    rng.shuffle(arrival)
    requests = [Request(r.id, r.a, r.b, r.priority, r.mutual, order=arrival[i]) for i, r in enumerate(requests)]
    return Problem(slots=slots, tables=tables, participants=participants, requests=requests)


def verify(problem: Problem, result: Result, name: str) -> None:
    """Stop the run if the schedule breaks any rule."""
    violations = check(problem, result.assignments)
    if violations:
        print(f"  {name}: {len(violations)} violations, e.g. {violations[:3]}", flush=True)
        sys.exit(1)


def figures(result: Result) -> dict:
    return {
        "weighted": result.objective,
        "meetings": result.meetings,
        "idle_gaps": result.idle_gaps,
        "table_changes": result.table_changes,
    }


def run_size(n: int, args: argparse.Namespace) -> dict:
    problem = generate(n, args.seed)
    print(
        f"{n} participants: {len(problem.requests)} requests, {len(problem.tables)} tables "
        f"({sum(p.fixed_table is not None for p in problem.participants)} fixed), {len(problem.slots)} slots",
        flush=True,
    )
    t0 = time.perf_counter()
    fcfs = greedy(problem, order="fcfs")
    fcfs_ms = (time.perf_counter() - t0) * 1000
    verify(problem, fcfs, "fcfs")
    prio = greedy(problem, order="priority")
    verify(problem, prio, "priority greedy")
    print(
        f"  fcfs greedy {fcfs.objective} ({fcfs.meetings} meetings, {fcfs_ms:.0f} ms); "
        f"priority greedy {prio.objective}; counting bound {prio.bound}",
        flush=True,
    )

    def progress(event: dict) -> None:
        extra = "".join(f" {k} {v}" for k, v in event.items() if k not in ("phase", "objective", "bound", "seconds"))
        print(
            f"  [{event['seconds']:6.1f} s] {event['phase']:<6} objective {event['objective']} "
            f"bound {event['bound']}{extra}",
            flush=True,
        )

    t0 = time.perf_counter()
    result = solve(problem, time_limit=args.time_limit, workers=args.workers, seed=args.seed, progress=progress)
    seconds = time.perf_counter() - t0
    verify(problem, result, "scheduler")
    ratio_bound = result.objective / result.bound if result.bound else 1.0
    ratio_fcfs = result.objective / fcfs.objective if fcfs.objective else float("inf")
    print(
        f"  scheduler {result.objective} ({result.meetings} meetings, {result.status}) in {seconds:.1f} s; "
        f"bound {result.bound}; {ratio_bound:.2%} of the bound, {ratio_fcfs:.3f}× fcfs; "
        f"idle gaps {result.idle_gaps} (fcfs {fcfs.idle_gaps}), table changes {result.table_changes} "
        f"(fcfs {fcfs.table_changes})",
        flush=True,
    )
    return {
        "participants": n,
        "requests": len(problem.requests),
        "tables": len(problem.tables),
        "slots": len(problem.slots),
        "scheduler": figures(result) | {"status": result.status},
        "fcfs": figures(fcfs),
        "priority_greedy": figures(prio),
        "bound": result.bound,
        "ratio_to_bound": round(ratio_bound, 5),
        "ratio_to_fcfs": round(ratio_fcfs, 4),
        "ratio_to_priority_greedy": round(result.objective / prio.objective, 4) if prio.objective else None,
        "solve_ms": round(seconds * 1000),
        "violations": 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,500,2000")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    instances = [run_size(n, args) for n in sizes]
    slack = 1.0  # the scheduler stops itself at the limit; allow a second for tearing down CP-SAT
    met = all(
        i["scheduler"]["weighted"] > i["fcfs"]["weighted"]
        and i["ratio_to_bound"] >= GOAL_RATIO
        and i["solve_ms"] <= (args.time_limit + slack) * 1000
        for i in instances
    )
    print(
        json.dumps(
            {
                "benchmark": "scheduler",
                "seed": args.seed,
                "time_limit_s": args.time_limit,
                "workers": args.workers,
                "instances": instances,
                "goal": {"ratio_to_bound": GOAL_RATIO, "time_limit_s": 60, "participants": GOAL_SIZE},
                "met": met,
                "database": None,
            }
        )
    )


if __name__ == "__main__":
    main()
