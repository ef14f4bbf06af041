"""Mutations for staff: stock, shipments, cancellations, catalog, suppliers, purchase orders."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from bobot.domain.availability import Policy
from bobot.domain.fifo import Fill
from bobot.graphql.context import Info
from bobot.graphql.enums import BackorderPolicy, PurchaseOrderStatus
from bobot.graphql.errors import UserError, parse_id, returns_user_errors
from bobot.graphql.inputs import EMAIL, NAME, REASON, SKU, money, text
from bobot.graphql.permissions import STAFF
from bobot.graphql.types import (
    Backorder,
    Cancellation,
    Order,
    Product,
    PurchaseOrder,
    Shipment,
    Supplier,
    SupplierOffer,
)
from bobot.models import Order as OrderRow
from bobot.models import PurchaseOrderStatus as DomainPoStatus
from bobot.services import backorders, catalog, purchasing, stock


def _errors() -> list[UserError]:
    return []


def _filled_ids(fills: list[Fill]) -> tuple[int, ...]:
    return tuple(f.backorder_id for f in fills)


async def _filled(info: Info, ids: tuple[int, ...]) -> list[Backorder]:
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
        return await _filled(info, self.filled)

    user_errors: list[UserError] = strawberry.field(default_factory=_errors)


@strawberry.input
class MarkShipmentShippedInput:
    id: strawberry.ID


@strawberry.type
class MarkShipmentShippedPayload:
    shipment: Shipment | None = None
    order: Order | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=_errors)


@strawberry.input
class CancelBackorderInput:
    id: strawberry.ID
    quantity: int | None = strawberry.field(default=None, description="null: all remaining.")
    reason: str = text(REASON, default="")


@strawberry.type
class CancelBackorderPayload:
    backorder: Backorder | None = None
    cancellation: Cancellation | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=_errors)


@strawberry.input
class SetBackorderPolicyInput:
    sku: str = text(SKU)
    policy: BackorderPolicy  # type: ignore[valid-type]
    backorder_limit: int | None = strawberry.field(default=None, description="null: unlimited.")
    backorders_end_at: datetime | None = strawberry.field(
        default=None,
        description=(
            "When backorders stop (null: never). Stored in UTC whatever offset it comes"
            " with; a time without an offset is read in the shop's time zone (BOBOT_TIMEZONE)."
        ),
    )


@strawberry.input
class UpsertProductInput:
    sku: str = text(SKU)
    name: str = text(NAME)
    category: str | None = text(80, default=None)
    price: Decimal | None = money(default=None)
    safety_stock: int | None = None


@strawberry.type
class ProductPayload:
    product: Product | None = None
    created: bool = False
    user_errors: list[UserError] = strawberry.field(default_factory=_errors)


@strawberry.input
class UpsertSupplierInput:
    id: strawberry.ID | None = None
    name: str = text(120)
    email: str = text(EMAIL, default="")


@strawberry.type
class SupplierPayload:
    supplier: Supplier | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=_errors)


@strawberry.input
class SetSupplierOfferInput:
    supplier_id: strawberry.ID
    sku: str = text(SKU)
    unit_cost: Decimal = money()
    lead_time_days: int
    rank: int = 1
    active: bool = True


@strawberry.type
class SupplierOfferPayload:
    offer: SupplierOffer | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=_errors)


@strawberry.input
class PurchaseOrderLineInput:
    sku: str = text(SKU)
    quantity: int
    unit_cost: Decimal | None = money(default=None)


@strawberry.input
class CreatePurchaseOrderInput:
    supplier_id: strawberry.ID
    expected_date: date
    lines: list[PurchaseOrderLineInput]
    status: PurchaseOrderStatus = DomainPoStatus.ORDERED  # type: ignore[valid-type]


@strawberry.input
class UpdatePurchaseOrderInput:
    id: strawberry.ID
    expected_date: date | None = None
    status: PurchaseOrderStatus | None = None  # type: ignore[valid-type]
    lines: list[PurchaseOrderLineInput] | None = strawberry.field(
        default=None, description="Set these lines' quantities (new SKUs are added)."
    )


@strawberry.input
class ReceivePurchaseOrderInput:
    id: strawberry.ID


@strawberry.type
class PurchaseOrderPayload:
    purchase_order: PurchaseOrder | None = None
    filled: strawberry.Private[tuple[int, ...]] = ()

    @strawberry.field
    async def filled_backorders(self, info: Info) -> list[Backorder]:
        return await _filled(info, self.filled)

    user_errors: list[UserError] = strawberry.field(default_factory=_errors)


def _po_lines(lines: list[PurchaseOrderLineInput]) -> list[purchasing.PoLineInput]:
    return [purchasing.PoLineInput(x.sku, x.quantity, x.unit_cost) for x in lines]


@strawberry.type
class StaffMutation:
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
            filled=_filled_ids(receipt.fills),
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

    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(CancelBackorderPayload)
    async def cancel_backorder(
        self, info: Info, input: CancelBackorderInput
    ) -> CancelBackorderPayload:
        backorder, cancellation = await backorders.cancel_backorder(
            backorder_id=parse_id(input.id),
            quantity=input.quantity,
            reason=input.reason,
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return CancelBackorderPayload(
            backorder=Backorder.of(backorder), cancellation=Cancellation.of(cancellation)
        )

    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(ProductPayload)
    async def set_backorder_policy(
        self, info: Info, input: SetBackorderPolicyInput
    ) -> ProductPayload:
        product = await catalog.set_backorder_policy(
            sku=input.sku,
            policy=Policy(input.policy),
            limit=input.backorder_limit,
            ends_at=input.backorders_end_at,
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return ProductPayload(product=Product.of(product, info.context))

    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(ProductPayload)
    async def upsert_product(self, info: Info, input: UpsertProductInput) -> ProductPayload:
        product, created = await catalog.upsert_product(
            sku=input.sku,
            name=input.name,
            category=input.category,
            price=input.price,
            safety_stock=input.safety_stock,
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return ProductPayload(product=Product.of(product, info.context), created=created)

    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(SupplierPayload)
    async def upsert_supplier(self, info: Info, input: UpsertSupplierInput) -> SupplierPayload:
        supplier, _ = await catalog.upsert_supplier(
            supplier_id=parse_id(input.id) if input.id is not None else None,
            name=input.name,
            email=input.email,
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return SupplierPayload(supplier=Supplier(row=supplier))

    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(SupplierOfferPayload)
    async def set_supplier_offer(
        self, info: Info, input: SetSupplierOfferInput
    ) -> SupplierOfferPayload:
        offer = await catalog.set_supplier_offer(
            supplier_id=parse_id(input.supplier_id, "supplierId"),
            sku=input.sku,
            unit_cost=input.unit_cost,
            lead_time_days=input.lead_time_days,
            rank=input.rank,
            active=input.active,
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return SupplierOfferPayload(offer=SupplierOffer(row=offer))

    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(PurchaseOrderPayload)
    async def create_purchase_order(
        self, info: Info, input: CreatePurchaseOrderInput
    ) -> PurchaseOrderPayload:
        po = await purchasing.create_purchase_order(
            supplier_id=parse_id(input.supplier_id, "supplierId"),
            expected_date=input.expected_date,
            lines=_po_lines(input.lines),
            status=DomainPoStatus(input.status),
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return PurchaseOrderPayload(purchase_order=PurchaseOrder(row=po))

    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(PurchaseOrderPayload)
    async def update_purchase_order(
        self, info: Info, input: UpdatePurchaseOrderInput
    ) -> PurchaseOrderPayload:
        po = await purchasing.update_purchase_order(
            purchase_order_id=parse_id(input.id),
            expected_date=input.expected_date,
            status=DomainPoStatus(input.status) if input.status is not None else None,
            lines=_po_lines(input.lines) if input.lines is not None else None,
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return PurchaseOrderPayload(purchase_order=PurchaseOrder(row=po))

    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(PurchaseOrderPayload)
    async def receive_purchase_order(
        self, info: Info, input: ReceivePurchaseOrderInput
    ) -> PurchaseOrderPayload:
        po, fills = await stock.receive_purchase_order(
            purchase_order_id=parse_id(input.id),
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return PurchaseOrderPayload(purchase_order=PurchaseOrder(row=po), filled=_filled_ids(fills))
