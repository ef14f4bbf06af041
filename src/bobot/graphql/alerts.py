"""Staff API of inventory gaps: shortages, alerts and supplier switches."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry
from graphql import GraphQLError

from bobot import models as m
from bobot.domain.gaps import SuggestedAction as _SuggestedAction
from bobot.errors import BobotError
from bobot.graphql.context import Info
from bobot.graphql.errors import UserError, parse_id, returns_user_errors
from bobot.graphql.pagination import (
    Connection,
    Edge,
    PageInfo,
    check_first,
    decode_cursor,
    encode_cursor,
    paginate,
)
from bobot.graphql.permissions import STAFF
from bobot.graphql.types import Product, PurchaseOrder, Supplier, product_of
from bobot.services import gaps, shortages, switches

AlertKind = strawberry.enum(m.AlertKind, name="AlertKind")
AlertStatus = strawberry.enum(m.AlertStatus, name="AlertStatus")
SuggestedAction = strawberry.enum(_SuggestedAction, name="SuggestedAction")
SwitchStatus = strawberry.enum(m.SwitchStatus, name="SupplierSwitchStatus")


def _errors() -> list[UserError]:
    return []


async def _supplier(info: Info, supplier_id: int | None) -> Supplier | None:
    if supplier_id is None:
        return None
    row = await info.context.loaders.supplier_by_id.load(supplier_id)
    return Supplier(row=row) if row else None


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
        return [IncomingOnDate(date=i.date, quantity=i.quantity) for i in self.data.incoming]

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
    def status(self) -> SwitchStatus:  # type: ignore[valid-type]
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
    def kind(self) -> AlertKind:  # type: ignore[valid-type]
        return self.row.kind

    @strawberry.field
    def cause(self) -> str:
        return self.row.cause

    @strawberry.field
    def suggested_action(self) -> SuggestedAction:  # type: ignore[valid-type]
        return self.row.suggested_action

    @strawberry.field(description="1..100, higher is worse.")
    def severity(self) -> int:
        return self.row.severity

    @strawberry.field
    def status(self) -> AlertStatus:  # type: ignore[valid-type]
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


def _page_shortages(items: list[shortages.Shortage], first: int, after: str | None) -> Connection:
    check_first(first)
    start = 0
    if after is not None:
        sku = decode_cursor(after)
        positions = [i for i, s in enumerate(items) if s.sku == sku]
        if not positions:
            raise GraphQLError("Invalid cursor.", extensions={"code": "BAD_USER_INPUT"})
        start = positions[0] + 1
    page = items[start : start + first]
    edges = [Edge(cursor=encode_cursor(s.sku), node=Shortage(data=s)) for s in page]
    total = len(items)

    async def count() -> int:
        return total

    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=start + first < total,
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=count,
    )


@strawberry.type
class AlertsQuery:
    @strawberry.field(permission_classes=STAFF, description="Uncovered demand, worst first.")
    async def shortages(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Shortage]:
        return _page_shortages(await shortages.shortages(info.context.deps), first, after)

    @strawberry.field(permission_classes=STAFF, description="Alerts, newest first.")
    async def alerts(
        self,
        info: Info,
        status: AlertStatus | None = None,  # type: ignore[valid-type]
        kind: AlertKind | None = None,  # type: ignore[valid-type]
        first: int = 20,
        after: str | None = None,
    ) -> Connection[Alert]:
        query = m.Alert.all()
        if status is not None:
            query = query.filter(status=status)
        if kind is not None:
            query = query.filter(kind=kind)
        return await paginate(
            query, first=first, after=after, descending=True, node=lambda r: Alert(row=r)
        )

    @strawberry.field(permission_classes=STAFF)
    async def alert(self, id: strawberry.ID) -> Alert | None:
        try:
            number = parse_id(id)
        except BobotError:
            return None
        row = await m.Alert.get_or_none(id=number)
        return Alert(row=row) if row else None

    @strawberry.field(permission_classes=STAFF, description="Supplier switches, newest first.")
    async def supplier_switches(
        self,
        status: SwitchStatus | None = None,  # type: ignore[valid-type]
        first: int = 20,
        after: str | None = None,
    ) -> Connection[SupplierSwitch]:
        query = m.SupplierSwitch.all()
        if status is not None:
            query = query.filter(status=status)
        return await paginate(
            query, first=first, after=after, descending=True, node=lambda r: SupplierSwitch(row=r)
        )


@strawberry.type
class AlertPayload:
    alert: Alert | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=_errors)


@strawberry.type
class SupplierSwitchPayload:
    switch: SupplierSwitch | None = None
    purchase_order: PurchaseOrder | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=_errors)


@strawberry.input
class ProposeSupplierSwitchInput:
    sku: str
    quantity: int | None = strawberry.field(
        default=None, description="null: the late PO's due units or the uncovered units."
    )
    purchase_order_id: strawberry.ID | None = None


@strawberry.input
class ApproveSupplierSwitchInput:
    id: strawberry.ID
    cancel_late_purchase_order: bool = strawberry.field(
        default=False, description="Cancel (or reduce) the late purchase order it replaces."
    )


@strawberry.input
class RejectSupplierSwitchInput:
    id: strawberry.ID
    reason: str


@strawberry.type
class AlertsMutation:
    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(AlertPayload)
    async def acknowledge_alert(self, info: Info, id: strawberry.ID) -> AlertPayload:
        row = await gaps.acknowledge_alert(
            alert_id=parse_id(id), actor=info.context.viewer.actor, deps=info.context.deps
        )
        return AlertPayload(alert=Alert(row=row))

    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(AlertPayload)
    async def snooze_alert(self, info: Info, id: strawberry.ID, until: datetime) -> AlertPayload:
        row = await gaps.snooze_alert(
            alert_id=parse_id(id),
            until=until,
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return AlertPayload(alert=Alert(row=row))

    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(SupplierSwitchPayload)
    async def propose_supplier_switch(
        self, info: Info, input: ProposeSupplierSwitchInput
    ) -> SupplierSwitchPayload:
        po_id = input.purchase_order_id
        row = await switches.propose_supplier_switch(
            sku=input.sku,
            quantity=input.quantity,
            purchase_order_id=parse_id(po_id, "purchaseOrderId") if po_id is not None else None,
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return SupplierSwitchPayload(switch=SupplierSwitch(row=row))

    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(SupplierSwitchPayload)
    async def approve_supplier_switch(
        self, info: Info, input: ApproveSupplierSwitchInput
    ) -> SupplierSwitchPayload:
        row, po = await switches.approve_supplier_switch(
            switch_id=parse_id(input.id),
            cancel_late_po=input.cancel_late_purchase_order,
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return SupplierSwitchPayload(
            switch=SupplierSwitch(row=row), purchase_order=PurchaseOrder(row=po)
        )

    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(SupplierSwitchPayload)
    async def reject_supplier_switch(
        self, info: Info, input: RejectSupplierSwitchInput
    ) -> SupplierSwitchPayload:
        row = await switches.reject_supplier_switch(
            switch_id=parse_id(input.id),
            reason=input.reason,
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return SupplierSwitchPayload(switch=SupplierSwitch(row=row))
