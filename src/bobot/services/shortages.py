"""The shortage report: every product whose backorders wait, worst first.

:func:`compute` works the report out from the backorders, purchase orders and offers (two
statements, whatever the count): for the whole store, or for a few products.
:func:`shortages` is the whole report in order. Pages are read from the report kept as a
table (:mod:`bobot.services.shortage_summary`), which :func:`compute` keeps up to date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bobot import sql
from bobot.domain import gaps as rules
from bobot.domain.eta import Supply, eta_for_position
from bobot.domain.statuses import OPEN_PO_SQL, WAITING_SQL
from bobot.services.context import Deps
from bobot.services.gap_facts import as_datetime


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


#: Where a shortage stands in the report, worst first: severity, then uncovered units, then
#: the oldest backorder's age (each descending), then the SKU.
Rank = tuple[int, int, int, str]


def rank_of(shortage: Shortage) -> Rank:
    return (
        shortage.severity,
        shortage.uncovered,
        shortage.oldest_backorder_age_days,
        shortage.sku,
    )


def sort_key(shortage: Shortage) -> tuple[int, int, int, str]:
    """Ascending sort key of the report's order (see :data:`Rank`)."""
    return (
        -shortage.severity,
        -shortage.uncovered,
        -shortage.oldest_backorder_age_days,
        shortage.sku,
    )


#: Waiting backorders are grouped by product before the join: grouping the joined rows by
#: the product's columns took a third longer on PostgreSQL.
_SHORT_PRODUCTS = """
SELECT p.id, p.sku, p.available, p.backordered, b.oldest,
       (SELECT MIN(o.lead_time_days) FROM supplier_offer o
         WHERE o.product_id = p.id AND o.active = ?)
  FROM product p
  LEFT JOIN (SELECT product_id, MIN(created_at) AS oldest FROM backorder
              WHERE status IN {waiting}{only_backorders} GROUP BY product_id) b
         ON b.product_id = p.id
 WHERE p.backordered > 0{only_products}
"""

_SHORT_INCOMING = """
SELECT l.product_id, po.expected_date, SUM(l.quantity - l.quantity_received)
  FROM purchase_order_line l
  JOIN purchase_order po ON po.id = l.purchase_order_id
  JOIN product p ON p.id = l.product_id
 WHERE p.backordered > 0 AND po.status IN {open_po} AND l.quantity > l.quantity_received{only}
 GROUP BY l.product_id, po.expected_date
 ORDER BY l.product_id, po.expected_date
"""


async def _read(
    product_ids: Collection[int] | None,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    if product_ids is None:
        products = await sql.fetch(
            _SHORT_PRODUCTS.format(waiting=WAITING_SQL, only_backorders="", only_products=""),
            [True],
        )
        incoming = await sql.fetch(_SHORT_INCOMING.format(open_po=OPEN_PO_SQL, only=""))
        return products, incoming
    ids = sql.ids(sorted(product_ids))
    products = await sql.fetch(
        _SHORT_PRODUCTS.format(
            waiting=WAITING_SQL,
            only_backorders=f" AND {sql.in_ids('product_id')}",
            only_products=f" AND {sql.in_ids('p.id')}",
        ),
        [True, ids, ids],
    )
    incoming = await sql.fetch(
        _SHORT_INCOMING.format(open_po=OPEN_PO_SQL, only=f" AND {sql.in_ids('l.product_id')}"),
        [ids],
    )
    return products, incoming


async def compute(
    deps: Deps, product_ids: Collection[int] | None = None, *, today: date | None = None
) -> list[Shortage]:
    """The shortages of the products given (None: every product), in no particular order.

    Products without waiting backorders have none. Two statements, whatever the count.
    """
    if product_ids is not None and not product_ids:
        return []
    products, incoming_rows = await _read(product_ids)
    incoming: dict[int, list[Supply]] = defaultdict(list)
    for product_id, expected, quantity in incoming_rows:
        incoming[product_id].append(Supply(sql.as_date(expected), int(quantity)))
    today = today if today is not None else deps.today()
    rules_by_lead = {
        lead: deps.eta_rules(lead, today=today) for lead in {row[5] for row in products}
    }
    result: list[Shortage] = []
    no_supply: tuple[Supply, ...] = ()  # shared by every product without supply: immutable
    for product_id, sku, available, backordered, oldest, lead in products:
        supply = incoming.get(product_id, no_supply)
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
    return result


async def shortages(deps: Deps) -> list[Shortage]:
    """Every product whose backorders wait, worst first, worked out from the store (two
    statements, whatever the count)."""
    result = await compute(deps)
    result.sort(key=sort_key)
    return result
