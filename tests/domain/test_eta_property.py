"""The ETA walk against a simulated arrival of supply (Hypothesis).

A random queue (priorities, partial allocations) waits on random purchase orders (some late,
some partly received; cancelled ones are simply absent), under a random shop calendar.
Supply then arrives: an order on time on its expected date, a late one on any day from
today on. The FIFO fill (the project's own, in queue order) covers each backorder on some
day. Every firm date the walk gave must be on or after that day plus handling, in ship days;
every date is a ship day; dates never decrease along the queue; and the date for a position
is the walk's date for the backorder that ends there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bobot.domain.calendar import ShopCalendar
from bobot.domain.eta import EtaRules, Supply, eta_for_position, walk
from bobot.domain.fifo import Waiting, fill

TODAY = date(2026, 12, 2)


@dataclass(frozen=True)
class Po:
    due_in: int  # days from today; negative: late
    ordered: int
    received: int  # a partly received order brings only the rest
    cancelled: bool  # a cancelled order is no supply: absent from the walk and the arrivals
    arrives_after_today: int  # only for a late order: when it really turns up

    @property
    def remaining(self) -> int:
        return max(self.ordered - self.received, 0)


@dataclass(frozen=True)
class Waiter:
    priority: int
    need: int  # units still uncovered (a partly allocated backorder needs fewer)


calendars = st.builds(
    ShopCalendar,
    ship_days=st.frozensets(st.integers(0, 6), min_size=1),
    holidays=st.frozensets(st.dates(TODAY - timedelta(days=5), TODAY + timedelta(days=90))),
)
rules = st.builds(
    EtaRules,
    today=st.just(TODAY),
    handling_days=st.integers(0, 3),
    fallback_lead_days=st.integers(1, 40),
    calendar=calendars,
)
pos = st.lists(
    st.builds(
        Po,
        due_in=st.integers(-20, 40),
        ordered=st.integers(1, 12),
        received=st.integers(0, 12),
        cancelled=st.booleans(),
        arrives_after_today=st.integers(0, 80),
    ),
    max_size=7,
)
queues = st.lists(
    st.builds(Waiter, priority=st.integers(0, 3), need=st.integers(1, 9)), max_size=12
)


def arrival_day(po: Po) -> date:
    if po.due_in >= 0:
        return TODAY + timedelta(days=po.due_in)  # on time: when the supplier said
    return TODAY + timedelta(days=po.arrives_after_today)  # late: any day from today


def covered_days(needs: list[int], supply: list[Po]) -> list[date | None]:
    """The day the FIFO fill covers each backorder (in queue order), None if never."""
    left = dict(enumerate(needs))
    covered: list[date | None] = [None] * len(needs)
    by_day: dict[date, int] = {}
    for po in supply:
        by_day[arrival_day(po)] = by_day.get(arrival_day(po), 0) + po.remaining
    for day in sorted(by_day):
        queue = [Waiting(i, need) for i, need in left.items() if need > 0]
        fills, _ = fill(queue, by_day[day])
        for f in fills:
            left[f.backorder_id] -= f.units
            if f.complete:
                covered[f.backorder_id] = day
    return covered


@settings(max_examples=150, deadline=None)
@given(rules=rules, supply=pos, waiting=queues)
def test_every_firm_date_can_be_kept_and_dates_never_decrease_along_the_queue(
    rules: EtaRules, supply: list[Po], waiting: list[Waiter]
) -> None:
    # The queue order: priority (higher first), then placement (the list's order).
    queue = sorted(range(len(waiting)), key=lambda i: (-waiting[i].priority, i))
    needs = [waiting[i].need for i in queue]
    live = [po for po in supply if not po.cancelled]
    offered = [Supply(TODAY + timedelta(days=po.due_in), po.remaining) for po in live]

    etas = walk(needs, offered, rules)
    covered = covered_days(needs, live)

    calendar = rules.calendar
    position = 0
    for need, eta, day in zip(needs, etas, covered, strict=True):
        position += need
        assert calendar.is_ship_day(eta.ship_date)
        assert eta.ship_date >= calendar.add_ship_days(TODAY, rules.handling_days)
        if not eta.is_estimate:
            assert day is not None, "a firm date on supply that never covers it"
            assert eta.ship_date >= calendar.add_ship_days(day, rules.handling_days)
        assert eta_for_position(position, offered, rules) == eta
    dates = [eta.ship_date for eta in etas]
    assert dates == sorted(dates)
    flags = [eta.is_estimate for eta in etas]
    assert flags == sorted(flags), "a firm date after an estimate"
