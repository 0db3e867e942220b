"""Tables, assigned after the slots: fixed tables by rule, floating ones per slot keeping people seated."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from .instance import Instance
from .model import Assignment

KEEP_PREVIOUS = 10
"""Cost of moving a re-scheduled meeting off its previous table (a table change of one person costs 1)."""


def assign_tables(inst: Instance, slot_of: dict[int, int]) -> list[Assignment]:
    """Assignments for the locked meetings and the free schedule ``slot_of`` (request → slot).

    Slots are handled in time order. A meeting with a fixed-table party takes that table. The floating
    meetings of a slot get the free floating tables by a minimum-cost assignment whose cost counts, per
    meeting and table, the parties whose last table was another one, and a larger cost for leaving a
    previous meeting's table, so participants stay seated and re-scheduled meetings stay where they were.
    """
    by_slot: dict[int, list[int]] = {s: [] for s in inst.slots}
    for rid, s in slot_of.items():
        by_slot[s].append(rid)
    locked_at: dict[int, list[Assignment]] = {s: [] for s in inst.slots}
    for a in inst.locked.values():
        locked_at[a.slot].append(a)
    last: dict[int, int] = {}
    out: list[Assignment] = []
    for s in inst.slots:
        placed: list[Assignment] = list(locked_at[s])
        floating: list[int] = []
        for rid in sorted(by_slot[s]):
            t = inst.table_of[rid]
            if t is None:
                floating.append(rid)
            else:
                placed.append(Assignment(rid, s, t))
        if floating:
            taken = {a.table for a in locked_at[s]}
            free = [t for t in inst.float_tables if t not in taken]
            col = {t: j for j, t in enumerate(free)}
            cost = np.zeros((len(floating), len(free)), dtype=np.int64)
            for i, rid in enumerate(floating):
                r = inst.reqs[rid]
                for pid in (r.a, r.b):
                    t = last.get(pid)
                    if t is not None:
                        cost[i, :] += 1
                        j = col.get(t)
                        if j is not None:
                            cost[i, j] -= 1
                pt = inst.prev_table.get(rid)
                if pt is not None and inst.prev_slot.get(rid) == s:
                    cost[i, :] += KEEP_PREVIOUS
                    j = col.get(pt)
                    if j is not None:
                        cost[i, j] -= KEEP_PREVIOUS
            rows, cols = linear_sum_assignment(cost)
            placed.extend(Assignment(floating[i], s, free[j]) for i, j in zip(rows, cols, strict=True))
        for a in placed:
            r = inst.all_reqs[a.request_id]
            last[r.a] = a.table
            last[r.b] = a.table
        out.extend(placed)
    out.sort(key=lambda a: (a.slot, a.table))
    return out
