"""A ship-together order leaves as one parcel: every line is promised and expected on the
day the parcel can leave, at placement, after every re-date and after fills."""

from __future__ import annotations

from tests.services.helpers import (
    STAFF,
    assert_counters_consistent,
    clock_of,
    days,
    make_deps,
    order,
    product,
    purchase_order,
)

from bobot.domain.ordering import ShipPreference
from bobot.models import Backorder, BackorderStatus, Event, Shipment, ShipmentStatus
from bobot.services import backorders, purchasing, stock

TOGETHER = ShipPreference.SHIP_TOGETHER


async def _two_line_order(deps, preference=TOGETHER):
    """Line X is due in 3 days, line Y in 20 (handling: 1 day, promise margin: 2)."""
    await product(deps, "X", lead_days=30)
    await product(deps, "Y", lead_days=30)
    x_po = await purchase_order(deps, "X", 5, in_days=3)
    y_po = await purchase_order(deps, "Y", 5, in_days=20)
    placed = await order(deps, "a@example.com", ("X", 1), ("Y", 1), preference=preference)
    x, y = await Backorder.filter(order_id=placed.id).order_by("sku")
    return placed, x, y, x_po, y_po


async def _dates(*backorders: Backorder) -> list[tuple]:
    for b in backorders:
        await b.refresh_from_db()
    return [(b.status, b.expected_date, b.promised_date) for b in backorders]


async def test_every_line_of_a_ship_together_order_is_promised_the_parcels_date(db):
    deps = make_deps()
    _, x, y, _, _ = await _two_line_order(deps)

    assert await _dates(x, y) == [
        (BackorderStatus.OPEN, days(21), days(23)),
        (BackorderStatus.OPEN, days(21), days(23)),
    ]


async def test_lines_shipped_apart_keep_their_own_dates(db):
    deps = make_deps()
    _, x, y, _, _ = await _two_line_order(deps, ShipPreference.SHIP_AVAILABLE_NOW)

    assert await _dates(x, y) == [
        (BackorderStatus.OPEN, days(4), days(6)),
        (BackorderStatus.OPEN, days(21), days(23)),
    ]


async def test_a_filled_line_keeps_the_parcels_date_while_another_line_waits(db):
    deps = make_deps()
    placed, x, y, x_po, _ = await _two_line_order(deps)
    clock_of(deps).advance(days=3)

    await stock.receive_purchase_order(purchase_order_id=x_po, actor=STAFF, deps=deps)

    assert await _dates(x, y) == [
        (BackorderStatus.ALLOCATED, days(21), days(23)),
        (BackorderStatus.OPEN, days(21), days(23)),
    ]
    [shipment] = await Shipment.filter(order_id=placed.id)
    assert shipment.status is ShipmentStatus.PENDING
    assert not await Event.filter(kind="BACKORDER_ETA_CHANGED").exists()
    await assert_counters_consistent()


async def test_the_whole_parcel_moves_when_one_line_slips_and_each_line_gets_an_event(db):
    deps = make_deps()
    _, x, y, _, y_po = await _two_line_order(deps)

    await purchasing.update_purchase_order(
        purchase_order_id=y_po, expected_date=days(25), actor=STAFF, deps=deps
    )

    assert [d[1] for d in await _dates(x, y)] == [days(26), days(26)]
    changed = await Event.filter(kind="BACKORDER_ETA_CHANGED").order_by("subject_id")
    assert [(e.subject_id, e.data["previous"], e.data["expected"]) for e in changed] == [
        (x.id, days(21).isoformat(), days(26).isoformat()),
        (y.id, days(21).isoformat(), days(26).isoformat()),
    ]
    assert {e.data["direction"] for e in changed} == {"LATER"}
    assert {e.product_id for e in changed} == {x.product_id, y.product_id}


async def test_the_parcel_comes_earlier_when_its_latest_line_does(db):
    deps = make_deps()
    _, x, y, _, y_po = await _two_line_order(deps)

    await purchasing.update_purchase_order(
        purchase_order_id=y_po, expected_date=days(10), actor=STAFF, deps=deps
    )

    assert [d[1] for d in await _dates(x, y)] == [days(11), days(11)]
    changed = await Event.filter(kind="BACKORDER_ETA_CHANGED")
    assert sorted(e.subject_id for e in changed) == [x.id, y.id]
    assert {e.data["direction"] for e in changed} == {"EARLIER"}


async def test_once_every_line_is_there_the_parcel_is_ready_after_handling(db):
    deps = make_deps()
    placed, x, y, x_po, y_po = await _two_line_order(deps)
    clock_of(deps).advance(days=3)
    await stock.receive_purchase_order(purchase_order_id=x_po, actor=STAFF, deps=deps)
    clock_of(deps).advance(days=5)  # Y came early: day 8

    await stock.receive_purchase_order(purchase_order_id=y_po, actor=STAFF, deps=deps)

    assert await _dates(x, y) == [
        (BackorderStatus.ALLOCATED, days(9), days(23)),
        (BackorderStatus.ALLOCATED, days(9), days(23)),
    ]
    [shipment] = await Shipment.filter(order_id=placed.id)
    assert shipment.status is ShipmentStatus.READY
    await assert_counters_consistent()


async def test_cancelling_the_late_line_brings_the_parcel_forward(db):
    deps = make_deps()
    placed, x, y, _, _ = await _two_line_order(deps)

    await backorders.cancel_backorder(
        backorder_id=y.id, quantity=None, reason="", actor=STAFF, deps=deps
    )

    assert (await _dates(x))[0][1] == days(4)
    [shipment] = await Shipment.filter(order_id=placed.id)
    assert shipment.status is ShipmentStatus.PENDING


async def test_placing_an_order_costs_the_same_statements_for_each_backordered_line(db, sql_log):
    deps = make_deps()
    for sku in ("A", "B", "C"):
        await product(deps, sku, lead_days=30)
        await purchase_order(deps, sku, 9, in_days=5)
    for preference in ShipPreference:
        counts = []
        for n in (1, 2, 3):
            lines = [(sku, 1) for sku in ("A", "B", "C")[:n]]
            with sql_log() as statements:
                await order(
                    deps, f"{preference.value}{n}@example.com", *lines, preference=preference
                )
            counts.append(len(statements))
        # Per backordered line: the line, its backorder and the product's counters.
        assert [counts[1] - counts[0], counts[2] - counts[1]] == [3, 3], preference
        # 9, the suppliers' margins and the deliveries (one statement each)
        assert counts[0] <= 11, preference


async def test_a_filled_line_moves_with_its_parcel_when_the_other_line_slips(db):
    deps = make_deps()
    _, x, y, x_po, y_po = await _two_line_order(deps)
    await stock.receive_purchase_order(purchase_order_id=x_po, actor=STAFF, deps=deps)

    await purchasing.update_purchase_order(
        purchase_order_id=y_po, expected_date=days(25), actor=STAFF, deps=deps
    )

    assert await _dates(x, y) == [
        (BackorderStatus.ALLOCATED, days(26), days(23)),
        (BackorderStatus.OPEN, days(26), days(23)),
    ]
    changed = await Event.filter(kind="BACKORDER_ETA_CHANGED").order_by("subject_id")
    assert [(e.subject_id, e.data["direction"]) for e in changed] == [
        (x.id, "LATER"),
        (y.id, "LATER"),
    ]
    assert await Event.filter(kind="BACKORDER_DELAYED").count() == 2
    await x.refresh_from_db()
    assert x.is_delayed
