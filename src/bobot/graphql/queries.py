"""Read side of the API. Public: product availability. Everything else: staff (orders: shop)."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from bobot import models as m
from bobot.graphql.context import Info
from bobot.graphql.enums import BackorderStatus, PurchaseOrderStatus, StockStatus
from bobot.graphql.pagination import Connection, paginate
from bobot.graphql.permissions import SHOP, STAFF
from bobot.graphql.types import (
    Backorder,
    Cancellation,
    HistoryEvent,
    Order,
    Product,
    ProductLike,
    PurchaseOrder,
    Supplier,
    WaitlistEntry,
)
from bobot.services import catalog, consent, reads
from bobot.services.availability import needs_supply
from bobot.services.base import int_column
from bobot.services.catalog import PRODUCT_COLUMNS, ProductRow


async def _prefetch_supply(info: Info, rows: Sequence[ProductLike]) -> None:
    """Load the supply of the products that will show a backorder date, in one statement,
    so that their availability resolves without waiting."""
    ids = [row.id for row in rows if needs_supply(row, info.context.deps)]
    if ids:
        await info.context.loaders.supply_by_product.load_many(ids)


async def _product_id(sku: str | None) -> int | None:
    if sku is None:
        return None
    found = await int_column(m.Product.filter(sku=sku).values_list("id", flat=True))
    return found[0] if found else -1


@strawberry.type
class DelayNotices:
    sent: int
    late: int


@strawberry.type
class Query:
    @strawberry.field(description="A product by SKU: public availability, staff details.")
    async def product(self, info: Info, sku: str) -> Product | None:
        row = await catalog.product_row(sku)
        if row is None:
            return None
        await _prefetch_supply(info, [row])
        return Product.of(row, info.context)

    @strawberry.field(description="Products by SKU, optionally by stock status or a search.")
    async def products(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        status: StockStatus | None = None,  # type: ignore[valid-type]
        search: str | None = None,
    ) -> Connection[Product]:
        query = catalog.products_query(status=status, search=search, now=info.context.deps.now())
        page = await paginate(
            query, first=first, after=after, key="sku", values=PRODUCT_COLUMNS,
            node=lambda values: Product.of(ProductRow(**values), info.context),
        )  # fmt: skip
        await _prefetch_supply(info, [edge.node.row for edge in page.edges])
        return page

    @strawberry.field(permission_classes=SHOP)
    async def order(self, number: str) -> Order | None:
        row = await reads.order_by_number(number)
        return Order.of(row) if row else None

    @strawberry.field(permission_classes=STAFF, description="Backorders, oldest first.")
    async def backorders(
        self,
        sku: str | None = None,
        status: BackorderStatus | None = None,  # type: ignore[valid-type]
        first: int = 20,
        after: str | None = None,
    ) -> Connection[Backorder]:
        query = m.Backorder.all()
        if sku is not None:
            query = query.filter(sku=sku)
        if status is not None:
            query = query.filter(status=status)
        return await paginate(query, first=first, after=after, node=Backorder.of)

    @strawberry.field(permission_classes=STAFF, description="Active waitlist entries in order.")
    async def waitlist(
        self, sku: str | None = None, first: int = 20, after: str | None = None
    ) -> Connection[WaitlistEntry]:
        query = m.WaitlistEntry.filter(status__in=list(m.waitlist.ACTIVE_WAITLIST_STATUSES))
        product_id = await _product_id(sku)
        if product_id is not None:
            query = query.filter(product_id=product_id)
        return await paginate(query, first=first, after=after, node=WaitlistEntry.of)

    @strawberry.field(permission_classes=STAFF, description="Cancellations, newest first.")
    async def cancellations(
        self, sku: str | None = None, first: int = 20, after: str | None = None
    ) -> Connection[Cancellation]:
        query = m.Cancellation.all()
        if sku is not None:
            query = query.filter(sku=sku)
        return await paginate(
            query, first=first, after=after, descending=True, node=Cancellation.of
        )

    @strawberry.field(permission_classes=STAFF)
    async def suppliers(self) -> list[Supplier]:
        return [Supplier(row=r) for r in await m.Supplier.all().order_by("name")]

    @strawberry.field(permission_classes=STAFF)
    async def purchase_orders(
        self,
        sku: str | None = None,
        status: PurchaseOrderStatus | None = None,  # type: ignore[valid-type]
        first: int = 20,
        after: str | None = None,
    ) -> Connection[PurchaseOrder]:
        query = m.PurchaseOrder.all()
        product_id = await _product_id(sku)
        if product_id is not None:
            query = query.filter(lines__product_id=product_id).distinct()
        if status is not None:
            query = query.filter(status=status)
        return await paginate(query, first=first, after=after, node=lambda r: PurchaseOrder(row=r))

    @strawberry.field(
        permission_classes=STAFF,
        description="Delay notices sent to customers, and how many went out late (should be 0).",
    )
    async def delay_notices(self) -> DelayNotices:
        sent, late = await consent.notice_counts()
        return DelayNotices(sent=sent, late=late)

    @strawberry.field(permission_classes=STAFF, description="The history, newest first.")
    async def history(
        self, sku: str | None = None, first: int = 20, after: str | None = None
    ) -> Connection[HistoryEvent]:
        query = m.Event.all()
        product_id = await _product_id(sku)
        if product_id is not None:
            query = query.filter(product_id=product_id)
        return await paginate(
            query, first=first, after=after, descending=True, node=lambda r: HistoryEvent(row=r)
        )
