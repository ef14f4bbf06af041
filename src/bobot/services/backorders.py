"""Cancelling backorders (by staff now, by customers through signed links later)."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from bobot.errors import BobotError, Conflict, ErrorCode, NotFound
from bobot.models import Backorder, BackorderStatus, Cancellation, ShipmentLine
from bobot.services.base import Actor, Deps, adjust_product, int_column, lock_products
from bobot.services.fulfilment import refresh_shipments, settle
from bobot.services.history import EventKind, event, record
from bobot.services.stock import refresh_order_status

CANCELLABLE = (
    BackorderStatus.OPEN,
    BackorderStatus.PARTIALLY_ALLOCATED,
    BackorderStatus.ALLOCATED,
)


async def cancel_backorder(
    *, backorder_id: int, quantity: int | None, reason: str, actor: Actor, deps: Deps
) -> tuple[Backorder, Cancellation]:
    """Cancel a backorder, whole or in part. Units allocated to the cancelled part go to the
    next in line; uncovered units are cancelled first."""
    reason = reason.strip()[:500]
    now = deps.now()
    async with in_transaction():
        found = await int_column(
            Backorder.filter(id=backorder_id).values_list("product_id", flat=True)
        )
        if not found:
            raise NotFound(f"No backorder has id {backorder_id}.", field=["id"])
        await lock_products(found)
        backorder = await Backorder.filter(id=backorder_id).select_for_update().get()
        if backorder.status not in CANCELLABLE:
            raise Conflict(
                f"Backorder {backorder_id} is {backorder.status.value} and can no longer be "
                "cancelled.",
                field=["id"],
            )
        units = backorder.quantity if quantity is None else quantity
        if units <= 0 or units > backorder.quantity:
            raise BobotError(
                f"Can cancel between 1 and {backorder.quantity} units of backorder "
                f"{backorder_id}, not {units}.",
                code=ErrorCode.INVALID_QUANTITY,
                field=["quantity"],
            )
        uncovered = backorder.quantity - backorder.quantity_allocated
        from_uncovered = min(units, uncovered)
        released = units - from_uncovered

        backorder.quantity -= units
        backorder.quantity_allocated -= released
        if backorder.quantity == 0:
            backorder.status = BackorderStatus.CANCELLED
        elif backorder.quantity_allocated == backorder.quantity:
            backorder.status = BackorderStatus.ALLOCATED
        elif backorder.quantity_allocated:
            backorder.status = BackorderStatus.PARTIALLY_ALLOCATED
        else:
            backorder.status = BackorderStatus.OPEN
        backorder.updated_at = now
        await backorder.save(
            update_fields=["quantity", "quantity_allocated", "status", "updated_at"]
        )
        await adjust_product(
            backorder.product_id,
            now=now,
            backordered=-from_uncovered,
            allocated=-released,
            available=released,
        )
        cancellation = await Cancellation.create(
            backorder_id=backorder.id,
            order_id=backorder.order_id,
            product_id=backorder.product_id,
            sku=backorder.sku,
            quantity=units,
            quantity_released=released,
            reason=reason,
            actor_kind=actor.kind,
            actor_id=actor.id,
            channel=actor.channel,
            created_at=now,
        )
        await record(
            [
                event(
                    EventKind.BACKORDER_CANCELLED,
                    actor=actor,
                    at=now,
                    subject_type="backorder",
                    subject_id=backorder.id,
                    product_id=backorder.product_id,
                    order_id=backorder.order_id,
                    quantity=units,
                    released=released,
                    remaining=backorder.quantity,
                    reason=reason,
                )
            ]
        )
        await ShipmentLine.filter(backorder_id=backorder.id).update(quantity=backorder.quantity)
        shipment_ids = await int_column(
            ShipmentLine.filter(backorder_id=backorder.id).values_list("shipment_id", flat=True)
        )
        await refresh_shipments(shipment_ids)
        await settle({backorder.product_id: released}, actor=actor, deps=deps)
        await refresh_order_status(backorder.order_id, now=now)
    return backorder, cancellation
