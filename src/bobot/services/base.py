"""What every service takes besides its primitives: who acts, and the collaborators."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, cast

from tortoise.expressions import F

from bobot.clock import Clock, SystemClock
from bobot.config import Settings
from bobot.domain.availability import BackorderTerms, Policy
from bobot.domain.eta import EtaRules
from bobot.errors import BobotError, ErrorCode, NotFound
from bobot.models import Product
from bobot.services.validation import check_text


@dataclass(frozen=True, slots=True)
class Actor:
    """Who changes state, and through which channel (recorded in the history)."""

    kind: str  # customer | staff | storefront | slack | system
    id: str
    channel: str  # api | slack | link | worker | cli


SYSTEM = Actor("system", "bobot", "worker")


@dataclass(frozen=True)
class Deps:
    settings: Settings = field(default_factory=Settings)
    clock: Clock = field(default_factory=SystemClock)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        """Today in the shop's time zone."""
        return self.settings.calendar.today(self.clock.now())

    def eta_rules(self, lead_days: int | None, *, today: date | None = None) -> EtaRules:
        """The rules for a product whose best supplier takes ``lead_days`` (``today``: a
        caller's reading of the clock, so that one answer uses one day)."""
        return EtaRules(
            today=today if today is not None else self.today(),
            handling_days=self.settings.handling_days,
            fallback_lead_days=(
                lead_days if lead_days is not None else self.settings.default_lead_days
            ),
            calendar=self.settings.calendar,
        )

    def ship_date_in_stock(self) -> date:
        """When units already here, allocated today, can leave (handling in ship days)."""
        calendar = self.settings.calendar
        return calendar.add_ship_days(self.today(), self.settings.handling_days)


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


def require_quantity(
    quantity: int, *, field_name: str = "quantity", maximum: int = 1_000_000
) -> None:
    if quantity <= 0 or quantity > maximum:
        raise BobotError(
            f"Quantity must be between 1 and {maximum}, got {quantity}.",
            code=ErrorCode.INVALID_QUANTITY,
            field=[field_name],
        )


def require_text(value: str, field_name: str, *, max_length: int = 200) -> str:
    """``value`` stripped, not empty, at most ``max_length`` characters (``INVALID_INPUT``)."""
    return check_text(value, [field_name], max_length=max_length, required=True)


async def product_by_sku(sku: str, *, lock: bool = False, field_name: str = "sku") -> Product:
    query = Product.filter(sku=sku)
    if lock:
        query = query.select_for_update()
    product = await query.first()
    if product is None:
        raise BobotError(
            f"No product has SKU {sku!r}.", code=ErrorCode.UNKNOWN_SKU, field=[field_name]
        )
    return product


async def int_column(query: Awaitable[Any]) -> list[int]:
    """What ``values_list(<an integer column>, flat=True)`` returns, typed as such."""
    return cast(list[int], await query)


async def lock_products(ids: Iterable[int]) -> dict[int, Product]:
    """Lock product rows in id order (the one lock order of the project) and return them."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await Product.filter(id__in=wanted).select_for_update().order_by("id")
    return {row.id: row for row in rows}


async def lock_products_by_sku(skus: Iterable[str]) -> dict[str, Product]:
    """Like :func:`lock_products`, naming the products by SKU (one statement)."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    rows = await Product.filter(sku__in=wanted).select_for_update().order_by("id")
    return {row.sku: row for row in rows}


async def adjust_product(product_id: int, *, now: datetime, **deltas: int) -> None:
    """Apply counter deltas in one guarded UPDATE; refuses to make any counter negative."""
    guards = {f"{name}__gte": -delta for name, delta in deltas.items() if delta < 0}
    changed = await Product.filter(id=product_id, **guards).update(
        updated_at=now, **{name: F(name) + delta for name, delta in deltas.items() if delta}
    )
    if changed != 1:
        raise NotFound(f"Product {product_id} changed under us or does not exist.")
