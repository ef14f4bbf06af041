"""The shortage report: every product whose backorders wait, worst first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bobot import sql
from bobot.domain import gaps as rules
from bobot.domain.eta import Supply, eta_for_position
from bobot.services.base import Deps
from bobot.services.gap_facts import OPEN_PO_SQL, WAITING_SQL, as_datetime


@dataclass(slots=True)  # not frozen, which costs a setattr per field: a report builds thousands
class Shortage:
    product_id: int
    sku: str
    backordered: int
    available: int
    incoming: Sequence[Supply]  # unreceived units on open purchase orders, by expected date
    uncovered: int
    oldest_backorder_age_days: int
    next_purchase_order_date: date | None
    eta_for_new_order: date
    eta_is_estimate: bool
    severity: int


#: Waiting backorders are grouped by product before the join: grouping the joined rows by
#: the product's columns took a third longer on PostgreSQL.
_SHORT_PRODUCTS = """
SELECT p.id, p.sku, p.available, p.backordered, b.oldest,
       (SELECT MIN(o.lead_time_days) FROM supplier_offer o
         WHERE o.product_id = p.id AND o.active = ?)
  FROM product p
  LEFT JOIN (SELECT product_id, MIN(created_at) AS oldest FROM backorder
              WHERE status IN {waiting} GROUP BY product_id) b ON b.product_id = p.id
 WHERE p.backordered > 0
"""

_SHORT_INCOMING = """
SELECT l.product_id, po.expected_date, SUM(l.quantity - l.quantity_received)
  FROM purchase_order_line l
  JOIN purchase_order po ON po.id = l.purchase_order_id
  JOIN product p ON p.id = l.product_id
 WHERE p.backordered > 0 AND po.status IN {open_po} AND l.quantity > l.quantity_received
 GROUP BY l.product_id, po.expected_date
 ORDER BY l.product_id, po.expected_date
"""


async def shortages(deps: Deps) -> list[Shortage]:
    """Every product whose backorders wait, worst first. Two statements, whatever the count."""
    products = await sql.fetch(_SHORT_PRODUCTS.format(waiting=WAITING_SQL), [True])
    incoming_rows = await sql.fetch(_SHORT_INCOMING.format(open_po=OPEN_PO_SQL))
    incoming: dict[int, list[Supply]] = defaultdict(list)
    for product_id, expected, quantity in incoming_rows:
        incoming[product_id].append(Supply(sql.as_date(expected), int(quantity)))
    today = deps.today()
    rules_by_lead = {lead: deps.eta_rules(lead) for lead in {row[5] for row in products}}
    result: list[Shortage] = []
    no_supply: tuple[Supply, ...] = ()  # shared by every product without supply: immutable
    for product_id, sku, available, backordered, oldest, lead in products:
        supply = incoming.get(product_id, no_supply)  # by expected date
        uncovered = max(backordered - sum(s.quantity for s in supply), 0)
        age = (today - as_datetime(oldest).date()).days if oldest is not None else 0
        late_units = sum(s.quantity for s in supply if s.expected_date < today)
        eta = eta_for_position(backordered + 1, supply, rules_by_lead[lead])
        result.append(
            Shortage(
                product_id=product_id,
                sku=sku,
                backordered=backordered,
                available=available,
                incoming=supply,
                uncovered=uncovered,
                oldest_backorder_age_days=age,
                next_purchase_order_date=next(
                    (s.expected_date for s in supply if s.expected_date >= today), None
                ),
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
