"""The CP-SAT models: phase 1 (weighted meetings, then kept previous meetings) and phase 2 (idle gaps)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .instance import Instance


@dataclass
class Built:
    """A CP-SAT model over x[request, slot] with its weighted-meetings and kept-previous expressions."""

    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    weight_terms: list[tuple[cp_model.IntVar, int]]
    kept_vars: list[cp_model.IntVar]
    gap_vars: list[cp_model.IntVar] = field(default_factory=list)


def build(inst: Instance) -> Built:
    """Variables and hard constraints shared by both phases.

    No table variables: a meeting with a fixed-table party is covered by that party's one-meeting-per-slot
    constraint (and, for a table shared by several owners, one meeting per table and slot); floating
    meetings only need their count per slot to stay within the free floating tables.
    """
    m = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    per_part_slot: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    per_part: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    per_float_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    per_shared: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    weight_terms: list[tuple[cp_model.IntVar, int]] = []
    for rid in sorted(inst.reqs):
        slots = inst.cand[rid]
        if not slots:
            continue
        r = inst.reqs[rid]
        t = inst.table_of[rid]
        mine = []
        for s in slots:
            v = m.new_bool_var(f"x{rid}_{s}")
            x[(rid, s)] = v
            mine.append(v)
            weight_terms.append((v, inst.w[rid]))
            per_part_slot[(r.a, s)].append(v)
            per_part_slot[(r.b, s)].append(v)
            if t is None:
                per_float_slot[s].append(v)
            elif t in inst.shared_fixed:
                per_shared[(t, s)].append(v)
        per_part[r.a].extend(mine)
        per_part[r.b].extend(mine)
        if len(mine) > 1:
            m.add_at_most_one(mine)
    for group in (per_part_slot, per_shared):
        for vs in group.values():
            if len(vs) > 1:
                m.add_at_most_one(vs)
    for pid, vs in per_part.items():
        if len(vs) > inst.cap[pid]:
            m.add(sum(vs) <= inst.cap[pid])
    for s, vs in per_float_slot.items():
        if len(vs) > inst.float_cap[s]:
            m.add(sum(vs) <= inst.float_cap[s])
    kept = [x[(r, s)] for r, s in inst.prev_slot.items() if (r, s) in x]
    return Built(m, x, weight_terms, kept)


def add_gap_objective(inst: Instance, built: Built) -> None:
    """Idle-gap variables: g = 1 on an empty slot with a meeting before and after it in the same session."""
    m, x = built.model, built.x
    occ: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    for (rid, s), v in x.items():
        r = inst.reqs[rid]
        occ[(r.a, s)].append(v)
        occ[(r.b, s)].append(v)
    sessions: dict[int, list[int]] = defaultdict(list)
    for s in inst.slots:
        sessions[inst.pos[s][0]].append(s)
    people = {p for p, _ in occ} | {p for p, ss in inst.busy0.items() if ss}
    for pid in sorted(people):
        for slots in sessions.values():
            ys: list[cp_model.LinearExprT] = []
            possible = 0
            for s in slots:
                if s in inst.busy0.get(pid, ()):
                    ys.append(1)
                    possible += 1
                else:
                    vs = occ.get((pid, s), [])
                    ys.append(sum(vs) if vs else 0)
                    possible += bool(vs)
            if possible < 2 or len(slots) < 3:
                continue
            n = len(slots)
            before = [m.new_bool_var("") for _ in range(n)]
            after = [m.new_bool_var("") for _ in range(n)]
            m.add(before[0] == 0)
            m.add(after[n - 1] == 0)
            for k in range(1, n):
                m.add(before[k] >= before[k - 1])
                m.add(before[k] >= ys[k - 1])
            for k in range(n - 2, -1, -1):
                m.add(after[k] >= after[k + 1])
                m.add(after[k] >= ys[k + 1])
            for k in range(1, n - 1):
                g = m.new_bool_var("")
                m.add(g >= before[k] + after[k] - 1 - ys[k])
                built.gap_vars.append(g)


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: Callable[[dict], None], phase: str, convert: Callable[[float], int], started: float):
        super().__init__()
        self.report, self.phase, self.convert, self.started = report, phase, convert, started
        self.last = 0.0

    def on_solution_callback(self) -> None:
        now = time.perf_counter()
        if now - self.last < 1.0:
            return
        self.last = now
        self.report(
            {
                "phase": self.phase,
                "objective": self.convert(self.objective_value),
                "bound": self.convert(self.best_objective_bound),
                "seconds": round(now - self.started, 2),
            }
        )


def run(
    model: cp_model.CpModel,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    deterministic: bool,
    progress: Callable[[dict], None] | None,
    phase: str,
    convert: Callable[[float], int],
    started: float,
    presolve: bool = True,
) -> tuple[cp_model.CpSolver, int]:
    """Solve ``model`` under the limits; returns the solver and its status."""
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.cp_model_presolve = presolve
    p.num_workers = max(1, workers)
    p.random_seed = seed
    if deterministic:
        p.max_deterministic_time = max(0.01, time_limit)
    else:
        p.max_time_in_seconds = max(0.01, time_limit)
    callback = _Progress(progress, phase, convert, started) if progress else None
    status = solver.solve(model, callback)
    return solver, status
