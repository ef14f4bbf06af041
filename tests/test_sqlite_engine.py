"""SQLite: reads run on the event loop's thread, everything else in aiosqlite's thread."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.context import TortoiseContext
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from bobot.db import tortoise_config
from bobot.sqlite_engine import Client, is_read


@pytest.fixture
async def conn(tmp_path: Path) -> AsyncIterator[BaseDBAsyncClient]:
    with TortoiseContext():
        await Tortoise.init(config=tortoise_config(f"sqlite://{tmp_path}/engine.sqlite3"))
        try:
            client = Tortoise.get_connection("default")
            await client.execute_script(
                "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                " thread INTEGER)"
            )
            # The thread a statement runs on, as SQLite sees it.
            client._connection._conn.create_function("thread", 0, threading.get_ident)
            yield client
        finally:
            await Tortoise.close_connections()


def test_only_plain_selects_count_as_reads():
    assert is_read("SELECT 1")
    assert is_read("  select id FROM item")
    assert not is_read("WITH t AS (SELECT 1) UPDATE item SET name = 'x'")
    assert not is_read("UPDATE item SET name = 'x' RETURNING id")
    assert not is_read("INSERT INTO item (name) SELECT 'x'")


async def test_a_sqlite_url_gets_the_inline_read_client(conn):
    assert isinstance(conn, Client)
    assert conn.pragmas["synchronous"] == "NORMAL"
    assert await conn.execute_query_dict("PRAGMA busy_timeout") == [{"timeout": 5000}]
    assert await conn.execute_query_dict("PRAGMA journal_mode") == [{"journal_mode": "wal"}]


async def test_reads_run_on_the_loop_thread_and_writes_in_the_worker(conn):
    loop_thread = threading.get_ident()
    assert await conn.execute_query_dict("SELECT thread() AS t") == [{"t": loop_thread}]

    await conn.execute_query("INSERT INTO item (name, thread) VALUES ('a', thread())")
    rows = await conn.execute_query_dict("SELECT name, thread FROM item")
    assert len(rows) == 1 and rows[0]["name"] == "a"
    assert rows[0]["thread"] != loop_thread  # aiosqlite's worker wrote it


async def test_a_read_inside_a_transaction_sees_its_writes_and_not_after_rollback(conn):
    with pytest.raises(RuntimeError):
        async with in_transaction() as tx:
            await tx.execute_query("INSERT INTO item (name) VALUES ('pending')")
            assert await tx.execute_query_dict("SELECT name FROM item") == [{"name": "pending"}]
            raise RuntimeError("roll back")
    assert await conn.execute_query_dict("SELECT name FROM item") == []


async def test_errors_are_tortoises_whichever_thread_ran_the_statement(conn):
    with pytest.raises(OperationalError):
        await conn.execute_query_dict("SELECT nope FROM item")
    await conn.execute_query("INSERT INTO item (name) VALUES ('a')")
    with pytest.raises(IntegrityError):
        await conn.execute_query("INSERT INTO item (name) VALUES ('a')")


async def test_a_transaction_holds_the_write_lock_from_its_begin(conn, tmp_path: Path):
    """Another process cannot commit between a transaction's reads and its writes (which
    would fail the transaction with SQLITE_BUSY_SNAPSHOT): it waits for the lock instead."""
    other = sqlite3.connect(tmp_path / "engine.sqlite3", timeout=0)
    try:
        async with in_transaction() as tx:
            assert await tx.execute_query_dict("SELECT name FROM item") == []
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("INSERT INTO item (name) VALUES ('elsewhere')")
            await tx.execute_query("INSERT INTO item (name) VALUES ('here')")
        other.execute("INSERT INTO item (name) VALUES ('elsewhere')")
        other.commit()
    finally:
        other.close()
    rows = await conn.execute_query_dict("SELECT name FROM item ORDER BY id")
    assert rows == [{"name": "here"}, {"name": "elsewhere"}]
