"""The simulation's SQLite engine: bobot's (:mod:`bobot.sqlite_engine`), with every
statement run on the event loop's thread.

A season is one process writing to its own throw-away file: nothing runs concurrently
with it, so handing each write to aiosqlite's worker thread and waiting for the answer buys
nothing, and on a busy machine that hand-off costs more than the statement. The services,
their SQL and their transactions (``BEGIN IMMEDIATE``, savepoints) are unchanged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any

from bobot.sqlite_engine import Client as BobotClient
from bobot.sqlite_engine import InlineReadConnection


class InlineConnection(InlineReadConnection):
    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


class Client(BobotClient):
    async def create_connection(self, with_db: bool) -> None:
        if self._connection:
            return
        connector = partial(
            sqlite3.connect, self.filename, isolation_level=None, check_same_thread=False
        )
        self._connection = await InlineConnection(connector, iter_chunk_size=64)
        self._connection._conn.row_factory = sqlite3.Row
        for pragma, value in self.pragmas.items():
            cursor = await self._connection.execute(f"PRAGMA {pragma}={value}")
            await cursor.close()
        await self._post_connect()


client_class = Client
