"""Ship, cancel and receive meeting head-on, on PostgreSQL, with the interleaving forced.

Each test holds one transaction open at the moment that matters, starts the other use case,
waits until it is blocked on a lock (seen in ``pg_stat_activity``) or has finished, and only
then lets the first commit. Whatever the scheduler does, the two meet the same way every run.
"""

from __future__ import annotations

from tests.services.helpers import (
    STAFF,
    assert_counters_consistent,
    backorders_of,
    make_deps,
    order,
    product,
)
from tests.services.interleave import interleave

from bobot.domain.ordering import ShipPreference
from bobot.models import (
    Backorder,
    BackorderStatus,
    Order,
    OrderStatus,
    Product,
    Shipment,
    ShipmentStatus,
)
from bobot.services import backorders, stock
from bobot.services.context import Deps
from bobot.services.locks import lock_products


async def counters(sku: str) -> tuple[int, int, int, int]:
    p = await Product.get(sku=sku)
    return p.on_hand, p.allocated, p.available, p.backordered


async def ship(deps: Deps, shipment_id: int) -> Shipment:
    return await stock.mark_shipment_shipped(shipment_id=shipment_id, actor=STAFF, deps=deps)


async def receive(deps: Deps, sku: str, units: int) -> None:
    await stock.receive_stock(
        sku=sku, quantity=units, purchase_order_id=None, actor=STAFF, deps=deps
    )


async def cancel(deps: Deps, backorder_id: int, units: int | None) -> None:
    await backorders.cancel_backorder(
        backorder_id=backorder_id, quantity=units, reason="test", actor=STAFF, deps=deps
    )


async def test_a_ship_that_waited_for_a_partial_cancellation_ships_only_what_is_left(pg_db):
    deps = make_deps()
    mug = await product(deps, "MUG")
    first = await order(deps, "ana@example.com", ("MUG", 3))
    second = await order(deps, "ben@example.com", ("MUG", 2))
    await receive(deps, "MUG", 3)  # Ana's three units are allocated; her parcel is ready
    [ana, ben] = await backorders_of("MUG")
    [parcel] = await Shipment.filter(order_id=first.id)
    assert parcel.status is ShipmentStatus.READY

    # Ana drops one unit while the ship waits for the product: that unit goes to Ben.
    shipped = await interleave(
        first=lambda: lock_products([mug]),
        meanwhile=lambda: ship(deps, parcel.id),
        then=lambda: cancel(deps, ana.id, 1),
    )

    assert shipped.status is ShipmentStatus.SHIPPED
    assert await counters("MUG") == (1, 1, 0, 1)  # Ben's one unit stays, allocated to him
    await assert_counters_consistent()
    await ben.refresh_from_db()
    assert (ben.quantity_allocated, ben.status) == (1, BackorderStatus.PARTIALLY_ALLOCATED)

    # The next customer's parcel can ship once the rest of his units arrive.
    await receive(deps, "MUG", 1)
    [ben_parcel] = await Shipment.filter(order_id=second.id)
    await ship(deps, ben_parcel.id)
    assert await counters("MUG") == (0, 0, 0, 0)
    await assert_counters_consistent()


async def test_a_ship_that_waited_for_a_receipt_ships_the_parcel_the_receipt_completed(pg_db):
    deps = make_deps()
    mug = await product(deps, "MUG", on_hand=1)
    pan = await product(deps, "PAN")
    placed = await order(
        deps, "ana@example.com", ("MUG", 1), ("PAN", 2), preference=ShipPreference.SHIP_TOGETHER
    )
    [parcel] = await Shipment.filter(order_id=placed.id)
    assert parcel.status is ShipmentStatus.PENDING

    shipped = await interleave(
        first=lambda: lock_products([mug, pan]),
        meanwhile=lambda: ship(deps, parcel.id),
        then=lambda: receive(deps, "PAN", 2),
    )

    assert shipped.status is ShipmentStatus.SHIPPED
    assert await counters("MUG") == (0, 0, 0, 0)
    assert await counters("PAN") == (0, 0, 0, 0)
    assert [b.status for b in await backorders_of("PAN")] == [BackorderStatus.SHIPPED]
    assert (await Order.get(id=placed.id)).status is OrderStatus.SHIPPED
    await assert_counters_consistent()


async def test_a_cancellation_during_a_receipt_for_another_line_leaves_the_parcel_ready(pg_db):
    deps = make_deps()
    await product(deps, "MUG")
    await product(deps, "PAN")
    placed = await order(
        deps, "ana@example.com", ("MUG", 2), ("PAN", 1), preference=ShipPreference.SHIP_TOGETHER
    )
    [pan_backorder] = await backorders_of("PAN")

    # The mugs arrive while Ana cancels the pan: each change alone leaves the parcel waiting
    # for the other line; together they leave it complete.
    await interleave(
        first=lambda: receive(deps, "MUG", 2),
        meanwhile=lambda: cancel(deps, pan_backorder.id, None),
    )

    [parcel] = await Shipment.filter(order_id=placed.id)
    assert parcel.status is ShipmentStatus.READY
    assert await counters("MUG") == (2, 2, 0, 0)
    assert await counters("PAN") == (0, 0, 0, 0)
    await assert_counters_consistent()


