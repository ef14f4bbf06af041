"""Inventory-gap alerts: the scan, batch by batch under the product locks, and staff actions.

A scan walks its products in id order, in batches of :data:`SCAN_BATCH`. Each batch is one
transaction: it locks the batch's product rows (id order, the project's one lock order),
reads the facts the gap rules need under those locks (:mod:`bobot.services.gap_facts`, a
fixed number of set-based statements), detects gaps (:mod:`bobot.domain.gaps`), proposes
supplier switches where they help, diffs the alerts (:mod:`bobot.domain.alerts`) and writes
the plan (:mod:`bobot.services.alert_store`). Id lists travel as one array parameter, so a
batch's statements neither grow with it nor meet the drivers' parameter limits. One
unresolved alert per (product, kind): enforced under the lock and by the unique
``alert.dedupe_key``. On PostgreSQL each batch of a full scan takes
``pg_try_advisory_xact_lock``, and the scan stops when another worker holds it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from bobot import sql
from bobot.domain import alerts as alert_rules
from bobot.domain import events as typed
from bobot.domain import gaps as rules
from bobot.errors import Conflict, InvalidInput, NotFound
from bobot.models import Alert, AlertStatus, WorkerCursor
from bobot.services import alert_store, demand
from bobot.services.base import SYSTEM, Actor, Deps
from bobot.services.gap_facts import CANDIDATE_SQL, Facts, gather_facts
from bobot.services.history import PendingEvent, record, typed_event
from bobot.services.proposals import build_proposal, save_proposal

log = logging.getLogger("bobot.gaps")

#: Key of the PostgreSQL advisory lock a full scan takes ("bobotgap" in ASCII, as a bigint).
SCAN_LOCK_KEY = 0x626F626F74676170 & 0x7FFFFFFFFFFFFFFF
#: Products locked and scanned per transaction.
SCAN_BATCH = 2000
#: Weeks the outlook's scan looks ahead (beyond each product's lead time).
OUTLOOK_WEEKS = 8


@dataclass
class ScanResult:
    opened: int = 0
    updated: int = 0
    resolved: int = 0
    proposed: int = 0
    skipped: bool = False

    @property
    def changed(self) -> int:
        return self.opened + self.resolved


async def _try_scan_lock() -> bool:
    if sql.dialect() != "postgres":
        return True  # SQLite: one writer at a time
    rows = await sql.fetch("SELECT pg_try_advisory_xact_lock(?)", [SCAN_LOCK_KEY])
    return bool(rows[0][0])


def _for_update() -> str:
    return " FOR UPDATE" if sql.dialect() == "postgres" else ""  # SQLite: one writer


async def _lock_next_candidates(after: int) -> list[int]:
    """Lock, in id order, the next batch of products that may have a gap or an alert."""
    rows = await sql.fetch(
        f"SELECT id FROM product WHERE id > ? AND {CANDIDATE_SQL}"
        f" ORDER BY id LIMIT ?{_for_update()}",
        [after, SCAN_BATCH],
    )
    return [row[0] for row in rows]


async def _lock(product_ids: Sequence[int]) -> list[int]:
    rows = await sql.fetch(
        f"SELECT id FROM product WHERE {sql.in_ids('id')} ORDER BY id{_for_update()}",
        [sql.ids(product_ids)],
    )
    return [row[0] for row in rows]


async def scan(
    product_ids: Iterable[int] | None = None, *, deps: Deps, actor: Actor = SYSTEM
) -> ScanResult:
    """Detect gaps and bring alerts up to date: all products, or just ``product_ids``."""
    result = ScanResult()
    if product_ids is not None:
        ids = sorted(set(product_ids))
        for start in range(0, len(ids), SCAN_BATCH):
            async with in_transaction():
                locked = await _lock(ids[start : start + SCAN_BATCH])
                await _scan_batch(locked, deps=deps, actor=actor, result=result)
        return result
    after = 0
    while True:
        async with in_transaction():
            if not await _try_scan_lock():
                result.skipped = True
                return result
            locked = await _lock_next_candidates(after)
            if not locked:
                return result
            await _scan_batch(locked, deps=deps, actor=actor, result=result)
        after = locked[-1]


async def _scan_batch(
    product_ids: list[int], *, deps: Deps, actor: Actor, result: ScanResult
) -> None:
    """One batch, its products locked by the caller: read, detect, propose, diff, write."""
    if not product_ids:
        return
    now = deps.now()
    gap_rules = rules.GapRules(
        today=deps.today(),
        aging_days=deps.settings.aging_days,
        default_lead_days=deps.settings.default_lead_days,
    )
    facts = await gather_facts(product_ids, deps)
    existing = {
        key: alert
        for key, alert in (await alert_store.load_alerts(product_ids)).items()
        if key[1] not in rules.OUTLOOK_KINDS  # the outlook's scan keeps those
    }
    known = await alert_store.load_proposals(
        product_ids, {a.live_switch_id for a in existing.values()}
    )
    wanted = []
    for pid in sorted(facts.products):
        for gap in rules.detect(facts.products[pid], gap_rules):
            alert = existing.get((pid, gap.kind))
            switch_id = alert_rules.kept_proposal(gap, alert)
            if alert_rules.wants_proposal(gap, alert):
                switch_id = await _propose(gap, facts, known, deps=deps, actor=actor)
                result.proposed += switch_id is not None
            wanted.append(alert_rules.wanted(gap, switch_id))
    plan = alert_rules.diff(wanted, existing.values(), now)
    written = await alert_store.persist(plan, actor=actor, now=now)
    result.opened += written.opened
    result.updated += written.updated
    result.resolved += written.resolved


async def _propose(
    gap: rules.Gap,
    facts: Facts,
    known: alert_store.KnownProposals,
    *,
    deps: Deps,
    actor: Actor,
) -> int | None:
    """A live proposal for ``gap``: a new one, or one staff asked for with the same basis.
    None when no offer helps, or when the best one was decided on these same facts."""
    pid = gap.product_id
    proposal = await build_proposal(
        facts.products[pid],
        facts.offers.get(pid, []),
        late_po=gap.late_po if gap.kind is rules.GapKind.PO_LATE else None,
        quantity=None,
        deps=deps,
        unless_basis_in=known.decided[pid],
        margins=facts.margins,
    )
    if proposal is None:
        return None
    loose = known.loose[pid].pop(proposal.basis, None)
    if loose is not None:
        return loose
    return (await save_proposal(proposal, actor=actor, deps=deps)).id


def _alert_event(
    payload: typed.EventPayload, alert: Alert, actor: Actor, now: datetime
) -> PendingEvent:
    return typed_event(
        payload, actor=actor, at=now, subject_id=alert.id, product_id=alert.product_id
    )


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
        locked = await _lock(sorted(set(gaps) | {row[0] for row in flagged}))
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


async def scan_after_change(product_ids: Iterable[int], *, deps: Deps) -> None:
    """A targeted scan after a change that may open or close a gap; never fails the change."""
    try:
        await scan(product_ids, deps=deps)
    except Exception:  # the periodic scan catches up
        log.exception("gap scan after a change failed")


async def scan_job(deps: Deps) -> int:
    """The worker's periodic full scan: how many alerts opened or resolved."""
    return (await scan(deps=deps)).changed


