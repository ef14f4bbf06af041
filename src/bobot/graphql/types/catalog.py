"""Catalog types: products and what shoppers see of them, suppliers and their offers.

What a shopper sees is decided by :mod:`bobot.services.availability`, the same for every
door; the types here only shape it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from bobot import models as m
from bobot.domain import availability as rules
from bobot.graphql.context import Context, Info
from bobot.graphql.enums import BackorderPolicy, OutOfStockReason, StockStatus
from bobot.graphql.permissions import STAFF
from bobot.services import availability
from bobot.services.availability import ProductSupply, needs_supply
from bobot.services.catalog import ProductRow
from bobot.services.context import Deps

if TYPE_CHECKING:
    from bobot.graphql.types.orders import Backorder, WaitlistEntry
    from bobot.graphql.types.purchasing import PurchaseOrder

ORDERS = strawberry.lazy("bobot.graphql.types.orders")
PURCHASING = strawberry.lazy("bobot.graphql.types.purchasing")


@strawberry.type(description="What a shopper can buy now, and what to tell them.")
class Availability:
    status: StockStatus
    quantity_available: int
    can_purchase: bool
    estimated_ship_date: date | None = strawberry.field(
        description="When one more unit ordered now would ship (the promised date)."
    )
    is_estimate: bool = strawberry.field(
        description="True when no purchase order covers it: the date comes from lead time."
    )
    reason: OutOfStockReason | None = strawberry.field(
        description="Why it cannot be bought, when it cannot."
    )
    label: str = strawberry.field(description='Ready to show, e.g. "In stock".')


ProductLike = m.Product | ProductRow


def shown(view: rules.Availability) -> Availability:
    """The GraphQL type of a shopper's view, from :func:`bobot.services.availability`."""
    return Availability(
        status=view.status,
        quantity_available=view.quantity_available,
        can_purchase=view.can_purchase,
        estimated_ship_date=view.estimated_ship_date,
        is_estimate=view.is_estimate,
        reason=view.reason,
        label=view.label,
    )


def availability_of(row: ProductLike, supply: ProductSupply | None, deps: Deps) -> Availability:
    return shown(availability.availability(row, supply, deps))


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
    backorder_policy: BackorderPolicy
    backorder_limit: int | None = strawberry.field(description="null: unlimited; 0: closed.")
    backorders_end_at: datetime | None
    safety_stock: int = strawberry.field(permission_classes=STAFF)
    on_hand: int = strawberry.field(permission_classes=STAFF)
    allocated: int = strawberry.field(permission_classes=STAFF)
    available: int = strawberry.field(permission_classes=STAFF)
    held: int = strawberry.field(
        permission_classes=STAFF,
        description="On hand, held for waitlist invitations: not available to anyone else.",
    )
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
            on_hand=row.on_hand, allocated=row.allocated, available=row.available, held=row.held,
            backordered=row.backordered, incoming=row.incoming,
        )  # fmt: skip

    @strawberry.field(graphql_type=Availability)
    def availability(self) -> Any:  # Availability, or an awaitable of it
        deps = self.context.deps
        if not needs_supply(self.row, deps):
            return shown(availability.availability(self.row, None, deps))
        loader = self.context.loaders.supply_by_product
        known = loader.cache_map.get(self.row.id)
        if known is not None and known.done():  # prefetched by the list: no await needed
            return shown(availability.availability(self.row, known.result(), deps))

        async def with_supply() -> Availability:
            supply = await loader.load(self.row.id)
            return shown(availability.availability(self.row, supply, deps))

        return with_supply()

    @strawberry.field(permission_classes=STAFF)
    async def supplier_offers(self, info: Info) -> list[SupplierOffer]:
        rows = await info.context.loaders.offers_by_product.load(self.row.id)
        return [SupplierOffer(row=r) for r in rows]

    @strawberry.field(permission_classes=STAFF, description="Waiting backorders, in FIFO order.")
    async def open_backorders(self, info: Info) -> list[Annotated[Backorder, ORDERS]]:
        from bobot.graphql.types.orders import Backorder

        rows = await info.context.loaders.open_backorders_by_product.load(self.row.id)
        return [Backorder.of(r) for r in rows]

    @strawberry.field(permission_classes=STAFF, description="Active waitlist entries, in order.")
    async def waitlist(self, info: Info) -> list[Annotated[WaitlistEntry, ORDERS]]:
        from bobot.graphql.types.orders import WaitlistEntry

        rows = await info.context.loaders.waitlist_by_product.load(self.row.id)
        return [WaitlistEntry.of(r) for r in rows]

    @strawberry.field(permission_classes=STAFF, description="Open purchase orders bringing it.")
    async def purchase_orders(self, info: Info) -> list[Annotated[PurchaseOrder, PURCHASING]]:
        from bobot.graphql.types.purchasing import PurchaseOrder

        rows = await info.context.loaders.open_pos_by_product.load(self.row.id)
        return [PurchaseOrder(row=r) for r in rows]


async def product_of(info: Info, product_id: int) -> Product:
    row = await info.context.loaders.product_by_id.load(product_id)
    assert row is not None
    return Product.of(row, info.context)


@strawberry.type(
    description=(
        "How far a supplier's dates can be trusted, from its deliveries (each purchase "
        "order's first receipt against the date the supplier first gave). Delays are in the "
        "shop's ship days; an early or on-time delivery counts as 0."
    )
)
class SupplierReliability:
    on_time_rate: float | None = strawberry.field(
        description="Share of its deliveries on or before their date (null: none yet)."
    )
    mean_delay_days: float | None = strawberry.field(
        description="Mean delay of its deliveries, in ship days (null: none yet)."
    )
    p90_delay_days: int | None = strawberry.field(
        description="Delay, in ship days, that 90% of its deliveries kept within (null: none yet)."
    )
    sample_size: int = strawberry.field(description="Deliveries counted.")
    promise_margin_days: int = strawberry.field(
        description=(
            "Ship days added to the expected date of what it supplies when a date is "
            "promised: its delay at the shop's promise quantile, shrunk towards the shop's "
            "record while its own is short (the fixed margin when learned margins are off)."
        )
    )


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

    @strawberry.field(permission_classes=STAFF)
    async def reliability(self, info: Info) -> SupplierReliability:
        found = await info.context.loaders.reliability_by_supplier.load(self.row.id)
        return SupplierReliability(
            on_time_rate=found.on_time_rate,
            mean_delay_days=found.mean_delay_days,
            p90_delay_days=found.p90_delay_days,
            sample_size=found.sample_size,
            promise_margin_days=found.margin_days,
        )


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
        return await supplier_of(info, self.row.supplier_id)

    @strawberry.field
    async def product(self, info: Info) -> Product:
        return await product_of(info, self.row.product_id)


async def supplier_of(info: Info, supplier_id: int) -> Supplier:
    row = await info.context.loaders.supplier_by_id.load(supplier_id)
    assert row is not None
    return Supplier(row=row)
