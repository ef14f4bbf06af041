"""Recomputing expected dates after anything that moves supply or the queue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from bobot import sql
from bobot.domain import eta as rules
from bobot.domain.statuses import WAITING as WAITING  # importable from here, as before
from bobot.domain.statuses import WAITING_SQL as WAITING_SQL
from bobot.services.base import Actor, Deps
from bobot.services.history import EventKind, PendingEvent, event, record
from bobot.services.supply import supply_and_lead

FIFO_ORDER = ("-priority", "created_at", "id")
#: The same rule, for hand-written SQL.
FIFO_SQL = "priority DESC, created_at, id"


#: A waiting backorder as :func:`read_queues` reads it: id, product id, order id, units
#: still needed, expected date, whether that date is an estimate, promised date, delayed
#: flag (dates and flags as the driver returns them).
QueueRow = tuple[int, int, int, int, Any, Any, Any, Any]


async def read_queues(product_ids: Iterable[int]) -> dict[int, list[QueueRow]]:
    """Each product's waiting backorders in FIFO order (every product asked for has a list)."""
    ids = sorted(set(product_ids))
    queues: dict[int, list[QueueRow]] = {product_id: [] for product_id in ids}
    if not ids:
        return queues
    rows = await sql.fetch(
        "SELECT id, product_id, order_id, quantity - quantity_allocated, expected_date,"
        " eta_is_estimate, promised_date, is_delayed FROM backorder"
        f" WHERE product_id IN ({sql.placeholders(len(ids))}) AND status IN {WAITING_SQL}"
        f" ORDER BY product_id, {FIFO_SQL}",
        ids,
    )
    for row in rows:
        queues[row[1]].append(row)
    return queues


async def recompute_etas(product_ids: Iterable[int], *, actor: Actor, deps: Deps) -> int:
    """Walk each product's queue against its supply; store dates that moved, flag delays.

    Runs inside the caller's transaction. Returns how many backorders changed date.
    """
    return await redate(await read_queues(product_ids), actor=actor, deps=deps)


async def redate(queues: Mapping[int, Sequence[QueueRow]], *, actor: Actor, deps: Deps) -> int:
    """Store the dates the ETA walk gives each queue (as read by :func:`read_queues`, less
    what has been filled since) where they moved, and flag delays.

    A date that moves later is an event on its backorder (``BACKORDER_ETA_CHANGED``, and
    ``BACKORDER_DELAYED`` once it passes the promise); dates that move earlier, as a whole
    queue does after a restock, are summed up in one ``ETAS_IMPROVED`` event per product.
    Returns how many backorders changed date.
    """
    queued = [product_id for product_id, rows in queues.items() if rows]
    if not queued:
        return 0
    supply, leads = await supply_and_lead(queued)
    now = deps.now()
    groups: dict[tuple[date, bool, bool], list[int]] = defaultdict(list)
    events: list[PendingEvent] = []
    for product_id in queued:
        rows = queues[product_id]
        improved = 0
        etas = rules.walk(
            [row[3] for row in rows],
            supply.get(product_id, []),
            deps.eta_rules(leads.get(product_id)),
        )
        for row, eta in zip(rows, etas, strict=True):
            backorder_id, _, order_id, _, stored, estimate, promised_at, delayed = row
            expected = sql.as_date(stored)
            if eta.ship_date == expected and eta.is_estimate == bool(estimate):
                continue
            promised = sql.as_date(promised_at)
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
        await sql.execute(
            "UPDATE backorder SET expected_date = ?, eta_is_estimate = ?, is_delayed = ?,"
            f" updated_at = ? WHERE {sql.in_ids('id')}",
            [ship_date, estimate, now_delayed, now, sql.ids(backorder_ids)],
        )
    await record(events)
    return sum(len(v) for v in groups.values())
