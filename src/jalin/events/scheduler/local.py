"""Local search on idle gaps: move and swap meetings between slots without changing which are scheduled."""

from __future__ import annotations

import time

from .instance import State


def improve_gaps(state: State, deadline: float) -> int:
    """Lower idle gaps in place by relocating meetings and swapping two meetings of one participant.

    The set of scheduled meetings never changes, so the weighted objective stays exactly the same. A
    meeting still in its previous slot (re-scheduling) is never moved, and no move takes a meeting out of
    its previous slot, so ``moved`` cannot grow. Only strict improvements are taken; it stops at a local
    optimum or at ``deadline`` (``time.perf_counter()``). Returns the number of moves made.
    """
    moves = 0
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for pid in sorted(state.busy):
            if time.perf_counter() >= deadline:
                break
            if state.gap_cost(pid) == 0:
                continue
            for rid in sorted(r for r in state.busy[pid].values() if r in state.slot_of):
                if _relocate(state, rid):
                    moves += 1
                    improved = True
            mine = sorted(r for r in state.busy[pid].values() if r in state.slot_of)
            for i, r1 in enumerate(mine):
                for r2 in mine[i + 1 :]:
                    if r1 in state.slot_of and r2 in state.slot_of and _swap(state, r1, r2):
                        moves += 1
                        improved = True
    return moves


def _frozen(state: State, rid: int) -> bool:
    return state.inst.prev_slot.get(rid) == state.slot_of.get(rid)


def _relocate(state: State, rid: int) -> bool:
    if _frozen(state, rid):
        return False
    inst = state.inst
    r = inst.reqs[rid]
    old = state.gap_cost(r.a) + state.gap_cost(r.b)
    s0 = state.remove(rid)
    best, best_cost = s0, old
    for s in inst.cand[rid]:
        if s != s0 and state.can_place(rid, s):
            state.place(rid, s)
            c = state.gap_cost(r.a) + state.gap_cost(r.b)
            state.remove(rid)
            if c < best_cost:
                best, best_cost = s, c
    state.place(rid, best)
    return best != s0


def _swap(state: State, r1: int, r2: int) -> bool:
    if _frozen(state, r1) or _frozen(state, r2):
        return False
    inst = state.inst
    people = {inst.reqs[r1].a, inst.reqs[r1].b, inst.reqs[r2].a, inst.reqs[r2].b}
    old = sum(state.gap_cost(p) for p in people)
    s1, s2 = state.slot_of[r1], state.slot_of[r2]
    if s1 == s2 or s2 not in inst.cand[r1] or s1 not in inst.cand[r2]:
        return False
    state.remove(r1)
    state.remove(r2)
    if state.can_place(r1, s2):
        state.place(r1, s2)
        if state.can_place(r2, s1):
            state.place(r2, s1)
            if sum(state.gap_cost(p) for p in people) < old:
                return True
            state.remove(r2)
        state.remove(r1)
    state.place(r1, s1)
    state.place(r2, s2)
    return False
