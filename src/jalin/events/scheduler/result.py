"""Building a ``Result`` from a free schedule."""

from __future__ import annotations

import time

from .instance import Instance
from .model import Problem, Result, idle_gaps, moved, table_changes
from .tables import assign_tables


def build_result(
    inst: Instance,
    slot_of: dict[int, int],
    *,
    status: str,
    bound: int,
    started: float,
    stats: dict | None = None,
) -> Result:
    """Assign tables to ``slot_of`` and measure the schedule."""
    assignments = assign_tables(inst, slot_of)
    problem = inst.problem
    objective = inst.locked_weight + sum(inst.w[r] for r in slot_of)
    bound = max(bound, objective)
    done = set(slot_of) | set(inst.locked)
    return Result(
        assignments=assignments,
        status=status,
        objective=objective,
        bound=bound,
        gap=(bound - objective) / bound if bound else 0.0,
        solve_seconds=time.perf_counter() - started,
        meetings=len(assignments),
        idle_gaps=idle_gaps(problem, assignments),
        table_changes=table_changes(problem, assignments),
        moved=moved(problem, assignments),
        unscheduled=sorted(r.id for r in problem.requests if r.id not in done),
        stats=stats or {},
    )


def invalid_result(problem: Problem, errors: list[str], started: float) -> Result:
    """The result for a problem ``validate`` rejects: no schedule, the errors listed."""
    locked_only = all(e.startswith("locked") for e in errors)
    return Result(
        assignments=[],
        status="infeasible_locked" if locked_only else "invalid",
        objective=0,
        bound=0,
        gap=0.0,
        solve_seconds=time.perf_counter() - started,
        meetings=0,
        idle_gaps=0,
        table_changes=0,
        moved=len(problem.previous),
        unscheduled=sorted(r.id for r in problem.requests),
        errors=errors,
    )
