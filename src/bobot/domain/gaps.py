"""Inventory gaps: where supply will not cover demand, why, and what to do about it.

Pure rules over plain data (no I/O). The services gather :class:`ProductFacts` with a fixed
number of set-based statements and turn the :class:`Gap` values found here into alerts.

Rules (one gap per product and kind):

- ``UNCOVERED_BACKORDERS``: backordered units exceed incoming units (no purchase order covers
  them). Suggests REORDER (or SWITCH_SUPPLIER when a faster offer exists).
- ``PO_LATE``: an open purchase order's expected date has passed with units still due.
  When backorders wait on it (more units are backordered than the purchase orders that are
  not late bring), suggests NOTIFY_CUSTOMERS, or SWITCH_SUPPLIER once the scan finds a
  faster offer. When nothing waits on it, suggests CHASE_SUPPLIER, at low severity.
- ``ETA_SLIP``: waiting backorders are now expected after the date promised to the customer
  (``is_delayed``). Suggests NOTIFY_CUSTOMERS.
- ``BELOW_SAFETY_STOCK``: projected available stock after the best supplier's lead time,
  ``available - demand_per_day * lead_days``, is below ``safety_stock``. ``demand_per_day`` is
  the units ordered over the demand window divided by its length (a plain average: simple on
  purpose). Only for products with ``safety_stock > 0``. Suggests REORDER.
- ``BACKORDER_AGING``: waiting backorders older than ``aging_days``. Suggests NOTIFY_CUSTOMERS.
- ``PROJECTED_STOCKOUT``: the demand outlook (:mod:`bobot.domain.demand`) sees the stock
  position, with incoming purchase orders, fall below the safety stock within its weeks.
  Found by its own daily scan (forecasts take a while), not by the change-driven one; only
  for products with :data:`MIN_OUTLOOK_HISTORY_WEEKS` weeks of orders or more.
  Suggests REORDER, with the quantity and the date that covers the lead time.
- ``BACKORDER_LIMIT_REACHED``: the policy allows backorders but ``backordered >= limit``, so
  the product shows as out of stock. Suggests RAISE_LIMIT. A limit of 0 closes a product on
  purpose: no alert.

Severity is a score from 1 to 100, higher is worse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from bobot.domain.calendar import EVERY_DAY, ShopCalendar
from bobot.domain.eta import EtaRules
from bobot.domain.reliability import reliable_arrival


class GapKind(str, Enum):
    UNCOVERED_BACKORDERS = "UNCOVERED_BACKORDERS"
    PO_LATE = "PO_LATE"
    ETA_SLIP = "ETA_SLIP"
    BELOW_SAFETY_STOCK = "BELOW_SAFETY_STOCK"
    BACKORDER_AGING = "BACKORDER_AGING"
    BACKORDER_LIMIT_REACHED = "BACKORDER_LIMIT_REACHED"
    PROJECTED_STOCKOUT = "PROJECTED_STOCKOUT"


#: Weeks of order history a product needs before its outlook may raise an alert.
MIN_OUTLOOK_HISTORY_WEEKS = 4
#: Kinds found by the outlook's scan: the change-driven scan leaves their alerts alone.
OUTLOOK_KINDS = frozenset({GapKind.PROJECTED_STOCKOUT})


class SuggestedAction(str, Enum):
    REORDER = "REORDER"
    SWITCH_SUPPLIER = "SWITCH_SUPPLIER"
    NOTIFY_CUSTOMERS = "NOTIFY_CUSTOMERS"
    RAISE_LIMIT = "RAISE_LIMIT"
    CHASE_SUPPLIER = "CHASE_SUPPLIER"


@dataclass(frozen=True, slots=True)
class LatePo:
    purchase_order_id: int
    number: str
    supplier_id: int
    supplier_name: str
    expected_date: date
    due: int  # units still to receive for this product
    unit_cost: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class ProductFacts:
    product_id: int
    sku: str
    available: int = 0
    backordered: int = 0
    incoming: int = 0
    safety_stock: int = 0
    backorder_limit: int | None = None
    allows_backorders: bool = False
    waiting_backorders: int = 0
    oldest_backorder: date | None = None
    aged_backorders: int = 0  # waiting longer than the aging threshold
    delayed_backorders: int = 0
    delayed_units: int = 0
    late_pos: Sequence[LatePo] = field(default_factory=tuple)
    best_lead_days: int | None = None
    demand_per_day: float = 0.0


@dataclass(frozen=True, slots=True)
class GapRules:
    today: date
    aging_days: int = 14
    default_lead_days: int = 28


@dataclass(frozen=True, slots=True)
class Gap:
    product_id: int
    kind: GapKind
    cause: str
    action: SuggestedAction
    severity: int
    late_po: LatePo | None = None


def fmt_day(value: date) -> str:
    return f"{value.day} {value.strftime('%b')}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _clamp(score: float) -> int:
    return max(1, min(100, round(score)))


def days_late(po: LatePo, today: date) -> int:
    return (today - po.expected_date).days


def detect(facts: ProductFacts, rules: GapRules) -> list[Gap]:
    """Every gap of one product, at most one per kind."""
    gaps: list[Gap] = []
    f = facts
    waiting = f"{_plural(f.backordered, 'unit')} on {_plural(f.waiting_backorders, 'backorder')}"

    uncovered = f.backordered - f.incoming
    if f.backordered > 0 and uncovered > 0:
        gaps.append(
            Gap(
                f.product_id,
                GapKind.UNCOVERED_BACKORDERS,
                f"{waiting} but only {f.incoming} incoming: "
                f"{_plural(uncovered, 'unit')} not covered by any purchase order",
                SuggestedAction.REORDER,
                _clamp(50 + 40 * uncovered / f.backordered),
            )
        )

    late = [po for po in f.late_pos if po.due > 0 and po.expected_date < rules.today]
    if late:
        worst = max(late, key=lambda po: (days_late(po, rules.today), po.due))
        n = days_late(worst, rules.today)
        cause = (
            f"{worst.number} from {worst.supplier_name} was due {fmt_day(worst.expected_date)}, "
            f"{_plural(n, 'day')} late"
        )
        late_due = sum(po.due for po in late)
        waits = f.backordered > f.incoming - late_due  # more than the on-time POs bring
        if waits:
            cause += f"; {waiting} wait on it"
        elif f.backordered:
            cause += f"; other purchase orders cover the {waiting}"
        if len(late) > 1:
            cause += f" ({len(late) - 1} more late purchase orders)"
        gaps.append(
            Gap(
                f.product_id,
                GapKind.PO_LATE,
                cause,
                # The scan upgrades NOTIFY_CUSTOMERS to SWITCH_SUPPLIER when an alternative
                # offer would arrive sooner. Nobody waiting: chasing the supplier is enough.
                SuggestedAction.NOTIFY_CUSTOMERS if waits else SuggestedAction.CHASE_SUPPLIER,
                _clamp(40 + 3 * n + 20) if waits else min(_clamp(10 + n), 25),
                late_po=worst,
            )
        )

    if f.delayed_backorders > 0:
        gaps.append(
            Gap(
                f.product_id,
                GapKind.ETA_SLIP,
                f"{_plural(f.delayed_backorders, 'backorder')} "
                f"({_plural(f.delayed_units, 'unit')}) now expected after the promised date",
                SuggestedAction.NOTIFY_CUSTOMERS,
                _clamp(45 + 5 * f.delayed_backorders),
            )
        )

    if f.safety_stock > 0:
        lead = f.best_lead_days if f.best_lead_days is not None else rules.default_lead_days
        demand = f.demand_per_day * lead
        projected = f.available - demand
        if projected < f.safety_stock:
            gaps.append(
                Gap(
                    f.product_id,
                    GapKind.BELOW_SAFETY_STOCK,
                    f"{f.available} available minus {demand:.0f} expected demand over the "
                    f"{_plural(lead, 'day')} lead time leaves {projected:.0f}, "
                    f"below the safety stock of {f.safety_stock}",
                    SuggestedAction.REORDER,
                    _clamp(20 + 30 * (f.safety_stock - projected) / f.safety_stock),
                )
            )

    if f.aged_backorders > 0 and f.oldest_backorder is not None:
        age = (rules.today - f.oldest_backorder).days
        gaps.append(
            Gap(
                f.product_id,
                GapKind.BACKORDER_AGING,
                f"{_plural(f.aged_backorders, 'backorder')} waiting more than "
                f"{_plural(rules.aging_days, 'day')}; the oldest for {_plural(age, 'day')}",
                SuggestedAction.NOTIFY_CUSTOMERS,
                _clamp(30 + age),
            )
        )

    if (
        f.allows_backorders
        and f.backorder_limit is not None
        and f.backorder_limit > 0  # 0: closed on purpose, a decision and not a gap
        and f.backordered >= f.backorder_limit
        and f.available == 0
    ):
        gaps.append(
            Gap(
                f.product_id,
                GapKind.BACKORDER_LIMIT_REACHED,
                f"{_plural(f.backordered, 'unit')} backordered reach the limit of "
                f"{f.backorder_limit}: shown as out of stock",
                SuggestedAction.RAISE_LIMIT,
                35,
            )
        )
    return gaps


def projected_stockout(
    product_id: int,
    *,
    runs_out: date | None,
    reorder_date: date | None,
    quantity: int,
    lead_days: int,
    safety_stock: int,
    peak: bool,
    today: date,
    history_weeks: int,
) -> Gap | None:
    """The gap of a product whose cover runs out within the outlook (``runs_out``)."""
    if runs_out is None or reorder_date is None or history_weeks < MIN_OUTLOOK_HISTORY_WEEKS:
        return None
    cause = (
        f"forecast demand{' heading into its peak' if peak else ''} takes stock below the "
        f"safety stock of {safety_stock} by {fmt_day(runs_out)}: reorder "
        f"{_plural(quantity, 'unit')} by {fmt_day(reorder_date)} "
        f"({_plural(lead_days, 'day')} lead time)"
    )
    slack = (reorder_date - today).days
    return Gap(
        product_id,
        GapKind.PROJECTED_STOCKOUT,
        cause[0].upper() + cause[1:],
        SuggestedAction.REORDER,
        _clamp(80 - 2 * slack),
    )


# --------------------------------------------------------------------------- supplier switch


@dataclass(frozen=True, slots=True)
class Offer:
    supplier_id: int
    supplier_name: str
    unit_cost: Decimal
    lead_time_days: int
    rank: int = 1
    delay_days: int = 0  # the supplier's learned delay (its promise margin), in ship days


@dataclass(frozen=True, slots=True)
class SwitchChoice:
    offer: Offer
    arrival: date  # nominal: the date the new purchase order is expected on
    cost_difference: Decimal  # (new unit cost - old unit cost) * quantity
    reliable_arrival: date | None = None  # the arrival plus the supplier's learned delay


def arrival_of(offer: Offer, today: date) -> date:
    return today + timedelta(days=offer.lead_time_days)


def reliable_arrival_of(offer: Offer, today: date, calendar: ShopCalendar = EVERY_DAY) -> date:
    """When the offer's units can be counted on: the nominal lead time, then the supplier's
    learned delay in ship days (:func:`bobot.domain.reliability.reliable_arrival`). A faster
    but unreliable supplier is not really faster."""
    return reliable_arrival(arrival_of(offer, today), offer.delay_days, calendar)


def choose_switch(
    offers: Iterable[Offer],
    *,
    from_supplier_id: int | None,
    quantity: int,
    today: date,
    from_unit_cost: Decimal,
    beat: date | None = None,
    calendar: ShopCalendar = EVERY_DAY,
) -> SwitchChoice | None:
    """The best alternative: earliest *reliable* arrival for the quantity (the lead time plus
    the supplier's learned delay), then lowest cost, then rank.

    Offers of ``from_supplier_id`` are not alternatives. With ``beat``, an alternative must
    reliably arrive before that date to be worth proposing.
    """
    candidates = [o for o in offers if o.supplier_id != from_supplier_id]
    if not candidates or quantity <= 0:
        return None
    best = min(
        candidates,
        key=lambda o: (reliable_arrival_of(o, today, calendar), o.unit_cost, o.rank, o.supplier_id),
    )
    reliable = reliable_arrival_of(best, today, calendar)
    if beat is not None and reliable >= beat:
        return None
    return SwitchChoice(
        best, arrival_of(best, today), (best.unit_cost - from_unit_cost) * quantity, reliable
    )


def switch_basis(offer: Offer, *, late_po: LatePo | None, replaced: Offer | None) -> str:
    """The facts a switch proposal rests on, as a key: the offer (supplier, lead time, cost)
    and what it replaces (the late PO's id, date and due units, or the preferred offer's
    terms). A decided proposal with the same basis is not proposed again."""
    to = f"to:{offer.supplier_id}:{offer.lead_time_days}d:{offer.unit_cost}"
    if late_po is not None:
        return (
            f"{to}|po:{late_po.purchase_order_id}:{late_po.expected_date.isoformat()}:{late_po.due}"
        )
    if replaced is not None:
        return f"{to}|offer:{replaced.supplier_id}:{replaced.lead_time_days}d:{replaced.unit_cost}"
    return f"{to}|none"


def projected_arrival_of_late_po(po: LatePo, today: date) -> date:
    """When a late purchase order may still arrive: the ETA walk's rule
    (:meth:`bobot.domain.eta.EtaRules.arrival`), as long again as it is late."""
    return EtaRules(today, handling_days=0, fallback_lead_days=0).arrival(po.expected_date)


def backorders_improved(current_dates: Iterable[date], new_ship_date: date) -> int:
    """How many backorders would ship earlier than they currently would."""
    return sum(1 for d in current_dates if d > new_ship_date)


# --------------------------------------------------------------------------- shortages


def shortage_severity(
    *, backordered: int, uncovered: int, oldest_age_days: int, late_units: int = 0
) -> int:
    """1..100: uncovered demand weighs most, then units on late POs, then waiting time."""
    if backordered <= 0:
        return 1
    score = 20 + 50 * max(uncovered, 0) / backordered
    score += 15 * min(late_units, backordered) / backordered
    score += min(oldest_age_days, 30) / 2
    return _clamp(score)
