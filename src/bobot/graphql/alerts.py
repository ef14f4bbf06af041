"""Staff API of inventory gaps: the shortage report, alerts and supplier-switch decisions."""

from __future__ import annotations

from datetime import datetime

import strawberry
from graphql import GraphQLError

from bobot import models as m
from bobot.errors import BobotError
from bobot.graphql.context import Info
from bobot.graphql.errors import UserError, parse_id, returns_user_errors
from bobot.graphql.inputs import REASON, SKU, text
from bobot.graphql.pagination import (
    Connection,
    Edge,
    PageInfo,
    check_first,
    decode_cursor,
    encode_cursor,
    paginate,
)
from bobot.graphql.permissions import APPROVER, STAFF
from bobot.graphql.types import PurchaseOrder
from bobot.graphql.types.alerts import (
    Alert,
    AlertKind,
    AlertStatus,
    Shortage,
    SupplierSwitch,
    SwitchStatus,
)
from bobot.services import alert_actions, shortage_summary, shortages, switches


def _errors() -> list[UserError]:
    return []


def _rank(cursor: str) -> shortages.Rank:
    """The rank a shortage cursor names (severity, uncovered, age, SKU)."""
    try:
        severity, uncovered, age, sku = decode_cursor(cursor).split(":", 3)
        return int(severity), int(uncovered), int(age), sku
    except ValueError:
        raise GraphQLError("Invalid cursor.", extensions={"code": "BAD_USER_INPUT"}) from None


def _cursor(shortage: shortages.Shortage) -> str:
    return encode_cursor(":".join(str(part) for part in shortages.rank_of(shortage)))


async def _page_shortages(info: Info, first: int, after: str | None) -> Connection[Shortage]:
    check_first(first)
    page = await shortage_summary.page(
        info.context.deps, first=first, after=None if after is None else _rank(after)
    )
    edges = [Edge(cursor=_cursor(s), node=Shortage(data=s)) for s in page.shortages]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=shortage_summary.count,
    )


@strawberry.type
class AlertsQuery:
    @strawberry.field(permission_classes=STAFF, description="Uncovered demand, worst first.")
    async def shortages(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Shortage]:
        return await _page_shortages(info, first, after)

    @strawberry.field(permission_classes=STAFF, description="Alerts, newest first.")
    async def alerts(
        self,
        info: Info,
        status: AlertStatus | None = None,
        kind: AlertKind | None = None,
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
        status: SwitchStatus | None = None,
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
    sku: str = text(SKU)
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
    reason: str = text(REASON)


@strawberry.type
class AlertsMutation:
    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(AlertPayload)
    async def acknowledge_alert(self, info: Info, id: strawberry.ID) -> AlertPayload:
        row = await alert_actions.acknowledge_alert(
            alert_id=parse_id(id), actor=info.context.viewer.actor, deps=info.context.deps
        )
        return AlertPayload(alert=Alert(row=row))

    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(AlertPayload)
    async def snooze_alert(self, info: Info, id: strawberry.ID, until: datetime) -> AlertPayload:
        row = await alert_actions.snooze_alert(
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

    @strawberry.mutation(permission_classes=APPROVER)
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

    @strawberry.mutation(permission_classes=APPROVER)
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
