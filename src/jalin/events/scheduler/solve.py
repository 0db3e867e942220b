"""The scheduler: priority greedy as warm start, CP-SAT for weighted meetings, then idle gaps, then tables."""

from __future__ import annotations

import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from . import cpsat
from .greedy import fill, greedy_state, request_order
from .instance import Instance, State
from .local import improve_gaps
from .model import Problem, Result, validate
from .result import build_result, invalid_result
from .selection import selection_bound

PHASE1_SHARE = 0.75
"""Share of the time left after the greedy that phase 1 (weighted meetings) may use."""

GAP_CPSAT_MAX_VARS = 20_000
"""Above this many x variables phase 2 relies on the local search alone (``gap_phase="auto"``)."""

PRESOLVE_MAX_VARS = 20_000
"""Above this many x variables CP-SAT skips its presolve: on these models it costs a third of a minute
at 2,000 participants and removes little, while the search needs the time."""


def solve(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    workers: int = 2,
    seed: int = 0,
    progress: Callable[[dict], None] | None = None,
    deterministic: bool = False,
    gap_phase: str = "auto",
) -> Result:
    """The best schedule found within ``time_limit`` seconds.

    Lexicographic objective: (1) weighted meetings, (1b) with ``previous``, previous meetings kept in their
    slot, (2) idle gaps; tables are then assigned to keep participants seated and previous meetings at
    their table. ``gap_phase`` is ``"auto"``, ``"cpsat"`` (local search then CP-SAT) or ``"local"``.
    With ``workers=1`` and ``deterministic=True`` the time limits are CP-SAT deterministic time and the
    result depends only on the problem and ``seed``.
    """
    started = time.perf_counter()
    deadline = started + time_limit
    errors = validate(problem)
    if errors:
        return invalid_result(problem, errors, started)
    inst = Instance(problem)
    cheap = inst.cheap_bound()
    state = greedy_state(inst, "priority")
    stats: dict = {"greedy_objective": state.weight(), "cheap_bound": cheap}
    _report(progress, "greedy", state.weight(), cheap, started)
    relaxed, selected = selection_bound(inst, min(5.0, 0.1 * time_limit))
    bound = min(cheap, relaxed)
    stats["selection_bound"] = relaxed
    hint = State(inst)
    hint.copy_from(greedy_state(inst, "priority").slot_of if inst.prev_slot else {})
    if not inst.prev_slot:
        fill(hint, selected)
        fill(hint, request_order(inst, "priority"))
    if (hint.weight(), hint.kept()) > (state.weight(), state.kept()):
        state = hint
    stats["warm_start_objective"] = state.weight()
    _report(progress, "greedy", state.weight(), bound, started)

    k = len(inst.prev_slot) + 1
    built = cpsat.build(inst)
    stats["variables"] = len(built.x)
    status = "greedy"
    if not built.x or (state.weight() >= bound and not inst.prev_slot):
        status, bound = "optimal", state.weight()
    else:
        model = built.model
        free_weight = sum(v * w for v, w in built.weight_terms)
        model.add(free_weight <= bound - inst.locked_weight)
        model.maximize(free_weight * k + sum(built.kept_vars))
        for (rid, s), v in built.x.items():
            model.add_hint(v, state.slot_of.get(rid) == s)
        limit = (deadline - time.perf_counter()) * PHASE1_SHARE
        solver, code = cpsat.run(
            model,
            time_limit=limit,
            workers=workers,
            seed=seed,
            deterministic=deterministic,
            progress=progress,
            phase="solve",
            convert=lambda v: int(v) // k + inst.locked_weight,
            started=started,
            presolve=len(built.x) <= PRESOLVE_MAX_VARS,
        )
        stats["phase1_status"] = solver.status_name(code)
        stats["phase1_seconds"] = round(solver.wall_time, 3)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = {rid: s for (rid, s), v in built.x.items() if solver.boolean_value(v)}
            start_score = (state.weight() - inst.locked_weight) * k + state.kept()
            solver_bound = int(solver.best_objective_bound + 1e-6) // k + inst.locked_weight
            stats["solver_bound"] = solver_bound
            bound = min(bound, solver_bound)
            if round(solver.objective_value) >= start_score:
                state.copy_from(found)
                status = "optimal" if code == cp_model.OPTIMAL else "feasible"
            if code == cp_model.OPTIMAL:
                bound = state.weight()
        if state.weight() >= bound:
            status = "optimal"
        _report(progress, "solve", state.weight(), bound, started)

    reserve = min(1.0, 0.05 * time_limit)
    gaps_before = state.total_gaps()
    improve_gaps(state, deadline - reserve)
    stats["gaps_greedy_start"] = gaps_before
    stats["gaps_local"] = state.total_gaps()
    _report(progress, "gaps", state.weight(), bound, started, idle_gaps=stats["gaps_local"])
    use_cpsat = gap_phase == "cpsat" or (gap_phase == "auto" and 0 < len(built.x) <= GAP_CPSAT_MAX_VARS)
    left = min(deadline - reserve - time.perf_counter(), 0.25 * time_limit)
    if use_cpsat and stats["gaps_local"] > 0 and left > 0.2:
        until = time.perf_counter() + left
        _gap_cpsat(inst, state, until, workers=workers, seed=seed, deterministic=deterministic, stats=stats)
        _report(progress, "gaps", state.weight(), bound, started, idle_gaps=state.total_gaps())
    result = build_result(inst, dict(state.slot_of), status=status, bound=bound, started=started, stats=stats)
    _report(progress, "tables", result.objective, result.bound, started, table_changes=result.table_changes)
    return result


def _gap_cpsat(
    inst: Instance, state: State, until: float, *, workers: int, seed: int, deterministic: bool, stats: dict
) -> None:
    """Minimise idle gaps with CP-SAT, weighted meetings and kept previous meetings held at least as good."""
    built = cpsat.build(inst)
    cpsat.add_gap_objective(inst, built)
    m = built.model
    free_weight = state.weight() - inst.locked_weight
    m.add(sum(v * w for v, w in built.weight_terms) >= free_weight)
    if built.kept_vars:
        m.add(sum(built.kept_vars) >= state.kept())
    m.minimize(sum(built.gap_vars))
    for (rid, s), v in built.x.items():
        m.add_hint(v, state.slot_of.get(rid) == s)
    limit = until - time.perf_counter()
    if limit < 0.1:
        return
    solver, code = cpsat.run(
        m,
        time_limit=limit,
        workers=workers,
        seed=seed,
        deterministic=deterministic,
        progress=None,
        phase="gaps",
        convert=int,
        started=time.perf_counter(),
    )
    stats["phase2_status"] = solver.status_name(code)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return
    found = {rid: s for (rid, s), v in built.x.items() if solver.boolean_value(v)}
    before = (state.weight(), state.kept(), -state.total_gaps())
    saved = dict(state.slot_of)
    state.copy_from(found)
    if (state.weight(), state.kept(), -state.total_gaps()) < before:
        state.copy_from(saved)
    stats["gaps_cpsat"] = state.total_gaps()


def _report(
    progress: Callable[[dict], None] | None, phase: str, objective: int, bound: int, started: float, **extra: int
) -> None:
    if progress is not None:
        progress(
            {"phase": phase, "objective": objective, "bound": bound, "seconds": round(time.perf_counter() - started, 2)}
            | extra
        )
