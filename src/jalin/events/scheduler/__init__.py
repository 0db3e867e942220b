"""The 1:1 meeting scheduler of business meetings (temu bisnis): a pure core, no Django.

See ``docs/scheduler.md``.
"""

from .greedy import greedy
from .model import (
    PRIORITY_WEIGHTS,
    Assignment,
    Participant,
    Problem,
    Request,
    Result,
    Slot,
    Table,
    check,
    validate,
    weight,
)
from .solve import solve

__all__ = [
    "PRIORITY_WEIGHTS",
    "Assignment",
    "Participant",
    "Problem",
    "Request",
    "Result",
    "Slot",
    "Table",
    "check",
    "greedy",
    "solve",
    "validate",
    "weight",
]
