"""Greedy schedules: first come, first served (the organisers' common practice) and by priority."""

from __future__ import annotations

import time

from .instance import Instance, State
from .model import Problem, Result, validate
from .result import build_result, invalid_result


def request_order(inst: Instance, order: str) -> list[int]:
    """Free request ids in the order a greedy takes them."""
    if order == "fcfs":
        return sorted(inst.reqs, key=lambda r: (inst.reqs[r].order, r))
    if order == "priority":
        return sorted(inst.reqs, key=lambda r: (-inst.w[r], inst.reqs[r].order, r))
    raise ValueError(f"unknown greedy order {order!r}")


def fill(state: State, rids: list[int]) -> None:
    """Place each request in turn in its earliest slot that still fits."""
    for rid in rids:
        if rid in state.slot_of:
            continue
        for s in state.inst.cand[rid]:
            if state.can_place(rid, s):
                state.place(rid, s)
                break


def greedy_state(inst: Instance, order: str) -> State:
    """The greedy schedule as a state; previous meetings are kept first when they still fit."""
    state = State(inst)
    prev = sorted(inst.prev_slot, key=lambda r: (-inst.w[r], inst.reqs[r].order, r))
    for rid in prev:
        s = inst.prev_slot[rid]
        if s in inst.cand[rid] and state.can_place(rid, s):
            state.place(rid, s)
    fill(state, request_order(inst, order))
    return state


def greedy(problem: Problem, order: str = "fcfs") -> Result:
    """Schedule requests one by one, each in its earliest slot that fits.

    ``order="fcfs"`` takes requests by arrival (``Request.order``), the way organisers usually book;
    ``"priority"`` takes them by weight, heaviest first. With ``previous``, meetings that still fit keep
    their slot first. ``bound`` is the cheap bound of ``Instance.cheap_bound``.
    """
    started = time.perf_counter()
    errors = validate(problem)
    if errors:
        return invalid_result(problem, errors, started)
    inst = Instance(problem)
    state = greedy_state(inst, order)
    return build_result(inst, state.slot_of, status="greedy", bound=inst.cheap_bound(), started=started)
