"""Product locks: rows locked in id order (the project's one lock order), with the
ship-together partners a change re-dates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tortoise.transactions import in_transaction

from bobot import sql
from bobot.domain.ordering import ShipPreference
from bobot.domain.statuses import CANCELLABLE, sql_in
from bobot.models import Product

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
