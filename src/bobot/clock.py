"""The one source of "now" for every service.

Services never call ``datetime.now()``: they take a :class:`Clock`, so tests, demo data and
simulations can move time forward.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to (tests, demo data, simulations)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now


def today(clock: Clock, zone: tzinfo = UTC) -> date:
    """The day it is now in ``zone`` (the shop's time zone: ``Settings.calendar.zone``)."""
    return clock.now().astimezone(zone).date()
