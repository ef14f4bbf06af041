"""Inventory-gap alerts: set-based reads, then one transaction of upserts.

The scan reads every fact it needs with a fixed number of GROUP BY statements (whatever the
number of products), detects gaps with :mod:`bobot.domain.gaps`, then, under the product row
locks (id order, the project's one lock order), opens, updates or resolves alerts. One
unresolved alert per (product, kind): enforced under the lock and by the unique
``alert.dedupe_key``. On PostgreSQL a full scan takes ``pg_try_advisory_xact_lock`` and skips
when another worker holds it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from bobot import sql
from bobot.domain import gaps as rules
from bobot.errors import Conflict, InvalidInput, NotFound
from bobot.models import Alert, AlertStatus, Event, SupplierSwitch, SwitchStatus, WorkerCursor
from bobot.services.base import SYSTEM, Actor, Deps, int_column, lock_products
from bobot.services.gap_facts import gather_facts
from bobot.services.history import EventKind, PendingEvent, event, record
from bobot.services.proposals import build_proposal, save_proposal

log = logging.getLogger("bobot.gaps")

#: Key of the PostgreSQL advisory lock a full scan takes ("bobotgap" in ASCII, as a bigint).
SCAN_LOCK_KEY = 0x626F626F74676170 & 0x7FFFFFFFFFFFFFFF


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


def dedupe_key(product_id: int, kind: rules.GapKind) -> str:
    return f"{product_id}:{kind.value}"


async def _try_scan_lock() -> bool:
    if sql.dialect() != "postgres":
        return True  # SQLite: one process, transactions serialised
    rows = await sql.fetch("SELECT pg_try_advisory_xact_lock(?)", [SCAN_LOCK_KEY])
    return bool(rows[0][0])


async def scan(
    product_ids: Iterable[int] | None = None, *, deps: Deps, actor: Actor = SYSTEM
) -> ScanResult:
    """Detect gaps and bring alerts up to date: all products, or just ``product_ids``."""
    ids = sorted(set(product_ids)) if product_ids is not None else None
    if ids is not None and not ids:
        return ScanResult()
    result = ScanResult()
    now = deps.now()
    gap_rules = rules.GapRules(
        today=deps.today(),
        aging_days=deps.settings.aging_days,
        default_lead_days=deps.settings.default_lead_days,
    )
    async with in_transaction():
        if ids is None and not await _try_scan_lock():
            result.skipped = True
            return result
        facts = await gather_facts(ids, deps)
        found: dict[tuple[int, rules.GapKind], rules.Gap] = {}
        for product_facts in facts.products.values():
            for gap in rules.detect(product_facts, gap_rules):
                found[(gap.product_id, gap.kind)] = gap
        open_query = Alert.filter(dedupe_key__isnull=False)
        if ids is not None:
            open_query = open_query.filter(product_id__in=ids)
        open_pids = await int_column(open_query.values_list("product_id", flat=True))
        scope = sorted({pid for pid, _ in found} | set(open_pids))
        if not scope:
            return result
        await lock_products(scope)
        # Re-read under the locks: another scan may have written since.
        existing = {
            (a.product_id, a.kind): a
            for a in await Alert.filter(dedupe_key__isnull=False, product_id__in=scope)
        }
        proposed_products = set(
            await int_column(
                SupplierSwitch.filter(
                    product_id__in=scope, status=SwitchStatus.PROPOSED
                ).values_list("product_id", flat=True)
            )
        )
        events = []
        for key, gap in sorted(found.items(), key=lambda kv: (kv[0][0], kv[0][1].value)):
            pid, kind = key
            alert = existing.get(key)
            action = gap.action
            switch_id = alert.switch_id if alert else None
            if (
                kind in (rules.GapKind.PO_LATE, rules.GapKind.UNCOVERED_BACKORDERS)
                and switch_id is None
                and pid not in proposed_products
            ):
                proposal = await build_proposal(
                    facts.products[pid],
                    facts.offers.get(pid, []),
                    late_po=gap.late_po,
                    quantity=None,
                    deps=deps,
                )
                if proposal is not None:
                    switch = await save_proposal(proposal, actor=actor, deps=deps)
                    switch_id = switch.id
                    proposed_products.add(pid)
                    result.proposed += 1
            if switch_id is not None:
                action = rules.SuggestedAction.SWITCH_SUPPLIER
            if alert is None:
                alert = await Alert.create(
                    product_id=pid,
                    kind=kind,
                    cause=gap.cause,
                    suggested_action=action,
                    severity=gap.severity,
                    status=AlertStatus.OPEN,
                    dedupe_key=dedupe_key(pid, kind),
                    switch_id=switch_id,
                    created_at=now,
                    updated_at=now,
                )
                result.opened += 1
                events.append(_alert_event(EventKind.ALERT_OPENED, alert, actor, now))
                continue
            reopen = (
                alert.status is AlertStatus.SNOOZED
                and alert.snoozed_until is not None
                and alert.snoozed_until <= now
            )
            if (
                alert.cause,
                alert.severity,
                alert.suggested_action,
                alert.switch_id,
            ) == (gap.cause, gap.severity, action, switch_id) and not reopen:
                continue
            alert.cause, alert.severity = gap.cause, gap.severity
            alert.suggested_action, alert.switch_id = action, switch_id
            alert.updated_at = now
            if reopen:
                alert.status, alert.snoozed_until = AlertStatus.OPEN, None
                events.append(_alert_event(EventKind.ALERT_REOPENED, alert, actor, now))
            await alert.save()
            result.updated += 1
        for key, alert in existing.items():
            if key in found:
                continue
            alert.status, alert.dedupe_key = AlertStatus.RESOLVED, None
            alert.resolved_at = alert.updated_at = now
            await alert.save()
            result.resolved += 1
            events.append(_alert_event(EventKind.ALERT_RESOLVED, alert, actor, now))
            if alert.switch_id is not None:
                expired = await SupplierSwitch.filter(
                    id=alert.switch_id, status=SwitchStatus.PROPOSED
                ).update(status=SwitchStatus.EXPIRED, decided_at=now, decided_by="system")
                if expired:
                    events.append(
                        event(
                            EventKind.SWITCH_EXPIRED,
                            actor=actor,
                            at=now,
                            subject_type="supplier_switch",
                            subject_id=alert.switch_id,
                            product_id=alert.product_id,
                        )
                    )
        await record(events)
    return result


def _alert_event(kind: EventKind, alert: Alert, actor: Actor, now: datetime) -> PendingEvent:
    return event(
        kind,
        actor=actor,
        at=now,
        subject_type="alert",
        subject_id=alert.id,
        product_id=alert.product_id,
        alert_kind=rules.GapKind(alert.kind).value,
        cause=alert.cause,
        severity=alert.severity,
    )


async def scan_after_change(product_ids: Iterable[int], *, deps: Deps) -> None:
    """A targeted scan after a change that may open or close a gap; never fails the change."""
    try:
        await scan(product_ids, deps=deps)
    except Exception:  # the periodic scan catches up
        log.exception("gap scan after a change failed")


async def scan_job(deps: Deps) -> int:
    """The worker's periodic full scan: how many alerts opened or resolved."""
    return (await scan(deps=deps)).changed


