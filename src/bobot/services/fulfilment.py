"""Handing units to waiting backorders (FIFO) and keeping shipments' readiness in step."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import timedelta
from typing import TypeVar

from tortoise.expressions import F

from bobot.domain.fifo import Fill, Waiting, fill
from bobot.models import Backorder, BackorderStatus, Event, Shipment, ShipmentLine, ShipmentStatus
from bobot.services.base import Actor, Deps, adjust_product
from bobot.services.eta import FIFO_ORDER, WAITING
from bobot.services.history import EventKind, event, record

T = TypeVar("T")
CHUNK = 500


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def fill_backorders(product_id: int, units: int, *, actor: Actor, deps: Deps) -> list[Fill]:
    """Give up to ``units`` available units of a (locked) product to its queue, oldest first."""
    if units <= 0:
        return []
    queue = await (
        Backorder.filter(product_id=product_id, status__in=list(WAITING))
        .order_by(*FIFO_ORDER)
        .values_list("id", "order_id", "quantity", "quantity_allocated", "promised_date")
    )
    fills, _ = fill((Waiting(row[0], row[2] - row[3]) for row in queue), units)
    if not fills:
        return []
    now = deps.now()
    ship_date = deps.today() + timedelta(days=deps.settings.handling_days)
    rows = {row[0]: row for row in queue}
    complete_on_time = [
        f.backorder_id for f in fills if f.complete and rows[f.backorder_id][4] >= ship_date
    ]
    complete_late = [
        f.backorder_id for f in fills if f.complete and rows[f.backorder_id][4] < ship_date
    ]
    for ids, late in ((complete_on_time, False), (complete_late, True)):
        for part in chunks(ids):
            await Backorder.filter(id__in=list(part)).update(
                quantity_allocated=F("quantity"),
                status=BackorderStatus.ALLOCATED,
                expected_date=ship_date,
                eta_is_estimate=False,
                is_delayed=late,
                updated_at=now,
            )
    for partial in (f for f in fills if not f.complete):
        await Backorder.filter(id=partial.backorder_id).update(
            quantity_allocated=F("quantity_allocated") + partial.units,
            status=BackorderStatus.PARTIALLY_ALLOCATED,
            updated_at=now,
        )
    used = sum(f.units for f in fills)
    await adjust_product(product_id, now=now, allocated=used, available=-used, backordered=-used)
    await record(
        [
            event(
                EventKind.BACKORDER_ALLOCATED,
                actor=actor,
                at=now,
                subject_type="backorder",
                subject_id=f.backorder_id,
                product_id=product_id,
                order_id=rows[f.backorder_id][1],
                units=f.units,
                complete=f.complete,
            )
            for f in fills
        ]
    )
    completed = [f.backorder_id for f in fills if f.complete]
    if completed:
        shipment_ids: list[int] = []
        for part in chunks(completed):
            shipment_ids += await ShipmentLine.filter(backorder_id__in=list(part)).values_list(
                "shipment_id", flat=True
            )
        await refresh_shipments(shipment_ids, actor=actor, deps=deps)
    return fills


async def refresh_shipments(shipment_ids: Iterable[int], *, actor: Actor, deps: Deps) -> None:
    """Mark pending shipments READY once every unit is allocated, and pending or ready ones
    CANCELLED once empty (every unit cancelled)."""
    now = deps.now()
    ids = sorted(set(shipment_ids))
    events: list[Event] = []
    for part in chunks(ids):
        unshipped = await Shipment.filter(
            id__in=list(part), status__in=[ShipmentStatus.PENDING, ShipmentStatus.READY]
        ).values_list("id", "order_id", "status")
        if not unshipped:
            continue
        unshipped_ids = [row[0] for row in unshipped]
        pending = [(sid, oid) for sid, oid, status in unshipped if status is ShipmentStatus.PENDING]
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
        ready = [(sid, oid) for sid, oid in pending if sid in nonempty and sid not in waiting]
        empty = [(sid, oid) for sid, oid, _ in unshipped if sid not in nonempty]
        for rows, status, kind in (
            (ready, ShipmentStatus.READY, EventKind.SHIPMENT_READY),
            (empty, ShipmentStatus.CANCELLED, None),
        ):
            if not rows:
                continue
            await Shipment.filter(id__in=[sid for sid, _ in rows]).update(status=status)
            if kind is not None:
                events += [
                    event(
                        kind,
                        actor=actor,
                        at=now,
                        subject_type="shipment",
                        subject_id=sid,
                        order_id=oid,
                    )
                    for sid, oid in rows
                ]
    await record(events)
