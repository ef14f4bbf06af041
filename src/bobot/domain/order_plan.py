"""An order decided in one place: what every line takes from stock, what it backorders, the
dates each backorder is promised and expected on, and the shipments that carry it all.

:func:`plan_order` is a pure function over what the service read under the product locks;
the service then writes what it says, without deciding anything more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bobot.domain.calendar import EVERY_DAY, ShopCalendar
from bobot.domain.eta import Eta, EtaRules, Supply, covered_position, promise, promise_for
from bobot.domain.ordering import (
    LineRequest,
    LineSplit,
    PlannedShipment,
    ShipPreference,
    StockView,
    plan_shipments,
    split_lines,
)
from bobot.domain.reliability import Margins


@dataclass(frozen=True, slots=True)
class ProductFacts:
    """One product as the service read it under its lock: stock, terms and queue length
    (``stock``), and, when some of it may be backordered, its supply and ETA rules, the
    supplier an estimate beyond its purchase orders is dated from, and its suppliers'
    promise margins (None: the plan's fixed margin)."""

    stock: StockView
    supply: Sequence[Supply] = ()
    rules: EtaRules | None = None
    lead_supplier_id: int | None = None
    margins: Margins | None = None


@dataclass(frozen=True, slots=True)
class PlannedBackorder:
    line_index: int
    sku: str
    quantity: int
    expected: Eta
    promised: date


@dataclass(frozen=True, slots=True)
class ShipmentPlan:
    """A shipment: its parts (line index, units, units are backordered), whether it waits
    for backordered units, and the day it is expected to leave."""

    parts: tuple[tuple[int, int, bool], ...]
    waits: bool
    ship_date: date


@dataclass(frozen=True, slots=True)
class OrderPlan:
    splits: tuple[LineSplit, ...]
    backorders: Mapping[int, PlannedBackorder]  # by line index
    shipments: tuple[ShipmentPlan, ...]


def skus_to_date(lines: Sequence[LineRequest], available: Mapping[str, int]) -> set[str]:
    """The SKUs of which the order asks more than is available: only their supply needs
    reading before the order can be planned."""
    wanted: dict[str, int] = {}
    for line in lines:
        wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
    return {sku for sku, units in wanted.items() if units > available.get(sku, 0)}


def plan_order(
    lines: Sequence[LineRequest],
    facts: Mapping[str, ProductFacts],
    preference: ShipPreference,
    *,
    now: datetime,
    today: date,
    handling_days: int,
    margin_days: int,
    calendar: ShopCalendar = EVERY_DAY,
) -> OrderPlan:
    """Plan an order, all or nothing (raises the split's coded refusal).

    Each backordered part takes the next place in its product's queue and the ETA of that
    place. A ``SHIP_TOGETHER`` order leaves as one parcel once everything is there, so every
    one of its backorders is expected (and promised) on the parcel's date: the latest of its
    lines' dates, an estimate when any of them is. Units from stock are ready after handling
    (counted in the ``calendar``'s ship days, like the promise's margin).

    A backorder is promised its ETA plus the margin of the supplier whose purchase order
    dates it (of the estimate's supplier beyond them all); ``margin_days`` where the product
    has no margins. One parcel is promised the latest of its lines' promises.
    """
    splits = split_lines(lines, {sku: f.stock for sku, f in facts.items()}, now)
    queued = {sku: f.stock.backordered for sku, f in facts.items()}
    etas: dict[int, Eta] = {}
    promises: dict[int, date] = {}
    for split in splits:
        if not split.backordered:
            continue
        product = facts[split.sku]
        if product.rules is None:
            raise ValueError(f"{split.sku} is backordered but its supply was not read")
        queued[split.sku] += split.backordered
        eta, waits_for, covered = covered_position(queued[split.sku], product.supply, product.rules)
        etas[split.index] = eta
        if product.margins is None:
            promises[split.index] = promise(eta, margin_days, calendar)
        else:
            promises[split.index] = promise_for(
                eta,
                waits_for,
                covered,
                product.rules,
                product.margins,
                product.lead_supplier_id,
            )

    ready = calendar.add_ship_days(today, handling_days)
    if preference is ShipPreference.SHIP_TOGETHER and etas:
        parcel = parcel_eta(etas.values(), ready)
        etas = dict.fromkeys(etas, parcel)
        promises = dict.fromkeys(promises, max([parcel.ship_date, *promises.values()]))
    backorders = {
        index: PlannedBackorder(
            index, splits[index].sku, splits[index].backordered, eta, promises[index]
        )
        for index, eta in etas.items()
    }
    shipments = tuple(
        _dated(planned, etas, ready) for planned in plan_shipments(splits, preference)
    )
    return OrderPlan(tuple(splits), backorders, shipments)


def parcel_eta(etas: Iterable[Eta], ready: date) -> Eta:
    """The day one parcel holding units with these ETAs can leave: the latest of them (never
    before units in stock are handled), an estimate when any of them is."""
    listed = list(etas)
    ship_date = max([ready, *(eta.ship_date for eta in listed)])
    return Eta(ship_date, any(eta.is_estimate for eta in listed))


def _dated(planned: PlannedShipment, etas: Mapping[int, Eta], ready: date) -> ShipmentPlan:
    waiting = [etas[index] for index, _, backordered in planned.parts if backordered]
    ship_date = parcel_eta(waiting, ready).ship_date
    return ShipmentPlan(planned.parts, planned.waits, ship_date)


def shipment_ship_date(waits: bool | None, expected: Iterable[date], ready: date) -> date | None:
    """The day a shipment is expected to leave: after handling once it is ready (``waits``
    false), its lines' latest expected date while it waits for backordered units (``waits``
    true), none once it has left or was cancelled (``waits`` None)."""
    if waits is None:
        return None
    return max([ready, *expected]) if waits else ready
