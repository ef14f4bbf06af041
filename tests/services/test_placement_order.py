"""An order's place in the queue is taken under the product lock (PostgreSQL: SQLite
serialises every transaction in one process, so the race cannot happen there)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from tests.services.helpers import START, order, product, purchase_order
from tortoise import connections
from tortoise.transactions import in_transaction

from bobot.config import Settings
from bobot.models import Backorder
from bobot.services.context import Deps
from bobot.services.eta import FIFO_ORDER
from bobot.services.locks import lock_products


class TickingClock:
    """A clock that moves one second forward each time it is read."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        self._now += timedelta(seconds=1)
        return self._now


async def _until_a_session_waits_for_a_lock() -> None:
    for _ in range(3000):
        rows = await connections.get("default").execute_query_dict(
            "SELECT count(*) AS n FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        if rows[0]["n"]:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the second placement never waited for the product lock")


async def test_a_placement_that_waited_for_the_lock_queues_behind_the_one_that_committed_first(
    pg_db,
):
    deps = Deps(settings=Settings(), clock=TickingClock(START))
    mug = await product(deps, "MUG", lead_days=30)
    await purchase_order(deps, "MUG", 1, in_days=3)  # enough for the first in line only

    locked, go = asyncio.Event(), asyncio.Event()

    async def first_in_line() -> None:
        """Holds the lock while the other placement waits, then places its order and commits."""
        async with in_transaction():
            await lock_products([mug])
            locked.set()
            await go.wait()
            await order(deps, "first@example.com", ("MUG", 1))

    holder = asyncio.create_task(first_in_line())
    await locked.wait()
    waiting = asyncio.create_task(order(deps, "second@example.com", ("MUG", 1)))
    await _until_a_session_waits_for_a_lock()
    go.set()
    await holder
    await waiting

    queue = await Backorder.filter(product_id=mug).order_by(*FIFO_ORDER).prefetch_related("order")
    assert [b.order.customer_email for b in queue] == ["first@example.com", "second@example.com"]
    first, second = queue
    assert not first.eta_is_estimate and second.eta_is_estimate
    assert first.expected_date < second.expected_date
    assert first.promised_date < second.promised_date
    assert first.created_at < second.created_at
