"""What the history says: the figures of backorder insights, from plain facts (pure).

The services read the facts of a date range (:mod:`bobot.services.insights`); this module
turns them into figures, for the whole range and for each week of it (weeks start on
Monday, in the shop's calendar), with the same rules:

- a backorder is *opened* when it is created, *filled* when its last unit is allocated
  (it is then ready to ship) and *cancelled* when its last unit is cancelled; a backorder
  ends once: one filled and then cancelled (say, for want of consent to a delay) ended
  cancelled, and its fill is not counted;
- its *wait* is the time from creation to its fill or cancellation, in days;
- the cancellation rate of a wait bucket is the share of backorders that ended (filled or
  cancelled) after a wait in that bucket which ended cancelled;
- a *promise is kept* when the backorder was filled in time to ship by its promised date:
  the promised date is a ship date, so the fill day plus the shop's handling days (in ship
  days) is on or before it (:func:`promise_kept`);
- a waitlist entry *converts* when it became an order (of the entries that joined);
- a supplier's receipt is *on time* when it arrived on or before the date its purchase
  order first gave; its *delay* is the days after that date (0 when on time);
- *lost demand* is units of orders refused because a product could not be sold, against
  the units customers backordered.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol, TypeVar

from bobot.domain.calendar import ShopCalendar

#: Wait buckets in days: (label, first day, last day or None for no end).
WAIT_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7", 0, 7),
    ("8-14", 8, 14),
    ("15-30", 15, 30),
    ("30+", 31, None),
)
#: The longest range one request may cover, in days.
MAX_RANGE_DAYS = 3 * 366


@dataclass(frozen=True, slots=True)
class Opened:
    day: date
    units: int


@dataclass(frozen=True, slots=True)
class Ended:
    """A backorder filled (``cancelled`` False) or cancelled after ``wait_days``."""

    day: date
    wait_days: float
    cancelled: bool
    kept: bool = False  # filled in time to ship by its promised date (promise_kept)


@dataclass(frozen=True, slots=True)
class Joined:
    day: date
    converted: bool


@dataclass(frozen=True, slots=True)
class Receipt:
    day: date
    supplier_id: int
    supplier: str
    delay_days: int  # days after the date first promised; negative when early


@dataclass(frozen=True, slots=True)
class Refusal:
    day: date
    units: int


@dataclass(slots=True)
class Facts:
    """Everything the figures of one range come from."""

    opened: list[Opened] = field(default_factory=list)
    ended: list[Ended] = field(default_factory=list)
    joined: list[Joined] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class BucketRate:
    bucket: str
    ended: int
    cancelled: int
    rate: float | None


@dataclass(frozen=True, slots=True)
class SupplierFigures:
    supplier_id: int
    name: str
    receipts: int
    on_time_rate: float | None
    mean_delay_days: float | None


@dataclass(frozen=True, slots=True)
class Figures:
    opened: int
    filled: int
    cancelled: int
    median_days_to_fill: float | None
    p90_days_to_fill: float | None
    cancellation_by_wait: list[BucketRate]
    waitlist_joined: int
    waitlist_converted: int
    waitlist_conversion: float | None
    promises_due: int  # filled backorders, each with a promise to keep
    promises_kept: int
    promises_kept_share: float | None
    receipts: int
    supplier_on_time_rate: float | None
    supplier_mean_delay_days: float | None
    suppliers: list[SupplierFigures]
    backordered_units: int
    refused_orders: int
    refused_units: int


@dataclass(frozen=True, slots=True)
class Week:
    start: date  # a Monday
    figures: Figures


@dataclass(frozen=True, slots=True)
class Insights:
    start: date
    end: date  # inclusive
    figures: Figures
    weeks: list[Week]


def quantile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile of ``values`` by linear interpolation between closest ranks
    (numpy's default; the median of 1, 2, 3, 10 is 2.5), or None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def promise_kept(
    filled: date, promised: date, *, calendar: ShopCalendar, handling_days: int
) -> bool:
    """Whether a backorder filled on ``filled`` kept its promise to ship by ``promised``:
    its parcel leaves ``handling_days`` ship days after the fill."""
    return calendar.add_ship_days(filled, handling_days) <= promised


def wait_bucket(wait_days: float) -> str:
    """The bucket of a wait: whole days waited (a wait of 7.9 days is in 0-7)."""
    days = max(0, math.floor(wait_days))
    for label, first, last in WAIT_BUCKETS:
        if days >= first and (last is None or days <= last):
            return label
    raise AssertionError("the buckets cover every day")  # pragma: no cover


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks_of(start: date, end: date) -> list[date]:
    """The Mondays of the weeks that meet ``start``..``end`` (inclusive)."""
    first = week_start(start)
    return [first + timedelta(weeks=n) for n in range((end - first).days // 7 + 1)]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _suppliers(receipts: Iterable[Receipt]) -> list[SupplierFigures]:
    by_supplier: dict[int, list[Receipt]] = defaultdict(list)
    for r in receipts:
        by_supplier[r.supplier_id].append(r)
    result = []
    for supplier_id, rows in by_supplier.items():
        result.append(
            SupplierFigures(
                supplier_id=supplier_id,
                name=rows[0].supplier,
                receipts=len(rows),
                on_time_rate=_share(sum(r.delay_days <= 0 for r in rows), len(rows)),
                mean_delay_days=_mean([max(0, r.delay_days) for r in rows]),
            )
        )
    return sorted(result, key=lambda s: (s.name, s.supplier_id))


def figures(facts: Facts) -> Figures:
    """The figures of ``facts`` (one range, or one week of it)."""
    filled = [e for e in facts.ended if not e.cancelled]
    cancelled = [e for e in facts.ended if e.cancelled]
    waits = [e.wait_days for e in filled]
    ended: dict[str, int] = defaultdict(int)
    gone: dict[str, int] = defaultdict(int)
    for e in facts.ended:
        label = wait_bucket(e.wait_days)
        ended[label] += 1
        gone[label] += e.cancelled
    buckets = [
        BucketRate(label, ended[label], gone[label], _share(gone[label], ended[label]))
        for label, _, _ in WAIT_BUCKETS
    ]
    converted = sum(j.converted for j in facts.joined)
    kept = sum(e.kept for e in filled)
    on_time = sum(r.delay_days <= 0 for r in facts.receipts)
    return Figures(
        opened=len(facts.opened),
        filled=len(filled),
        cancelled=len(cancelled),
        median_days_to_fill=quantile(waits, 0.5),
        p90_days_to_fill=quantile(waits, 0.9),
        cancellation_by_wait=buckets,
        waitlist_joined=len(facts.joined),
        waitlist_converted=converted,
        waitlist_conversion=_share(converted, len(facts.joined)),
        promises_due=len(filled),
        promises_kept=kept,
        promises_kept_share=_share(kept, len(filled)),
        receipts=len(facts.receipts),
        supplier_on_time_rate=_share(on_time, len(facts.receipts)),
        supplier_mean_delay_days=_mean([max(0, r.delay_days) for r in facts.receipts]),
        suppliers=_suppliers(facts.receipts),
        backordered_units=sum(o.units for o in facts.opened),
        refused_orders=len(facts.refusals),
        refused_units=sum(r.units for r in facts.refusals),
    )


class _Dated(Protocol):
    @property
    def day(self) -> date: ...


_T = TypeVar("_T", bound=_Dated)


def _by_week(items: Iterable[_T]) -> dict[date, list[_T]]:
    grouped: dict[date, list[_T]] = defaultdict(list)
    for item in items:
        grouped[week_start(item.day)].append(item)
    return grouped


def insights(facts: Facts, start: date, end: date) -> Insights:
    """The figures of ``start``..``end`` (inclusive) and of each of its weeks."""
    opened, ended, joined = _by_week(facts.opened), _by_week(facts.ended), _by_week(facts.joined)
    receipts, refusals = _by_week(facts.receipts), _by_week(facts.refusals)
    weeks = [
        Week(
            monday,
            figures(
                Facts(
                    opened=opened.get(monday, []),
                    ended=ended.get(monday, []),
                    joined=joined.get(monday, []),
                    receipts=receipts.get(monday, []),
                    refusals=refusals.get(monday, []),
                )
            ),
        )
        for monday in weeks_of(start, end)
    ]
    return Insights(start, end, figures(facts), weeks)
