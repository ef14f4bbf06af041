"""Handing units to waiting backorders (FIFO) and keeping shipments' readiness in step."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from bobot import sql
from bobot.domain.eta import Eta
from bobot.domain.events import BackorderAllocated, ShipmentCancelled
from bobot.domain.fifo import Fill, Waiting, fill
from bobot.mail.routing import SHIPMENT_READY
from bobot.models import Shipment, ShipmentLine, ShipmentStatus
from bobot.outbox.enqueue import deliveries_from, delivery_parameters
from bobot.services.context import Actor, Deps
from bobot.services.eta import (
    WAITING,
    WAITING_SQL,
    QueueRow,
    Redating,
    eta_changed,
    plan_dates,
    read_queues,
    redate_orders,
    store_dates,
)
from bobot.services.history import PendingEvent, record, record_per_backorder, typed_event
from bobot.services.invitations import invite_waiting
from bobot.services.products import adjust_product

T = TypeVar("T")
CHUNK = 500


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


#: Backorders filled completely (``{ids}``: :func:`bobot.sql.in_ids`), given the date they
#: now leave on: after handling, or with the rest of their parcel. The guard names no
#: indexed column, so that SQLite's planner walks the ids.
_COMPLETE = """
UPDATE backorder SET quantity_allocated = quantity, status = 'ALLOCATED', expected_date = ?,
       eta_is_estimate = ?, is_delayed = promised_date < ?, updated_at = ?
 WHERE {ids} AND quantity_allocated < quantity
"""

#: The one backorder a fill may reach without covering it.
_PARTIAL = """
UPDATE backorder SET quantity_allocated = quantity_allocated + ?,
       status = 'PARTIALLY_ALLOCATED', updated_at = ?
 WHERE id = ? AND quantity_allocated + ? < quantity
"""

#: The shipments of the backorders just filled completely that wait for nothing more.
_UNBLOCKED = f"""
SELECT DISTINCT l.shipment_id FROM shipment_line l
 WHERE {{ids}}
   AND NOT EXISTS (SELECT 1 FROM shipment_line sl JOIN backorder b ON b.id = sl.backorder_id
                    WHERE sl.shipment_id = l.shipment_id AND sl.quantity > 0
                      AND b.status IN {WAITING_SQL}{{fence}})
"""
#: Those still pending become ready.
_READY = "UPDATE shipment SET status = 'READY' WHERE status = 'PENDING' AND {shipments}"


async def _tell_ready(shipment_ids: Sequence[int], now: datetime) -> None:
    """Email each customer whose parcel became ready: one statement, in this transaction,
    each delivery built by the database from the shipment's row."""
    if shipment_ids:
        await sql.execute(
            deliveries_from(
                SHIPMENT_READY, f"{sql.rows_by_id('shipment', 's')} ORDER BY j.key", "s"
            ),
            [*delivery_parameters(at=now, key_prefix=uuid.uuid4().hex), sql.ids(shipment_ids)],
        )


async def _ready_unblocked(backorder_ids: list[int], now: datetime) -> None:
    """Ready the pending shipments the fill of ``backorder_ids`` leaves waiting for nothing,
    in one statement that goes by index from the ids, however many, and email their
    customers.

    SQLite plans it so as written. PostgreSQL's planner, left to its estimates, turns the
    subquery into an anti-join hashing every waiting backorder and shipment line (95 ms in
    the bench restock, against 22 ms), and the update into a scan of every shipment.
    ``OFFSET 0`` keeps the subquery a probe per line; ``ARRAY(...)`` makes the shipments'
    ids one value, looked up in their primary key. There the emails are written by the same
    statement (the update is a common table expression); SQLite, which has no such thing,
    hands the readied ids back for a second.
    """
    ids = sql.in_ids("l.backorder_id")
    if sql.dialect() == "postgres":
        shipments = f"id = ANY(ARRAY({_UNBLOCKED.format(ids=ids, fence=' OFFSET 0')}))"
        readied = f"{_READY.format(shipments=shipments)} RETURNING id, order_id"
        mail = deliveries_from(SHIPMENT_READY, "readied AS s ORDER BY s.id", "s")
        await sql.execute(
            f"WITH readied AS ({readied}) {mail}",
            [sql.ids(backorder_ids), *delivery_parameters(at=now, key_prefix=uuid.uuid4().hex)],
        )
        return
    shipments = f"id IN ({_UNBLOCKED.format(ids=ids, fence='')})"
    rows = await sql.fetch(
        _READY.format(shipments=shipments) + " RETURNING id", [sql.ids(backorder_ids)]
    )
    await _tell_ready(sorted(int(row[0]) for row in rows), now)


async def settle(units: Mapping[int, int], *, actor: Actor, deps: Deps) -> list[Fill]:
    """Give the units just received or released on (locked) products to their queues,
    oldest first, then re-date every backorder filled or still waiting (a filled line of a
    ship-together order keeps the parcel's date while another line waits).

    Set-based whatever the queues' length: one read of the queues; the fills and every new
    date decided before anything is written; per product filled, one statement each to
    record the events, fill (with the filled backorders' new date) and ready the shipments
    (and two for the one backorder a fill may leave partly covered); then the other dates.
    """
    queues = await read_queues(units)
    filled = {
        product_id: fill((Waiting(row[0], row[3]) for row in queue), units[product_id])[0]
        for product_id, queue in queues.items()
    }
    redating = await plan_dates(
        {pid: _still_waiting(queue, filled[pid]) for pid, queue in queues.items()}, deps=deps
    )
    fills: list[Fill] = []
    for product_id, queue in queues.items():
        if filled[product_id]:
            await _fill(product_id, filled[product_id], queue, redating, actor=actor, deps=deps)
            fills += filled[product_id]
    complete = [f.backorder_id for f in fills if f.complete]
    await store_dates(redating, actor=actor, deps=deps, written=complete)
    await invite_waiting(units, actor=actor, deps=deps)  # what the backorders left
    return fills


