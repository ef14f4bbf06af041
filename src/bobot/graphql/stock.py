"""Stock API (staff): receive stock and mark shipments shipped."""

from __future__ import annotations

import strawberry

from bobot.domain.fifo import Fill
from bobot.graphql.context import Info
from bobot.graphql.errors import UserError, parse_id, returns_user_errors
from bobot.graphql.inputs import SKU, text
from bobot.graphql.permissions import STAFF
from bobot.graphql.types import Backorder, Order, Product, Shipment
from bobot.models import Order as OrderRow
from bobot.services import stock


def _errors() -> list[UserError]:
    return []


def filled_ids(fills: list[Fill]) -> tuple[int, ...]:
    return tuple(f.backorder_id for f in fills)


async def filled_backorders(info: Info, ids: tuple[int, ...]) -> list[Backorder]:
    """The backorders a receipt filled, read only when the answer asks for them (a restock
    can fill thousands)."""
    rows = await info.context.loaders.backorder_by_id.load_many(list(ids)) if ids else []
    return [Backorder.of(row) for row in rows if row is not None]


@strawberry.input
class ReceiveStockInput:
    sku: str = text(SKU)
    quantity: int
    purchase_order_id: strawberry.ID | None = None


@strawberry.type
class ReceiveStockPayload:
    product: Product | None = None
    filled: strawberry.Private[tuple[int, ...]] = ()

    @strawberry.field
    async def filled_backorders(self, info: Info) -> list[Backorder]:
        return await filled_backorders(info, self.filled)

    user_errors: list[UserError] = strawberry.field(default_factory=_errors)


@strawberry.input
class MarkShipmentShippedInput:
    id: strawberry.ID


@strawberry.type
class MarkShipmentShippedPayload:
    shipment: Shipment | None = None
    order: Order | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=_errors)


@strawberry.type
class StockMutation:
    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(ReceiveStockPayload)
    async def receive_stock(self, info: Info, input: ReceiveStockInput) -> ReceiveStockPayload:
        po_id = input.purchase_order_id
        receipt = await stock.receive_stock(
            sku=input.sku,
            quantity=input.quantity,
            purchase_order_id=parse_id(po_id, "purchaseOrderId") if po_id is not None else None,
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return ReceiveStockPayload(
            product=Product.of(receipt.product, info.context),
            filled=filled_ids(receipt.fills),
        )

    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(MarkShipmentShippedPayload)
    async def mark_shipment_shipped(
        self, info: Info, input: MarkShipmentShippedInput
    ) -> MarkShipmentShippedPayload:
        shipment = await stock.mark_shipment_shipped(
            shipment_id=parse_id(input.id),
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        order = await OrderRow.get(id=shipment.order_id)
        return MarkShipmentShippedPayload(shipment=Shipment.of(shipment), order=Order.of(order))
