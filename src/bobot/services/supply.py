"""Reads of supply that several services share: open purchase-order lines and lead times."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from bobot import sql
from bobot.domain.eta import Supply
from bobot.domain.statuses import OPEN_PO_SQL

_SUPPLY_AND_LEAD = """
SELECT l.product_id, po.expected_date, l.quantity - l.quantity_received
  FROM purchase_order_line l JOIN purchase_order po ON po.id = l.purchase_order_id
 WHERE l.product_id IN ({ids}) AND po.status IN {open_po}
   AND l.quantity > l.quantity_received
UNION ALL
SELECT product_id, NULL, MIN(lead_time_days)
  FROM supplier_offer WHERE product_id IN ({ids}) AND active = ? GROUP BY product_id
"""


async def supply_and_lead(
    product_ids: Iterable[int],
) -> tuple[dict[int, list[Supply]], dict[int, int]]:
    """Per product: unreceived units on ordered purchase orders (by expected date), and the
    shortest lead time among its active supplier offers. One statement."""
    ids = sorted(set(product_ids))
    supply: dict[int, list[Supply]] = defaultdict(list)
    leads: dict[int, int] = {}
    if not ids:
        return supply, leads
    marks = sql.placeholders(len(ids))
    rows = await sql.fetch(
        _SUPPLY_AND_LEAD.format(ids=marks, open_po=OPEN_PO_SQL), [*ids, *ids, True]
    )
    for product_id, expected, quantity in rows:
        if expected is None:
            leads[product_id] = quantity
        else:
            supply[product_id].append(Supply(sql.as_date(expected), quantity))
    for supplies in supply.values():
        supplies.sort(key=lambda s: s.expected_date)
    return supply, leads