async def _fill(
    product_id: int,
    fills: list[Fill],
    queue: list[QueueRow],
    redating: Redating,
    *,
    actor: Actor,
    deps: Deps,
) -> None:
    now = deps.now()
    complete: dict[Eta, list[int]] = defaultdict(list)
    for f in fills:
        if f.complete:
            complete[redating.target[f.backorder_id]].append(f.backorder_id)
    partial = [f for f in fills if not f.complete]  # the last one reached, at most
    # The events of complete fills first, while each backorder's row still says what it
    # needs (that is the units it gets) and the date it had. Their data is a partial fill's
    # plus the date moved, as a BACKORDER_ETA_CHANGED event would say it. Should a row not
    # change as planned, the check after the updates undoes them with the rest.
    changed = 0
    for eta, ids in sorted(complete.items()):
        allocated = {
            **eta_changed(eta.is_estimate),  # order_id first, then the date moved
            "units": "b.quantity - b.quantity_allocated",
            "complete": sql.json_true(),
        }
        dates = [eta.ship_date] * 3
        update = [eta.ship_date, eta.is_estimate, eta.ship_date, now, sql.ids(ids)]
        changed += await record_per_backorder(
            BackorderAllocated,
            ids,
            allocated,
            dates,
            actor=actor,
            at=now,
            then=(_COMPLETE.format(ids=sql.in_ids("id")), update),
        )
    for f in partial:
        changed += await sql.execute(_PARTIAL, [f.units, now, f.backorder_id, f.units])
    if changed != len(fills):  # the product lock makes this impossible; never write half
        raise RuntimeError(f"fill of product {product_id} changed {changed} rows, not {len(fills)}")
    used = sum(f.units for f in fills)
    await adjust_product(product_id, now=now, allocated=used, available=-used, backordered=-used)
    await record(
        [
            typed_event(
                BackorderAllocated(
                    order_id=next(row[2] for row in queue if row[0] == f.backorder_id),
                    units=f.units,
                    complete=False,
                    # a partial fill's date moves on a BACKORDER_ETA_CHANGED of its own
                    previous=None,
                    expected=None,
                    promised=None,
                    is_estimate=None,
                    direction=None,
                ),
                actor=actor,
                at=now,
                subject_id=f.backorder_id,
                product_id=product_id,
            )
            for f in partial
        ]
    )
    if complete:
        await _ready_unblocked([i for ids in complete.values() for i in ids], now)


def _still_waiting(queue: list[QueueRow], fills: list[Fill]) -> list[QueueRow]:
    """The queue after ``fills``: each filled backorder needs that many units less (nothing,
    once filled completely: it stays, to be dated as ready after handling)."""
    taken = {f.backorder_id: f.units for f in fills}
    return [
        (row[0], row[1], row[2], row[3] - taken[row[0]], *row[4:]) if row[0] in taken else row
        for row in queue
    ]


async def refresh_shipments(shipment_ids: Iterable[int], *, actor: Actor, deps: Deps) -> None:
    """Mark pending shipments READY once every unit is allocated, and pending or ready ones
    CANCELLED once empty (every unit cancelled, recorded as ``SHIPMENT_CANCELLED``); then
    re-date the ship-together orders among them, whose parcel may now leave earlier.

    A shipment's readiness follows from its backorders' events (``BACKORDER_ALLOCATED``,
    ``BACKORDER_CANCELLED``), so it records none of its own.
    """
    ids = sorted(set(shipment_ids))
    now = deps.now()
    orders: set[int] = set()
    cancelled: list[PendingEvent] = []
    for part in chunks(ids):
        unshipped = await Shipment.filter(
            id__in=list(part), status__in=[ShipmentStatus.PENDING, ShipmentStatus.READY]
        ).values_list("id", "status", "order_id")
        if not unshipped:
            continue
        unshipped_ids = [row[0] for row in unshipped]
        pending = [sid for sid, status, _ in unshipped if status is ShipmentStatus.PENDING]
        nonempty = set(
            await ShipmentLine.filter(shipment_id__in=unshipped_ids, quantity__gt=0).values_list(
                "shipment_id", flat=True
            )
        )
        waiting = set(
            await ShipmentLine.filter(
                shipment_id__in=unshipped_ids, quantity__gt=0, backorder__status__in=list(WAITING)
            ).values_list("shipment_id", flat=True)
        )
        ready = [sid for sid in pending if sid in nonempty and sid not in waiting]
        empty = [sid for sid in unshipped_ids if sid not in nonempty]
        for chosen, status in ((ready, ShipmentStatus.READY), (empty, ShipmentStatus.CANCELLED)):
            if chosen:
                await Shipment.filter(id__in=chosen).update(status=status)
        await _tell_ready(ready, now)
        orders.update(order_id for _, _, order_id in unshipped)
        cancelled += [
            typed_event(
                ShipmentCancelled(order_id=order_id, previous=status.value),
                actor=actor,
                at=now,
                subject_id=sid,
            )
            for sid, status, order_id in unshipped
            if sid not in nonempty
        ]
    await record(cancelled)
    await redate_orders(orders, actor=actor, deps=deps)
