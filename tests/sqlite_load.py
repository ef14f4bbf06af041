"""One side of the two-process SQLite test (``tests/test_sqlite_processes.py``).

Run as ``python -m tests.sqlite_load ROLE DATABASE_URL OPERATIONS SEED`` from the repository
root. It connects, prints ``ready``, waits for a line on stdin, then runs its operations
through the services, as the web and worker processes of the Procfile would:

- ``shop``: places orders and cancels backorders (whole or in part);
- ``warehouse``: receives stock, ships ready parcels and runs the worker's jobs.

Any error ends it with a traceback and a non-zero status, including one a service would
only log (a targeted gap scan that failed). The two sides meet on purpose, so one outcome
is expected: a parcel or backorder the other side changed first is refused with
``INVALID_STATUS``. It prints a JSON summary of what it did.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import sys

from tests.services.helpers import STAFF, make_deps, order

from bobot.db import connected
from bobot.errors import BobotError, ErrorCode
from bobot.models import Backorder, BackorderStatus, Shipment, ShipmentStatus
from bobot.services import backorders, stock
from bobot.services.context import Deps
from bobot.services.gap_follower import scan_recent_backorders
from bobot.services.gap_scan import scan_job
from bobot.worker import refresh_etas

SKUS = ("MUG", "PAN", "CUP")
LIVE = (BackorderStatus.OPEN, BackorderStatus.PARTIALLY_ALLOCATED, BackorderStatus.ALLOCATED)


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def _shop_step(deps: Deps, rng: random.Random, step: int, done: dict[str, int]) -> None:
    if step % 3 == 2:
        live = await Backorder.filter(status__in=LIVE).order_by("id").values_list("id", "quantity")
        if live:
            backorder_id, quantity = rng.choice(live)
            units = rng.choice([None, rng.randint(1, quantity)])
            await backorders.cancel_backorder(
                backorder_id=backorder_id, quantity=units, reason="load", actor=STAFF, deps=deps
            )
            done["cancelled"] += 1
            return
    lines = [(sku, rng.randint(1, 3)) for sku in rng.sample(SKUS, rng.randint(1, 2))]
    await order(deps, f"shopper{step}@example.com", *lines)
    done["placed"] += 1


async def _warehouse_step(deps: Deps, rng: random.Random, step: int, done: dict[str, int]) -> None:
    if step % 5 == 4:
        await refresh_etas(deps)
        await scan_recent_backorders(deps)
        await scan_job(deps)
        done["worker_runs"] += 1
    elif step % 2:
        ready = await Shipment.filter(status=ShipmentStatus.READY).order_by("id").first()
        if ready is not None:
            await stock.mark_shipment_shipped(shipment_id=ready.id, actor=STAFF, deps=deps)
            done["shipped"] += 1
    else:
        await stock.receive_stock(
            sku=rng.choice(SKUS),
            quantity=rng.randint(1, 4),
            purchase_order_id=None,
            actor=STAFF,
            deps=deps,
        )
        done["received"] += 1


async def main(role: str, url: str, operations: int, seed: int) -> dict[str, int]:
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    step_of = {"shop": _shop_step, "warehouse": _warehouse_step}[role]
    rng = random.Random(seed)
    done = {"placed": 0, "cancelled": 0, "received": 0, "shipped": 0, "worker_runs": 0}
    done["refused"] = 0
    async with connected(url):
        deps = make_deps()
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        for step in range(operations):
            try:
                await step_of(deps, rng, step, done)
            except BobotError as exc:
                if exc.code is not ErrorCode.INVALID_STATUS:
                    raise
                done["refused"] += 1
            if errors.records:
                raise RuntimeError("logged: " + logging.Formatter().format(errors.records[0]))
    return done


if __name__ == "__main__":
    role, url, operations, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    print(json.dumps(asyncio.run(main(role, url, operations, seed))), flush=True)
