"""The worker's "new backorders" follower: the gap scan as a consumer of the outbox.

Each ``BACKORDER_CREATED`` event is routed to a JOB delivery (:func:`bobot.outbox.routing.
gap_scan_rule`) written in the backorder's own transaction. The follower claims those rows
like any delivery (a lease; SKIP LOCKED on PostgreSQL), scans their products and marks them
done. A row becomes visible when its transaction commits, whatever its id: unlike a cursor
over the history, nothing committed late is ever passed over, and nothing waits to settle.
"""

from __future__ import annotations

from datetime import timedelta

from bobot import sql
from bobot.outbox.drain import claim
from bobot.outbox.routing import GAP_SCAN, GAP_SCAN_KINDS
from bobot.outbox.types import Channel
from bobot.services.context import Deps
from bobot.services.gap_scan import scan

#: History the follower reacts to (routed to its job rows).
FOLLOWED_KINDS = tuple(sorted(GAP_SCAN_KINDS))
FOLLOW_BATCH = 5000


async def scan_recent_backorders(deps: Deps) -> int:
    """Scan the products of backorders created since the last call; returns how many."""
    jobs = await claim(
        [Channel.JOB],
        now=deps.now(),
        lease=deps.settings.outbox_lease,
        limit=FOLLOW_BATCH,
        ordered=False,
    )
    jobs = [j for j in jobs if j.recipient == GAP_SCAN]
    if not jobs:
        return 0
    product_ids = sorted({int(j.payload["product_id"]) for j in jobs})
    await scan(product_ids, deps=deps)  # if it fails, the leases run out and it runs again
    now = deps.now()
    await sql.execute(
        "UPDATE delivery SET status = 'SUCCESS', claimed_until = NULL, sent_at = ?,"
        f" updated_at = ? WHERE {sql.in_ids('id')} AND status = 'PENDING'",
        [now, now, sql.ids([j.id for j in jobs])],
    )
    return len(product_ids)


#: Done job rows are kept this long (for a look at what the follower did), then removed.
KEEP_DONE_JOBS = timedelta(days=1)


async def prune_done_jobs(deps: Deps) -> int:
    """Remove the follower's done job rows older than :data:`KEEP_DONE_JOBS` (one per
    backorder: the table would otherwise grow with every order). Returns how many."""
    return await sql.execute(
        "DELETE FROM delivery WHERE channel = ? AND status = 'SUCCESS' AND sent_at < ?",
        [Channel.JOB.value, deps.now() - KEEP_DONE_JOBS],
    )
