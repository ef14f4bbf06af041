"""The app and the worker as the Procfile runs them: ``bobot serve`` and ``bobot worker``,
each in its own process, on a database of the test's own, talked to over HTTP.

Separate processes are what lets a test take a dependency away under them (stop their
PostgreSQL server, fill or freeze their SQLite file system) and see them come back by
themselves, with no state shared with the test but the database and the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
from bench.pg import PostgresServer, free_port
from tests.api.client import Api

from bobot.clock import ManualClock
from bobot.config import Settings

BOBOT = str(Path(sys.executable).with_name("bobot"))
T = TypeVar("T")

#: Settings of every process: production (errors masked), quick polls and retries.
BASE_ENV = {
    "BOBOT_ENV": "production",
    "BOBOT_SECRET_KEY": "fault-suite-secret-" + "x" * 32,
    "BOBOT_WEBHOOK_ALLOW_PRIVATE": "1",  # the receivers listen on 127.0.0.1
    "BOBOT_WORKER_POLL": "0.1",
    "BOBOT_WORKER_INTERVAL": "3600",
    "BOBOT_OUTBOX_BACKOFF": "0.2",
    "BOBOT_OUTBOX_MAX_ATTEMPTS": "20",
    "BOBOT_DB_POOL_MAX": "4",
}


def environment(database_url: str, **extra: str) -> dict[str, str]:
    drop = ("DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "BOBOT_SMTP_URL")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    return {**env, **BASE_ENV, "DATABASE_URL": database_url, **extra}


#: A command prefix: root without the capabilities that let it write whatever a file's
#: mode says (``CAP_DAC_OVERRIDE``), so that a read-only file is read-only to it too.
FILE_MODES_APPLY = (
    "setpriv", "--bounding-set", "-dac_override,-dac_read_search",
    "--inh-caps", "-dac_override,-dac_read_search", "--",
)  # fmt: skip


async def bobot(env: Mapping[str, str], *args: str, prefix: Sequence[str] = ()) -> str:
    """Run one ``bobot`` command to its end (behind ``prefix``, if given); its standard
    output (it must succeed)."""
    process = await asyncio.create_subprocess_exec(
        *prefix, BOBOT, *args, env=dict(env), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, f"bobot {' '.join(args)}: {out.decode()}{err.decode()}"
    return out.decode()


async def eventually(
    probe: Callable[[], Awaitable[T | None]], what: str, *, limit: float = 60
) -> T:
    """Call ``probe`` until it gives something (not None or False); a bounded wait, so a
    failure is a clear assertion rather than a hang."""
    try:
        async with asyncio.timeout(limit):
            while True:
                value = await probe()
                if value is not None and value is not False:
                    return value
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(f"gave up waiting for {what}") from None


@dataclass
class Process:
    name: str
    process: asyncio.subprocess.Process
    log: Path

    def alive(self) -> bool:
        return self.process.returncode is None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Running:
    """The app's processes and a client of their API."""

    api: Api
    base: str
    env: dict[str, str]
    processes: list[Process] = field(default_factory=list)

    def alive(self) -> bool:
        return all(p.alive() for p in self.processes)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.output()[-4000:]}" for p in self.processes)

    async def post(self, query: str, variables: dict[str, Any] | None = None, *, token: Any = None):
        """One GraphQL request with the staff token (``token=""`` for none): the response."""
        token = self.api.staff_token if token is None else token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return await self.api.http.post(self.api.url, json=body, headers=headers)


async def _spawn(
    name: str, env: Mapping[str, str], folder: Path, *args: str, prefix: Sequence[str]
) -> Process:
    log = folder / f"{name}.log"
    with log.open("ab") as sink:
        process = await asyncio.create_subprocess_exec(
            *prefix, BOBOT, *args, env=dict(env), stdout=sink, stderr=sink,
            start_new_session=True,
        )  # fmt: skip
    return Process(name, process, log)


async def _stop(process: Process) -> None:
    if process.alive():
        process.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.process.wait(), 15)
        except TimeoutError:
            process.process.kill()
            await process.process.wait()


@contextlib.asynccontextmanager
async def running(
    database_url: str,
    folder: Path,
    *,
    worker: bool = True,
    prefix: Sequence[str] = (),
    tokens: tuple[str, str] | None = None,
    **extra: str,
) -> AsyncIterator[Running]:
    """Migrate, make a staff and a storefront token, then serve the app (and the worker),
    each process behind ``prefix`` if given (:data:`FILE_MODES_APPLY`). With ``tokens``
    (staff, storefront) of an earlier run, the database is used as it is: no migration, no
    new tokens."""
    env = environment(database_url, **extra)
    if tokens is None:
        await bobot(env, "migrate", prefix=prefix)
        made = [
            (await bobot(env, "token", "create", name, "--role", role, prefix=prefix)).split()[-1]
            for name, role in (("faults-staff", "staff"), ("faults-shop", "storefront"))
        ]
        tokens = (made[0], made[1])
    staff, shop = tokens
    port = free_port()
    serve = ("serve", "--host", "127.0.0.1", "--port", str(port))
    processes = [await _spawn("web", env, folder, *serve, prefix=prefix)]
    if worker:
        processes.append(await _spawn("worker", env, folder, "worker", prefix=prefix))
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=30) as http:

            async def healthy() -> bool:
                assert processes[0].alive(), processes[0].output()
                with contextlib.suppress(httpx.TransportError):
                    return (await http.get(f"{base}/healthz")).status_code == 200
                return False

            await eventually(healthy, "the app to start")
            api = Api(
                http=http, url=f"{base}/graphql", clock=ManualClock(datetime.now(UTC)),
                settings=Settings(database_url=database_url), staff_token=staff,
                storefront_token=shop,
            )  # fmt: skip
            yield Running(api=api, base=base, env=env, processes=processes)
    finally:
        for process in processes:
            await _stop(process)


class RestartablePostgres(PostgresServer):
    """A throw-away server of the test's own, which it can stop and start again on the same
    port and data under the running app."""

    def halt(self) -> None:
        """``pg_ctl stop -m fast``: open connections are terminated, new ones refused."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w",
            "-t", "30", "-o", options, "start",
        )  # fmt: skip
