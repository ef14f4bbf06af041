"""The worker's drain, in-process, in small batches: every message goes out once, one
aggregate's in order across batches, and every attempt is recorded."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from bench.receiver import Receiver, serve_receiver
from tortoise.transactions import in_transaction

from bobot.config import Settings
from bobot.models import Delivery, DeliveryAttempt, DeliveryStatus, WebhookSubscription
from bobot.outbox import Channel
from bobot.outbox.enqueue import enqueue
from bobot.outbox.routing import WebhookEvent
from bobot.outbox.webhooks import WebhookTransport
from bobot.services.context import Deps
from bobot.worker import deliver


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with serve_receiver() as running:
        yield running


async def test_batches_send_each_message_once_and_each_aggregate_in_order(db, receiver):
    now = datetime.now(UTC)
    subscription = await WebhookSubscription.create(
        url=receiver.url, events=["order.placed"], secret="whsec_" + "A" * 32,
        created_at=now, updated_at=now,
    )  # fmt: skip

    def body(n: int) -> dict:
        data = {"order_id": n % 20, "step": n // 20}  # three messages for each of 20 orders
        return {"type": "order.placed", "version": 1, "timestamp": now.isoformat(), "data": data}

    events = [
        WebhookEvent("order.placed", f"order:{n % 20}", body(n), key_prefix=f"msg_drain{n:03d}")
        for n in range(60)
    ]
    async with in_transaction():
        await enqueue([], events, now=now)
    transport = WebhookTransport()
    deps = Deps(settings=Settings(outbox_concurrency=4, outbox_batch=8))
    try:
        attempted = await deliver(deps, {Channel.WEBHOOK: transport})
    finally:
        await transport.aclose()

    assert attempted == 60
    arrived = [r.headers["webhook-id"] for r in receiver.received]
    assert sorted(arrived) == sorted(e.key(subscription.id) for e in events)  # each once
    steps: dict[int, list[int]] = defaultdict(list)
    for r in receiver.received:
        data = json.loads(r.body)["data"]
        steps[data["order_id"]].append(data["step"])
    assert all(s == [0, 1, 2] for s in steps.values()) and len(steps) == 20
    assert await Delivery.filter(status=DeliveryStatus.SUCCESS, attempts=1).count() == 60
    assert await DeliveryAttempt.filter(outcome="SUCCESS").count() == 60
