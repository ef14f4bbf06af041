"""Delivery dates from supply: a backorder's date is the date of the purchase order that
covers its place in the queue, never a hope.

Supply is walked in the order it is now expected to arrive: a purchase order already late
takes its place at its projected arrival, not at the date it broke. Along a queue dates
never decrease, and a firm date never rests on a late purchase order: once the walk has
used units of one, every backorder from there on is an estimate (should it arrive after an
order due later, that order's units fill the backorders ahead, and the wait is on it).
Handling is counted in the shop's ship days (:mod:`bobot.domain.calendar`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from bobot.domain.calendar import EVERY_DAY, ShopCalendar
from bobot.domain.reliability import Margins, ship_days_late


# Supply and Eta are NamedTuples: a restock or a shortage report builds thousands of each,
# and a frozen dataclass takes twice as long to build.
class Supply(NamedTuple):
    """Units expected on one purchase order line (and the order's supplier, when known)."""

    expected_date: date
    quantity: int
    supplier_id: int | None = None


class Eta(NamedTuple):
    ship_date: date
    is_estimate: bool


@dataclass(frozen=True, slots=True)
class EtaRules:
    today: date  # in the shop's time zone
    handling_days: int  # ship days from stock arriving to the parcel leaving
    fallback_lead_days: int  # the best active supplier offer's lead time
    calendar: ShopCalendar = EVERY_DAY

    def arrival(self, expected: date) -> date:
        """When a purchase order's units can be counted on.

        An order due today or later arrives when its supplier says. One already late has
        broken its date, so it is given as long again as it is late (at least a day): a
        supplier a week late is assumed to need another week. Dates built on it are estimates.
        """
        if expected >= self.today:
            return expected
        return self.today + timedelta(days=max((self.today - expected).days, 1))

    def ship_after(self, arrival: date) -> date:
        """The day a parcel can leave when its units arrive on ``arrival``."""
        return self.calendar.add_ship_days(arrival, self.handling_days)

    def ship_after_arrival(self, expected: date) -> date:
        """The ship date for a purchase order due on ``expected`` (late or not)."""
        return self.ship_after(self.arrival(expected))

    def in_stock(self) -> date:
        """The ship date of units already here."""
        return self.ship_after(self.today)

    def estimate(self, after: date | None = None) -> Eta:
        """Beyond all purchase orders: a new order placed today with the best lead time.

        Units arrive in queue order, so an uncovered backorder cannot ship before the last
        purchase order's arrival (``after``), even when a new order would arrive earlier.
        """
        arrival = self.today + timedelta(days=self.fallback_lead_days)
        if after is not None and after > arrival:
            arrival = after
        return Eta(self.ship_after(arrival), is_estimate=True)

    def promise(self, eta: Eta, margin_days: int) -> date:
        """The date told to the customer: the ETA plus a margin, in ship days."""
        return promise(eta, margin_days, self.calendar)


class Step(NamedTuple):
    covered: int  # cumulative units once this purchase order has arrived
    eta: Eta  # the ETA of a position it covers


def schedule(supply: Iterable[Supply], rules: EtaRules) -> tuple[list[Step], date | None]:
    """Supply in the order it is now expected to arrive, as cumulative steps, and the last
    arrival (``None`` without supply).

    Each purchase order's arrival and ship date are computed once. On a tie, an order on
    time comes before a late one, so that its units keep their firm date.
    """
    dated = sorted(
        (rules.arrival(s.expected_date), s.expected_date < rules.today, s.quantity) for s in supply
    )
    steps: list[Step] = []
    covered = 0
    late_used = False
    last: Eta | None = None
    for arrival, late, quantity in dated:
        if quantity <= 0:
            continue
        covered += quantity
        late_used = late_used or late
        ship = rules.ship_after(arrival)
        if last is None or last != (ship, late_used):
            last = Eta(ship, late_used)
        steps.append(Step(covered, last))
    return steps, (dated[-1][0] if dated else None)


def walk(needs: Sequence[int], supply: Iterable[Supply], rules: EtaRules) -> list[Eta]:
    """The ETA of each backorder in queue order (priority, then placement).

    ``needs`` are the units each backorder still waits for, in queue order. A backorder's ETA
    is the ship date after the arrival of the purchase order at which cumulative supply (in
    order of arrival) covers its cumulative position; an estimate once any late order's units
    are used. Beyond all purchase orders it is an estimate from the best supplier's lead
    time, never earlier than the last arrival.
    """
    steps, last_arrival = schedule(supply, rules)
    # Every backorder a purchase order covers gets the same Eta, and so does every one
    # beyond them all: one Eta each, however long the queue.
    handled = Eta(rules.in_stock(), False)
    beyond: Eta | None = None
    result: list[Eta] = []
    append = result.append
    count = len(steps)
    index = 0
    position = 0
    for need in needs:
        if need < 0:
            raise ValueError("a backorder cannot need a negative number of units")
        if need == 0:
            append(handled)  # fully allocated: ships as soon as it is handled
            continue
        position += need
        while index < count and steps[index].covered < position:
            index += 1
        if index < count:
            append(steps[index].eta)
        else:
            if beyond is None:
                beyond = rules.estimate(last_arrival)
            append(beyond)
    return result


def eta_for_position(position: int, supply: Iterable[Supply], rules: EtaRules) -> Eta:
    """The ETA of a unit at ``position`` (1-based) in the queue of uncovered units: what
    :func:`walk` gives the backorder whose last unit is there."""
    return dated_position(position, supply, rules)[0]


def dated_position(
    position: int, supply: Iterable[Supply], rules: EtaRules
) -> tuple[Eta, int | None]:
    """:func:`eta_for_position`, and the supplier of the purchase order that covers the
    position (None when none does: the date is then an estimate beyond them all)."""
    eta, lines, covered = covered_position(position, supply, rules)
    return eta, lines[-1].supplier_id if covered else None


def covered_position(
    position: int, supply: Iterable[Supply], rules: EtaRules
) -> tuple[Eta, list[Supply], bool]:
    """:func:`eta_for_position`, the purchase order lines the position waits for (in order
    of arrival, up to the one that covers it; all of them when none does), and whether one
    covers it (if not, the date is an estimate beyond them all)."""
    # One per product in the shortage report and on product lists: dates only the orders
    # up to the one that covers the position, not every one.
    dated = sorted(
        (
            rules.arrival(s.expected_date),
            s.expected_date < rules.today,
            s.quantity,
            -1 if s.supplier_id is None else s.supplier_id,
            s.expected_date,
        )
        for s in supply
    )
    covered = 0
    late_used = False
    lines: list[Supply] = []
    for arrival, late, quantity, supplier_id, expected in dated:
        if quantity <= 0:
            continue
        covered += quantity
        late_used = late_used or late
        lines.append(Supply(expected, quantity, None if supplier_id < 0 else supplier_id))
        if covered >= position:
            return Eta(rules.ship_after(arrival), late_used), lines, True
    return rules.estimate(dated[-1][0] if dated else None), lines, False


def promise_for(
    eta: Eta,
    lines: Sequence[Supply],
    covered: bool,
    rules: EtaRules,
    margins: Margins,
    lead_supplier_id: int | None = None,
) -> date:
    """The date told for a position dated ``eta``, waiting for the purchase order ``lines``
    (:func:`covered_position`; ``covered``: the last of them covers it, else the date is an
    estimate from ``lead_supplier_id``'s offer).

    The position ships once the units ahead of it and its own have come, so every order it
    waits for must have come: the promise is the latest of their promises, each order's
    ship date plus its supplier's margin (and, beyond them all, the estimate plus the
    margin of the estimate's supplier). An order already late has only a projected
    arrival (:meth:`EtaRules.arrival`), and most of its supplier's deliveries (on time) say
    nothing about it: its margin comes from its supplier's deliveries that were at least as
    late (:meth:`Margins.after_late`). With one margin for all, this is the covering
    order's date (the last to arrive) plus that margin.
    """
    calendar = rules.calendar
    promised = [] if covered else [rules.promise(eta, margins.of(lead_supplier_id))]
    for line in lines:
        ship = rules.ship_after_arrival(line.expected_date)
        if line.expected_date >= rules.today:
            margin = margins.of(line.supplier_id)
        else:
            late = ship_days_late(line.expected_date, rules.today, calendar)
            projected = ship_days_late(
                line.expected_date, rules.arrival(line.expected_date), calendar
            )
            margin = margins.after_late(line.supplier_id, late, projected)
        promised.append(calendar.add_ship_days(ship, margin))
    return max(promised, default=eta.ship_date)


def promise(eta: Eta, margin_days: int, calendar: ShopCalendar) -> date:
    """The date told to the customer: the ETA plus a safety margin, in ship days."""
    return calendar.add_ship_days(eta.ship_date, margin_days)