#: History the worker follows to scan soon after the storefront creates backorders.
FOLLOWED_KINDS = (EventKind.BACKORDER_CREATED.value,)
CURSOR = "gap_scan"
FOLLOW_BATCH = 5000


async def scan_recent_backorders(deps: Deps, *, settle: timedelta = timedelta(seconds=2)) -> int:
    """Scan the products of backorders created since the last call; returns how many.

    Reads the history past a cursor, so each change is scanned once whichever worker runs
    it (the cursor row is claimed with SKIP LOCKED). Events younger than ``settle`` wait for
    the next call: a transaction that took an earlier id may still be committing. The
    periodic full scan catches anything this misses.
    """
    now = deps.now()
    async with in_transaction():
        cursor = await WorkerCursor.filter(name=CURSOR).select_for_update(skip_locked=True).first()
        if cursor is None:
            if await WorkerCursor.exists(name=CURSOR):
                return 0  # another worker holds it
            last = await Event.all().order_by("-id").first()
            await WorkerCursor.create(name=CURSOR, position=last.id if last else 0, updated_at=now)
            return 0
        rows = await (
            Event.filter(id__gt=cursor.position, at__lte=now - settle, kind__in=FOLLOWED_KINDS)
            .order_by("id")
            .limit(FOLLOW_BATCH)
            .values_list("id", "product_id")
        )
        if not rows:
            return 0
        product_ids = sorted({product_id for _, product_id in rows if product_id is not None})
        await scan(product_ids, deps=deps)
        cursor.position, cursor.updated_at = rows[-1][0], now
        await cursor.save(update_fields=["position", "updated_at"])
    return len(product_ids)


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
        await record([_alert_event(EventKind.ALERT_ACKNOWLEDGED, alert, actor, now)])
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
        ev = _alert_event(EventKind.ALERT_SNOOZED, alert, actor, now)
        ev.data["until"] = until.isoformat()
        await record([ev])
    return alert
