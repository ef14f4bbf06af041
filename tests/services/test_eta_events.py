"""Every backorder whose date moves gets its own event, earlier or later; a shipment a
cancellation empties is recorded as cancelled."""

from __future__ import annotations

from tests.services.helpers import STAFF, backorders_of, days, make_deps, order, product

from bobot.models import Event, Shipment, ShipmentStatus
from bobot.services import backorders, purchasing, stock


async def _changes() -> list[tuple[int, str, str, str, bool, str]]:
    events = await Event.filter(kind="BACKORDER_ETA_CHANGED").order_by("id")
    return [
        (
            e.subject_id,
            e.data["previous"],
            e.data["expected"],
            e.data["direction"],
            e.data["is_estimate"],
            e.data["promised"],
        )
        for e in events
    ]


async def test_a_new_purchase_order_dates_each_waiting_backorder_earlier_in_its_own_event(db):
    deps = make_deps()
    await product(deps, "MUG", lead_days=20)
    for n in range(3):
        await order(deps, f"c{n}@example.com", ("MUG", 2))
    waiting = await backorders_of("MUG")
    assert {b.expected_date for b in waiting} == {days(21)}

    supplier = (await Event.filter(kind="SUPPLIER_CREATED").first()).subject_id
    await purchasing.create_purchase_order(
        supplier_id=supplier,
        expected_date=days(5),
        lines=[purchasing.PoLineInput("MUG", 10)],
        actor=STAFF,
        deps=deps,
    )

    assert await _changes() == [
        (b.id, days(21).isoformat(), days(6).isoformat(), "EARLIER", False, days(23).isoformat())
        for b in waiting
    ]
    events = await Event.filter(kind="BACKORDER_ETA_CHANGED").order_by("id")
    assert {(e.product_id, e.actor_id, e.data["order_id"]) for e in events} == {
        (b.product_id, STAFF.id, b.order_id) for b in waiting
    }
    assert not await Event.filter(kind="ETAS_IMPROVED").exists()


async def test_a_filled_backorder_records_its_date_moving_to_after_handling_in_its_fill(db):
    deps = make_deps()
    await product(deps, "MUG", lead_days=20)
    await order(deps, "a@example.com", ("MUG", 2))
    await order(deps, "b@example.com", ("MUG", 2))
    first, second = await backorders_of("MUG")

    await stock.receive_stock(sku="MUG", quantity=2, purchase_order_id=None, actor=STAFF, deps=deps)

    [filled] = await Event.filter(kind="BACKORDER_ALLOCATED")
    assert filled.subject_id == first.id
    assert {k: filled.data[k] for k in ("previous", "expected", "direction", "is_estimate")} == {
        "previous": days(21).isoformat(),
        "expected": days(1).isoformat(),
        "direction": "EARLIER",
        "is_estimate": False,
    }
    assert await _changes() == []  # the one behind keeps its date
    await second.refresh_from_db()
    assert second.expected_date == days(21)


async def test_a_date_moving_later_is_recorded_with_its_direction(db):
    deps = make_deps()
    await product(deps, "MUG", lead_days=20)
    supplier = (await Event.filter(kind="SUPPLIER_CREATED").first()).subject_id
    po = await purchasing.create_purchase_order(
        supplier_id=supplier,
        expected_date=days(5),
        lines=[purchasing.PoLineInput("MUG", 10)],
        actor=STAFF,
        deps=deps,
    )
    await order(deps, "a@example.com", ("MUG", 2))
    [waiting] = await backorders_of("MUG")

    await purchasing.update_purchase_order(
        purchase_order_id=po.id, expected_date=days(9), actor=STAFF, deps=deps
    )

    assert await _changes() == [
        (waiting.id, days(6).isoformat(), days(10).isoformat(), "LATER", False, days(8).isoformat())
    ]
    assert await Event.filter(kind="BACKORDER_DELAYED", subject_id=waiting.id).count() == 1


async def test_a_shipment_emptied_by_a_cancellation_is_recorded_as_cancelled(db):
    deps = make_deps()
    await product(deps, "MUG", lead_days=20)
    placed = await order(deps, "a@example.com", ("MUG", 2))
    [waiting] = await backorders_of("MUG")

    await backorders.cancel_backorder(
        backorder_id=waiting.id, quantity=None, reason="changed my mind", actor=STAFF, deps=deps
    )

    [shipment] = await Shipment.filter(order_id=placed.id)
    assert shipment.status is ShipmentStatus.CANCELLED
    [cancelled] = await Event.filter(kind="SHIPMENT_CANCELLED")
    assert (cancelled.subject_type, cancelled.subject_id) == ("shipment", shipment.id)
    assert cancelled.data == {"order_id": placed.id, "previous": "PENDING"}
    assert cancelled.actor_id == STAFF.id
