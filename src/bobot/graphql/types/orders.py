"""Order types: orders, their lines and shipments, backorders, cancellations, waitlists."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from bobot import models as m
from bobot.domain.order_plan import shipment_ship_date
from bobot.graphql.context import Info
from bobot.graphql.enums import (
    BackorderStatus,
    ConsentState,
    OrderStatus,
    ShipmentStatus,
    ShipPreference,
    WaitlistStatus,
)
from bobot.graphql.permissions import STAFF
from bobot.graphql.types.catalog import Product, product_of
from bobot.graphql.types.history import Actor


async def order_of(info: Info, order_id: int) -> Order:
    row = await info.context.loaders.order_by_id.load(order_id)
    assert row is not None
    return Order.of(row)


@strawberry.type
class Backorder:
    """The backordered part of an order line (plain attributes: backorder lists are long)."""

    row: strawberry.Private[m.Backorder]
    id: strawberry.ID
    sku: str
    quantity: int = strawberry.field(description="Units still wanted (after cancellations).")
    quantity_ordered: int
    quantity_allocated: int
    status: BackorderStatus
    priority: int
    promised_date: date = strawberry.field(
        description="The date told to the customer when they ordered."
    )
    expected_date: date = strawberry.field(
        description="The current ship date, recomputed from purchase orders."
    )
    is_estimate: bool
    is_delayed: bool = strawberry.field(
        description="The expected date has moved past the promised date."
    )
    created_at: datetime

    @classmethod
    def of(cls, row: m.Backorder) -> Backorder:
        return cls(
            row=row, id=strawberry.ID(str(row.id)), sku=row.sku, quantity=row.quantity,
            quantity_ordered=row.quantity_ordered, quantity_allocated=row.quantity_allocated,
            status=row.status, priority=row.priority, promised_date=row.promised_date,
            expected_date=row.expected_date, is_estimate=row.eta_is_estimate,
            is_delayed=row.is_delayed, created_at=row.created_at,
        )  # fmt: skip

    @strawberry.field
    async def order(self, info: Info) -> Order:
        return await order_of(info, self.row.order_id)

    @strawberry.field
    async def product(self, info: Info) -> Product:
        return await product_of(info, self.row.product_id)

    @strawberry.field(
        permission_classes=STAFF, description="Null until a delay notice is first due."
    )
    async def consent(self, info: Info) -> Consent | None:
        rows = await info.context.loaders.consent_by_backorder.load(self.row.id)
        if not rows:
            return None
        row = rows[0]
        return Consent(
            state=row.state, notices=row.notices, notified_at=row.notified_at,
            deadline=row.deadline, answered_at=row.answered_at, agreed_date=row.agreed_date,
        )  # fmt: skip


@strawberry.type(description="A delayed backorder's consent, by the mail-order rule.")
class Consent:
    state: ConsentState
    notices: int = strawberry.field(description="Delay notices sent so far.")
    notified_at: datetime | None
    deadline: date | None = strawberry.field(
        description="The answer is due by this day (the date last agreed to)."
    )
    answered_at: datetime | None
    agreed_date: date = strawberry.field(description="The ship date the customer agreed to.")


@strawberry.type
class Customer:
    email: str
    name: str


@strawberry.type
class OrderLine:
    row: strawberry.Private[m.OrderLine]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def sku(self) -> str:
        return self.row.sku

    @strawberry.field
    def quantity(self) -> int:
        return self.row.quantity

    async def _backorders(self, info: Info) -> list[m.Backorder]:
        return await info.context.loaders.backorders_by_order_line.load(self.row.id)

    @strawberry.field(description="Units allocated to this line: shipped now or ready to ship.")
    async def quantity_allocated(self, info: Info) -> int:
        backorders = await self._backorders(info)
        return self.row.quantity_from_stock + sum(b.quantity_allocated for b in backorders)

    @strawberry.field(description="Units still waiting for stock.")
    async def quantity_backordered(self, info: Info) -> int:
        backorders = await self._backorders(info)
        return sum(
            b.quantity - b.quantity_allocated
            for b in backorders
            if b.status in (m.BackorderStatus.OPEN, m.BackorderStatus.PARTIALLY_ALLOCATED)
        )

    @strawberry.field
    async def quantity_cancelled(self, info: Info) -> int:
        backorders = await self._backorders(info)
        return sum(b.quantity_ordered - b.quantity for b in backorders)


@strawberry.type
class ShipmentLine:
    sku: str
    quantity: int


@strawberry.type
class Shipment:
    row: strawberry.Private[m.Shipment]
    id: strawberry.ID
    status: ShipmentStatus
    cost: Decimal
    shipped_at: datetime | None

    @classmethod
    def of(cls, row: m.Shipment) -> Shipment:
        return cls(
            row=row, id=strawberry.ID(str(row.id)), status=row.status, cost=row.cost,
            shipped_at=row.shipped_at,
        )  # fmt: skip

    @strawberry.field(
        description=(
            "The day this shipment is expected to leave, in one parcel: after handling once"
            " READY, its lines' latest expected date while PENDING, null once SHIPPED (see"
            " shippedAt) or CANCELLED."
        )
    )
    async def estimated_ship_date(self, info: Info) -> date | None:
        deps = info.context.deps
        ready = deps.ship_date_in_stock()
        status = self.row.status
        if status not in (m.ShipmentStatus.PENDING, m.ShipmentStatus.READY):
            return shipment_ship_date(None, (), ready)
        if status is m.ShipmentStatus.READY:
            return shipment_ship_date(False, (), ready)
        lines = await info.context.loaders.shipment_lines_by_shipment.load(self.row.id)
        backorders = await info.context.loaders.backorder_by_id.load_many(
            [line.backorder_id for line in lines if line.backorder_id and line.quantity]
        )
        return shipment_ship_date(
            True, (b.expected_date for b in backorders if b is not None), ready
        )

    @strawberry.field
    async def lines(self, info: Info) -> list[ShipmentLine]:
        rows = await info.context.loaders.shipment_lines_by_shipment.load(self.row.id)
        # One line per SKU (a shipment may carry a line's stock and backordered units).
        units: dict[str, int] = {}
        for r in rows:
            units[r.sku] = units.get(r.sku, 0) + r.quantity
        return [ShipmentLine(sku=sku, quantity=n) for sku, n in units.items() if n]


@strawberry.type
class Order:
    row: strawberry.Private[m.Order]
    id: strawberry.ID
    number: str
    status: OrderStatus
    ship_preference: ShipPreference
    customer: Customer
    created_at: datetime

    @classmethod
    def of(cls, row: m.Order) -> Order:
        return cls(
            row=row, id=strawberry.ID(str(row.id)), number=row.number, status=row.status,
            ship_preference=row.ship_preference,
            customer=Customer(email=row.customer_email, name=row.customer_name),
            created_at=row.created_at,
        )  # fmt: skip

    @strawberry.field
    async def lines(self, info: Info) -> list[OrderLine]:
        rows = await info.context.loaders.lines_by_order.load(self.row.id)
        return [OrderLine(row=r) for r in rows]

    @strawberry.field
    async def shipments(self, info: Info) -> list[Shipment]:
        rows = await info.context.loaders.shipments_by_order.load(self.row.id)
        return [Shipment.of(r) for r in rows]

    @strawberry.field
    async def backorders(self, info: Info) -> list[Backorder]:
        rows = await info.context.loaders.backorders_by_order.load(self.row.id)
        return [Backorder.of(r) for r in rows]


@strawberry.type
class WaitlistEntry:
    row: strawberry.Private[m.WaitlistEntry]
    id: strawberry.ID
    email: str
    quantity: int
    status: WaitlistStatus
    hold_until: datetime | None = strawberry.field(
        description="INVITED: when the units held for the invitation go to the next entry."
    )
    created_at: datetime

    @classmethod
    def of(cls, row: m.WaitlistEntry) -> WaitlistEntry:
        return cls(
            row=row, id=strawberry.ID(str(row.id)), email=row.email, quantity=row.quantity,
            status=row.status, hold_until=row.hold_until, created_at=row.created_at,
        )  # fmt: skip

    @strawberry.field
    async def product(self, info: Info) -> Product:
        return await product_of(info, self.row.product_id)


@strawberry.type
class Cancellation:
    row: strawberry.Private[m.Cancellation]
    id: strawberry.ID
    sku: str
    quantity: int
    quantity_released: int = strawberry.field(
        description="Allocated units handed to the next in line."
    )
    reason: str
    actor: Actor
    created_at: datetime

    @classmethod
    def of(cls, row: m.Cancellation) -> Cancellation:
        return cls(
            row=row, id=strawberry.ID(str(row.id)), sku=row.sku, quantity=row.quantity,
            quantity_released=row.quantity_released, reason=row.reason,
            actor=Actor(kind=row.actor_kind, id=row.actor_id, channel=row.channel),
            created_at=row.created_at,
        )  # fmt: skip

    @strawberry.field
    async def backorder(self, info: Info) -> Backorder:
        row = await info.context.loaders.backorder_by_id.load(self.row.backorder_id)
        assert row is not None
        return Backorder.of(row)

    @strawberry.field
    async def order(self, info: Info) -> Order:
        return await order_of(info, self.row.order_id)
