"""Product rows as the services use them: by SKU, their backorder terms, counter updates."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Any, Protocol, cast

from tortoise.expressions import F

from bobot import sql
from bobot.domain.availability import BackorderTerms, Policy
from bobot.errors import BobotError, ErrorCode, NotFound
from bobot.models import Product
from bobot.services.locks import lock_products


class HasTerms(Protocol):
    @property
    def backorder_policy(self) -> Policy: ...
    @property
    def backorder_limit(self) -> int | None: ...
    @property
    def backorders_end_at(self) -> datetime | None: ...


def terms_of(product: HasTerms) -> BackorderTerms:
    return BackorderTerms(
        policy=Policy(product.backorder_policy),
        limit=product.backorder_limit,
        ends_at=product.backorders_end_at,
    )


async def product_by_sku(sku: str, *, lock: bool = False, field_name: str = "sku") -> Product:
    """The product of ``sku``; with ``lock``, locked with its parcel partners
    (:func:`lock_products`)."""
    query = Product.filter(sku=sku)
    if lock and sql.dialect() != "postgres":
        query = query.select_for_update()
    product = await query.first()
    if product is None:
        raise BobotError(
            f"No product has SKU {sku!r}.", code=ErrorCode.UNKNOWN_SKU, field=[field_name]
        )
    if lock and sql.dialect() == "postgres":
        return (await lock_products([product.id]))[product.id]
    return product


async def int_column(query: Awaitable[Any]) -> list[int]:
    """What ``values_list(<an integer column>, flat=True)`` returns, typed as such."""
    return cast(list[int], await query)


async def adjust_product(product_id: int, *, now: datetime, **deltas: int) -> None:
    """Apply counter deltas in one guarded UPDATE; refuses to make any counter negative."""
    guards = {f"{name}__gte": -delta for name, delta in deltas.items() if delta < 0}
    changed = await Product.filter(id=product_id, **guards).update(
        updated_at=now, **{name: F(name) + delta for name, delta in deltas.items() if delta}
    )
    if changed != 1:
        raise NotFound(f"Product {product_id} changed under us or does not exist.")
