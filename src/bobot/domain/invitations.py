"""Waitlist invitations that hold real units: who is invited, and for how long.

When stock is left after the backorders are filled, entries are invited first in, first
out, each for the units it asked for, while the units last: never more invitations than
units. An invitation holds its units (``held``: not available to anyone else) until it is
claimed, declined or expires; then they go to the next entry. Queue order is strict: an
entry whose units do not fit stops the invitations, so nobody behind it jumps the queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class WaitingEntry:
    entry_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class Invitation:
    entry_id: int
    units: int
    hold_until: datetime


def invite(
    waiting: Iterable[WaitingEntry], available: int, *, now: datetime, hold: timedelta
) -> list[Invitation]:
    """The invitations ``available`` units make for the ``waiting`` entries (queue order)."""
    if available < 0:
        raise ValueError("available units cannot be negative")
    invitations: list[Invitation] = []
    left = available
    for entry in waiting:
        if entry.quantity <= 0:
            raise ValueError("a waitlist entry wants at least one unit")
        if entry.quantity > left:
            break
        invitations.append(Invitation(entry.entry_id, entry.quantity, now + hold))
        left -= entry.quantity
    return invitations


def expired(holds: Sequence[tuple[int, datetime]], now: datetime) -> list[int]:
    """The invitations (entry id, hold until) whose hold has run out at ``now``."""
    return [entry_id for entry_id, until in holds if until <= now]
