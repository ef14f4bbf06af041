"""Test harness: every database test runs on SQLite and on PostgreSQL.

Fixtures
--------
``db``
    Parametrized ``sqlite`` / ``postgres`` (ids ``[sqlite]`` / ``[postgres]``). Yields a
    :class:`Database` (``.url``, ``.backend``, ``.is_postgres``). Tortoise is initialised
    on that database (global fallback on) and every table is empty when the test starts.
    Tests marked ``@pytest.mark.postgres`` only get the ``postgres`` variant.
``pg_db``
    The same on PostgreSQL only (concurrency and locking tests).
``sql_log``
    A factory of context managers that capture the SQL statements Tortoise sends::

        with sql_log() as statements:
            await Product.all()
        assert len(statements) == 1

How it stays fast: each backend is migrated once per session (with the real migrations)
and Tortoise stays initialised on it; before each test the tables are emptied and the
identities restarted (PostgreSQL: one DO block of DELETEs plus ``setval`` with FK triggers
off, like ``TRUNCATE ... RESTART IDENTITY CASCADE`` but 40x faster; SQLite: ``DELETE FROM``
each table and ``sqlite_sequence`` in one transaction). Tests are grouped so that all
SQLite variants run before the PostgreSQL ones, so the ORM switches backend once or twice
per session (module-scoped fixtures of a module with both may be set up twice).

The PostgreSQL server is a throw-away cluster (``bench.pg.PostgresServer``, shared with the
benchmark) started from the machine's binaries the first time a PostgreSQL test runs, on a
free port, with its data in a temporary folder removed at the end of the session.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import tortoise.context
from bench.pg import PostgresServer
from bench.sqllog import capture_sql
from tests.smtp_server import smtp_server
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext

from bobot.db import migrate, tortoise_config

__all__ = ["smtp_server"]  # a real SMTP server on 127.0.0.1

BACKENDS = ("sqlite", "postgres")
MIGRATIONS_TABLE = "tortoise_migrations"
PG_DATABASE = "bobot_test"


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Database:
    """What the ``db`` / ``pg_db`` fixtures yield."""

    url: str
    backend: str  # "sqlite" or "postgres"

    @property
    def is_postgres(self) -> bool:
        return self.backend == "postgres"


# --------------------------------------------------------------------------- ORM harness


class Harness:
    """Session state: one database per backend, Tortoise initialised on one at a time."""

    def __init__(self) -> None:
        self._sqlite_dir = Path(tempfile.mkdtemp(prefix="bobot-test-", dir="/tmp"))
        self._pg: PostgresServer | None = None
        self._migrated: set[str] = set()
        self._truncate_sql: dict[str, str] = {}
        self.ctx: TortoiseContext | None = None
        self.backend: str | None = None

    async def url(self, backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite://{self._sqlite_dir / 'test.sqlite3'}"
        if self._pg is None:
            server = PostgresServer(database=PG_DATABASE)
            try:
                await asyncio.to_thread(server.start)
            except BaseException:
                server.stop()
                raise
            self._pg = server
        return self._pg.url

    def _healthy(self) -> bool:
        # A test may have re-initialised or closed Tortoise (e.g. by running the app's
        # lifespan, which calls Tortoise.init/close_connections on the current context).
        ctx = self.ctx
        return (
            ctx is not None
            and ctx.inited
            and ctx._connections is not None
            and tortoise.context._global_context is ctx
        )

    async def _close(self) -> None:
        if self.ctx is not None:
            await self.ctx.close_connections()
            self.ctx = None
        stray = tortoise.context._global_context
        if stray is not None:  # someone else's global context, left behind by a test
            await stray.close_connections()
        self.backend = None

    async def activate(self, backend: str) -> str:
        """Make Tortoise point at ``backend`` (migrating it the first time); returns its URL."""
        url = await self.url(backend)
        if self.backend == backend and self._healthy():
            return url
        await self._close()
        # Tortoise caches each model's INSERT/DELETE/UPDATE SQL process-wide, keyed by
        # (connection name, schema, table) but not by dialect: without this, PostgreSQL
        # would get SQLite's "?" placeholders after a switch (and vice versa).
        EXECUTOR_CACHE.clear()
        if url not in self._migrated:
            with TortoiseContext():  # isolate migrate()'s own Tortoise.init/close
                await migrate(url)
            self._migrated.add(url)
        ctx = TortoiseContext()
        with ctx:  # Tortoise.init initialises the context that is current
            await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
        self.ctx, self.backend = ctx, backend
        if backend not in self._truncate_sql:
            self._truncate_sql[backend] = await self._build_truncate_sql(backend)
        return url

    async def _build_truncate_sql(self, backend: str) -> str:
        assert self.ctx is not None
        conn = self.ctx.db()
        if backend == "postgres":
            rows = await conn.execute_query_dict(
                "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()"
            )
        else:
            rows = await conn.execute_query_dict(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        names = sorted(row["name"] for row in rows)
        tables = [n for n in names if n != MIGRATIONS_TABLE and not n.startswith("sqlite_")]
        if backend == "postgres":
            return await self._pg_truncate_sql(tables)
        statements = ["BEGIN", "PRAGMA defer_foreign_keys = ON"]
        statements += [f'DELETE FROM "{name}"' for name in tables]
        if "sqlite_sequence" in names:
            statements.append("DELETE FROM sqlite_sequence")
        statements.append("COMMIT")
        return ";\n".join(statements) + ";"

    async def _pg_truncate_sql(self, tables: list[str]) -> str:
        """One round trip that empties every table and restarts the used identities.

        Same effect as ``TRUNCATE ... RESTART IDENTITY CASCADE`` but ~0.5 ms instead of
        ~20 ms (TRUNCATE swaps every table's files even when it holds a single row). FK
        triggers are off inside the block (``session_replication_role = replica``, we are
        superuser), so the order of the DELETEs does not matter.
        """
        assert self.ctx is not None
        rows = await self.ctx.db().execute_query_dict(
            "SELECT s.relname AS seq, t.relname AS tbl FROM pg_class s"
            " JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid"
            " AND d.refclassid = 'pg_class'::regclass"
            " JOIN pg_class t ON t.oid = d.refobjid"
            " JOIN pg_namespace n ON n.oid = s.relnamespace"
            " WHERE s.relkind = 'S' AND n.nspname = current_schema()"
        )
        sequences = ", ".join(sorted(f"'{r['seq']}'" for r in rows if r["tbl"] in tables))
        deletes = "\n".join(f'    DELETE FROM "{t}";' for t in tables)
        return f"""DO $reset$
DECLARE seq text;
BEGIN
    SET LOCAL session_replication_role = replica;
{deletes}
    FOR seq IN SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences
        WHERE schemaname = current_schema() AND last_value IS NOT NULL
        AND sequencename = ANY (ARRAY[{sequences}]::text[])
    LOOP
        PERFORM setval(seq, 1, false);
    END LOOP;
END $reset$"""

    async def truncate(self) -> None:
        assert self.backend is not None and self.ctx is not None
        conn = self.ctx.db()
        # A lock held by a leftover transaction would otherwise hang the session.
        await asyncio.wait_for(conn.execute_script(self._truncate_sql[self.backend]), 30)

    async def close(self) -> None:
        try:
            await self._close()
        finally:
            if self._pg is not None:
                await asyncio.to_thread(self._pg.stop)
            shutil.rmtree(self._sqlite_dir, ignore_errors=True)


@pytest.fixture(scope="session")
async def _harness() -> AsyncIterator[Harness]:
    harness = Harness()
    try:
        yield harness
    finally:
        await harness.close()


async def _database(harness: Harness, backend: str) -> AsyncIterator[Database]:
    url = await harness.activate(backend)
    await harness.truncate()
    assert harness.ctx is not None
    # Make our context the current one for the test too (besides the global fallback), so
    # that a Tortoise.init inside the test (an app lifespan) re-initialises it instead of
    # failing with "Global context fallback is already enabled".
    with harness.ctx:
        yield Database(url=url, backend=backend)


@pytest.fixture
async def db(request: pytest.FixtureRequest, _harness: Harness) -> AsyncIterator[Database]:
    """An empty, migrated database; parametrized over SQLite and PostgreSQL."""
    async for database in _database(_harness, request.param):
        yield database


@pytest.fixture
async def pg_db(_harness: Harness) -> AsyncIterator[Database]:
    """An empty, migrated PostgreSQL database (for concurrency and locking tests)."""
    async for database in _database(_harness, "postgres"):
        yield database


def _backend_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "db" in callspec.params:
        return callspec.params["db"]
    if "pg_db" in getattr(item, "fixturenames", ()):
        return "postgres"
    return None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db" in metafunc.fixturenames:
        backends = ["postgres"] if metafunc.definition.get_closest_marker("postgres") else BACKENDS
        metafunc.parametrize("db", backends, indirect=True, ids=list(backends))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Stable sort: tests without a database first, then SQLite, then PostgreSQL, so the ORM
    # switches backend (and the PostgreSQL server starts) as rarely as possible.
    order = {None: 0, "sqlite": 1, "postgres": 2}
    items.sort(key=lambda item: order[_backend_of(item)])


# --------------------------------------------------------------------------- SQL capture


@pytest.fixture
def sql_log() -> Callable[[], contextlib.AbstractContextManager[list[str]]]:
    """``with sql_log() as statements: ...`` captures the statements run in the block."""
    return capture_sql
