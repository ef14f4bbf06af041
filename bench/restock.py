"""The batch work, in-process: receiving stock for a product with a long FIFO queue.

Two products were generated with identical queues. The service
(:func:`bobot.services.stock.receive_stock`: FIFO fill, events, shipments, ETAs recomputed)
receives the units on the first; the floor, one set-based UPDATE (a running sum over the FIFO
order) plus the product's counters in one transaction, does the same fill on the second. Both
are checked to leave the same allocations and counters behind.

Both queues (backorders and their shipments) are read once before either side is timed, so
that neither pays for a cold cache, and the write-ahead log is written back before each side
(:func:`write_back`), so that neither pays for the other's writes. One run is one round; a
restock changes the store, so ``make bench`` runs each round on its own copy of the generated
store and reports the median (:func:`summary`).

``python -m bench.restock MANIFEST [--url URL]`` prints one round's timings as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from bench.generate import inconsistent_products
from bench.sqllog import capture_sql
from bobot import sql
from bobot.config import Settings
from bobot.db import connected
from bobot.services.context import Actor, Deps
from bobot.services.stock import receive_stock

FILL = """
UPDATE backorder SET
    quantity_allocated = quantity_allocated + q.take,
    status = CASE WHEN q.take = q.need THEN 'ALLOCATED' ELSE 'PARTIALLY_ALLOCATED' END,
    expected_date = CASE WHEN q.take = q.need THEN ? ELSE expected_date END,
    eta_is_estimate = CASE WHEN q.take = q.need THEN FALSE ELSE eta_is_estimate END,
    is_delayed = CASE WHEN q.take = q.need THEN promised_date < ? ELSE is_delayed END,
    updated_at = ?
FROM (
    SELECT id, need, CASE WHEN ahead + need <= ? THEN need ELSE ? - ahead END AS take
      FROM (SELECT id, quantity - quantity_allocated AS need,
                   COALESCE(SUM(quantity - quantity_allocated) OVER (
                       ORDER BY priority DESC, created_at, id
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS ahead
              FROM backorder
             WHERE product_id = ? AND status IN ('OPEN', 'PARTIALLY_ALLOCATED')) AS w
     WHERE ahead < ? AND need > 0
) AS q
WHERE backorder.id = q.id
"""

COUNTERS = """
UPDATE product SET
    on_hand = on_hand + ?,
    allocated = allocated + CASE WHEN backordered < ? THEN backordered ELSE ? END,
    available = available + ? - CASE WHEN backordered < ? THEN backordered ELSE ? END,
    backordered = backordered - CASE WHEN backordered < ? THEN backordered ELSE ? END,
    updated_at = ?
WHERE id = ?
"""

STATE = """
SELECT b.quantity_allocated, b.status FROM backorder b JOIN product p ON p.id = b.product_id
 WHERE p.sku = ? ORDER BY b.priority DESC, b.created_at, b.id
"""
PRODUCT = "SELECT id, on_hand, allocated, available, backordered FROM product WHERE sku = ?"
WARM = (
    "SELECT b.*, s.* FROM backorder b JOIN product p ON p.id = b.product_id"
    " JOIN shipment_line l ON l.backorder_id = b.id JOIN shipment s ON s.id = l.shipment_id"
    " WHERE p.sku = ?"
)


async def floor_fill(sku: str, units: int, now: datetime, ship_date: Any) -> int:
    """The fill as two set-based statements in one transaction; returns the rows filled."""
    postgres = sql.dialect() == "postgres"
    product_id = (await sql.fetch(PRODUCT, [sku]))[0][0]
    async with in_transaction() as conn:
        filled, _ = await conn.execute_query(
            sql.render(FILL, postgres),
            [ship_date, ship_date, now, units, units, product_id, units],
        )
        await conn.execute_query(
            sql.render(COUNTERS, postgres), [units, *[units] * 7, now, product_id]
        )
    return filled


async def write_back() -> None:
    """Write back the pages earlier statements left in the write-ahead log, so that neither
    side is timed paying for the other's writes (SQLite checkpoints when a commit takes its
    log past 1,000 pages; PostgreSQL's writes to disk come later too)."""
    if sql.dialect() == "postgres":
        await sql.execute("CHECKPOINT")
    else:
        await sql.fetch("PRAGMA wal_checkpoint(TRUNCATE)")


async def measure(manifest: dict[str, Any]) -> dict[str, Any]:
    url, restock = manifest["url"], manifest["restock"]
    units = restock["units"]
    deps = Deps(settings=Settings(database_url=url))
    async with connected(url):
        for sku in (restock["service"], restock["floor"]):
            await sql.fetch(WARM, [sku])
        await write_back()
        with capture_sql() as statements:
            started = time.perf_counter()
            receipt = await receive_stock(
                sku=restock["service"],
                quantity=units,
                purchase_order_id=None,
                actor=Actor("staff", "bench", "api"),
                deps=deps,
            )
            service = time.perf_counter() - started
        now = datetime.now(UTC)
        ship_date = deps.ship_date_in_stock()
        await write_back()
        started = time.perf_counter()
        filled = await floor_fill(restock["floor"], units, now, ship_date)
        floor = time.perf_counter() - started
        same = await _same_outcome(restock["service"], restock["floor"])
        inconsistent = await inconsistent_products()
    return {
        "units": units,
        "queue": restock["queue"],
        "backorders_filled": len(receipt.fills),
        "floor_rows_updated": filled,
        "service_s": round(service, 4),
        "floor_s": round(floor, 4),
        "ratio": round(service / floor, 2),
        "service_statements": len(statements),
        "same_outcome": same,
        "inconsistent_products": inconsistent,
    }


async def _same_outcome(service_sku: str, floor_sku: str) -> bool:
    """Both products hold the same allocations, statuses and counters."""
    states = [await sql.fetch(STATE, [sku]) for sku in (service_sku, floor_sku)]
    counters = [(await sql.fetch(PRODUCT, [sku]))[0][1:] for sku in (service_sku, floor_sku)]
    return states[0] == states[1] and counters[0] == counters[1]


def summary(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median ratio (the lower middle one for an even count), with every
    round's ratio."""
    ordered = sorted(rounds, key=lambda r: r["ratio"])
    median = ordered[(len(ordered) - 1) // 2]
    return {
        **median,
        "rounds": [r["ratio"] for r in rounds],
        "same_outcome": all(r["same_outcome"] for r in rounds),
        "inconsistent_products": sum(r["inconsistent_products"] for r in rounds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.restock")
    parser.add_argument("manifest")
    parser.add_argument("--url", help="the database to restock (default: the manifest's)")
    args = parser.parse_args()
    with open(args.manifest) as source:
        manifest = json.load(source)
    if args.url:
        manifest["url"] = args.url
    print(json.dumps(asyncio.run(measure(manifest))))


if __name__ == "__main__":
    main()
