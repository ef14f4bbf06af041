"""Object types. Each wraps a model row; nested objects come through the request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from bobot import models as m
from bobot.domain import availability as rules
from bobot.domain.availability import Policy
from bobot.domain.eta import eta_for_position, promise
from bobot.graphql.context import Context, Info
from bobot.graphql.enums import (
    BackorderPolicy,
    BackorderStatus,
    OrderStatus,
    OutOfStockReason,
    PurchaseOrderStatus,
    ShipmentStatus,
    ShipPreference,
    StockStatus,
    WaitlistStatus,
)
from bobot.graphql.loaders import ProductSupply
from bobot.graphql.permissions import STAFF
from bobot.services.base import Deps, terms_of


@strawberry.type(description="What a shopper can buy now, and what to tell them.")
class Availability:
    status: StockStatus  # type: ignore[valid-type]
    quantity_available: int
    can_purchase: bool
    estimated_ship_date: date | None = strawberry.field(
        description="When one more unit ordered now would ship (the promised date)."
    )
    is_estimate: bool = strawberry.field(
        description="True when no purchase order covers it: the date comes from lead time."
    )
    reason: OutOfStockReason | None = strawberry.field(  # type: ignore[valid-type]
        description="Why it cannot be bought, when it cannot."
    )
    label: str = strawberry.field(description='Ready to show, e.g. "In stock".')


@dataclass(frozen=True, slots=True)
class ProductRow:
    """What product reads need of a row, read without building a model object (lists)."""

    id: int
    sku: str
    name: str
    category: str
    price: Decimal
    backorder_policy: Policy
    backorder_limit: int | None
    backorders_end_at: datetime | None
    safety_stock: int
    on_hand: int
    allocated: int
    available: int
    backordered: int
    incoming: int


PRODUCT_COLUMNS = tuple(f.name for f in fields(ProductRow))
ProductLike = m.Product | ProductRow


def availability_of(row: ProductLike, supply: ProductSupply | None, deps: Deps) -> Availability:
    next_date, estimate = None, False
    if supply is not None:
        eta = eta_for_position(row.backordered + 1, supply.supply, deps.eta_rules(supply.lead_days))
        next_date, estimate = promise(eta, deps.settings.promise_margin_days), eta.is_estimate
    view = rules.availability(
        available=row.available,
        backordered=row.backordered,
        terms=terms_of(row),
        now=deps.now(),
        in_stock_ship_date=deps.today() + timedelta(days=deps.settings.handling_days),
        next_ship_date=next_date,
        next_is_estimate=estimate,
    )
    return Availability(
        status=view.status,
        quantity_available=view.quantity_available,
        can_purchase=view.can_purchase,
        estimated_ship_date=view.estimated_ship_date,
        is_estimate=view.is_estimate,
        reason=view.reason,
        label=view.label,
    )


def needs_supply(row: ProductLike, deps: Deps) -> bool:
    if row.available > 0:
        return False
    room = rules.backorder_room(terms_of(row), row.backordered, deps.now())
    return room is None or room > 0


@strawberry.type
class Product:
    """A product: its availability for everyone, its stock and supply for staff.

    Plain attributes copied from the row (cheaper to resolve than methods, which matters on
    product lists); build with :meth:`of`.
    """

    row: strawberry.Private[ProductLike]
    context: strawberry.Private[Context]
    sku: str
    name: str
    category: str
    price: Decimal
    backorder_policy: BackorderPolicy  # type: ignore[valid-type]
    backorder_limit: int | None = strawberry.field(description="null: unlimited; 0: closed.")
    backorders_end_at: datetime | None
    safety_stock: int = strawberry.field(permission_classes=STAFF)
    on_hand: int = strawberry.field(permission_classes=STAFF)
    allocated: int = strawberry.field(permission_classes=STAFF)
    available: int = strawberry.field(permission_classes=STAFF)
    backordered: int = strawberry.field(
        permission_classes=STAFF, description="Units on open backorders not yet covered by stock."
    )
    incoming: int = strawberry.field(
        permission_classes=STAFF, description="Units on ordered purchase orders not yet received."
    )

    @classmethod
    def of(cls, row: ProductLike, context: Context) -> Product:
        return cls(
            row=row, context=context, sku=row.sku, name=row.name, category=row.category,
            price=row.price,
            backorder_policy=row.backorder_policy, backorder_limit=row.backorder_limit,
            backorders_end_at=row.backorders_end_at, safety_stock=row.safety_stock,
            on_hand=row.on_hand, allocated=row.allocated, available=row.available,
            backordered=row.backordered, incoming=row.incoming,
        )  # fmt: skip

    @strawberry.field(graphql_type=Availability)
    def availability(self) -> Any:  # Availability, or an awaitable of it
        deps = self.context.deps
        if not needs_supply(self.row, deps):
            return availability_of(self.row, None, deps)
        loader = self.context.loaders.supply_by_product
        known = loader.cache_map.get(self.row.id)
        if known is not None and known.done():  # prefetched by the list: no await needed
            return availability_of(self.row, known.result(), deps)

        async def with_supply() -> Availability:
            return availability_of(self.row, await loader.load(self.row.id), deps)

        return with_supply()

    @strawberry.field(permission_classes=STAFF)
    async def supplier_offers(self, info: Info) -> list[SupplierOffer]:
        rows = await info.context.loaders.offers_by_product.load(self.row.id)
        return [SupplierOffer(row=r) for r in rows]

    @strawberry.field(permission_classes=STAFF, description="Waiting backorders, in FIFO order.")
    async def open_backorders(self, info: Info) -> list[Backorder]:
        rows = await info.context.loaders.open_backorders_by_product.load(self.row.id)
        return [Backorder(row=r) for r in rows]

    @strawberry.field(permission_classes=STAFF, description="Active waitlist entries, in order.")
    async def waitlist(self, info: Info) -> list[WaitlistEntry]:
        rows = await info.context.loaders.waitlist_by_product.load(self.row.id)
        return [WaitlistEntry(row=r) for r in rows]

    @strawberry.field(permission_classes=STAFF, description="Open purchase orders bringing it.")
    async def purchase_orders(self, info: Info) -> list[PurchaseOrder]:
        rows = await info.context.loaders.open_pos_by_product.load(self.row.id)
        return [PurchaseOrder(row=r) for r in rows]


async def _product(info: Info, product_id: int) -> Product:
    row = await info.context.loaders.product_by_id.load(product_id)
    assert row is not None
    return Product.of(row, info.context)


async def _order(info: Info, order_id: int) -> Order:
    row = await info.context.loaders.order_by_id.load(order_id)
    assert row is not None
    return Order(row=row)


@strawberry.type
class Actor:
    kind: str
    id: str
    channel: str


@strawberry.type
class Backorder:
    row: strawberry.Private[m.Backorder]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def sku(self) -> str:
        return self.row.sku

    @strawberry.field(description="Units still wanted (after cancellations).")
    def quantity(self) -> int:
        return self.row.quantity

    @strawberry.field
    def quantity_ordered(self) -> int:
        return self.row.quantity_ordered

    @strawberry.field
    def quantity_allocated(self) -> int:
        return self.row.quantity_allocated

    @strawberry.field
    def status(self) -> BackorderStatus:  # type: ignore[valid-type]
        return self.row.status

    @strawberry.field
    def priority(self) -> int:
        return self.row.priority

    @strawberry.field(description="The date told to the customer when they ordered.")
    def promised_date(self) -> date:
        return self.row.promised_date

    @strawberry.field(description="The current ship date, recomputed from purchase orders.")
    def expected_date(self) -> date:
        return self.row.expected_date

    @strawberry.field
    def is_estimate(self) -> bool:
        return self.row.eta_is_estimate

    @strawberry.field(description="The expected date has moved past the promised date.")
    def is_delayed(self) -> bool:
        return self.row.is_delayed

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field
    async def order(self, info: Info) -> Order:
        return await _order(info, self.row.order_id)

    @strawberry.field
    async def product(self, info: Info) -> Product:
        return await _product(info, self.row.product_id)


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

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def status(self) -> ShipmentStatus:  # type: ignore[valid-type]
        return self.row.status

    @strawberry.field
    def cost(self) -> Decimal:
        return self.row.cost

    @strawberry.field
    def shipped_at(self) -> datetime | None:
        return self.row.shipped_at

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

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def number(self) -> str:
        return self.row.number

    @strawberry.field
    def status(self) -> OrderStatus:  # type: ignore[valid-type]
        return self.row.status

    @strawberry.field
    def ship_preference(self) -> ShipPreference:  # type: ignore[valid-type]
        return self.row.ship_preference

    @strawberry.field
    def customer(self) -> Customer:
        return Customer(email=self.row.customer_email, name=self.row.customer_name)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field
    async def lines(self, info: Info) -> list[OrderLine]:
        rows = await info.context.loaders.lines_by_order.load(self.row.id)
        return [OrderLine(row=r) for r in rows]

    @strawberry.field
    async def shipments(self, info: Info) -> list[Shipment]:
        rows = await info.context.loaders.shipments_by_order.load(self.row.id)
        return [Shipment(row=r) for r in rows]

    @strawberry.field
    async def backorders(self, info: Info) -> list[Backorder]:
        rows = await info.context.loaders.backorders_by_order.load(self.row.id)
        return [Backorder(row=r) for r in rows]


@strawberry.type
class WaitlistEntry:
    row: strawberry.Private[m.WaitlistEntry]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def email(self) -> str:
        return self.row.email

    @strawberry.field
    def quantity(self) -> int:
        return self.row.quantity

    @strawberry.field
    def status(self) -> WaitlistStatus:  # type: ignore[valid-type]
        return self.row.status

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field
    async def product(self, info: Info) -> Product:
        return await _product(info, self.row.product_id)


@strawberry.type
class Cancellation:
    row: strawberry.Private[m.Cancellation]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def sku(self) -> str:
        return self.row.sku

    @strawberry.field
    def quantity(self) -> int:
        return self.row.quantity

    @strawberry.field(description="Allocated units handed to the next in line.")
    def quantity_released(self) -> int:
        return self.row.quantity_released

    @strawberry.field
    def reason(self) -> str:
        return self.row.reason

    @strawberry.field
    def actor(self) -> Actor:
        return Actor(kind=self.row.actor_kind, id=self.row.actor_id, channel=self.row.channel)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field
    async def backorder(self, info: Info) -> Backorder:
        row = await info.context.loaders.backorder_by_id.load(self.row.backorder_id)
        assert row is not None
        return Backorder(row=row)

    @strawberry.field
    async def order(self, info: Info) -> Order:
        return await _order(info, self.row.order_id)


@strawberry.type
class Supplier:
    row: strawberry.Private[m.Supplier]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def name(self) -> str:
        return self.row.name

    @strawberry.field
    def email(self) -> str:
        return self.row.email

    @strawberry.field
    async def offers(self, info: Info) -> list[SupplierOffer]:
        rows = await info.context.loaders.offers_by_supplier.load(self.row.id)
        return [SupplierOffer(row=r) for r in rows]


@strawberry.type
class SupplierOffer:
    row: strawberry.Private[m.SupplierOffer]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def unit_cost(self) -> Decimal:
        return self.row.unit_cost

    @strawberry.field
    def lead_time_days(self) -> int:
        return self.row.lead_time_days

    @strawberry.field(description="1 is the preferred supplier.")
    def rank(self) -> int:
        return self.row.rank

    @strawberry.field
    def active(self) -> bool:
        return self.row.active

    @strawberry.field
    async def supplier(self, info: Info) -> Supplier:
        row = await info.context.loaders.supplier_by_id.load(self.row.supplier_id)
        assert row is not None
        return Supplier(row=row)

    @strawberry.field
    async def product(self, info: Info) -> Product:
        return await _product(info, self.row.product_id)


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
        return await _product(info, self.row.product_id)

    @strawberry.field
    async def sku(self, info: Info) -> str:
        return (await _product(info, self.row.product_id)).row.sku


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
    def status(self) -> PurchaseOrderStatus:  # type: ignore[valid-type]
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
        row = await info.context.loaders.supplier_by_id.load(self.row.supplier_id)
        assert row is not None
        return Supplier(row=row)

    @strawberry.field
    async def lines(self, info: Info) -> list[PurchaseOrderLine]:
        rows = await info.context.loaders.po_lines_by_po.load(self.row.id)
        return [PurchaseOrderLine(row=r) for r in rows]


@strawberry.type(description="One state change, as recorded in the append-only history.")
class HistoryEvent:
    row: strawberry.Private[m.Event]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def at(self) -> datetime:
        return self.row.at

    @strawberry.field
    def kind(self) -> str:
        return self.row.kind

    @strawberry.field
    def actor(self) -> Actor:
        return Actor(kind=self.row.actor_kind, id=self.row.actor_id, channel=self.row.channel)

    @strawberry.field
    def subject_type(self) -> str:
        return self.row.subject_type

    @strawberry.field
    def subject_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.subject_id))

    @strawberry.field
    def data(self) -> JSON:
        return cast(JSON, self.row.data)
