"""Worker processes draining deliveries: killed mid-batch, or two at once, no message is
lost and none is sent twice, but for what was in flight at the kill (with the same key)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from bench.receiver import Receiver, serve_receiver
from tortoise.transactions import in_transaction

from bobot.models import Delivery, DeliveryStatus, WebhookSubscription
from bobot.outbox.enqueue import enqueue
from bobot.outbox.routing import WebhookEvent

BATCH = 50


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with serve_receiver() as running:
        yield running


async def _pending(receiver: Receiver, count: int) -> set[str]:
    """``count`` webhook deliveries to ``receiver``, one aggregate each; their keys."""
    now = datetime.now(UTC)
    subscription = await WebhookSubscription.create(
        url=receiver.url, events=["order.placed"], secret="whsec_" + "A" * 32,
        created_at=now, updated_at=now,
    )  # fmt: skip
    events = [
        WebhookEvent(
            name="order.placed",
            aggregate=f"order:{n}",
            body={
                "type": "order.placed",
                "version": 1,
                "timestamp": now.isoformat(),
                "data": {"order_id": n, "product_id": None, "number": f"BO-{n}", "lines": []},
            },
            key_prefix=f"msg_test{n:05d}",
        )
        for n in range(count)
    ]
    async with in_transaction():
        await enqueue([], events, now=now)
    return {e.key(subscription.id) for e in events}


def _start_worker(url: str, lease: float) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "BOBOT_WORKER_POLL": "0.05",
        "BOBOT_WORKER_INTERVAL": "3600",
        "BOBOT_OUTBOX_LEASE": str(lease),
        "BOBOT_OUTBOX_BATCH": str(BATCH),
        "BOBOT_OUTBOX_CONCURRENCY": "8",
    }
    return asyncio.create_subprocess_exec(  # type: ignore[return-value]
        sys.executable, "-m", "bobot", "worker",
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def _stop(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    await process.wait()


async def _until(condition, *, limit: float = 180.0) -> None:
    async with asyncio.timeout(limit):  # a safety net against a hang, not a measurement
        while not await condition():  # noqa: ASYNC110 (another process's progress)
            await asyncio.sleep(0.05)


async def _all_sent() -> bool:
    return not await Delivery.filter(status=DeliveryStatus.PENDING).exists()


async def test_a_worker_killed_mid_batch_loses_nothing_and_resends_only_what_was_in_flight(
    db, receiver
):
    keys = await _pending(receiver, 1000)
    first = await _start_worker(db.url, lease=3)
    try:

        async def some_arrived() -> bool:
            return len(receiver.received) >= 300

        await _until(some_arrived)
        first.send_signal(signal.SIGKILL)  # wherever it is: mid-batch, mid-send, mid-record
        await first.wait()
    finally:
        with contextlib.suppress(ProcessLookupError):
            first.kill()
    assert len(receiver.received) < 1000, "the first worker finished before it was killed"
    second = await _start_worker(db.url, lease=3)
    try:
        await _until(_all_sent)
    finally:
        await _stop(second)

    arrivals = Counter(r.headers["webhook-id"] for r in receiver.received)
    assert set(arrivals) == keys  # every message arrived
    twice = {key for key, n in arrivals.items() if n > 1}
    assert max(arrivals.values()) <= 2
    assert len(twice) <= BATCH  # at most one batch was in flight
    resent = set(
        await Delivery.filter(attempts__gte=2).values_list("idempotency_key", flat=True)
    )  # claimed by the killed worker, claimed again after its lease ran out
    assert twice <= resent
    sent = Delivery.filter(channel="WEBHOOK", status=DeliveryStatus.SUCCESS)
    assert await sent.count() == 1000  # (the worker's day also has its Slack digest)


@pytest.mark.postgres
async def test_two_workers_draining_5000_deliveries_send_each_once(db, receiver):
    keys = await _pending(receiver, 5000)
    workers = [await _start_worker(db.url, lease=60), await _start_worker(db.url, lease=60)]
    try:
        await _until(_all_sent)
    finally:
        for worker in workers:
            await _stop(worker)

    arrivals = Counter(r.headers["webhook-id"] for r in receiver.received)
    assert set(arrivals) == keys
    assert max(arrivals.values()) == 1, "a message was sent twice"
    sent = Delivery.filter(channel="WEBHOOK", attempts=1, status=DeliveryStatus.SUCCESS)
    assert await sent.count() == 5000
