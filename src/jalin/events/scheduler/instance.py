"""The problem compiled for the solvers: candidate slots per request, capacities, and a mutable schedule state."""

from __future__ import annotations

from collections import defaultdict

from .model import Assignment, Participant, Problem, Request, meeting_table, session_positions, weight


class Instance:
    """A validated problem in the shape the solvers use.

    Locked meetings are taken out of the free part: they occupy their participants, their table and (for a
    floating table) one unit of the slot's floating capacity. ``cand[r]`` lists the slots where the free
    request ``r`` could go at all (both available, neither locked there, its table free, capacity left).
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.slots: list[int] = sorted(s.index for s in problem.slots)
        self.pos = session_positions(problem.slots)
        self.parts: dict[int, Participant] = {p.id: p for p in problem.participants}
        self.locked: dict[int, Assignment] = {a.request_id: a for a in problem.locked}
        all_requests = {r.id: r for r in problem.requests}
        self.all_reqs: dict[int, Request] = all_requests
        self.reqs: dict[int, Request] = {rid: r for rid, r in all_requests.items() if rid not in self.locked}
        self.w: dict[int, int] = {rid: weight(r) for rid, r in all_requests.items()}
        self.locked_weight = sum(self.w[rid] for rid in self.locked)
        self.owners: dict[int, list[int]] = defaultdict(list)
        for p in problem.participants:
            if p.fixed_table is not None:
                self.owners[p.fixed_table].append(p.id)
        self.float_tables: list[int] = sorted(t.id for t in problem.tables if t.id not in self.owners)
        self.table_of: dict[int, int | None] = {rid: meeting_table(self.parts, r) for rid, r in all_requests.items()}
        self.shared_fixed = {t for t, who in self.owners.items() if len(who) > 1}

        self.busy0: dict[int, set[int]] = defaultdict(set)
        self.table_busy0: set[tuple[int, int]] = set()
        used_float: dict[int, int] = defaultdict(int)
        locked_count: dict[int, int] = defaultdict(int)
        for rid, a in self.locked.items():
            r = all_requests[rid]
            for pid in (r.a, r.b):
                self.busy0[pid].add(a.slot)
                locked_count[pid] += 1
            self.table_busy0.add((a.table, a.slot))
            if a.table not in self.owners:
                used_float[a.slot] += 1
        n_float = len(self.float_tables)
        self.float_cap: dict[int, int] = {s: n_float - used_float[s] for s in self.slots}
        self.cap: dict[int, int] = {}
        for p in problem.participants:
            limit = len(self.slots) if p.max_meetings is None else p.max_meetings
            self.cap[p.id] = max(0, limit - locked_count[p.id])

        slot_set = set(self.slots)
        self.cand: dict[int, list[int]] = {}
        self.by_part: dict[int, list[int]] = defaultdict(list)
        for rid, r in self.reqs.items():
            pa, pb = self.parts[r.a], self.parts[r.b]
            if self.cap[r.a] == 0 or self.cap[r.b] == 0:
                self.cand[rid] = []
                continue
            common = (pa.available & pb.available & slot_set) - self.busy0[r.a] - self.busy0[r.b]
            t = self.table_of[rid]
            if t is None:
                ok = [s for s in common if self.float_cap[s] > 0]
            else:
                ok = [s for s in common if (t, s) not in self.table_busy0]
            self.cand[rid] = sorted(ok)
            if ok:
                self.by_part[r.a].append(rid)
                self.by_part[r.b].append(rid)
        self.prev_slot: dict[int, int] = {a.request_id: a.slot for a in problem.previous if a.request_id in self.reqs}
        self.prev_table: dict[int, int] = {a.request_id: a.table for a in problem.previous}

    def cheap_bound(self) -> int:
        """A valid upper bound on weighted meetings without a solver.

        Each meeting counts for both of its participants and a participant has at most ``k`` meetings
        (its limit, capped by its free slots), so twice the total is at most the sum over participants of
        their ``k`` heaviest schedulable requests.
        """
        total = sum(self.w[r] for r, c in self.cand.items() if c)
        twice = 0
        for pid, rids in self.by_part.items():
            free = len(self.parts[pid].available.intersection(self.slots) - self.busy0[pid])
            k = min(self.cap[pid], free)
            twice += sum(sorted((self.w[r] for r in rids), reverse=True)[:k])
        return self.locked_weight + min(total, twice // 2)


class State:
    """A schedule of the free requests (request → slot) with the occupancy needed to test moves fast."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.slot_of: dict[int, int] = {}
        self.busy: dict[int, dict[int, int]] = defaultdict(dict)
        self.count: dict[int, int] = defaultdict(int)
        self.float_used: dict[int, int] = defaultdict(int)
        self.table_used: set[tuple[int, int]] = set()
        for rid, a in inst.locked.items():
            req = inst.all_reqs[rid]
            self.busy[req.a][a.slot] = rid
            self.busy[req.b][a.slot] = rid

    def can_place(self, rid: int, s: int) -> bool:
        """Whether free request ``rid`` fits in slot ``s`` now (``s`` must be one of its candidates)."""
        inst = self.inst
        r = inst.reqs[rid]
        if s in self.busy[r.a] or s in self.busy[r.b]:
            return False
        if self.count[r.a] >= inst.cap[r.a] or self.count[r.b] >= inst.cap[r.b]:
            return False
        t = inst.table_of[rid]
        if t is None:
            return self.float_used[s] < inst.float_cap[s]
        return (t, s) not in self.table_used

    def place(self, rid: int, s: int) -> None:
        """Put free request ``rid`` in slot ``s`` (no checks)."""
        inst = self.inst
        r = inst.reqs[rid]
        self.slot_of[rid] = s
        self.busy[r.a][s] = rid
        self.busy[r.b][s] = rid
        self.count[r.a] += 1
        self.count[r.b] += 1
        t = inst.table_of[rid]
        if t is None:
            self.float_used[s] += 1
        else:
            self.table_used.add((t, s))

    def remove(self, rid: int) -> int:
        """Take free request ``rid`` out of the schedule; returns the slot it had."""
        inst = self.inst
        r = inst.reqs[rid]
        s = self.slot_of.pop(rid)
        del self.busy[r.a][s]
        del self.busy[r.b][s]
        self.count[r.a] -= 1
        self.count[r.b] -= 1
        t = inst.table_of[rid]
        if t is None:
            self.float_used[s] -= 1
        else:
            self.table_used.discard((t, s))
        return s

    def weight(self) -> int:
        """Weighted meetings, locked ones included."""
        return self.inst.locked_weight + sum(self.inst.w[r] for r in self.slot_of)

    def kept(self) -> int:
        """Free previous meetings still in their previous slot."""
        return sum(1 for r, s in self.inst.prev_slot.items() if self.slot_of.get(r) == s)

    def gap_cost(self, pid: int) -> int:
        """Idle gaps of participant ``pid`` in the current schedule."""
        spans: dict[int, list[int]] = {}
        pos = self.inst.pos
        for s in self.busy[pid]:
            session, p = pos[s]
            span = spans.get(session)
            if span is None:
                spans[session] = [p, p, 1]
            else:
                span[0] = min(span[0], p)
                span[1] = max(span[1], p)
                span[2] += 1
        return sum(hi - lo + 1 - n for lo, hi, n in spans.values())

    def total_gaps(self) -> int:
        """Idle gaps of all participants."""
        return sum(self.gap_cost(p) for p in list(self.busy))

    def copy_from(self, slot_of: dict[int, int]) -> None:
        """Replace the free schedule by ``slot_of`` (assumed feasible)."""
        for rid in list(self.slot_of):
            self.remove(rid)
        for rid, s in slot_of.items():
            self.place(rid, s)
