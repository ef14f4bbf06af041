"""Purchasing types: purchase orders and their lines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from bobot import models as m
from bobot.graphql.context import Info
from bobot.graphql.enums import PurchaseOrderStatus
from bobot.graphql.types.catalog import Product, Supplier, product_of, supplier_of


@strawberry.type
class PurchaseOrderLine:
    row: strawberry.Private[m.PurchaseOrderLine]

    @strawberry.field
    def quantity(self) -> int:
        return self.row.quantity

    @strawberry.field
    def quantity_received(self) -> int:
        return self.row.quantity_received

    @strawberry.field
    def unit_cost(self) -> Decimal:
        return self.row.unit_cost

    @strawberry.field
    async def product(self, info: Info) -> Product:
        return await product_of(info, self.row.product_id)

    @strawberry.field
    async def sku(self, info: Info) -> str:
        return (await product_of(info, self.row.product_id)).row.sku


@strawberry.type
class PurchaseOrder:
    row: strawberry.Private[m.PurchaseOrder]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def number(self) -> str:
        return self.row.number

    @strawberry.field
    def status(self) -> PurchaseOrderStatus:
        return self.row.status

    @strawberry.field
    def expected_date(self) -> date:
        return self.row.expected_date

    @strawberry.field(description="Ordered, not fully received, and its expected date has passed.")
    def is_late(self, info: Info) -> bool:
        return (
            self.row.status in m.purchasing.OPEN_PO_STATUSES
            and self.row.expected_date < info.context.deps.today()
        )

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field
    async def supplier(self, info: Info) -> Supplier:
        return await supplier_of(info, self.row.supplier_id)

    @strawberry.field
    async def lines(self, info: Info) -> list[PurchaseOrderLine]:
        rows = await info.context.loaders.po_lines_by_po.load(self.row.id)
        return [PurchaseOrderLine(row=r) for r in rows]
