"""Reads of supply that several services share: open purchase-order lines and lead times."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from bobot import sql
from bobot.domain.eta import Supply
from bobot.models import PurchaseOrderLine, SupplierOffer
from bobot.models.purchasing import OPEN_PO_STATUSES


async def open_supply(product_ids: Iterable[int]) -> dict[int, list[Supply]]:
    """Unreceived units on ordered purchase orders, per product, by expected date."""
    ids = list(set(product_ids))
    result: dict[int, list[Supply]] = defaultdict(list)
    if not ids:
        return result
    rows = await PurchaseOrderLine.filter(
        product_id__in=ids, purchase_order__status__in=list(OPEN_PO_STATUSES)
    ).values_list("product_id", "quantity", "quantity_received", "purchase_order__expected_date")
    for product_id, quantity, received, expected in rows:
        if quantity > received:
            result[product_id].append(Supply(expected, quantity - received))
    for supplies in result.values():
        supplies.sort(key=lambda s: s.expected_date)
    return result


async def best_lead_days(product_ids: Iterable[int]) -> dict[int, int]:
    """The shortest lead time among each product's active supplier offers."""
    ids = list(set(product_ids))
    if not ids:
        return {}
    rows = await SupplierOffer.filter(product_id__in=ids, active=True).values_list(
        "product_id", "lead_time_days"
    )
    best: dict[int, int] = {}
    for product_id, lead in rows:
        if product_id not in best or lead < best[product_id]:
            best[product_id] = lead
    return best


_SUPPLY_AND_LEAD = """
SELECT l.product_id, po.expected_date, l.quantity - l.quantity_received
  FROM purchase_order_line l JOIN purchase_order po ON po.id = l.purchase_order_id
 WHERE l.product_id IN ({ids}) AND po.status IN ('ORDERED', 'PARTIALLY_RECEIVED')
   AND l.quantity > l.quantity_received
UNION ALL
SELECT product_id, NULL, MIN(lead_time_days)
  FROM supplier_offer WHERE product_id IN ({ids}) AND active = ? GROUP BY product_id
"""


async def supply_and_lead(
    product_ids: Iterable[int],
) -> tuple[dict[int, list[Supply]], dict[int, int]]:
    """:func:`open_supply` and :func:`best_lead_days` in one statement (storefront reads)."""
    ids = sorted(set(product_ids))
    supply: dict[int, list[Supply]] = defaultdict(list)
    leads: dict[int, int] = {}
    if not ids:
        return supply, leads
    marks = sql.placeholders(len(ids))
    rows = await sql.fetch(_SUPPLY_AND_LEAD.format(ids=marks), [*ids, *ids, True])
    for product_id, expected, quantity in rows:
        if expected is None:
            leads[product_id] = quantity
        else:
            supply[product_id].append(Supply(sql.as_date(expected), quantity))
    for supplies in supply.values():
        supplies.sort(key=lambda s: s.expected_date)
    return supply, leads
