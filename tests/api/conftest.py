"""``api``: the real app served over HTTP on 127.0.0.1, for end-to-end tests.

The app is built with ``create_app(settings, clock=..., manage_db=False)``: it shares the
ORM state that the ``db`` fixture initialised (an empty, migrated database, SQLite or
PostgreSQL), and uvicorn serves it as a task of the test's own event loop, so a test can
read the database directly and capture the SQL the server runs (``sql_log``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import uvicorn
from tests.api.client import Api

from bobot.app import create_app
from bobot.clock import ManualClock
from bobot.config import Settings
from bobot.domain.calendar import EVERY_DAY
from bobot.models import TokenRole
from bobot.services.context import Deps
from bobot.services.tokens import create_token

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: pytest keeps Ctrl-C."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@pytest.fixture
def api_settings(db) -> Settings:
    """The app's settings (a test module may override this fixture). The shop ships every
    day, so that a test's dates are plain day counts; the calendar has tests of its own."""
    return Settings(database_url=db.url, calendar=EVERY_DAY)


@contextlib.asynccontextmanager
async def serving(settings: Settings, clock: ManualClock) -> AsyncIterator[str]:
    """The real app with ``settings`` served on 127.0.0.1; yields its /graphql URL."""
    app = create_app(settings, clock=clock, manage_db=False)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,  # the OS picks a free port; read back from the bound socket below
        lifespan="on",
        log_level="warning",
        log_config=None,  # leave the process's logging configuration alone
        access_log=False,
        ws="none",
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():  # startup failed: surface its exception
                    task.result()
                    raise RuntimeError("uvicorn stopped before it started")
                await asyncio.sleep(0.005)
        sock = server.servers[0].sockets[0]
        host, port = sock.getsockname()[:2]
        assert sock.family == socket.AF_INET
        yield f"http://{host}:{port}/graphql"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


@pytest.fixture
def api_with(api_settings: Settings) -> Callable[..., contextlib.AbstractAsyncContextManager[Api]]:
    """``async with api_with(env="production", ...) as api``: the app with ``api_settings``
    changed so."""

    @contextlib.asynccontextmanager
    async def start(**settings: Any) -> AsyncIterator[Api]:
        chosen = dataclasses.replace(api_settings, **settings)
        clock = ManualClock(START)
        deps = Deps(settings=chosen, clock=clock)
        _, staff = await create_token(name="staff-tester", role=TokenRole.STAFF, deps=deps)
        _, shop = await create_token(name="storefront", role=TokenRole.STOREFRONT, deps=deps)
        async with serving(chosen, clock) as url, httpx.AsyncClient(timeout=30) as http:
            yield Api(
                http=http, url=url, clock=clock, settings=chosen,
                staff_token=staff, storefront_token=shop,
            )  # fmt: skip

    return start


@pytest.fixture
async def api(api_with) -> AsyncIterator[Api]:
    async with api_with() as api:
        yield api
