"""What every service takes besides its primitives: who acts, and the collaborators."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, cast

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from bobot import sql
from bobot.clock import Clock, SystemClock
from bobot.config import Settings
from bobot.domain.availability import BackorderTerms, Policy
from bobot.domain.eta import EtaRules
from bobot.domain.ordering import ShipPreference
from bobot.domain.statuses import CANCELLABLE, sql_in
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


#: The other products of the ship-together orders with a line on the backorders looked
#: at (``{rows}``, ``{where}``: as ``b``): re-dating or filling a line of such an order
#: re-dates the parcel, so its lines on those products too.
_PARTNERS = f"""
SELECT DISTINCT other.product_id
  FROM {{rows}}
  JOIN "order" o ON o.id = b.order_id
  JOIN backorder other ON other.order_id = b.order_id
 WHERE {{where}} AND b.status IN {sql_in(CANCELLABLE)}
   AND o.ship_preference = '{ShipPreference.SHIP_TOGETHER.value}'
   AND other.status IN {sql_in(CANCELLABLE)} AND other.product_id <> b.product_id
"""
#: The same read per product, with its newest unshipped backorder (PostgreSQL only): a
#: backorder added later has a greater id (placing locks the product), so only those need
#: reading again under the lock. Per product in subqueries: as outer joins of one query,
#: the planner hashed every backorder (131 ms against 15 ms for a queue of 10,000).
_PARTNERS_AND_NEWEST = f"""
SELECT w.id,
       COALESCE((SELECT max(b.id) FROM backorder b
                  WHERE b.product_id = w.id AND b.status IN {sql_in(CANCELLABLE)}), 0),
       ARRAY({_PARTNERS.format(rows="backorder b", where="b.product_id = w.id")})
  FROM unnest(?::bigint[]) AS w(id)
"""
#: The backorders of each product added after the one given (PostgreSQL only).
_ADDED = (
    "unnest(?::bigint[], ?::bigint[]) AS m(product_id, after)"
    " JOIN backorder b ON b.product_id = m.product_id"
)


async def _partners(ids: Sequence[int]) -> tuple[set[int], dict[int, int]]:
    """The partners of the products ``ids`` (PostgreSQL), and each product's newest
    unshipped backorder (0: none)."""
    newest = dict.fromkeys(ids, 0)
    partners: set[int] = set()
    for product_id, last, others in await sql.fetch(_PARTNERS_AND_NEWEST, [list(ids)]):
        newest[int(product_id)] = int(last)
        partners.update(int(p) for p in others)
    return partners - set(ids), newest


async def _partners_added(newest: dict[int, int]) -> set[int]:
    """The partners that backorders added after ``newest`` bring."""
    products = sorted(newest)
    rows = await sql.fetch(
        _PARTNERS.format(rows=_ADDED, where="b.id > m.after"),
        [products, [newest[p] for p in products]],
    )
    return {int(row[0]) for row in rows} - set(products)


class _PartnersMoved(Exception):
    """An order placed while :func:`lock_products` waited added a partner it had not read."""


async def _lock_rows(ids: Iterable[int]) -> list[Product]:
    return await Product.filter(id__in=sorted(set(ids))).select_for_update().order_by("id")


async def lock_products(ids: Iterable[int]) -> dict[int, Product]:
    """Lock product rows in id order (the one lock order of the project) and return them.

    A change to a product's queue re-dates the ship-together parcels with a line on it, and
    so writes their lines on other products: on PostgreSQL those products (the partners)
    are locked too, in the same id order, in the same statement. The partners are read
    before the lock; under it, only the backorders added since are read again: an order
    placed in between (placing locks every product of the order) is the only way to add a
    partner, and none can be added after that. Should one have been added, the locks are
    given back (the savepoint they were taken in is rolled back) and taken again with it,
    so that no lock is ever taken out of order. On SQLite a write transaction holds the
    whole database.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    if sql.dialect() != "postgres":
        return {row.id: row for row in await _lock_rows(wanted)}
    asked = set(wanted)
    partners, newest = await _partners(wanted)
    held = asked | partners
    for _attempt in range(_LOCK_ATTEMPTS):
        try:
            async with in_transaction():  # a savepoint: rolled back, it releases its locks
                rows = await _lock_rows(held)
                late = await _partners_added(newest) - held
                if late:
                    raise _PartnersMoved
        except _PartnersMoved:
            held |= late
            continue
        return {row.id: row for row in rows if row.id in asked}
    # Orders kept arriving: take the last ones out of order rather than not at all.
    rows = await _lock_rows(held)
    await _lock_rows(await _partners_added(newest) - held)
    return {row.id: row for row in rows if row.id in asked}


#: How often :func:`lock_products` starts again when orders add partners while it waits.
_LOCK_ATTEMPTS = 5


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
