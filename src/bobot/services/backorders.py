"""Cancelling backorders (by staff now, by customers through signed links later)."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from bobot.domain.events import BackorderCancelled
from bobot.domain.lifecycle import plan_cancellation
from bobot.errors import NotFound
from bobot.models import Backorder, Cancellation, OrderLine, ShipmentLine
from bobot.services.context import Actor, Deps
from bobot.services.fulfilment import refresh_shipments, settle
from bobot.services.history import record, typed_event
from bobot.services.products import adjust_product, int_column
from bobot.services.stock import lock_order_products, refresh_order_status


async def cancel_backorder(
    *, backorder_id: int, quantity: int | None, reason: str, actor: Actor, deps: Deps
) -> tuple[Backorder, Cancellation]:
    """Cancel a backorder, whole or in part. Units allocated to the cancelled part go to the
    next in line; uncovered units are cancelled first."""
    reason = reason.strip()[:500]
    now = deps.now()
    async with in_transaction():
        if not await lock_order_products(OrderLine.filter(order__backorders__id=backorder_id)):
            raise NotFound(f"No backorder has id {backorder_id}.", field=["id"])
        backorder = await Backorder.filter(id=backorder_id).select_for_update().get()
        plan = plan_cancellation(
            backorder_id=backorder.id,
            status=backorder.status,
            quantity=backorder.quantity,
            allocated=backorder.quantity_allocated,
            units=quantity,
        )
        units, released = plan.units, plan.released
        backorder.quantity = plan.quantity
        backorder.quantity_allocated = plan.allocated
        backorder.status = plan.status
        backorder.updated_at = now
        await backorder.save(
            update_fields=["quantity", "quantity_allocated", "status", "updated_at"]
        )
        await adjust_product(
            backorder.product_id,
            now=now,
            backordered=-plan.from_uncovered,
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
                typed_event(
                    BackorderCancelled(
                        order_id=backorder.order_id,
                        quantity=units,
                        released=released,
                        remaining=backorder.quantity,
                        reason=reason,
                    ),
                    actor=actor,
                    at=now,
                    subject_id=backorder.id,
                    product_id=backorder.product_id,
                )
            ]
        )
        await ShipmentLine.filter(backorder_id=backorder.id).update(quantity=backorder.quantity)
        shipment_ids = await int_column(
            ShipmentLine.filter(backorder_id=backorder.id).values_list("shipment_id", flat=True)
        )
        await refresh_shipments(shipment_ids, actor=actor, deps=deps)
        await settle({backorder.product_id: released}, actor=actor, deps=deps)
        await refresh_order_status(backorder.order_id, now=now)
    return backorder, cancellation
