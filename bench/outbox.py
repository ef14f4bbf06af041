"""The outbox, in-process: draining pending webhook deliveries to a local receiver.

A receiver runs in its own process on 127.0.0.1 (``bench.receiver``). The floor is a raw
loop of signed POSTs (the same Standard Webhooks signature, the same httpx client settings
and the same number of requests in flight) sending the same bodies, timed once before and
once after the service (the floor is their mean, so that a change in the machine's load
during the run weighs on both sides alike); the service is the worker's
:func:`bobot.worker.deliver` with its webhook transport: claims, sends, records every
attempt. Deliveries of other channels the database holds (the generated store's emails) are
left alone: only the webhook deliveries added here are drained and counted. Each side sends
the same messages; the receiver counts them.

``python -m bench.outbox URL [--count N]`` prints the timings as JSON (the database at URL
is migrated; deliveries and subscriptions are added to it and removed afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from tortoise.transactions import in_transaction

from bench.pg import free_port
from bobot import sql
from bobot.config import Settings
from bobot.db import connected
from bobot.models import Delivery, DeliveryStatus, WebhookSubscription
from bobot.outbox import transports
from bobot.outbox.enqueue import enqueue
from bobot.outbox.routing import WebhookEvent
from bobot.outbox.types import Channel
from bobot.outbox.webhooks import new_secret, signed_headers
from bobot.services.context import Deps
from bobot.worker import deliver


def _events(count: int, now: datetime) -> list[WebhookEvent]:
    def body(n: int) -> dict[str, Any]:
        data = {"order_id": n, "product_id": None, "number": f"BO-{n:08d}",
                "lines": [["SKU-1", 2, 1, 1]]}  # fmt: skip
        return {"type": "order.placed", "version": 1, "timestamp": now.isoformat(), "data": data}

    return [
        WebhookEvent("order.placed", f"order:{n}", body(n), key_prefix=f"msg_bench{n:08d}")
        for n in range(count)
    ]


async def _count(client: httpx.AsyncClient, base: str) -> int:
    return int((await client.get(f"{base}/count")).json()["received"])


async def _floor(
    bodies: list[tuple[str, str]], url: str, secret: str, concurrency: int, seconds: float
) -> float:
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=httpx.Timeout(seconds)) as client:

        async def post(msg_id: str, body: str) -> None:
            async with gate:
                headers = signed_headers(secret, msg_id, body, datetime.now(UTC))
                (await client.post(url, content=body, headers=headers)).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(post(msg_id, body) for msg_id, body in bodies))
        return time.perf_counter() - started


async def run(url: str, count: int) -> dict[str, Any]:
    port = free_port()
    receiver = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.receiver", str(port)
    )
    base = f"http://127.0.0.1:{port}"
    settings = Settings(database_url=url)
    try:
        async with httpx.AsyncClient() as probe:
            for _ in range(200):
                try:
                    await probe.get(f"{base}/count")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            async with connected(url):
                now = datetime.now(UTC)
                secret = new_secret()
                subscription = await WebhookSubscription.create(
                    url=f"{base}/hook", events=["order.placed"], secret=secret,
                    created_at=now, updated_at=now,
                )  # fmt: skip
                events = _events(count, now)
                async with in_transaction():
                    await enqueue([], events, now=now)
                bodies = [
                    (e.key(subscription.id), json.dumps(e.body, separators=(",", ":")))
                    for e in events
                ]
                floors, floor_received = [], []
                webhook = {Channel.WEBHOOK: transports(settings)[Channel.WEBHOOK]}
                for side in ("floor", "service", "floor"):
                    await probe.post(f"{base}/reset")
                    started = time.perf_counter()
                    if side == "floor":
                        await _floor(
                            bodies,
                            f"{base}/hook",
                            secret,
                            settings.outbox_concurrency,
                            settings.webhook_timeout,
                        )
                        floors.append(time.perf_counter() - started)
                        floor_received.append(await _count(probe, base))
                        continue
                    attempted = await deliver(Deps(settings=settings), webhook)
                    service_s = time.perf_counter() - started
                    received = await _count(probe, base)
                await webhook[Channel.WEBHOOK].aclose()  # type: ignore[attr-defined]
                ours = Delivery.filter(channel=Channel.WEBHOOK, recipient=str(subscription.id))
                sent = await ours.filter(status=DeliveryStatus.SUCCESS).count()
                await sql.execute(
                    "DELETE FROM delivery_attempt WHERE delivery_id IN"
                    " (SELECT id FROM delivery WHERE channel = ? AND recipient = ?)",
                    [Channel.WEBHOOK.value, str(subscription.id)],
                )
                await ours.delete()
                await subscription.delete()
                floor_s = sum(floors) / len(floors)
                dialect = sql.dialect()
    finally:
        receiver.terminate()
        await asyncio.wait_for(receiver.wait(), 10)
    return {
        "backend": dialect,
        "deliveries": count,
        "attempted": attempted,
        "sent": sent,
        "received": received,
        "floor_received": min(floor_received),
        "concurrency": settings.outbox_concurrency,
        "batch": settings.outbox_batch,
        "service_s": round(service_s, 3),
        "floor_s": round(floor_s, 3),
        "floor_runs_s": [round(f, 3) for f in floors],
        "ratio": round(service_s / floor_s, 2),
        "per_s": round(count / service_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.outbox", description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.url, args.count))))


if __name__ == "__main__":
    main()
