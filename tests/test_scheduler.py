"""The business-meeting scheduler's pure core: small instances with known optima, the checker, properties."""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys

import pytest

from jalin.events.scheduler import (
    PRIORITY_WEIGHTS,
    Assignment,
    Participant,
    Problem,
    Request,
    Slot,
    Table,
    check,
    greedy,
    solve,
    validate,
    weight,
)

LIMIT = 2.0


def slots(n: int, session_size: int | None = None) -> list[Slot]:
    size = session_size or n
    return [Slot(index=i, session=i // size) for i in range(n)]


def people(n: int, n_slots: int, **overrides: dict) -> list[Participant]:
    """Participants 1..n available in every slot; ``overrides`` maps "p<id>" to field values."""
    out = []
    for pid in range(1, n + 1):
        fields = {"available": frozenset(range(n_slots))} | overrides.get(f"p{pid}", {})
        out.append(Participant(id=pid, **fields))
    return out


def problem(n_people: int, n_slots: int, pairs: list[tuple], n_tables: int = 10, **kw) -> Problem:
    """Requests from (a, b[, priority[, mutual]]) tuples with ids 1.. in arrival order."""
    requests = [Request(i + 1, p[0], p[1], *p[2:], order=i) for i, p in enumerate(pairs)]
    overrides = kw.pop("overrides", {})
    return Problem(
        slots=kw.pop("slots", None) or slots(n_slots),
        tables=[Table(100 + t) for t in range(n_tables)],
        participants=people(n_people, n_slots, **overrides),
        requests=requests,
        **kw,
    )


def scheduled(result) -> set[int]:
    return {a.request_id for a in result.assignments}


# --- known optima ---------------------------------------------------------------------------------------


def test_triangle_in_one_slot_holds_exactly_one_meeting() -> None:
    p = problem(3, 1, [(1, 2), (2, 3), (1, 3)])
    result = solve(p, time_limit=LIMIT)
    assert result.meetings == 1
    assert result.status == "optimal"
    assert result.objective == result.bound == PRIORITY_WEIGHTS["want"]
    assert check(p, result.assignments) == []


def test_a_must_beats_two_maybes() -> None:
    p = problem(4, 1, [(1, 3, "maybe"), (2, 4, "maybe"), (1, 2, "must")])
    result = solve(p, time_limit=LIMIT)
    assert scheduled(result) == {3}
    assert result.objective == 100


def test_mutual_beats_one_sided() -> None:
    p = problem(3, 1, [(1, 2, "want"), (1, 3, "want", True)])
    result = solve(p, time_limit=LIMIT)
    assert scheduled(result) == {2}
    assert weight(p.requests[1]) > weight(p.requests[0])


def test_availability_is_respected() -> None:
    p = problem(
        3, 3, [(1, 2), (1, 3)], overrides={"p2": {"available": frozenset({1})}, "p3": {"available": frozenset({1})}}
    )
    result = solve(p, time_limit=LIMIT)
    assert result.meetings == 1
    assert [a.slot for a in result.assignments] == [1]


def test_max_meetings_is_respected() -> None:
    p = problem(3, 2, [(1, 2), (1, 3)], overrides={"p1": {"max_meetings": 1}})
    result = solve(p, time_limit=LIMIT)
    assert result.meetings == 1


def test_table_capacity() -> None:
    p = problem(6, 1, [(1, 2), (3, 4), (5, 6)], n_tables=2)
    result = solve(p, time_limit=LIMIT)
    assert result.meetings == 2
    assert result.bound == 20


def test_fixed_table_is_used_and_kept_free_for_its_owner() -> None:
    p = problem(5, 2, [(2, 1), (3, 1), (4, 5)], n_tables=2, overrides={"p1": {"fixed_table": 100}})
    result = solve(p, time_limit=LIMIT)
    assert result.meetings == 3
    by_request = {a.request_id: a for a in result.assignments}
    assert by_request[1].table == by_request[2].table == 100
    assert by_request[3].table == 101
    assert result.table_changes == 0
    assert check(p, result.assignments) == []


def test_locked_meeting_is_kept_even_when_suboptimal() -> None:
    p = problem(3, 1, [(1, 2, "maybe"), (1, 3, "must")], locked=[Assignment(1, 0, 101)])
    result = solve(p, time_limit=LIMIT)
    assert result.assignments == [Assignment(1, 0, 101)]
    assert result.objective == 2
    assert result.unscheduled == [2]


def test_rescheduling_moves_only_the_affected_meeting() -> None:
    pairs = [(1, 2), (1, 3), (2, 4), (3, 5), (4, 6), (5, 6), (1, 6), (2, 5)]
    p = problem(6, 4, pairs, n_tables=3)
    first = solve(p, time_limit=LIMIT, workers=1, deterministic=True)
    assert first.meetings == len(pairs)
    victim = next(a for a in first.assignments if a.request_id == 1)
    participants = [Participant(x.id, x.available - {victim.slot}) if x.id == 1 else x for x in p.participants]
    again = Problem(p.slots, p.tables, participants, p.requests, previous=first.assignments)
    second = solve(again, time_limit=LIMIT, workers=1, deterministic=True)
    assert check(again, second.assignments) == []
    assert second.objective == first.objective
    # Only request 1 leaves its slot; every other meeting keeps its slot and table.
    assert second.moved == 1
    assert set(first.assignments) - set(second.assignments) == {victim}


def test_idle_gaps_are_minimised() -> None:
    # Priority greedy books 1–2 (heavier) in slot 0 first, then 1–3 can only go to slot 3: two idle slots.
    p = problem(3, 4, [(1, 2, "must"), (1, 3, "want")], overrides={"p3": {"available": frozenset({3})}})
    assert greedy(p, order="priority").idle_gaps == 2
    result = solve(p, time_limit=LIMIT)
    assert result.meetings == 2
    assert result.idle_gaps == 0
    assert sorted(a.slot for a in result.assignments) == [2, 3]


def test_gaps_count_only_within_a_session() -> None:
    p = problem(
        3,
        4,
        [(1, 2), (1, 3)],
        slots=slots(4, session_size=2),
        overrides={"p2": {"available": frozenset({0})}, "p3": {"available": frozenset({3})}},
    )
    result = solve(p, time_limit=LIMIT)
    assert result.meetings == 2
    assert result.idle_gaps == 0


def test_locked_conflict_is_reported() -> None:
    p = problem(3, 1, [(1, 2), (1, 3)], locked=[Assignment(1, 0, 100), Assignment(2, 0, 101)])
    result = solve(p, time_limit=LIMIT)
    assert result.status == "infeasible_locked"
    assert any("participant 1 meets twice" in e for e in result.errors)
    assert result.assignments == []


def test_invalid_problem_is_not_scheduled() -> None:
    p = problem(2, 1, [(1, 9)])
    assert solve(p, time_limit=LIMIT).status == "invalid"
    assert greedy(p).status == "invalid"


# --- check() catches each kind of violation ---------------------------------------------------------------


@pytest.fixture
def base() -> Problem:
    return problem(
        4,
        2,
        [(1, 2), (3, 4), (1, 3), (2, 4)],
        n_tables=3,
        overrides={"p1": {"max_meetings": 1}, "p4": {"available": frozenset({0}), "fixed_table": 102}},
    )


@pytest.mark.parametrize(
    ("assignments", "message"),
    [
        ([Assignment(99, 0, 100)], "request 99 is unknown"),
        ([Assignment(1, 0, 100), Assignment(1, 1, 101)], "scheduled more than once"),
        ([Assignment(1, 7, 100)], "unknown slot 7"),
        ([Assignment(1, 0, 555)], "unknown table 555"),
        ([Assignment(2, 1, 102)], "participant 4 is not available in slot 1"),
        ([Assignment(1, 0, 100), Assignment(3, 0, 101)], "participant 1 meets twice in slot 0"),
        ([Assignment(1, 0, 100), Assignment(2, 0, 100)], "table 100 is used twice"),
        ([Assignment(1, 0, 100), Assignment(3, 1, 101)], "participant 1 has more than 1 meetings"),
        ([Assignment(2, 0, 100)], "must be at fixed table 102"),
        ([Assignment(1, 0, 102)], "fixed for participant 4"),
    ],
)
def test_check_catches(base: Problem, assignments: list[Assignment], message: str) -> None:
    violations = check(base, assignments)
    assert any(message in v for v in violations), violations


def test_check_catches_a_moved_or_dropped_locked_meeting(base: Problem) -> None:
    base.locked = [Assignment(1, 0, 100)]
    assert check(base, [Assignment(1, 0, 100)]) == []
    assert any("moved" in v for v in check(base, [Assignment(1, 1, 100)]))
    assert any("not scheduled" in v for v in check(base, []))


def test_check_accepts_a_valid_schedule(base: Problem) -> None:
    assert check(base, [Assignment(1, 0, 100), Assignment(2, 0, 102)]) == []
    assert check(base, [Assignment(3, 1, 101), Assignment(2, 0, 102)]) == []


# --- validate(), as_dict(), purity ----------------------------------------------------------------------


def test_validate_messages() -> None:
    p = Problem(
        slots=slots(2),
        tables=[Table(1)],
        participants=[
            Participant(1, frozenset({0, 5})),
            Participant(2, frozenset({0}), fixed_table=9),
            Participant(3, frozenset({1}), max_meetings=-1),
        ],
        requests=[Request(1, 1, 1), Request(1, 1, 4), Request(2, 1, 2, priority="urgent"), Request(3, 1, 3)],
        locked=[Assignment(3, 0, 1), Assignment(7, 0, 1), Assignment(2, 1, 2)],
    )
    assert validate(p) == [
        "participant 1 is available in unknown slots [5]",
        "participant 2 has unknown fixed table 9",
        "participant 3 has negative max_meetings -1",
        "request 1 pairs participant 1 with itself",
        "duplicate request 1",
        "request 1 names unknown participant 4",
        "request 2 has unknown priority 'urgent'",
        "locked request 7 is unknown",
        "locked request 2 is at unknown table 2",
        "locked participant 3 is not available in slot 0 (request 3)",
    ]
    assert validate(problem(2, 1, [(1, 2)])) == []


def test_shared_fixed_table_is_allowed_and_used_in_turns() -> None:
    p = problem(
        4,
        2,
        [(3, 1), (4, 2)],
        n_tables=1,
        overrides={"p1": {"fixed_table": 100}, "p2": {"fixed_table": 100}},
    )
    assert validate(p) == []
    result = solve(p, time_limit=LIMIT)
    assert result.meetings == 2
    assert sorted(a.slot for a in result.assignments) == [0, 1]


def test_as_dict_is_json_serialisable() -> None:
    result = solve(problem(3, 2, [(1, 2), (2, 3)]), time_limit=LIMIT)
    data = json.loads(json.dumps(result.as_dict()))
    assert data["meetings"] == 2
    assert data["assignments"][0].keys() == {"request_id", "slot", "table"}
    assert {"status", "objective", "bound", "gap", "solve_seconds", "idle_gaps", "table_changes", "moved"} <= set(data)


def test_progress_reports_each_phase() -> None:
    events: list[dict] = []
    solve(problem(4, 3, [(1, 2), (3, 4), (1, 3)]), time_limit=LIMIT, progress=events.append)
    assert {"greedy", "tables"} <= {e["phase"] for e in events}
    assert all({"phase", "objective", "bound", "seconds"} <= set(e) for e in events)


def test_core_does_not_import_django() -> None:
    code = "import sys, jalin.events.scheduler; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- random instances -----------------------------------------------------------------------------------


def random_problem(rng: random.Random, n_people: int, n_requests: int, n_slots: int, n_tables: int) -> Problem:
    the_slots = slots(n_slots, session_size=max(1, (n_slots + 1) // 2))
    participants = []
    for pid in range(1, n_people + 1):
        available = frozenset(s for s in range(n_slots) if rng.random() < 0.8)
        fixed = 100 if pid == 1 and rng.random() < 0.5 else None
        participants.append(Participant(pid, available, max_meetings=rng.choice([None, 1, 2, 3]), fixed_table=fixed))
    pairs = list(itertools.combinations(range(1, n_people + 1), 2))
    rng.shuffle(pairs)
    requests = [
        Request(i + 1, a, b, rng.choice(list(PRIORITY_WEIGHTS)), rng.random() < 0.2, order=rng.randrange(100))
        for i, (a, b) in enumerate(pairs[:n_requests])
    ]
    tables = [Table(100 + t) for t in range(n_tables)]
    return Problem(the_slots, tables, participants, requests)


def brute_force(p: Problem) -> int:
    """The best weighted meetings over every choice of (slot, table) or nothing per request."""
    options = [None] + [(s.index, t.id) for s in p.slots for t in p.tables]
    best = 0
    for choice in itertools.product(options, repeat=len(p.requests)):
        assignments = [Assignment(r.id, *c) for r, c in zip(p.requests, choice, strict=True) if c is not None]
        total = sum(weight(r) for r, c in zip(p.requests, choice, strict=True) if c is not None)
        if total > best and not check(p, assignments):
            best = total
    return best


@pytest.mark.parametrize("seed", range(20))
def test_random_solutions_are_feasible_and_bounded(seed: int) -> None:
    rng = random.Random(seed)
    tiny = seed < 8
    p = (
        random_problem(rng, 4, 4, 2, 2)
        if tiny
        else random_problem(rng, rng.randint(5, 9), rng.randint(6, 20), rng.randint(2, 5), rng.randint(1, 4))
    )
    result = solve(p, time_limit=LIMIT, workers=1)
    assert check(p, result.assignments) == []
    assert result.objective <= result.bound
    assert result.objective >= greedy(p, order="priority").objective
    if tiny:
        assert result.objective == brute_force(p)


@pytest.mark.parametrize("seed", range(4))
def test_solve_beats_or_matches_fcfs(seed: int) -> None:
    rng = random.Random(1000 + seed)
    p = random_problem(rng, 16, 60, 6, 3)
    fcfs = greedy(p, order="fcfs")
    result = solve(p, time_limit=LIMIT)
    assert check(p, fcfs.assignments) == []
    assert check(p, result.assignments) == []
    assert result.objective >= fcfs.objective
    assert fcfs.objective <= fcfs.bound


def test_deterministic_with_one_worker() -> None:
    p = random_problem(random.Random(7), 12, 40, 6, 3)
    one = solve(p, time_limit=LIMIT, workers=1, seed=3, deterministic=True)
    two = solve(p, time_limit=LIMIT, workers=1, seed=3, deterministic=True)
    assert one.assignments == two.assignments
