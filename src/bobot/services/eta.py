"""Recomputing expected dates after anything that moves supply or the queue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from bobot import sql
from bobot.domain import eta as rules
from bobot.models import BackorderStatus
from bobot.services.base import Actor, Deps
from bobot.services.history import EventKind, PendingEvent, event, record
from bobot.services.supply import supply_and_lead

WAITING = (BackorderStatus.OPEN, BackorderStatus.PARTIALLY_ALLOCATED)
FIFO_ORDER = ("-priority", "created_at", "id")
#: The same two rules, for hand-written SQL.
WAITING_SQL = "('OPEN', 'PARTIALLY_ALLOCATED')"
FIFO_SQL = "priority DESC, created_at, id"
_CHUNK = 900  # ids per UPDATE, under every driver's parameter limit


async def recompute_etas(product_ids: Iterable[int], *, actor: Actor, deps: Deps) -> int:
    """Walk each product's queue against its supply; store dates that moved, flag delays.

    A date that moves later is an event on its backorder (``BACKORDER_ETA_CHANGED``, and
    ``BACKORDER_DELAYED`` once it passes the promise); dates that move earlier, as a whole
    queue does after a restock, are summed up in one ``ETAS_IMPROVED`` event per product.
    Runs inside the caller's transaction. Returns how many backorders changed date.
    """
    ids = sorted(set(product_ids))
    if not ids:
        return 0
    queue = await sql.fetch(
        "SELECT id, product_id, order_id, quantity, quantity_allocated, expected_date,"
        " eta_is_estimate, promised_date, is_delayed FROM backorder"
        f" WHERE product_id IN ({sql.placeholders(len(ids))}) AND status IN {WAITING_SQL}"
        f" ORDER BY product_id, {FIFO_SQL}",
        ids,
    )
    if not queue:
        return 0
    supply, leads = await supply_and_lead(ids)
    by_product: dict[int, list[tuple]] = defaultdict(list)
    for bid, pid, oid, quantity, allocated, expected, estimate, promised, delayed in queue:
        by_product[pid].append(
            (
                bid,
                pid,
                oid,
                quantity,
                allocated,
                sql.as_date(expected),
                bool(estimate),
                sql.as_date(promised),
                bool(delayed),
            )
        )

    now = deps.now()
    groups: dict[tuple[date, bool, bool], list[int]] = defaultdict(list)
    events: list[PendingEvent] = []
    for product_id, rows in by_product.items():
        improved = 0
        etas = rules.walk(
            [quantity - allocated for _, _, _, quantity, allocated, *_ in rows],
            supply.get(product_id, []),
            deps.eta_rules(leads.get(product_id)),
        )
        for row, eta in zip(rows, etas, strict=True):
            backorder_id, _, order_id, _, _, expected, estimate, promised, delayed = row
            if eta.ship_date == expected and eta.is_estimate == estimate:
                continue
            now_delayed = eta.ship_date > promised
            groups[(eta.ship_date, eta.is_estimate, now_delayed)].append(backorder_id)
            if eta.ship_date <= expected:
                improved += 1
                continue
            events.append(
                event(
                    EventKind.BACKORDER_ETA_CHANGED,
                    actor=actor,
                    at=now,
                    subject_type="backorder",
                    subject_id=backorder_id,
                    product_id=product_id,
                    order_id=order_id,
                    previous=expected.isoformat(),
                    expected=eta.ship_date.isoformat(),
                    promised=promised.isoformat(),
                    is_estimate=eta.is_estimate,
                )
            )
            if now_delayed and not delayed:
                events.append(
                    event(
                        EventKind.BACKORDER_DELAYED,
                        actor=actor,
                        at=now,
                        subject_type="backorder",
                        subject_id=backorder_id,
                        product_id=product_id,
                        order_id=order_id,
                        promised=promised.isoformat(),
                        expected=eta.ship_date.isoformat(),
                    )
                )
        if improved:
            events.append(
                event(
                    EventKind.ETAS_IMPROVED,
                    actor=actor,
                    at=now,
                    subject_type="product",
                    subject_id=product_id,
                    product_id=product_id,
                    backorders=improved,
                )
            )
    for (ship_date, estimate, now_delayed), backorder_ids in groups.items():
        for start in range(0, len(backorder_ids), _CHUNK):
            part = backorder_ids[start : start + _CHUNK]
            await sql.execute(
                "UPDATE backorder SET expected_date = ?, eta_is_estimate = ?, is_delayed = ?,"
                f" updated_at = ? WHERE id IN ({sql.placeholders(len(part))})",
                [ship_date, estimate, now_delayed, now, *part],
            )
    await record(events)
    return sum(len(v) for v in groups.values())
