"""Catalog API: product availability (public, staff details) and the staff's product edits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import strawberry

from bobot import models as m
from bobot.domain.availability import Policy
from bobot.graphql.context import Info
from bobot.graphql.enums import BackorderPolicy, StockStatus
from bobot.graphql.errors import UserError, returns_user_errors
from bobot.graphql.inputs import NAME, SKU, money, text
from bobot.graphql.pagination import Connection, paginate
from bobot.graphql.permissions import STAFF
from bobot.graphql.types import Product, ProductLike
from bobot.services import catalog
from bobot.services.availability import needs_supply
from bobot.services.catalog import PRODUCT_COLUMNS, ProductRow
from bobot.services.products import int_column


def _errors() -> list[UserError]:
    return []


async def _prefetch_supply(info: Info, rows: Sequence[ProductLike]) -> None:
    """Load the supply of the products that will show a backorder date, in one statement,
    so that their availability resolves without waiting."""
    ids = [row.id for row in rows if needs_supply(row, info.context.deps)]
    if ids:
        await info.context.loaders.supply_by_product.load_many(ids)


async def product_id_of(sku: str | None) -> int | None:
    """The id of the product a ``sku`` filter names: None without a filter, -1 (matching
    nothing) for an unknown SKU."""
    if sku is None:
        return None
    found = await int_column(m.Product.filter(sku=sku).values_list("id", flat=True))
    return found[0] if found else -1


@strawberry.input
class SetBackorderPolicyInput:
    sku: str = text(SKU)
    policy: BackorderPolicy
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


@strawberry.type
class CatalogQuery:
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
        status: StockStatus | None = None,
        search: str | None = None,
    ) -> Connection[Product]:
        query = catalog.products_query(status=status, search=search, now=info.context.deps.now())
        page = await paginate(
            query, first=first, after=after, key="sku", values=PRODUCT_COLUMNS,
            node=lambda values: Product.of(ProductRow(**values), info.context),
        )  # fmt: skip
        await _prefetch_supply(info, [edge.node.row for edge in page.edges])
        return page


@strawberry.type
class CatalogMutation:
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
