"""The shortage report: every product whose backorders wait, worst first."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from bobot import sql
from bobot.domain import gaps as rules
from bobot.domain.eta import Supply, eta_for_position
from bobot.services.base import Deps
from bobot.services.gap_facts import OPEN_PO_SQL, WAITING_SQL, as_datetime


@dataclass(frozen=True, slots=True)
class IncomingOnDate:
    date: date
    quantity: int


@dataclass(frozen=True, slots=True)
class Shortage:
    product_id: int
    sku: str
    backordered: int
    available: int
    incoming: list[IncomingOnDate]
    uncovered: int
    oldest_backorder_age_days: int
    next_purchase_order_date: date | None
    eta_for_new_order: date
    eta_is_estimate: bool
    severity: int


_SHORT_PRODUCTS = """
SELECT p.id, p.sku, p.available, p.backordered, MIN(b.created_at),
       (SELECT MIN(o.lead_time_days) FROM supplier_offer o
         WHERE o.product_id = p.id AND o.active = ?)
  FROM product p LEFT JOIN backorder b ON b.product_id = p.id AND b.status IN {waiting}
 WHERE p.backordered > 0
 GROUP BY p.id, p.sku, p.available, p.backordered
"""

_SHORT_INCOMING = """
SELECT l.product_id, po.expected_date, SUM(l.quantity - l.quantity_received)
  FROM purchase_order_line l
  JOIN purchase_order po ON po.id = l.purchase_order_id
  JOIN product p ON p.id = l.product_id
 WHERE p.backordered > 0 AND po.status IN {open_po} AND l.quantity > l.quantity_received
 GROUP BY l.product_id, po.expected_date
"""


async def shortages(deps: Deps) -> list[Shortage]:
    """Every product whose backorders wait, worst first. Two statements, whatever the count."""
    products = await sql.fetch(_SHORT_PRODUCTS.format(waiting=WAITING_SQL), [True])
    incoming_rows = await sql.fetch(_SHORT_INCOMING.format(open_po=OPEN_PO_SQL))
    incoming: dict[int, list[Supply]] = defaultdict(list)
    for product_id, expected, quantity in incoming_rows:
        incoming[product_id].append(Supply(sql.as_date(expected), int(quantity)))
    today = deps.today()
    late_before = today
    rules_by_lead = {lead: deps.eta_rules(lead) for lead in {row[5] for row in products}}
    result: list[Shortage] = []
    for product_id, sku, available, backordered, oldest, lead in products:
        supply = sorted(incoming.get(product_id, []), key=lambda s: s.expected_date)
        total_incoming = sum(s.quantity for s in supply)
        uncovered = max(backordered - total_incoming, 0)
        age = (today - as_datetime(oldest).date()).days if oldest is not None else 0
        eta = eta_for_position(backordered + 1, supply, rules_by_lead[lead])
        late_units = sum(s.quantity for s in supply if s.expected_date < late_before)
        upcoming = [s.expected_date for s in supply if s.expected_date >= today]
        result.append(
            Shortage(
                product_id=product_id,
                sku=sku,
                backordered=backordered,
                available=available,
                incoming=[IncomingOnDate(s.expected_date, s.quantity) for s in supply],
                uncovered=uncovered,
                oldest_backorder_age_days=age,
                next_purchase_order_date=upcoming[0] if upcoming else None,
                eta_for_new_order=eta.ship_date,
                eta_is_estimate=eta.is_estimate,
                severity=rules.shortage_severity(
                    backordered=backordered,
                    uncovered=uncovered,
                    oldest_age_days=age,
                    late_units=late_units,
                ),
            )
        )
    result.sort(key=lambda s: (-s.severity, -s.uncovered, -s.oldest_backorder_age_days, s.sku))
    return result
