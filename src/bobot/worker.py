"""The worker: periodic jobs that keep dates honest as time passes.

Every run isolates its jobs: one failing job is logged and retried next run, never lost.
"""

from __future__ import annotations

import asyncio
import logging

from tortoise.transactions import in_transaction

from bobot.models import Backorder
from bobot.services.base import SYSTEM, Deps
from bobot.services.eta import WAITING, recompute_etas
from bobot.services.gaps import scan_job

log = logging.getLogger("bobot.worker")
BATCH = 200


async def refresh_etas(deps: Deps) -> int:
    """Recompute every waiting backorder's date (purchase orders go late as days pass)."""
    product_ids = sorted(
        set(await Backorder.filter(status__in=list(WAITING)).values_list("product_id", flat=True))
    )
    changed = 0
    for start in range(0, len(product_ids), BATCH):
        async with in_transaction():
            changed += await recompute_etas(
                product_ids[start : start + BATCH], actor=SYSTEM, deps=deps
            )
    return changed


JOBS = {"refresh_etas": refresh_etas, "gap_scan": scan_job}


async def run_once(deps: Deps) -> dict[str, int]:
    results: dict[str, int] = {}
    for name, job in JOBS.items():
        try:
            results[name] = await job(deps)
        except Exception:
            log.exception("worker job %s failed; it runs again next time", name)
            results[name] = -1
    return results


async def run_forever(deps: Deps) -> None:
    while True:
        results = await run_once(deps)
        log.info("worker run: %s", results)
        await asyncio.sleep(deps.settings.worker_interval)