# --------------------------------------------------------------------------- staff actions


async def _alert(alert_id: int) -> Alert:
    alert = await Alert.filter(id=alert_id).select_for_update().first()
    if alert is None:
        raise NotFound(f"No alert has id {alert_id}.", field=["id"])
    return alert


async def acknowledge_alert(*, alert_id: int, actor: Actor, deps: Deps) -> Alert:
    now = deps.now()
    async with in_transaction():
        alert = await _alert(alert_id)
        if alert.status is AlertStatus.RESOLVED:
            raise Conflict(f"Alert {alert_id} is already resolved.", field=["id"])
        alert.status, alert.snoozed_until, alert.updated_at = AlertStatus.ACKNOWLEDGED, None, now
        await alert.save(update_fields=["status", "snoozed_until", "updated_at"])
        payload = typed.AlertAcknowledged(
            alert_kind=rules.GapKind(alert.kind).value, cause=alert.cause, severity=alert.severity
        )
        await record([_alert_event(payload, alert, actor, now)])
    return alert


async def snooze_alert(*, alert_id: int, until: datetime, actor: Actor, deps: Deps) -> Alert:
    now = deps.now()
    if until <= now:
        raise InvalidInput("until must be in the future.", field=["until"])
    async with in_transaction():
        alert = await _alert(alert_id)
        if alert.status is AlertStatus.RESOLVED:
            raise Conflict(f"Alert {alert_id} is already resolved.", field=["id"])
        alert.status, alert.snoozed_until, alert.updated_at = AlertStatus.SNOOZED, until, now
        await alert.save(update_fields=["status", "snoozed_until", "updated_at"])
        snoozed = typed.AlertSnoozed(
            alert_kind=rules.GapKind(alert.kind).value,
            cause=alert.cause,
            severity=alert.severity,
            until=until.isoformat(),
        )
        await record([_alert_event(snoozed, alert, actor, now)])
    return alert
