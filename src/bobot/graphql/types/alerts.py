"""Types of inventory gaps: shortages, alerts and supplier switches."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from bobot import models as m
from bobot.domain.gaps import SuggestedAction as _SuggestedAction
from bobot.graphql.context import Info
from bobot.graphql.types.catalog import Product, Supplier, product_of, supplier_of
from bobot.graphql.types.purchasing import PurchaseOrder
from bobot.services import shortages

AlertKind = m.AlertKind
AlertStatus = m.AlertStatus
SuggestedAction = _SuggestedAction
SwitchStatus = m.SwitchStatus
# strawberry.enum marks the class itself and returns it: the names above are the
# classes, valid in annotations, exposed under these GraphQL names.
strawberry.enum(AlertKind, name="AlertKind")
strawberry.enum(AlertStatus, name="AlertStatus")
strawberry.enum(SuggestedAction, name="SuggestedAction")
strawberry.enum(SwitchStatus, name="SupplierSwitchStatus")


async def _supplier(info: Info, supplier_id: int | None) -> Supplier | None:
    return None if supplier_id is None else await supplier_of(info, supplier_id)


async def _purchase_order(info: Info, purchase_order_id: int) -> PurchaseOrder | None:
    row = await info.context.loaders.purchase_order_by_id.load(purchase_order_id)
    return PurchaseOrder(row=row) if row else None


@strawberry.type
class IncomingOnDate:
    date: date
    quantity: int


@strawberry.type
class Shortage:
    data: strawberry.Private[shortages.Shortage]

    @strawberry.field
    async def product(self, info: Info) -> Product:
        return await product_of(info, self.data.product_id)

    @strawberry.field
    def sku(self) -> str:
        return self.data.sku

    @strawberry.field
    def backordered(self) -> int:
        return self.data.backordered

    @strawberry.field
    def available(self) -> int:
        return self.data.available

    @strawberry.field(description="Unreceived units on open purchase orders, by expected date.")
    def incoming(self) -> list[IncomingOnDate]:
        return [
            IncomingOnDate(date=i.expected_date, quantity=i.quantity) for i in self.data.incoming
        ]

    @strawberry.field(description="Backordered units no purchase order covers.")
    def uncovered(self) -> int:
        return self.data.uncovered

    @strawberry.field
    def oldest_backorder_age_days(self) -> int:
        return self.data.oldest_backorder_age_days

    @strawberry.field
    def next_purchase_order_date(self) -> date | None:
        return self.data.next_purchase_order_date

    @strawberry.field(description="The ship date a new backorder would get now.")
    def eta_for_new_order(self) -> date:
        return self.data.eta_for_new_order

    @strawberry.field
    def eta_is_estimate(self) -> bool:
        return self.data.eta_is_estimate

    @strawberry.field(description="1..100, higher is worse.")
    def severity(self) -> int:
        return self.data.severity


@strawberry.type
class SupplierSwitch:
    row: strawberry.Private[m.SupplierSwitch]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    async def product(self, info: Info) -> Product:
        return await product_of(info, self.row.product_id)

    @strawberry.field
    async def from_supplier(self, info: Info) -> Supplier | None:
        return await _supplier(info, self.row.from_supplier_id)

    @strawberry.field
    async def to_supplier(self, info: Info) -> Supplier:
        found = await _supplier(info, self.row.to_supplier_id)
        assert found is not None
        return found

    @strawberry.field
    def quantity(self) -> int:
        return self.row.quantity

    @strawberry.field
    def unit_cost(self) -> Decimal:
        return self.row.unit_cost

    @strawberry.field
    def new_expected_date(self) -> date:
        return self.row.new_expected_date

    @strawberry.field(description="(new unit cost - old unit cost) x quantity.")
    def cost_difference(self) -> Decimal:
        return self.row.cost_difference

    @strawberry.field(description="Backorders that would ship earlier.")
    def backorders_improved(self) -> int:
        return self.row.backorders_improved

    @strawberry.field
    def status(self) -> SwitchStatus:
        return self.row.status

    @strawberry.field
    def reason(self) -> str:
        return self.row.reason

    @strawberry.field
    def proposed_by(self) -> str:
        return self.row.proposed_by

    @strawberry.field
    def decided_by(self) -> str | None:
        return self.row.decided_by

    @strawberry.field
    def decided_at(self) -> datetime | None:
        return self.row.decided_at

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field
    async def late_purchase_order(self, info: Info) -> PurchaseOrder | None:
        if self.row.late_purchase_order_id is None:
            return None
        return await _purchase_order(info, self.row.late_purchase_order_id)

    @strawberry.field
    async def new_purchase_order(self, info: Info) -> PurchaseOrder | None:
        if self.row.new_purchase_order_id is None:
            return None
        return await _purchase_order(info, self.row.new_purchase_order_id)


@strawberry.type
class Alert:
    row: strawberry.Private[m.Alert]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def kind(self) -> AlertKind:
        return self.row.kind

    @strawberry.field
    def cause(self) -> str:
        return self.row.cause

    @strawberry.field
    def suggested_action(self) -> SuggestedAction:
        return self.row.suggested_action

    @strawberry.field(description="1..100, higher is worse.")
    def severity(self) -> int:
        return self.row.severity

    @strawberry.field
    def status(self) -> AlertStatus:
        return self.row.status

    @strawberry.field
    def snoozed_until(self) -> datetime | None:
        return self.row.snoozed_until

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.row.updated_at

    @strawberry.field
    def resolved_at(self) -> datetime | None:
        return self.row.resolved_at

    @strawberry.field
    async def product(self, info: Info) -> Product:
        return await product_of(info, self.row.product_id)

    @strawberry.field(description="The proposed supplier switch, if any.")
    async def proposal(self, info: Info) -> SupplierSwitch | None:
        if self.row.switch_id is None:
            return None
        row = await info.context.loaders.switch_by_id.load(self.row.switch_id)
        return SupplierSwitch(row=row) if row else None
