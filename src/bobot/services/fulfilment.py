"""Handing units to waiting backorders (FIFO) and keeping shipments' readiness in step."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import timedelta
from typing import TypeVar

from bobot import sql
from bobot.domain.fifo import Fill, Waiting, fill
from bobot.models import Shipment, ShipmentLine, ShipmentStatus
from bobot.services.base import Actor, Deps, adjust_product
from bobot.services.eta import FIFO_SQL, WAITING, WAITING_SQL
from bobot.services.history import EventKind, event, record

T = TypeVar("T")
CHUNK = 500


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


#: The waiting queue in FIFO order with the units ahead of each backorder, cut where the
#: units run out: exactly the backorders a fill of ``units`` reaches.
_REACHED = f"""
SELECT id, order_id, need FROM (
    SELECT id, order_id, quantity - quantity_allocated AS need,
           COALESCE(SUM(quantity - quantity_allocated) OVER (
               ORDER BY {FIFO_SQL} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS ahead
      FROM backorder WHERE product_id = ? AND status IN {WAITING_SQL}) AS queue
 WHERE ahead < ? AND need > 0
 ORDER BY ahead
"""

#: The same cut, applied in one statement: each reached backorder takes what it needs (the
#: last possibly less) and those filled completely are dated to ship after handling. The
#: set-based twin of :func:`bobot.domain.fifo.fill`, which decides the fill (a test keeps
#: the two in step).
_FILL = f"""
UPDATE backorder SET
    quantity_allocated = quantity_allocated + reached.take,
    status = CASE WHEN reached.take = reached.need THEN 'ALLOCATED'
                  ELSE 'PARTIALLY_ALLOCATED' END,
    expected_date = CASE WHEN reached.take = reached.need THEN ? ELSE expected_date END,
    eta_is_estimate = CASE WHEN reached.take = reached.need THEN FALSE ELSE eta_is_estimate END,
    is_delayed = CASE WHEN reached.take = reached.need THEN promised_date < ? ELSE is_delayed END,
    updated_at = ?
FROM (
    SELECT id, need, CASE WHEN ahead + need <= ? THEN need ELSE ? - ahead END AS take
      FROM (SELECT id, quantity - quantity_allocated AS need,
                   COALESCE(SUM(quantity - quantity_allocated) OVER (
                       ORDER BY {FIFO_SQL}
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS ahead
              FROM backorder WHERE product_id = ? AND status IN {WAITING_SQL}) AS queue
     WHERE ahead < ? AND need > 0
) AS reached
WHERE backorder.id = reached.id
"""

#: Pending shipments of just-filled backorders that wait for nothing more.
_READY = f"""
UPDATE shipment SET status = 'READY'
 WHERE status = 'PENDING'
   AND id IN (SELECT sl.shipment_id FROM shipment_line sl JOIN backorder b ON b.id = sl.backorder_id
               WHERE b.product_id = ? AND b.status = 'ALLOCATED' AND b.updated_at = ?)
   AND NOT EXISTS (SELECT 1 FROM shipment_line sl JOIN backorder b ON b.id = sl.backorder_id
                    WHERE sl.shipment_id = shipment.id AND sl.quantity > 0
                      AND b.status IN {WAITING_SQL})
"""


async def fill_backorders(product_id: int, units: int, *, actor: Actor, deps: Deps) -> list[Fill]:
    """Give up to ``units`` available units of a (locked) product to its queue, oldest first.

    Set-based whatever the queue's length: one read of the backorders reached, one UPDATE
    that fills them, one batch of events, one UPDATE for the shipments now ready.
    """
    if units <= 0:
        return []
    reached = await sql.fetch(_REACHED, [product_id, units])
    fills, _ = fill((Waiting(row[0], row[2]) for row in reached), units)
    if not fills:
        return []
    now = deps.now()
    ship_date = deps.today() + timedelta(days=deps.settings.handling_days)
    changed = await sql.execute(_FILL, [ship_date, ship_date, now, units, units, product_id, units])
    if changed != len(fills):  # the product lock makes this impossible; never write half
        raise RuntimeError(f"fill of product {product_id} changed {changed} rows, not {len(fills)}")
    used = sum(f.units for f in fills)
    await adjust_product(product_id, now=now, allocated=used, available=-used, backordered=-used)
    orders = {row[0]: row[1] for row in reached}
    events = [
        event(
            EventKind.BACKORDER_ALLOCATED,
            actor=actor,
            at=now,
            subject_type="backorder",
            subject_id=f.backorder_id,
            product_id=product_id,
            order_id=orders[f.backorder_id],
            units=f.units,
            complete=f.complete,
        )
        for f in fills
    ]
    await record(events)
    if any(f.complete for f in fills):
        await sql.execute(_READY, [product_id, now])
    return fills


async def refresh_shipments(shipment_ids: Iterable[int]) -> None:
    """Mark pending shipments READY once every unit is allocated, and pending or ready ones
    CANCELLED once empty (every unit cancelled).

    A shipment's readiness follows from its backorders' events (``BACKORDER_ALLOCATED``,
    ``BACKORDER_CANCELLED``), so it records none of its own.
    """
    ids = sorted(set(shipment_ids))
    for part in chunks(ids):
        unshipped = await Shipment.filter(
            id__in=list(part), status__in=[ShipmentStatus.PENDING, ShipmentStatus.READY]
        ).values_list("id", "status")
        if not unshipped:
            continue
        unshipped_ids = [row[0] for row in unshipped]
        pending = [sid for sid, status in unshipped if status is ShipmentStatus.PENDING]
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
