"""PostgreSQL stopped and started again under the running app and worker.

``bobot serve`` and ``bobot worker`` run in their own processes on a server of the test's
own. While it is down, every request gets HTTP 503 with ``DATABASE_UNAVAILABLE`` at once
(no hang, no traceback, no driver text), and nothing is written. Once it is back, both
processes carry on without a restart: what was committed before is there, a retry that fell
due during the outage is delivered, and a receipt after it fills the waiting backorder and
sends its webhook, each message once.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from bench.receiver import Receiver, serve_receiver
from standardwebhooks.webhooks import Webhook
from tests.faults.running import RestartablePostgres, Running, bobot, eventually, running

SUBSCRIBE = """
mutation($input: CreateWebhookSubscriptionInput!) {
  createWebhookSubscription(input: $input) { secret userErrors { code message } }
}
"""
DELIVERIES = """
{ deliveries(first: 50) { nodes { kind status attemptCount idempotencyKey } } }
"""
PRODUCT = '{ product(sku: "MUG") { sku onHand allocated available backordered } }'
LISTING = '{ product(sku: "MUG") { sku } }'  # what anyone may read
BACKORDERS = '{ backorders(sku: "MUG", first: 50) { nodes { id status quantity } } }'
EVENTS = ["order.placed", "backorder.created", "backorder.allocated"]


@pytest.fixture
def postgres() -> Iterator[RestartablePostgres]:
    server = RestartablePostgres(database="bobot_faults")
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with serve_receiver() as running_receiver:
        yield running_receiver


async def deliveries(app: Running) -> list[dict]:
    """The webhook deliveries (the outbox holds the worker's own jobs and email too)."""
    response = await app.post(DELIVERIES)
    assert response.status_code == 200, response.text
    return [r for r in response.json()["data"]["deliveries"]["nodes"] if r["kind"] in EVENTS]


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"].isdigit()
    body = response.json()
    assert body["data"] is None or all(v is None for v in body["data"].values())
    assert [e["extensions"]["code"] for e in body["errors"]] == ["DATABASE_UNAVAILABLE"]
    text = json.dumps(body)
    for leak in ("Traceback", "asyncpg", "Errno", "127.0.0.1", "Connect call"):
        assert leak not in text


async def test_the_app_and_worker_ride_out_a_postgres_restart(
    postgres: RestartablePostgres, receiver: Receiver, tmp_path: Path
):
    # A retry asked to wait 4 s: it falls due while the server is down.
    receiver.script, receiver.retry_after = [503], "4"
    async with running(postgres.url, tmp_path, BOBOT_OUTBOX_BACKOFF="2") as app:
        api = app.api
        secret = (
            await api.mutate("createWebhookSubscription", SUBSCRIBE,
                             {"url": receiver.url, "events": EVENTS})
        )["secret"]  # fmt: skip
        await api.create_product("MUG")
        before = await api.order("ana@example.com", ("MUG", 2))
        assert before["lines"][0]["quantityBackordered"] == 2

        async def first_attempts_recorded() -> bool:
            rows = await deliveries(app)
            return len(rows) == 2 and all(r["attemptCount"] >= 1 for r in rows)

        await eventually(first_attempts_recorded, "the first attempts")
        waiting = [r for r in await deliveries(app) if r["status"] == "PENDING"]
        assert len(waiting) == 1 and waiting[0]["attemptCount"] == 1  # the 503, to retry

        await asyncio.to_thread(postgres.halt)
        async with asyncio.timeout(60):  # a safety net against a hang, not a measurement
            assert_unavailable(await app.post(LISTING, token=""))  # anonymous storefront read
            assert_unavailable(await app.post(LISTING, token=api.storefront_token))
            assert_unavailable(await app.post(BACKORDERS))  # staff: the token lookup fails
            refused = await api.place_order("bob@example.com", ("MUG", 1))
            assert refused.status_code == 503
            assert refused.error_codes == ["DATABASE_UNAVAILABLE"]
            assert (await api.http.get(f"{app.base}/healthz")).status_code == 200
            await asyncio.sleep(5)  # the retry falls due; the worker finds no database
        assert app.alive(), app.logs()
        await asyncio.to_thread(postgres.resume)

        async def answering() -> dict | None:
            response = await app.post(PRODUCT)
            return response.json()["data"]["product"] if response.status_code == 200 else None

        product = await eventually(answering, "the app to reach the database again")
        assert (product["onHand"], product["backordered"]) == (0, 2)  # nothing lost
        receipt = await api.receive("MUG", 2)
        assert [b["status"] for b in receipt["filledBackorders"]] == ["ALLOCATED"]

        async def all_delivered() -> bool:
            rows = await deliveries(app)
            return len(rows) == 3 and all(r["status"] == "SUCCESS" for r in rows)

        await eventually(all_delivered, "every webhook to be delivered")
        assert app.alive(), app.logs()
        worker_log = next(p for p in app.processes if p.name == "worker").output()
        assert "database unreachable" in worker_log  # it saw the outage, and carried on

        # The order refused during the outage left nothing behind.
        backorders = (await app.post(BACKORDERS)).json()["data"]["backorders"]["nodes"]
        assert [(b["status"], b["quantity"]) for b in backorders] == [("ALLOCATED", 2)]
        await bobot(app.env, "doctor")  # the counters rebuilt from the history agree

    verified = [Webhook(secret).verify(r.body, r.headers) for r in receiver.received]
    per_id = Counter(r.headers["webhook-id"] for r in receiver.received)
    # Three messages; the one refused with a 503 came twice (with one id), the others once.
    assert sorted(per_id.values()) == [1, 1, 2]
    assert sorted({b["type"] for b in verified}) == sorted(EVENTS)
    assert len({(b["type"], json.dumps(b["data"], sort_keys=True)) for b in verified}) == 3
