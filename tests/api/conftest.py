"""``api``: the real app served over HTTP on 127.0.0.1, for end-to-end tests.

The app is built with ``create_app(settings, clock=..., manage_db=False)``: it shares the
ORM state that the ``db`` fixture initialised (an empty, migrated database, SQLite or
PostgreSQL), and uvicorn serves it as a task of the test's own event loop, so a test can
read the database directly and capture the SQL the server runs (``sql_log``).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import pytest
import uvicorn
from tests.api.client import Api

from bobot.app import create_app
from bobot.clock import ManualClock
from bobot.config import Settings
from bobot.domain.calendar import EVERY_DAY
from bobot.models import TokenRole
from bobot.services.base import Deps
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


@pytest.fixture
async def api(db, api_settings: Settings) -> AsyncIterator[Api]:
    settings = api_settings
    clock = ManualClock(START)
    deps = Deps(settings=settings, clock=clock)
    _, staff_token = await create_token(name="staff-tester", role=TokenRole.STAFF, deps=deps)
    _, storefront_token = await create_token(
        name="storefront", role=TokenRole.STOREFRONT, deps=deps
    )

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
        async with httpx.AsyncClient(timeout=30) as http:
            yield Api(
                http=http,
                url=f"http://{host}:{port}/graphql",
                clock=clock,
                settings=settings,
                staff_token=staff_token,
                storefront_token=storefront_token,
            )
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)
