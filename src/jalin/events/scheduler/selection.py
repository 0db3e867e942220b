"""The selection relaxation: which meetings to hold if slots did not matter, for a bound and a warm start."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from .instance import Instance


def selection_bound(inst: Instance, time_limit: float) -> tuple[int, list[int]]:
    """An upper bound on weighted meetings and the meetings a relaxation selects.

    The relaxation forgets slots: choose requests (each with a candidate slot) so that each participant
    has at most min(max_meetings, free available slots) meetings and the meetings at floating tables fit
    the floating table-slots of the whole day. Every schedule gives such a choice, so its optimum (HiGHS
    MILP; its dual bound if stopped by ``time_limit``; the LP optimum if HiGHS fails) bounds the
    scheduler. Returns (bound with locked meetings included, selected request ids by weight).
    """
    rids = [r for r in sorted(inst.reqs) if inst.cand[r]]
    if not rids:
        return inst.locked_weight, []
    pidx = {p: i for i, p in enumerate(sorted(inst.parts))}
    n_rows = len(pidx) + 1
    rows: list[int] = []
    cols: list[int] = []
    for j, rid in enumerate(rids):
        r = inst.reqs[rid]
        rows += [pidx[r.a], pidx[r.b]]
        cols += [j, j]
        if inst.table_of[rid] is None:
            rows.append(len(pidx))
            cols.append(j)
    a = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_rows, len(rids)))
    slots = set(inst.slots)
    ub = [float(min(inst.cap[p], len((inst.parts[p].available & slots) - inst.busy0[p]))) for p in sorted(inst.parts)]
    ub.append(float(sum(inst.float_cap.values())))
    c = -np.array([inst.w[r] for r in rids], dtype=float)
    res = milp(
        c,
        constraints=LinearConstraint(a, -np.inf, np.array(ub)),
        integrality=np.ones(len(rids)),
        bounds=Bounds(0, 1),
        options={"time_limit": max(0.1, time_limit)},
    )
    selected: list[int] = []
    if res.x is not None:
        selected = [rids[j] for j in np.flatnonzero(res.x > 0.5)]
    dual = getattr(res, "mip_dual_bound", None)
    if res.status == 0 and res.fun is not None:
        value = -res.fun
    elif dual is not None and math.isfinite(dual):
        value = -dual
    else:
        lp = linprog(c, A_ub=a, b_ub=np.array(ub), bounds=(0, 1), method="highs")
        value = -lp.fun if lp.status == 0 else float(sum(inst.w[r] for r in rids))
    selected.sort(key=lambda r: (-inst.w[r], inst.reqs[r].order, r))
    return inst.locked_weight + math.floor(value + 1e-6), selected
