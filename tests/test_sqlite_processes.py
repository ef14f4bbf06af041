"""The Procfile's web and worker as two processes on one SQLite file, under load.

Each side (``tests/sqlite_load.py``) runs a fixed number of operations through the services
at the same time as the other: orders and cancellations on one side; receipts, shipments and
the worker's jobs on the other. Neither may fail ("database is locked" was the failure: a
transaction that read, then wrote after the other process committed), and the counters must
agree with the rows afterwards.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tests.services.helpers import (
    assert_counters_consistent,
    make_deps,
    order,
    product,
    purchase_order,
)
from tortoise import Tortoise
from tortoise.context import TortoiseContext

from bobot.db import migrate, tortoise_config
from bobot.models import Backorder, Order, Shipment, ShipmentStatus

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = 90


@pytest.fixture
async def sqlite_file(tmp_path: Path) -> AsyncIterator[str]:
    """A migrated SQLite file with a small store, the ORM connected to it in this process."""
    url = f"sqlite://{tmp_path}/shared.sqlite3"
    with TortoiseContext():
        await migrate(url)
    with TortoiseContext():
        await Tortoise.init(config=tortoise_config(url))
        try:
            deps = make_deps()
            for sku in ("MUG", "PAN", "CUP"):
                await product(deps, sku, on_hand=4)
                await purchase_order(deps, sku, 30, in_days=7)
            await order(deps, "first@example.com", ("MUG", 6), ("PAN", 6))
            yield url
        finally:
            await Tortoise.close_connections()


async def _start(role: str, url: str, seed: int) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.sqlite_load",
        role,
        url,
        str(OPERATIONS),
        str(seed),
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await process.stdout.readline()
    if line.strip() != b"ready":
        _, err = await process.communicate()
        raise AssertionError(f"{role} did not start: {line!r}\n{err.decode()}")
    return process


async def test_a_web_and_a_worker_process_share_one_sqlite_file_without_locking_errors(
    sqlite_file,
):
    async with asyncio.timeout(120):  # a hang fails the test instead of the session
        shop = await _start("shop", sqlite_file, seed=1)
        warehouse = await _start("warehouse", sqlite_file, seed=2)
        for process in (shop, warehouse):
            assert process.stdin is not None
            process.stdin.write(b"go\n")
            await process.stdin.drain()
        results = await asyncio.gather(shop.communicate(), warehouse.communicate())

    summaries = {}
    processes = {"shop": shop, "warehouse": warehouse}
    for (role, process), (out, err) in zip(processes.items(), results, strict=True):
        assert process.returncode == 0, f"{role} failed:\n{err.decode()}"
        summaries[role] = json.loads(out.decode().strip().splitlines()[-1])
    assert summaries["shop"]["placed"] > 0 and summaries["shop"]["cancelled"] > 0
    assert summaries["warehouse"]["received"] > 0 and summaries["warehouse"]["shipped"] > 0
    assert summaries["warehouse"]["worker_runs"] > 0

    assert await Order.all().count() == 1 + summaries["shop"]["placed"]
    assert await Backorder.all().count() > 0
    assert (
        await Shipment.filter(status=ShipmentStatus.SHIPPED).count()
        == (summaries["warehouse"]["shipped"])
    )
    await assert_counters_consistent()
