"""The shortage report over the whole store, in-process, against a one-statement SQL floor.

The service (:func:`bobot.services.shortages.shortages`: two statements, then per product the
incoming schedule, the ETA of a new order and the severity in Python, sorted worst first)
reports every product whose backorders wait. The floor computes the same aggregate in ONE
set-based statement: per product with ``backordered > 0``, its backordered and available
units, the units due on its open purchase-order lines, the uncovered units, its oldest
waiting backorder and its next expected purchase order, ordered by uncovered units. Both are
checked to report the same SKUs with the same uncovered units (and the same oldest backorder
and next purchase-order date).

Each side runs once unmeasured, then ``--repeat`` times (3 by default); the median is
reported. The report is also read page by page as staff read it (the kept table,
:mod:`bobot.services.shortage_summary`) and checked to say the same, line for line.
``python -m bench.shortages MANIFEST`` prints the timings as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

from bench.sqllog import capture_sql
from bobot import sql
from bobot.config import Settings
from bobot.db import connected
from bobot.services import shortage_summary
from bobot.services.context import Deps
from bobot.services.eta import WAITING_SQL
from bobot.services.gap_facts import OPEN_PO_SQL, as_datetime
from bobot.services.shortages import Shortage, rank_of, shortages

T = TypeVar("T")
Facts = dict[str, tuple[int, int, date | None]]  # SKU -> uncovered, oldest age days, next PO

FLOOR = f"""
SELECT p.sku, p.backordered, p.available,
       COALESCE(i.units, 0) AS incoming,
       CASE WHEN p.backordered > COALESCE(i.units, 0)
            THEN p.backordered - COALESCE(i.units, 0) ELSE 0 END AS uncovered,
       b.oldest,
       i.next_date
  FROM product p
  LEFT JOIN (SELECT product_id, MIN(created_at) AS oldest
               FROM backorder
              WHERE status IN {WAITING_SQL}
              GROUP BY product_id) b ON b.product_id = p.id
  LEFT JOIN (SELECT l.product_id,
                    SUM(l.quantity - l.quantity_received) AS units,
                    MIN(CASE WHEN po.expected_date >= ? THEN po.expected_date END) AS next_date
               FROM purchase_order_line l
               JOIN purchase_order po ON po.id = l.purchase_order_id
              WHERE po.status IN {OPEN_PO_SQL} AND l.quantity > l.quantity_received
              GROUP BY l.product_id) i ON i.product_id = p.id
 WHERE p.backordered > 0
 ORDER BY uncovered DESC, p.sku
"""


async def floor(today: date) -> list[tuple[Any, ...]]:
    """The report's aggregate in one statement."""
    return await sql.fetch(FLOOR, [today])


def _service_facts(report: list[Shortage]) -> Facts:
    return {
        s.sku: (s.uncovered, s.oldest_backorder_age_days, s.next_purchase_order_date)
        for s in report
    }


def _floor_facts(rows: list[tuple[Any, ...]], today: date) -> Facts:
    out = {}
    for sku, _backordered, _available, _incoming, uncovered, oldest, next_date in rows:
        age = (today - as_datetime(oldest).date()).days if oldest is not None else 0
        out[sku] = (
            int(uncovered),
            age,
            sql.as_date(next_date) if next_date is not None else None,
        )
    return out


async def _paged(deps: Deps) -> list[Shortage]:
    """The whole report as staff page through it (pages of 100, read from the kept table)."""
    found: list[Shortage] = []
    after = None
    while True:
        page = await shortage_summary.page(deps, first=100, after=after)
        found += page.shortages
        if not page.has_next:
            return found
        after = rank_of(page.shortages[-1])


def _lines(report: list[Shortage]) -> list[tuple[Any, ...]]:
    return [
        (s.sku, s.backordered, s.available, list(s.incoming), s.uncovered,
         s.oldest_backorder_age_days, s.next_purchase_order_date, s.eta_for_new_order,
         s.eta_is_estimate, s.severity)
        for s in report
    ]  # fmt: skip


async def _timed(make: Callable[[], Awaitable[T]], repeat: int) -> tuple[T, list[float]]:
    """The result of an unmeasured first run, and the seconds of ``repeat`` more."""
    result = await make()
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = await make()
        seconds.append(time.perf_counter() - started)
    return result, seconds


async def measure(manifest: dict[str, Any], repeat: int = 3) -> dict[str, Any]:
    deps = Deps(settings=Settings(database_url=manifest["url"]))
    async with connected(manifest["url"]):
        with capture_sql() as statements:
            await shortages(deps)
        today = deps.today()
        report, service = await _timed(lambda: shortages(deps), repeat)
        rows, floor_runs = await _timed(lambda: floor(today), repeat)
        paged = await _paged(deps)
    mine, theirs = _service_facts(report), _floor_facts(rows, today)
    common = mine.keys() & theirs.keys()
    service_s, floor_s = statistics.median(service), statistics.median(floor_runs)
    return {
        "products": len(report),
        "floor_products": len(rows),
        "uncovered_units": sum(s.uncovered for s in report),
        "service_s": round(service_s, 4),
        "floor_s": round(floor_s, 4),
        "ratio": round(service_s / floor_s, 2),
        "service_runs_s": [round(s, 4) for s in service],
        "floor_runs_s": [round(s, 4) for s in floor_runs],
        "service_statements": len(statements),
        "same_skus": mine.keys() == theirs.keys(),
        "same_uncovered": all(mine[k][0] == theirs[k][0] for k in common),
        "same_oldest_and_next_po": all(mine[k][1:] == theirs[k][1:] for k in common),
        "same_as_pages": _lines(paged) == _lines(report),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.shortages")
    parser.add_argument("manifest")
    parser.add_argument("--repeat", type=int, default=3, help="measured runs of each side")
    args = parser.parse_args()
    with open(args.manifest) as source:
        manifest = json.load(source)
    print(json.dumps(asyncio.run(measure(manifest, args.repeat))))


if __name__ == "__main__":
    main()