async def test_a_receipt_during_a_cancellation_of_another_line_leaves_the_parcel_ready(pg_db):
    deps = make_deps()
    await product(deps, "MUG")
    await product(deps, "PAN")
    placed = await order(
        deps, "ana@example.com", ("MUG", 2), ("PAN", 1), preference=ShipPreference.SHIP_TOGETHER
    )
    [pan_backorder] = await backorders_of("PAN")

    # The same two changes the other way round: the cancellation holds its locks first.
    await interleave(
        first=lambda: cancel(deps, pan_backorder.id, None),
        meanwhile=lambda: receive(deps, "MUG", 2),
    )

    [parcel] = await Shipment.filter(order_id=placed.id)
    assert parcel.status is ShipmentStatus.READY
    await assert_counters_consistent()


async def test_a_cancellation_during_a_ship_of_the_same_order_leaves_the_order_shipped(pg_db):
    deps = make_deps()
    await product(deps, "MUG", on_hand=1)
    await product(deps, "PAN")
    placed = await order(deps, "ana@example.com", ("MUG", 1), ("PAN", 1))
    ready, pending = sorted(await Shipment.filter(order_id=placed.id), key=lambda s: s.id)
    assert (ready.status, pending.status) == (ShipmentStatus.READY, ShipmentStatus.PENDING)
    [pan_backorder] = await backorders_of("PAN")

    # The mug leaves while Ana cancels the pan: nothing of the order is left to ship.
    await interleave(
        first=lambda: ship(deps, ready.id),
        meanwhile=lambda: cancel(deps, pan_backorder.id, None),
    )

    await pending.refresh_from_db()
    assert pending.status is ShipmentStatus.CANCELLED
    assert (await Order.get(id=placed.id)).status is OrderStatus.SHIPPED
    await assert_counters_consistent()


async def test_two_receipts_for_the_lines_of_one_parcel_leave_it_ready_and_dated(pg_db):
    deps = make_deps()
    await product(deps, "MUG")
    await product(deps, "PAN")
    placed = await order(
        deps, "ana@example.com", ("MUG", 1), ("PAN", 1), preference=ShipPreference.SHIP_TOGETHER
    )

    # The mug and the pan arrive at once: each receipt alone leaves the parcel waiting for
    # the other line, and re-dates that other line too, so each must see what the other did.
    await interleave(
        first=lambda: receive(deps, "MUG", 1),
        meanwhile=lambda: receive(deps, "PAN", 1),
    )

    [parcel] = await Shipment.filter(order_id=placed.id)
    assert parcel.status is ShipmentStatus.READY
    lines = [*await backorders_of("MUG"), *await backorders_of("PAN")]
    assert [b.status for b in lines] == [BackorderStatus.ALLOCATED] * 2
    ready = deps.ship_date_in_stock()
    assert [(b.expected_date, b.eta_is_estimate) for b in lines] == [(ready, False)] * 2
    await assert_counters_consistent()


async def test_a_receipt_meets_a_cancellation_that_hands_units_to_a_parcel_elsewhere(pg_db):
    deps = make_deps()
    await product(deps, "MUG")
    await product(deps, "PAN")
    first = await order(deps, "ana@example.com", ("MUG", 1))
    placed = await order(
        deps, "ben@example.com", ("MUG", 1), ("PAN", 1), preference=ShipPreference.SHIP_TOGETHER
    )
    await receive(deps, "MUG", 1)  # Ana's mug, allocated to her
    ana_mug, _ = await backorders_of("MUG")
    assert ana_mug.order_id == first.id

    # Ana drops her mug, which goes to Ben, while Ben's pan arrives: his parcel is complete.
    await interleave(
        first=lambda: receive(deps, "PAN", 1),
        meanwhile=lambda: cancel(deps, ana_mug.id, None),
    )

    [parcel] = await Shipment.filter(order_id=placed.id)
    assert parcel.status is ShipmentStatus.READY
    ready = deps.ship_date_in_stock()
    for b in [*await Backorder.filter(order_id=placed.id)]:
        assert (b.status, b.expected_date, b.eta_is_estimate) == (
            BackorderStatus.ALLOCATED,
            ready,
            False,
        )
    await assert_counters_consistent()


async def test_a_receipt_that_waited_for_a_new_parcel_locks_its_other_product_too(pg_db):
    deps = make_deps()
    mug = await product(deps, "MUG")
    pan = await product(deps, "PAN")

    # The receipt reads the mug's parcels (none), then waits for the mug while Ana's order
    # for a mug and a pan, shipped together, is placed: it takes the pan's lock as well.
    await interleave(
        first=lambda: lock_products([mug, pan]),
        meanwhile=lambda: receive(deps, "MUG", 1),
        then=lambda: order(
            deps, "ana@example.com", ("MUG", 1), ("PAN", 1), preference=ShipPreference.SHIP_TOGETHER
        ),
    )

    [mug_line] = await backorders_of("MUG")
    [pan_line] = await backorders_of("PAN")
    assert mug_line.status is BackorderStatus.ALLOCATED
    assert pan_line.status is BackorderStatus.OPEN
    assert mug_line.expected_date == pan_line.expected_date  # the parcel's day
    await assert_counters_consistent()
