"""The outlook's scan: ``PROJECTED_STOCKOUT`` alerts from the demand outlook, once a shop day."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from bobot import sql
from bobot.domain import alerts as alert_rules
from bobot.domain import gaps as rules
from bobot.models import WorkerCursor
from bobot.services import alert_store, demand
from bobot.services.context import SYSTEM, Actor, Deps
from bobot.services.gap_scan import ScanResult, lock_ids

#: Weeks the outlook's scan looks ahead (beyond each product's lead time).
OUTLOOK_WEEKS = 8


async def scan_outlook(
    *, deps: Deps, weeks: int = OUTLOOK_WEEKS, actor: Actor = SYSTEM
) -> ScanResult:
    """Open, update and resolve ``PROJECTED_STOCKOUT`` alerts from the demand outlook.

    The forecasts are made first, outside any transaction (they take a while); then the
    products with a gap or an alert of this kind are locked in id order and their alerts of
    this kind diffed and written, as the other scan does for its kinds."""
    found = await demand.outlooks(weeks=weeks, deps=deps)
    today = deps.today()
    gaps = {}
    for o in found:
        gap = rules.projected_stockout(
            o.product_id,
            runs_out=o.cover.runs_out,
            reorder_date=o.cover.reorder_date,
            quantity=o.cover.reorder_quantity,
            lead_days=o.lead_days,
            safety_stock=o.safety_stock,
            peak=o.heading_into_peak,
            today=today,
            history_weeks=o.history_weeks,
        )
        if gap is not None:
            gaps[o.product_id] = gap
    result = ScanResult()
    now = deps.now()
    async with in_transaction():
        flagged = await sql.fetch(
            "SELECT product_id FROM alert WHERE dedupe_key IS NOT NULL AND kind = ?",
            [rules.GapKind.PROJECTED_STOCKOUT.value],
        )
        locked = await lock_ids(sorted(set(gaps) | {row[0] for row in flagged}))
        if not locked:
            return result
        existing = {
            key: alert
            for key, alert in (await alert_store.load_alerts(locked)).items()
            if key[1] in rules.OUTLOOK_KINDS
        }
        wanted = [alert_rules.wanted(gaps[pid], None) for pid in locked if pid in gaps]
        written = await alert_store.persist(
            alert_rules.diff(wanted, existing.values(), now), actor=actor, now=now
        )
    result.opened, result.updated, result.resolved = (
        written.opened, written.updated, written.resolved,
    )  # fmt: skip
    return result


async def outlook_job(deps: Deps) -> int:
    """The worker's outlook scan, once a shop day: alerts opened or resolved."""
    today = deps.today().toordinal()
    async with in_transaction():
        cursor = await WorkerCursor.filter(name="outlook_scan").select_for_update().first()
        if cursor is not None and cursor.position >= today:
            return 0
        if cursor is None:
            await WorkerCursor.create(name="outlook_scan", position=today, updated_at=deps.now())
        else:
            cursor.position, cursor.updated_at = today, deps.now()
            await cursor.save(update_fields=["position", "updated_at"])
    return (await scan_outlook(deps=deps)).changed
