"""Delivery dates from supply: a backorder's date is the date of the purchase order that
covers its place in the queue, never a hope."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple


# Supply and Eta are NamedTuples: a restock or a shortage report builds thousands of each,
# and a frozen dataclass takes twice as long to build.
class Supply(NamedTuple):
    """Units expected on one purchase order line."""

    expected_date: date
    quantity: int


class Eta(NamedTuple):
    ship_date: date
    is_estimate: bool


@dataclass(frozen=True, slots=True)
class EtaRules:
    today: date
    handling_days: int
    fallback_lead_days: int  # the best active supplier offer's lead time

    def arrival(self, expected: date) -> date:
        """When a purchase order's units can be counted on.

        An order due today or later arrives when its supplier says. One already late has
        broken its date, so it is given as long again as it is late (at least a day): a
        supplier a week late is assumed to need another week. Dates built on it are estimates.
        """
        if expected >= self.today:
            return expected
        return self.today + timedelta(days=max((self.today - expected).days, 1))

    def ship_after_arrival(self, arrival: date) -> date:
        return self.arrival(arrival) + timedelta(days=self.handling_days)

    def from_supply(self, item: Supply) -> Eta:
        return Eta(self.ship_after_arrival(item.expected_date), item.expected_date < self.today)

    def estimate(self, schedule: Sequence[Supply] = ()) -> Eta:
        """Beyond all purchase orders: a new order placed today with the best lead time.

        Units arrive in queue order, so an uncovered backorder cannot ship before the last
        purchase order already due, even when a new order would arrive earlier.
        """
        arrival = self.today + timedelta(days=self.fallback_lead_days)
        if schedule:
            arrival = max(arrival, max(self.arrival(s.expected_date) for s in schedule))
        return Eta(arrival + timedelta(days=self.handling_days), is_estimate=True)


def walk(needs: Sequence[int], supply: Iterable[Supply], rules: EtaRules) -> list[Eta]:
    """The ETA of each backorder in FIFO order.

    ``needs`` are the units each backorder still waits for, in queue order. A backorder's ETA
    is the expected date of the first purchase order at which cumulative incoming covers its
    cumulative position, plus handling days; beyond all purchase orders it is an estimate
    from the best supplier's lead time, never earlier than the last purchase order.
    """
    schedule = sorted(supply, key=lambda s: s.expected_date)
    # Every backorder a purchase order covers gets the same date, and so does every one
    # beyond them all: one Eta each, however long the queue.
    by_order = [rules.from_supply(item) for item in schedule]
    handled = Eta(rules.today + timedelta(days=rules.handling_days), False)
    beyond: Eta | None = None
    result: list[Eta] = []
    covered = 0
    index = 0
    position = 0
    for need in needs:
        if need < 0:
            raise ValueError("a backorder cannot need a negative number of units")
        position += need
        while covered < position and index < len(schedule):
            covered += schedule[index].quantity
            index += 1
        if need == 0:
            result.append(handled)  # fully allocated: ships as soon as it is handled
        elif covered >= position:
            result.append(by_order[index - 1])
        else:
            if beyond is None:
                beyond = rules.estimate(schedule)
            result.append(beyond)
    return result


def eta_for_position(position: int, supply: Iterable[Supply], rules: EtaRules) -> Eta:
    """The ETA of a unit at ``position`` (1-based) in the queue of uncovered units."""
    schedule = sorted(supply, key=lambda s: s.expected_date)
    covered = 0
    for item in schedule:
        covered += item.quantity
        if covered >= position:
            return rules.from_supply(item)
    return rules.estimate(schedule)


def promise(eta: Eta, margin_days: int) -> date:
    """The date told to the customer: the ETA plus a safety margin."""
    return eta.ship_date + timedelta(days=margin_days)
