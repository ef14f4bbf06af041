"""Stock coming in (receipts) and going out (shipments)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from tortoise.expressions import F
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from bobot.domain import events as typed
from bobot.domain.fifo import Fill
from bobot.domain.lifecycle import (
    order_status,
    require_receivable,
    require_shippable,
    status_after_receipt,
)
from bobot.errors import BobotError, ErrorCode, NotFound
from bobot.models import (
    Backorder,
    BackorderStatus,
    Order,
    OrderLine,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
)
from bobot.services.context import Actor, Deps
from bobot.services.fulfilment import settle
from bobot.services.gap_scan import scan_after_change
from bobot.services.history import PendingEvent, record, typed_event
from bobot.services.locks import lock_products
from bobot.services.products import adjust_product, int_column, product_by_sku
from bobot.services.reliability import count_delivery
from bobot.services.validation import require_quantity


@dataclass
class Receipt:
    product: Product
    fills: list[Fill] = field(default_factory=list)


async def receive_stock(
    *, sku: str, quantity: int, purchase_order_id: int | None, actor: Actor, deps: Deps
) -> Receipt:
    """Receive units of one product (against a purchase order, or as an adjustment).

    Open backorders are filled oldest first before any unit becomes available.
    """
    require_quantity(quantity)
    async with in_transaction():
        product = await product_by_sku(sku, lock=True)
        po, po_line = None, None
        if purchase_order_id is not None:
            po, po_line = await _open_po_line(purchase_order_id, product)
        await _receive(product, quantity, po_line, actor=actor, deps=deps)
        if po is not None:
            await _refresh_po_status(po, actor=actor, deps=deps)
        fills = await settle({product.id: quantity}, actor=actor, deps=deps)
        await product.refresh_from_db()
    await scan_after_change([product.id], deps=deps)
    return Receipt(product, fills)


async def receive_purchase_order(
    *, purchase_order_id: int, actor: Actor, deps: Deps
) -> tuple[PurchaseOrder, list[Fill]]:
    """Receive every unit still due on a purchase order."""
    async with in_transaction():
        # The project's lock order: products (in id order), then the purchase order.
        line_products = PurchaseOrderLine.filter(purchase_order_id=purchase_order_id)
        products = await lock_products(
            await int_column(line_products.values_list("product_id", flat=True))
        )
        po = await _lock_po(purchase_order_id)
        require_receivable(po.number, po.status, field="id")
        lines = await PurchaseOrderLine.filter(purchase_order_id=po.id).order_by("product_id")
        # A line added while we waited for the locks: lock its product too.
        products |= await lock_products(
            line.product_id for line in lines if line.product_id not in products
        )
        received = dict.fromkeys(products, 0)
        for line in lines:
            due = line.quantity - line.quantity_received
            if due > 0:
                await _receive(products[line.product_id], due, line, actor=actor, deps=deps)
                received[line.product_id] += due
        await _refresh_po_status(po, actor=actor, deps=deps)
        fills = await settle(received, actor=actor, deps=deps)
        await po.refresh_from_db()
    await scan_after_change(products, deps=deps)
    return po, fills


async def _lock_po(purchase_order_id: int) -> PurchaseOrder:
    po = await PurchaseOrder.filter(id=purchase_order_id).select_for_update().first()
    if po is None:
        raise NotFound(f"No purchase order has id {purchase_order_id}.", field=["purchaseOrderId"])
    return po


async def _open_po_line(
    purchase_order_id: int, product: Product
) -> tuple[PurchaseOrder, PurchaseOrderLine]:
    po = await _lock_po(purchase_order_id)
    require_receivable(po.number, po.status, field="purchaseOrderId")
    line = await PurchaseOrderLine.get_or_none(purchase_order_id=po.id, product_id=product.id)
    if line is None:
        raise BobotError(
            f"{po.number} has no line for {product.sku}.",
            code=ErrorCode.NOT_FOUND,
            field=["purchaseOrderId"],
        )
    return po, line


async def _receive(
    product: Product, units: int, po_line: PurchaseOrderLine | None, *, actor: Actor, deps: Deps
) -> None:
    """Count ``units`` in (on hand, available, no longer incoming); :func:`settle` then gives
    them to the queue."""
    now = deps.now()
    incoming_drop = 0
    if po_line is not None:
        incoming_drop = min(units, max(po_line.quantity - po_line.quantity_received, 0))
        await PurchaseOrderLine.filter(id=po_line.id).update(
            quantity_received=F("quantity_received") + units
        )
    await adjust_product(
        product.id, now=now, on_hand=units, available=units, incoming=-incoming_drop
    )
    await record(
        [
            typed_event(
                typed.StockReceived(
                    quantity=units,
                    purchase_order_id=po_line.purchase_order_id if po_line else None,
                ),
                actor=actor,
                at=now,
                subject_id=product.id,
                product_id=product.id,
            )
        ]
    )


async def _refresh_po_status(po: PurchaseOrder, *, actor: Actor, deps: Deps) -> None:
    """The purchase order's status after a receipt (``po`` as locked before it). Its first
    receipt counts as a delivery in its supplier's record."""
    purchase_order_id = po.id
    if po.status == PurchaseOrderStatus.ORDERED:
        await count_delivery(po, deps=deps)
    lines = await PurchaseOrderLine.filter(purchase_order_id=purchase_order_id).values_list(
        "quantity", "quantity_received"
    )
    status = status_after_receipt(cast(list[tuple[int, int]], lines))
    changed = (
        await PurchaseOrder.filter(id=purchase_order_id)
        .exclude(status=status)
        .update(status=status, updated_at=deps.now())
    )
    if changed:
        await record(
            [
                typed_event(
                    typed.PoReceived(status=status.value),
                    actor=actor,
                    at=deps.now(),
                    subject_id=purchase_order_id,
                )
            ]
        )


