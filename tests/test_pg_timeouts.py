"""PostgreSQL: a writer waits for the one ahead of it and then proceeds, but never forever."""

from __future__ import annotations

import asyncio

import pytest
from asyncpg.exceptions import LockNotAvailableError
from tests.services.helpers import STAFF, make_deps, product
from tests.services.interleave import until_blocked_or_done, waiting_on_locks
from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

from bobot import sql
from bobot.db import PG_SESSION_DEFAULTS, tortoise_config
from bobot.models import Event, Product
from bobot.services import stock
from bobot.services.locks import lock_products


def with_query(url: str, query: str) -> str:
    return url + ("&" if "?" in url else "?") + query


async def receive(sku: str, units: int) -> None:
    await stock.receive_stock(
        sku=sku, quantity=units, purchase_order_id=None, actor=STAFF, deps=make_deps()
    )


def test_the_timeouts_have_defaults_and_the_database_url_may_override_them():
    url = "postgres://bobot@127.0.0.1:5432/bobot?lock_timeout=2s&statement_timeout=0"
    credentials = tortoise_config(url, pool_max=3)["connections"]["default"]["credentials"]
    assert credentials["server_settings"] == {"lock_timeout": "2s", "statement_timeout": "0"}
    assert int(credentials["maxsize"]) == 3
    defaults = tortoise_config("postgres://bobot@127.0.0.1:5432/bobot")["connections"]
    assert defaults["default"]["credentials"]["server_settings"] == PG_SESSION_DEFAULTS


async def test_every_pooled_connection_carries_the_lock_and_statement_timeouts(pg_db):
    [[lock_timeout, statement_timeout]] = await sql.fetch(
        "SELECT current_setting('lock_timeout'), current_setting('statement_timeout')"
    )
    assert (lock_timeout, statement_timeout) == ("10s", "1min")


async def test_a_second_writer_waits_for_the_first_to_commit_then_proceeds(pg_db):
    mug = await product(make_deps(), "MUG")
    locked, go = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with in_transaction():
            await lock_products([mug])
            locked.set()
            await go.wait()
            await receive("MUG", 2)

    async with asyncio.timeout(60):
        holding = asyncio.create_task(first())
        await locked.wait()
        second = asyncio.create_task(receive("MUG", 3))
        await until_blocked_or_done(second)
        assert not second.done(), "the second receipt did not wait for the first"
        assert await waiting_on_locks() == 1
        go.set()
        await holding
        await second

    assert (await Product.get(id=mug)).on_hand == 5
    received = (
        await Event.filter(kind="STOCK_RECEIVED").order_by("id").values_list("data", flat=True)
    )
    assert [data["quantity"] for data in received] == [2, 3]  # in the order they held the lock


async def test_a_writer_waiting_longer_than_the_lock_timeout_fails_and_changes_nothing(pg_db):
    mug = await product(make_deps(), "MUG")
    locked, go = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with in_transaction():
            await lock_products([mug])
            locked.set()
            await go.wait()

    async with asyncio.timeout(60):
        holding = asyncio.create_task(hold())
        await locked.wait()
        try:
            with TortoiseContext():
                url = with_query(pg_db.url, "lock_timeout=100ms")
                await Tortoise.init(config=tortoise_config(url))
                try:
                    with pytest.raises(LockNotAvailableError, match="lock timeout"):
                        await receive("MUG", 3)
                finally:
                    await Tortoise.close_connections()
        finally:
            go.set()
            await holding

    assert (await Product.get(id=mug)).on_hand == 0
    assert not await Event.filter(kind="STOCK_RECEIVED").exists()
