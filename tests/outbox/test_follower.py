"""The worker's "new backorders" follower never skips a change, however commits interleave."""

from __future__ import annotations

import asyncio

from tests.services.helpers import clock_of, make_deps, order, product
from tortoise.transactions import in_transaction

from bobot.models import Alert, AlertKind
from bobot.worker import FREQUENT_JOBS, run_once


async def _follow(deps) -> None:
    results = await run_once(deps, FREQUENT_JOBS)
    assert all(n >= 0 for n in results.values()), results


async def test_a_backorder_committed_while_the_follower_read_past_it_is_still_scanned(pg_db):
    deps = make_deps()
    early, late = await product(deps, "EARLY"), await product(deps, "LATE")
    await _follow(deps)  # the follower is running before any backorder exists
    placed, release = asyncio.Event(), asyncio.Event()

    async def slow_checkout() -> None:
        async with in_transaction():  # commits only when released
            await order(deps, "slow@example.com", ("EARLY", 2))
            placed.set()
            await release.wait()

    slow = asyncio.create_task(slow_checkout())
    await placed.wait()  # EARLY's backorder holds the earlier place in the history
    await order(deps, "quick@example.com", ("LATE", 1))  # committed first
    clock_of(deps).advance(seconds=3)
    await _follow(deps)  # reads while EARLY's transaction is still open
    release.set()
    await slow
    clock_of(deps).advance(seconds=3)
    await _follow(deps)

    uncovered = Alert.filter(kind=AlertKind.UNCOVERED_BACKORDERS)
    assert set(await uncovered.values_list("product_id", flat=True)) == {early, late}
