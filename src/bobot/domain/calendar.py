"""The shop's calendar: its time zone, the days it ships, its holidays.

"Today", a purchase order's lateness and every date shown are days in the shop's time zone;
handling is counted in ship days, so no date promised or expected falls on a day the shop
does not ship. Pure arithmetic: the settings parse the text, the services pass the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MON_FRI = frozenset(range(5))
ALL_WEEK = frozenset(range(7))
_ONE_DAY = timedelta(days=1)
_MEMO_SIZE = 4096


@dataclass(frozen=True, slots=True)
class ShopCalendar:
    """``ship_days`` are weekday numbers (Monday is 0); ``holidays`` are days never shipped."""

    zone: tzinfo = UTC
    ship_days: frozenset[int] = MON_FRI
    holidays: frozenset[date] = frozenset()
    _every_day: bool = field(init=False, repr=False, compare=False)
    # (day, count) -> the answer: a queue's or a catalog's dates repeat a handful of days.
    _added: dict[tuple[date, int], date] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.ship_days:
            raise ValueError("a shop calendar needs at least one ship day a week")
        if not self.ship_days <= ALL_WEEK:
            raise ValueError(f"ship days are weekday numbers 0-6, got {sorted(self.ship_days)}")
        object.__setattr__(self, "_every_day", self.ship_days == ALL_WEEK and not self.holidays)
        object.__setattr__(self, "_added", {})

    def today(self, now: datetime) -> date:
        """The shop's day at the instant ``now`` (timezone-aware)."""
        return now.astimezone(self.zone).date()

    def is_ship_day(self, day: date) -> bool:
        return day.weekday() in self.ship_days and day not in self.holidays

    def ship_day_on_or_after(self, day: date) -> date:
        # Ends: every week has a ship day, and there are finitely many holidays.
        while not self.is_ship_day(day):
            day += _ONE_DAY
        return day

    def add_ship_days(self, day: date, count: int) -> date:
        """``count`` ship days after ``day`` (a non-ship day first rolls on to the next ship
        day): the day work started on ``day`` and taking ``count`` ship days is done."""
        if count < 0:
            raise ValueError("cannot count ship days backwards")
        if self._every_day:
            return day + timedelta(days=count)
        known = self._added.get((day, count))
        if known is not None:
            return known
        found = self.ship_day_on_or_after(day)
        for _ in range(count):
            found = self.ship_day_on_or_after(found + _ONE_DAY)
        if len(self._added) >= _MEMO_SIZE:
            self._added.clear()
        self._added[day, count] = found
        return found

    def to_utc(self, value: datetime) -> datetime:
        """An instant in UTC; an offset-less ``value`` is read as the shop's wall time."""
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=self.zone)
        return value.astimezone(UTC)


#: A calendar that ships every day, in UTC: dates are plain day counts.
EVERY_DAY = ShopCalendar(ship_days=ALL_WEEK)


def parse_ship_days(text: str) -> frozenset[int]:
    """``Mon-Fri``, ``Mon,Tue,Sat``, ``Mon-Wed,Sat`` (ranges do not wrap past Sunday)."""
    days: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        first, _, last = (side.strip() for side in part.partition("-"))
        start = _weekday(first)
        end = _weekday(last) if last else start
        if end < start:
            raise ValueError(f"the range {part!r} runs backwards (weeks start on Mon)")
        days.update(range(start, end + 1))
    if not days:
        raise ValueError("at least one ship day is needed, e.g. Mon-Fri")
    return frozenset(days)


def _weekday(name: str) -> int:
    for number, known in enumerate(WEEKDAYS):
        if name.lower() == known.lower():
            return number
    raise ValueError(f"{name!r} is not a day (use {', '.join(WEEKDAYS)})")


def parse_holidays(text: str) -> frozenset[date]:
    """Comma-separated ISO dates, e.g. ``2026-12-25,2027-01-01``."""
    days: set[date] = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            days.add(date.fromisoformat(part))
        except ValueError:
            raise ValueError(f"{part!r} is not an ISO date (YYYY-MM-DD)") from None
    return frozenset(days)
