"""Reads every door shares: a product's queue and purchase orders, an order by number.

Each batch read takes many keys and answers in their order, one statement (two for the
purchase orders) however many there are, so that a DataLoader can call it as it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from bobot.domain.statuses import OPEN_PO, WAITING
from bobot.models import Backorder, Order, PurchaseOrder, PurchaseOrderLine, WaitlistEntry
from bobot.models.waitlist import ACTIVE_WAITLIST_STATUSES
from bobot.services.eta import FIFO_ORDER


async def order_by_number(number: str) -> Order | None:
    return await Order.get_or_none(number=number)


async def queues(product_ids: Sequence[int]) -> list[list[Backorder]]:
    """Each product's waiting backorders, in queue order (priority, then placement)."""
    groups: dict[int, list[Backorder]] = defaultdict(list)
    waiting = Backorder.filter(product_id__in=product_ids, status__in=list(WAITING))
    for row in await waiting.order_by(*FIFO_ORDER):
        groups[row.product_id].append(row)
    return [groups.get(i, []) for i in product_ids]


async def waitlists(product_ids: Sequence[int]) -> list[list[WaitlistEntry]]:
    """Each product's active waitlist entries, in order."""
    groups: dict[int, list[WaitlistEntry]] = defaultdict(list)
    active = WaitlistEntry.filter(
        product_id__in=product_ids, status__in=list(ACTIVE_WAITLIST_STATUSES)
    )
    for row in await active.order_by("created_at", "id"):
        groups[row.product_id].append(row)
    return [groups.get(i, []) for i in product_ids]


async def open_purchase_orders(product_ids: Sequence[int]) -> list[list[PurchaseOrder]]:
    """Each product's open purchase orders, by expected date."""
    pairs = await PurchaseOrderLine.filter(
        product_id__in=product_ids, purchase_order__status__in=list(OPEN_PO)
    ).values_list("product_id", "purchase_order_id")
    pos = {po.id: po for po in await PurchaseOrder.filter(id__in=[p for _, p in pairs])}
    groups: dict[int, list[PurchaseOrder]] = defaultdict(list)
    for product_id, po_id in pairs:
        groups[product_id].append(pos[po_id])
    return [
        sorted(groups.get(i, []), key=lambda po: (po.expected_date, po.id)) for i in product_ids
    ]
