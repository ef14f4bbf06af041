"""A webhook receiver that accepts the connection and never answers.

The app and the worker run as the Procfile runs them (``bobot serve``, ``bobot worker``) on
SQLite. The hanging receiver's delivery times out (``BOBOT_WEBHOOK_TIMEOUT``), is recorded
as a retry and tried again after its backoff; meanwhile another subscriber gets every
message at once, and the API keeps answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from bench.receiver import Receiver, serve_receiver
from tests.faults.running import Running, eventually, running

SUBSCRIBE = """
mutation($input: CreateWebhookSubscriptionInput!) {
  createWebhookSubscription(input: $input) { subscription { id } userErrors { code message } }
}
"""
DELIVERIES = """
{ deliveries(first: 50) { nodes {
    recipient kind status attemptCount nextAttemptAt lastError
    attempts { attempt at outcome durationMs error } } } }
"""
TIMEOUT = 5  # seconds a receiver has to answer
BACKOFF = 1  # seconds before a second attempt, doubling after


@dataclass
class Hanging:
    """Accepts connections, reads what comes, never answers."""

    url: str = ""
    #: one flag a connection accepted, in order: is it still open?
    connections: list[bool] = field(default_factory=list)
    _writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        index = len(self.connections)
        self.connections.append(True)
        self._writers.append(writer)
        try:
            while await reader.read(65536):  # until the client gives up and closes
                pass
        finally:
            self.connections[index] = False
            writer.close()


@contextlib.asynccontextmanager
async def hanging_receiver() -> AsyncIterator[Hanging]:
    hanging = Hanging()
    server = await asyncio.start_server(hanging.handle, "127.0.0.1", 0)
    host, port = server.sockets[0].getsockname()[:2]
    hanging.url = f"http://{host}:{port}/hook"
    try:
        yield hanging
    finally:
        for writer in hanging._writers:
            writer.close()
        server.close()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with serve_receiver() as running_receiver:
        yield running_receiver


async def subscribe(app: Running, url: str) -> str:
    payload = await app.api.mutate(
        "createWebhookSubscription", SUBSCRIBE, {"url": url, "events": ["order.placed"]}
    )
    return payload["subscription"]["id"]


async def webhook_rows(app: Running, recipient: str) -> list[dict]:
    response = await app.post(DELIVERIES)
    assert response.status_code == 200, response.text
    rows = response.json()["data"]["deliveries"]["nodes"]
    return [r for r in rows if r["kind"] == "order.placed" and r["recipient"] == recipient]


def numbers(receiver: Receiver) -> list[str]:
    return sorted(json.loads(body)["data"]["number"] for body in receiver.bodies())


async def test_a_hanging_receiver_times_out_and_retries_while_others_are_served(
    receiver: Receiver, tmp_path: Path
):
    url = f"sqlite://{tmp_path / 'bobot.sqlite3'}"
    settings = {"BOBOT_WEBHOOK_TIMEOUT": str(TIMEOUT), "BOBOT_OUTBOX_BACKOFF": str(BACKOFF)}
    async with hanging_receiver() as hanging, running(url, tmp_path, **settings) as app:
        api = app.api
        stuck = await subscribe(app, hanging.url)
        served = await subscribe(app, receiver.url)
        await api.create_product("MUG", on_hand=10)
        first = await api.order("ana@example.com", ("MUG", 1))
        await eventually(lambda: _true(hanging.connections == [True]), "the first send to hang")

        async with asyncio.timeout(TIMEOUT * 4):  # a safety net against a hang
            # While that send hangs: the API answers, and a new order's message reaches the
            # other subscriber before the hanging send has even timed out.
            second = await api.order("bob@example.com", ("MUG", 1))
            wanted = sorted([first["number"], second["number"]])
            await eventually(lambda: _true(numbers(receiver) == wanted), "the other subscriber")
            assert hanging.connections[0], "the other subscriber waited for the hanging send"

            async def retried() -> dict | None:
                rows = await webhook_rows(app, stuck)
                return next((r for r in rows if len(r["attempts"]) >= 2), None)

            row = await eventually(retried, "a hanging send to be tried twice")
            others = await webhook_rows(app, served)
        assert app.alive(), app.logs()

    assert numbers(receiver) == wanted  # each once
    assert [(r["status"], r["attemptCount"]) for r in others] == [("SUCCESS", 1)] * 2
    # Each hanging send timed out, was recorded as a retry, and the next waited its backoff.
    assert row["status"] == "PENDING"
    first_try, second_try = sorted(row["attempts"], key=lambda a: a["attempt"])[:2]
    for attempt in (first_try, second_try):
        assert attempt["outcome"] == "RETRY"
        assert "Timeout" in (attempt["error"] or ""), attempt
        assert attempt["durationMs"] >= TIMEOUT * 1000 * 0.9
    ended = _at(first_try["at"]) + timedelta(milliseconds=first_try["durationMs"])
    assert _at(second_try["at"]) - ended >= timedelta(seconds=BACKOFF / 2)  # its backoff
    if row["attemptCount"] == 2:  # the third waits twice as long: [BACKOFF, 2 BACKOFF]
        ended = _at(second_try["at"]) + timedelta(milliseconds=second_try["durationMs"])
        assert _at(row["nextAttemptAt"]) - ended >= timedelta(seconds=BACKOFF * 0.99)
    assert len(hanging.connections) >= 3  # two first sends and a retry


async def _true(value: bool) -> bool:
    return value


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)
