"""Problem and result types, weights, validation, the independent checker and schedule metrics."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from typing import Any

PRIORITY_WEIGHTS: dict[str, int] = {"must": 100, "want": 10, "maybe": 2}
"""Points of a scheduled meeting by the request's priority.

One *must* outweighs any five *want* and fifty *maybe*, so the optimiser never trades a must-meet for a
handful of lesser meetings unless it gets more points from them than from the must itself.
"""

MUTUAL_BONUS_NUM, MUTUAL_BONUS_DEN = 3, 2
"""A mutual request (both sides asked) is worth ×1.5 (rounded down): a mutual *want* (15) beats a one-sided
*want* (10), a mutual *must* (150) beats a one-sided must."""


@dataclass(frozen=True)
class Slot:
    """A time slot; slots of one session with consecutive indices are adjacent in time."""

    index: int
    session: int


@dataclass(frozen=True)
class Table:
    """A meeting table."""

    id: int


@dataclass(frozen=True)
class Participant:
    """A company at the event; ``fixed_table`` is a table it keeps all day (a buyer's own table)."""

    id: int
    available: frozenset[int]
    max_meetings: int | None = None
    fixed_table: int | None = None


@dataclass(frozen=True)
class Request:
    """An accepted request for a 1:1 meeting of ``a`` and ``b``; ``order`` is the arrival order."""

    id: int
    a: int
    b: int
    priority: str = "want"
    mutual: bool = False
    order: int = 0


@dataclass(frozen=True)
class Assignment:
    """A scheduled meeting: a request at a slot and a table."""

    request_id: int
    slot: int
    table: int


@dataclass
class Problem:
    """A scheduling problem; ``locked`` meetings stay exactly, ``previous`` is the schedule being revised."""

    slots: list[Slot]
    tables: list[Table]
    participants: list[Participant]
    requests: list[Request]
    locked: list[Assignment] = field(default_factory=list)
    previous: list[Assignment] = field(default_factory=list)


@dataclass
class Result:
    """A schedule with its figures; ``objective`` and ``bound`` are weighted meetings."""

    assignments: list[Assignment]
    status: str
    objective: int
    bound: int
    gap: float
    solve_seconds: float
    meetings: int
    idle_gaps: int
    table_changes: int
    moved: int
    unscheduled: list[int]
    errors: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict of the result."""
        data = asdict(self)
        data["gap"] = round(self.gap, 6)
        data["solve_seconds"] = round(self.solve_seconds, 3)
        return data


def weight(request: Request) -> int:
    """Points of scheduling ``request``: its priority's weight, ×1.5 when mutual."""
    base = PRIORITY_WEIGHTS[request.priority]
    return base * MUTUAL_BONUS_NUM // MUTUAL_BONUS_DEN if request.mutual else base


def meeting_table(problem_participants: dict[int, Participant], request: Request) -> int | None:
    """The table a meeting must use: ``a``'s fixed table, else ``b``'s, else None (any floating table)."""
    pa = problem_participants.get(request.a)
    pb = problem_participants.get(request.b)
    if pa is not None and pa.fixed_table is not None:
        return pa.fixed_table
    if pb is not None and pb.fixed_table is not None:
        return pb.fixed_table
    return None


def validate(problem: Problem) -> list[str]:
    """Human-readable problems that keep ``problem`` from being scheduled; empty when it is sound.

    Messages about locked meetings start with ``"locked"``.
    """
    errors: list[str] = []
    slot_ids = [s.index for s in problem.slots]
    table_ids = [t.id for t in problem.tables]
    part_ids = [p.id for p in problem.participants]
    for name, ids in (("slot", slot_ids), ("table", table_ids), ("participant", part_ids)):
        errors.extend(f"duplicate {name} {i}" for i, n in sorted(Counter(ids).items()) if n > 1)
    slots, tables = set(slot_ids), set(table_ids)
    parts = {p.id: p for p in problem.participants}
    for p in problem.participants:
        unknown = sorted(set(p.available) - slots)
        if unknown:
            errors.append(f"participant {p.id} is available in unknown slots {unknown}")
        if p.fixed_table is not None and p.fixed_table not in tables:
            errors.append(f"participant {p.id} has unknown fixed table {p.fixed_table}")
        if p.max_meetings is not None and p.max_meetings < 0:
            errors.append(f"participant {p.id} has negative max_meetings {p.max_meetings}")
    requests: dict[int, Request] = {}
    for r in problem.requests:
        if r.id in requests:
            errors.append(f"duplicate request {r.id}")
        requests[r.id] = r
        for side in (r.a, r.b):
            if side not in parts:
                errors.append(f"request {r.id} names unknown participant {side}")
        if r.a == r.b:
            errors.append(f"request {r.id} pairs participant {r.a} with itself")
        if r.priority not in PRIORITY_WEIGHTS:
            errors.append(f"request {r.id} has unknown priority {r.priority!r}")
    errors.extend(_locked_errors(problem, parts, requests, slots, tables))
    return errors


def _locked_errors(
    problem: Problem,
    parts: dict[int, Participant],
    requests: dict[int, Request],
    slots: set[int],
    tables: set[int],
) -> list[str]:
    errors: list[str] = []
    seen: set[int] = set()
    valid: list[tuple[Assignment, Request]] = []
    for a in problem.locked:
        if a.request_id in seen:
            errors.append(f"locked request {a.request_id} appears twice")
            continue
        seen.add(a.request_id)
        r = requests.get(a.request_id)
        if r is None:
            errors.append(f"locked request {a.request_id} is unknown")
            continue
        if a.slot not in slots:
            errors.append(f"locked request {a.request_id} is in unknown slot {a.slot}")
            continue
        if a.table not in tables:
            errors.append(f"locked request {a.request_id} is at unknown table {a.table}")
            continue
        valid.append((a, r))
    errors.extend("locked " + msg for msg in _violations(problem, parts, [a for a, _ in valid], requests, locked=False))
    return errors


def check(problem: Problem, assignments: Iterable[Assignment]) -> list[str]:
    """Every way ``assignments`` break the rules of ``problem`` (empty when feasible).

    Checked independently of the solver: known requests, slots and tables; each request at most once;
    each participant at most once per slot, only in its available slots and at most ``max_meetings``
    times; each table at most once per slot; fixed tables respected; locked meetings kept exactly.
    """
    parts = {p.id: p for p in problem.participants}
    requests = {r.id: r for r in problem.requests}
    return _violations(problem, parts, list(assignments), requests, locked=True)


def _violations(
    problem: Problem,
    parts: dict[int, Participant],
    assignments: list[Assignment],
    requests: dict[int, Request],
    *,
    locked: bool,
) -> list[str]:
    out: list[str] = []
    slots = {s.index for s in problem.slots}
    tables = {t.id for t in problem.tables}
    owners: dict[int, list[int]] = defaultdict(list)
    for p in problem.participants:
        if p.fixed_table is not None:
            owners[p.fixed_table].append(p.id)
    times: Counter[int] = Counter()
    at_slot: dict[tuple[int, int], int] = {}
    table_at: dict[tuple[int, int], int] = {}
    count: Counter[int] = Counter()
    for a in assignments:
        times[a.request_id] += 1
        if times[a.request_id] == 2:
            out.append(f"request {a.request_id} is scheduled more than once")
        r = requests.get(a.request_id)
        if r is None:
            out.append(f"request {a.request_id} is unknown")
            continue
        if a.slot not in slots:
            out.append(f"request {r.id} is in unknown slot {a.slot}")
            continue
        if a.table not in tables:
            out.append(f"request {r.id} is at unknown table {a.table}")
            continue
        for pid in (r.a, r.b):
            p = parts.get(pid)
            if p is None:
                out.append(f"request {r.id} names unknown participant {pid}")
                continue
            if a.slot not in p.available:
                out.append(f"participant {pid} is not available in slot {a.slot} (request {r.id})")
            other = at_slot.get((pid, a.slot))
            if other is not None:
                out.append(f"participant {pid} meets twice in slot {a.slot} (requests {other} and {r.id})")
            at_slot[(pid, a.slot)] = r.id
            count[pid] += 1
            if p.max_meetings is not None and count[pid] == p.max_meetings + 1:
                out.append(f"participant {pid} has more than {p.max_meetings} meetings")
        other = table_at.get((a.table, a.slot))
        if other is not None:
            out.append(f"table {a.table} is used twice in slot {a.slot} (requests {other} and {r.id})")
        table_at[(a.table, a.slot)] = r.id
        must = meeting_table(parts, r)
        if must is not None and a.table != must:
            out.append(f"request {r.id} must be at fixed table {must}, not {a.table}")
        elif must is None and a.table in owners:
            out.append(f"request {r.id} uses table {a.table}, fixed for participant {owners[a.table][0]}")
    if locked:
        placed = {a.request_id: a for a in assignments}
        for lk in problem.locked:
            got = placed.get(lk.request_id)
            if got is None:
                out.append(f"locked request {lk.request_id} is not scheduled")
            elif (got.slot, got.table) != (lk.slot, lk.table):
                out.append(f"locked request {lk.request_id} moved from slot {lk.slot} table {lk.table}")
    return out


def session_positions(slots: list[Slot]) -> dict[int, tuple[int, int]]:
    """Slot index → (session, position within the session in time order)."""
    by_session: dict[int, list[int]] = defaultdict(list)
    for s in sorted(slots, key=lambda s: s.index):
        by_session[s.session].append(s.index)
    return {idx: (session, pos) for session, idxs in by_session.items() for pos, idx in enumerate(idxs)}


def idle_gaps(problem: Problem, assignments: Iterable[Assignment]) -> int:
    """Empty slots between two meetings of the same participant in the same session, summed."""
    pos = session_positions(problem.slots)
    requests = {r.id: r for r in problem.requests}
    seen: dict[tuple[int, int], list[int]] = defaultdict(list)
    for a in assignments:
        r = requests.get(a.request_id)
        if r is None or a.slot not in pos:
            continue
        session, p = pos[a.slot]
        seen[(r.a, session)].append(p)
        seen[(r.b, session)].append(p)
    return sum(max(ps) - min(ps) + 1 - len(set(ps)) for ps in seen.values())


def table_changes(problem: Problem, assignments: Iterable[Assignment]) -> int:
    """Times a participant sits at another table than at its previous meeting of the day."""
    requests = {r.id: r for r in problem.requests}
    seq: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a in assignments:
        r = requests.get(a.request_id)
        if r is None:
            continue
        seq[r.a].append((a.slot, a.table))
        seq[r.b].append((a.slot, a.table))
    changes = 0
    for items in seq.values():
        items.sort()
        changes += sum(1 for (_, t0), (_, t1) in pairwise(items) if t0 != t1)
    return changes


def moved(problem: Problem, assignments: Iterable[Assignment]) -> int:
    """Previous meetings whose slot or table changed, or that were dropped."""
    now = {a.request_id: (a.slot, a.table) for a in assignments}
    return sum(1 for p in problem.previous if now.get(p.request_id) != (p.slot, p.table))
