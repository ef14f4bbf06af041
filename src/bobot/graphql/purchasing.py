"""Purchasing API (staff): suppliers, their offers and purchase orders."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from bobot import models as m
from bobot.graphql.catalog import product_id_of
from bobot.graphql.context import Info
from bobot.graphql.enums import PurchaseOrderStatus
from bobot.graphql.errors import UserError, parse_id, returns_user_errors
from bobot.graphql.inputs import EMAIL, SKU, money, text
from bobot.graphql.pagination import Connection, paginate
from bobot.graphql.permissions import STAFF
from bobot.graphql.stock import filled_backorders, filled_ids
from bobot.graphql.types import Backorder, PurchaseOrder, Supplier, SupplierOffer
from bobot.models import PurchaseOrderStatus as DomainPoStatus
from bobot.services import catalog, purchasing, stock


def _errors() -> list[UserError]:
    return []


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
    status: PurchaseOrderStatus = DomainPoStatus.ORDERED


@strawberry.input
class UpdatePurchaseOrderInput:
    id: strawberry.ID
    expected_date: date | None = None
    status: PurchaseOrderStatus | None = None
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
        return await filled_backorders(info, self.filled)

    user_errors: list[UserError] = strawberry.field(default_factory=_errors)


def _po_lines(lines: list[PurchaseOrderLineInput]) -> list[purchasing.PoLineInput]:
    return [purchasing.PoLineInput(x.sku, x.quantity, x.unit_cost) for x in lines]


@strawberry.type
class PurchasingQuery:
    @strawberry.field(permission_classes=STAFF)
    async def suppliers(self) -> list[Supplier]:
        return [Supplier(row=r) for r in await m.Supplier.all().order_by("name")]

    @strawberry.field(permission_classes=STAFF)
    async def purchase_orders(
        self,
        sku: str | None = None,
        status: PurchaseOrderStatus | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[PurchaseOrder]:
        query = m.PurchaseOrder.all()
        product_id = await product_id_of(sku)
        if product_id is not None:
            query = query.filter(lines__product_id=product_id).distinct()
        if status is not None:
            query = query.filter(status=status)
        return await paginate(query, first=first, after=after, node=lambda r: PurchaseOrder(row=r))


@strawberry.type
class PurchasingMutation:
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
        return PurchaseOrderPayload(purchase_order=PurchaseOrder(row=po), filled=filled_ids(fills))
