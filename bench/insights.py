"""``backorderInsights`` over the bench store's history, in-process: its seconds and its
statements for the whole shop, one SKU and one category, over a year.

The generated store has rows but no history, so this first writes one into its copy (the
database named by ``--url``): for each backorder, its ``BACKORDER_CREATED`` at its creation,
then for 60% of them a complete fill and for 10% a whole cancellation 1-45 days later; a
receipt on each of up to 2,000 purchase orders (with the ``PO_CREATED`` that dates it), and
one refused order per 20 backorders. Fixed seed. ``python -m bench.insights MANIFEST --url
URL`` prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.sqllog import capture_sql
from bobot import sql
from bobot.config import Settings
from bobot.db import connected
from bobot.services.context import Deps
from bobot.services.insights import backorder_insights

_COLUMNS = ("at", "kind", "actor_kind", "actor_id", "channel", "product_id", "subject_type",
            "subject_id", "data")  # fmt: skip


def _instant(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _event(at: datetime, kind: str, pid: int, subject: str, sid: int, **data: Any) -> tuple:
    return (sql.adapt(at), kind, "system", "bench", "worker", pid, subject, sid,
            json.dumps(data, separators=(",", ":")))  # fmt: skip


async def write_history(seed: int = 20240501) -> tuple[int, datetime, datetime]:
    """The history described in the module docstring; (events written, first, last)."""
    rng = random.Random(seed)
    rows: list[tuple[Any, ...]] = []
    backorders = await sql.fetch(
        "SELECT id, product_id, order_id, quantity, created_at FROM backorder"
    )
    moments = []
    for bid, pid, order_id, quantity, created in backorders:
        at = _instant(created)
        moments.append(at)
        rows.append(_event(at, "BACKORDER_CREATED", pid, "backorder", bid, order_id=order_id,
                           quantity=quantity, promised=at.date().isoformat(),
                           expected=at.date().isoformat(), is_estimate=False))  # fmt: skip
        fate = rng.random()
        later = at + timedelta(days=rng.uniform(1, 45))
        if fate < 0.6:
            rows.append(_event(later, "BACKORDER_ALLOCATED", pid, "backorder", bid,
                               order_id=order_id, units=quantity, complete=True))  # fmt: skip
        elif fate < 0.7:
            rows.append(_event(later, "BACKORDER_CANCELLED", pid, "backorder", bid,
                               order_id=order_id, quantity=quantity, released=0, remaining=0,
                               reason="bench"))  # fmt: skip
        if rng.random() < 0.05:
            rows.append(_event(at, "ORDER_REFUSED", pid, "product", pid, sku="", quantity=2,
                               reason="BACKORDERS_DENIED"))  # fmt: skip
    first, last = min(moments), max(moments) + timedelta(days=45)
    lines = await sql.fetch(
        "SELECT l.purchase_order_id, l.product_id, po.supplier_id, po.expected_date"
        " FROM purchase_order_line l JOIN purchase_order po ON po.id = l.purchase_order_id"
        " ORDER BY l.id LIMIT 2000"
    )
    for po, pid, supplier, expected in lines:
        ordered = first + timedelta(days=rng.uniform(0, 30))
        rows.append(_event(ordered, "PO_CREATED", pid, "purchase_order", po, number=f"PO-{po}",
                           supplier_id=supplier, status="ORDERED", quantity=10,
                           expected_date=sql.as_date(expected).isoformat()))  # fmt: skip
        received = ordered + timedelta(days=rng.uniform(5, 40))
        rows.append(_event(received, "STOCK_RECEIVED", pid, "product", pid, quantity=10,
                           purchase_order_id=po))  # fmt: skip
    await sql.insert_rows("event", _COLUMNS, rows, adapted=True)
    return len(rows), first, last


async def measure(manifest: dict[str, Any], url: str, repeat: int = 3) -> dict[str, Any]:
    deps = Deps(settings=Settings(database_url=url))
    async with connected(url):
        events, _, last = await write_history()
        end = last.date()
        start = end - timedelta(days=364)
        sku = (await sql.fetch("SELECT sku FROM backorder ORDER BY id LIMIT 1"))[0][0]
        category = (await sql.fetch("SELECT category FROM product ORDER BY id LIMIT 1"))[0][0]
        results: dict[str, Any] = {"events": events, "days": 365}
        for name, filters in (
            ("shop", {}),
            ("sku", {"sku": sku}),
            ("category", {"category": category}),
        ):
            with capture_sql() as statements:
                found = await backorder_insights(start=start, end=end, deps=deps, **filters)
            seconds = []
            for _ in range(repeat):
                started = time.perf_counter()
                await backorder_insights(start=start, end=end, deps=deps, **filters)
                seconds.append(time.perf_counter() - started)
            results[name] = {
                "seconds": round(statistics.median(seconds), 4),
                "statements": len(statements),
                "opened": found.figures.opened,
                "filled": found.figures.filled,
                "weeks": len(found.weeks),
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.insights")
    parser.add_argument("manifest")
    parser.add_argument("--url", required=True, help="a copy of the store (history is written)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with open(args.manifest) as source:
        manifest = json.load(source)
    print(json.dumps(asyncio.run(measure(manifest, args.url, args.repeat))))


if __name__ == "__main__":
    main()
