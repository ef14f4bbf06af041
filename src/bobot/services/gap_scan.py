"""The gap scan: inventory-gap alerts brought up to date, batch by batch under the product
locks.

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

from tortoise.transactions import in_transaction

from bobot import sql
from bobot.domain import alerts as alert_rules
from bobot.domain import gaps as rules
from bobot.services import alert_store
from bobot.services.context import SYSTEM, Actor, Deps
from bobot.services.gap_facts import CANDIDATE_SQL, Facts, gather_facts
from bobot.services.proposals import build_proposal, save_proposal

log = logging.getLogger("bobot.gaps")

#: Key of the PostgreSQL advisory lock a full scan takes ("bobotgap" in ASCII, as a bigint).
SCAN_LOCK_KEY = 0x626F626F74676170 & 0x7FFFFFFFFFFFFFFF
#: Products locked and scanned per transaction.
SCAN_BATCH = 2000


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


async def lock_ids(product_ids: Sequence[int]) -> list[int]:
    """Lock the rows of ``product_ids`` in id order; the ids that exist."""
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
                locked = await lock_ids(ids[start : start + SCAN_BATCH])
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


async def scan_after_change(product_ids: Iterable[int], *, deps: Deps) -> None:
    """A targeted scan after a change that may open or close a gap; never fails the change."""
    try:
        await scan(product_ids, deps=deps)
    except Exception:  # the periodic scan catches up
        log.exception("gap scan after a change failed")


async def scan_job(deps: Deps) -> int:
    """The worker's periodic full scan: how many alerts opened or resolved."""
    return (await scan(deps=deps)).changed
