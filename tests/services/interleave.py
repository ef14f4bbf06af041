"""Forcing two transactions to meet a given way, on PostgreSQL.

One transaction is held open at the moment that matters; the other use case starts in its
own task and runs until it is blocked on a lock (seen in ``pg_stat_activity``) or finished;
only then does the first commit. Whatever the scheduler does, they meet the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tortoise.transactions import in_transaction

from bobot import sql

T = TypeVar("T")


async def _nothing() -> None:
    return None


async def waiting_on_locks() -> int:
    rows = await sql.fetch(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    return int(rows[0][0])


async def until_blocked_or_done(task: asyncio.Task[Any]) -> None:
    """Poll the server (a lock wait has no event to await) until ``task`` waits or ends."""
    while not task.done():
        if await waiting_on_locks():
            return
        await asyncio.sleep(0.005)


async def interleave(
    *,
    first: Callable[[], Awaitable[object]],
    meanwhile: Callable[[], Awaitable[T]],
    then: Callable[[], Awaitable[object]] = _nothing,
) -> T:
    """In one transaction run ``first``; start ``meanwhile`` in its own task and let it run
    until it waits for a lock (or ends); then run ``then`` in the same transaction (its own
    transactions nest as savepoints) and commit. Returns what ``meanwhile`` returned."""
    first_done, go = asyncio.Event(), asyncio.Event()

    async def holder() -> None:
        async with in_transaction():
            await first()
            first_done.set()
            await go.wait()
            await then()

    async with asyncio.timeout(60):  # a hang fails the test instead of the session
        holding = asyncio.create_task(holder())
        signal = asyncio.create_task(first_done.wait())
        await asyncio.wait({holding, signal}, return_when=asyncio.FIRST_COMPLETED)
        if holding.done():
            signal.cancel()
            holding.result()  # it failed before holding anything: raise that
        other = asyncio.create_task(meanwhile())
        try:
            await until_blocked_or_done(other)
        finally:
            go.set()
            await holding
        return await other