async def lock_order_products(orders: QuerySet[OrderLine]) -> list[int]:
    """Lock every product of an order (``orders``: its lines), in id order.

    Shipping and cancelling decide a shipment's readiness and the order's status from the
    state of every line of the order, and a receipt changes that state under its product's
    lock alone: holding all of them, no change to the order can pass unseen. An order's
    products never change, so they can be read before the locks.
    """
    product_ids = await int_column(orders.values_list("product_id", flat=True))
    await lock_products(product_ids)
    return product_ids


async def mark_shipment_shipped(*, shipment_id: int, actor: Actor, deps: Deps) -> Shipment:
    """Ship a READY shipment: its units leave the warehouse."""
    now = deps.now()
    async with in_transaction():
        if not await lock_order_products(OrderLine.filter(order__shipments__id=shipment_id)):
            raise NotFound(f"No shipment has id {shipment_id}.", field=["id"])
        shipment = await Shipment.filter(id=shipment_id).select_for_update().first()
        if shipment is None:
            raise NotFound(f"No shipment has id {shipment_id}.", field=["id"])
        require_shippable(shipment.id, shipment.status)
        # Quantities only now, under the locks: a cancellation may have lowered them (and
        # handed the units to the next in line) while this waited.
        lines = await ShipmentLine.filter(shipment_id=shipment_id).values_list(
            "product_id", "quantity", "backorder_id"
        )
        for product_id, quantity, _ in lines:
            if quantity:
                await adjust_product(product_id, now=now, on_hand=-quantity, allocated=-quantity)
        backorder_ids = [row[2] for row in lines if row[2] is not None]
        events: list[PendingEvent] = [
            typed_event(
                typed.ShipmentShipped(order_id=shipment.order_id),
                actor=actor,
                at=now,
                subject_id=shipment.id,
            )
        ]
        if backorder_ids:
            shipped = await Backorder.filter(
                id__in=backorder_ids, status=BackorderStatus.ALLOCATED
            ).values_list("id", "product_id")
            await Backorder.filter(id__in=[b for b, _ in shipped]).update(
                status=BackorderStatus.SHIPPED, updated_at=now
            )
            events += [
                typed_event(
                    typed.BackorderShipped(order_id=shipment.order_id),
                    actor=actor,
                    at=now,
                    subject_id=b,
                    product_id=p,
                )
                for b, p in shipped
            ]
        shipment.status = ShipmentStatus.SHIPPED
        shipment.shipped_at = now
        await shipment.save(update_fields=["status", "shipped_at"])
        await refresh_order_status(shipment.order_id, now=now)
        await record(events)
    return shipment


async def refresh_order_status(order_id: int, *, now: datetime) -> None:
    """Store the order's status as its shipments give it (the caller holds the locks of
    every product of the order: :func:`lock_order_products`)."""
    statuses = await Shipment.filter(order_id=order_id).values_list("status", flat=True)
    status = order_status(cast(list[ShipmentStatus], statuses))
    await Order.filter(id=order_id).exclude(status=status).update(status=status, updated_at=now)
