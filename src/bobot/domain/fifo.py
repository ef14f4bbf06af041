"""First come, first served: how received units are shared among waiting backorders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

# Named tuples rather than frozen dataclasses: a restock builds thousands of each, and a
# tuple is built in half the time.


class Waiting(NamedTuple):
    backorder_id: int
    need: int  # units still uncovered


class Fill(NamedTuple):
    backorder_id: int
    units: int
    complete: bool


def fill(queue: Iterable[Waiting], units: int) -> tuple[list[Fill], int]:
    """Share ``units`` over the queue in order, partial fills allowed.

    Returns the fills and the units left over (which become available to new orders).
    """
    if units < 0:
        raise ValueError("units must not be negative")
    fills: list[Fill] = []
    left = units
    for waiting in queue:
        if left == 0:
            break
        if waiting.need <= 0:
            continue
        take = min(waiting.need, left)
        fills.append(Fill(waiting.backorder_id, take, complete=take == waiting.need))
        left -= take
    return fills, left
