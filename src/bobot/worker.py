"""The worker: jobs that keep dates and alerts honest as orders arrive and days pass.

Two cadences: every ``BOBOT_WORKER_POLL`` seconds it drains the outbox: the deliveries due
(webhooks, Slack, email) and its own jobs (the gap scan of new backorders); every
``BOBOT_WORKER_INTERVAL`` seconds it re-dates waiting backorders and scans the whole catalog
for gaps. Each job is isolated: one that fails is logged and runs again next time; its work
stays in the database, never lost. Safe to run several.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping

from tortoise.transactions import in_transaction

from bobot import outbox
from bobot.db import unavailable
from bobot.models import Backorder, Delivery
from bobot.outbox.types import Channel, NewDelivery, Transport
from bobot.services.consent import review_delays
from bobot.services.context import SYSTEM, Deps
from bobot.services.eta import WAITING, recompute_etas
from bobot.services.gap_follower import prune_done_jobs, scan_recent_backorders
from bobot.services.gap_scan import scan_job
from bobot.services.invitations import expire_invitations
from bobot.services.locks import lock_products
from bobot.services.outlook_scan import outlook_job
from bobot.services.products import int_column
from bobot.slack.routing import digest_delivery, insights_digest_delivery

log = logging.getLogger("bobot.worker")
BATCH = 200

Job = Callable[[Deps], Awaitable[int]]


async def refresh_etas(deps: Deps) -> int:
    """Recompute every waiting backorder's date (purchase orders go late as days pass).

    Each batch locks its products first, like every writer: a restock filling one of them
    meanwhile would otherwise see its fresh dates overwritten with ones from before the fill.
    """
    waiting = Backorder.filter(status__in=list(WAITING)).values_list("product_id", flat=True)
    product_ids = sorted(set(await int_column(waiting)))
    changed = 0
    for start in range(0, len(product_ids), BATCH):
        async with in_transaction():
            batch = await lock_products(product_ids[start : start + BATCH])
            changed += await recompute_etas(batch, actor=SYSTEM, deps=deps)
    return changed


async def deliver(deps: Deps, transports: Mapping[Channel, Transport] | None = None) -> int:
    """Send every delivery due, batch after batch; returns how many were attempted."""
    own = transports is None
    chosen = (
        outbox.transports(deps.settings, clock=deps.clock) if transports is None else transports
    )
    total = 0
    slow: set[asyncio.Task[None]] = set()  # sends of a receiver slow to answer, still out
    try:
        # Until nothing is due and nothing is out: a batch holds one row per aggregate, the
        # next round the next; new rows are claimed while a slow send runs on.
        while True:
            sent = await outbox.drain(
                chosen, deps=deps, limit=deps.settings.outbox_batch, background=slow
            )
            total += sent
            if sent:
                continue
            if not slow:
                return total
            await asyncio.wait(slow, timeout=deps.settings.worker_poll)
    finally:
        for task in slow:
            task.cancel()
        await asyncio.gather(*slow, return_exceptions=True)
        if own:
            for transport in chosen.values():
                close = getattr(transport, "aclose", None)
                if close is not None:
                    await close()


async def _enqueue_once(digest: NewDelivery | None, deps: Deps) -> int:
    """Enqueue ``digest`` unless a delivery with its key exists (another worker's, or an
    earlier run's): 1 when enqueued."""
    if digest is None:
        return 0
    async with in_transaction():
        if await Delivery.exists(idempotency_key=digest.idempotency_key):
            return 0
        await outbox.enqueue([digest], now=deps.now())
    return 1


async def slack_digest(deps: Deps) -> int:
    """Enqueue the day's Slack digest once the shop's clock has passed ``SLACK_DIGEST_AT``
    (once a day: its key names the day, and a day already enqueued is left alone)."""
    settings = deps.settings
    local = deps.now().astimezone(settings.calendar.zone)
    if local.time() < settings.slack_digest_at:
        return 0
    return await _enqueue_once(digest_delivery(local.date(), settings), deps)


async def slack_insights_digest(deps: Deps) -> int:
    """Enqueue the week's insights digest on Monday once the shop's clock has passed
    ``SLACK_DIGEST_AT`` (once a week: its key names the Monday)."""
    settings = deps.settings
    local = deps.now().astimezone(settings.calendar.zone)
    if local.weekday() != 0 or local.time() < settings.slack_digest_at:
        return 0
    return await _enqueue_once(insights_digest_delivery(local.date(), settings), deps)


FREQUENT_JOBS: dict[str, Job] = {
    "scan_recent_backorders": scan_recent_backorders,
    "deliver": deliver,
}
PERIODIC_JOBS: dict[str, Job] = {
    "refresh_etas": refresh_etas,
    "review_delays": review_delays,
    "expire_invitations": expire_invitations,
    "gap_scan": scan_job,
    "outlook_scan": outlook_job,
    "prune_done_jobs": prune_done_jobs,
    "slack_digest": slack_digest,
    "slack_insights_digest": slack_insights_digest,
}
JOBS: dict[str, Job] = {**FREQUENT_JOBS, **PERIODIC_JOBS}


async def run_once(deps: Deps, jobs: Mapping[str, Job] = JOBS) -> dict[str, int]:
    results: dict[str, int] = {}
    for name, job in jobs.items():
        try:
            results[name] = await job(deps)
        except Exception as exc:
            reason = unavailable(exc)
            if reason is None:
                log.exception("worker job %s failed; it runs again next time", name)
            else:  # an outage, not a bug: one line, not a traceback a poll
                log.warning("worker job %s: database %s (%s); it runs again next time",
                            name, reason, exc)  # fmt: skip
            results[name] = -1
    return results


async def run_forever(deps: Deps) -> None:
    next_periodic = 0.0
    while True:
        if time.monotonic() >= next_periodic:
            log.info("worker run: %s", await run_once(deps, PERIODIC_JOBS))
            next_periodic = time.monotonic() + deps.settings.worker_interval
        results = await run_once(deps, FREQUENT_JOBS)
        if any(results.values()):
            log.info("worker run: %s", results)
        await asyncio.sleep(deps.settings.worker_poll)
