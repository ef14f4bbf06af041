"""Stock flows through the services: fills, cancellations, purchase orders, shipping."""

from __future__ import annotations

import asyncio
import random

import pytest
from tests.services.helpers import (
    STAFF,
    assert_counters_consistent,
    backorders_of,
    clock_of,
    days,
    make_deps,
    order,
    product,
    purchase_order,
)
from tortoise.transactions import in_transaction

from bobot.domain.availability import Policy
from bobot.domain.ordering import LineRequest, ShipPreference
from bobot.errors import BobotError, ErrorCode
from bobot.models import (
    BackorderStatus,
    Cancellation,
    Event,
    Order,
    OrderStatus,
    Product,
    PurchaseOrder,
    PurchaseOrderStatus,
    Shipment,
    ShipmentStatus,
    Supplier,
)
from bobot.services import backorders, orders, purchasing, stock
from bobot.services.locks import lock_products
from bobot.worker import refresh_etas


async def test_ship_together_order_waits_for_backordered_units_then_becomes_ready(db):
    deps = make_deps()
    await product(deps, "MUG", on_hand=2)
    placed = await order(deps, "a@example.com", ("MUG", 3), preference=ShipPreference.SHIP_TOGETHER)
    [shipment] = await Shipment.filter(order_id=placed.id)
    assert shipment.status is ShipmentStatus.PENDING

    await stock.receive_stock(sku="MUG", quantity=1, purchase_order_id=None, actor=STAFF, deps=deps)

    await shipment.refresh_from_db()
    assert shipment.status is ShipmentStatus.READY
    await stock.mark_shipment_shipped(shipment_id=shipment.id, actor=STAFF, deps=deps)
    mug = await Product.get(sku="MUG")
    assert (mug.on_hand, mug.allocated, mug.available) == (0, 0, 0)
    assert (await Order.get(id=placed.id)).status is OrderStatus.SHIPPED
    await assert_counters_consistent()


async def test_a_shipment_is_ready_only_once_every_backordered_line_is_covered(db):
    deps = make_deps()
    for sku in ("MUG", "PAN"):
        await product(deps, sku)
    together = ShipPreference.SHIP_TOGETHER
    both = await order(deps, "a@example.com", ("MUG", 2), ("PAN", 1), preference=together)
    mug_only = await order(deps, "b@example.com", ("MUG", 1), preference=together)
    [both_shipment] = await Shipment.filter(order_id=both.id)
    [mug_shipment] = await Shipment.filter(order_id=mug_only.id)

    async def statuses() -> tuple[ShipmentStatus, ShipmentStatus]:
        await both_shipment.refresh_from_db()
        await mug_shipment.refresh_from_db()
        return both_shipment.status, mug_shipment.status

    await stock.receive_stock(sku="MUG", quantity=2, purchase_order_id=None, actor=STAFF, deps=deps)
    # The first order's mugs are covered, its pan is not; the second order is still waiting.
    assert await statuses() == (ShipmentStatus.PENDING, ShipmentStatus.PENDING)

    await stock.receive_stock(sku="MUG", quantity=1, purchase_order_id=None, actor=STAFF, deps=deps)
    assert await statuses() == (ShipmentStatus.PENDING, ShipmentStatus.READY)

    await stock.receive_stock(sku="PAN", quantity=1, purchase_order_id=None, actor=STAFF, deps=deps)
    assert await statuses() == (ShipmentStatus.READY, ShipmentStatus.READY)
    await assert_counters_consistent()


async def test_partial_cancel_of_a_partly_filled_backorder_drops_uncovered_units_first(db):
    deps = make_deps()
    await product(deps, "MUG")
    placed = await order(deps, "a@example.com", ("MUG", 5))
    await stock.receive_stock(sku="MUG", quantity=2, purchase_order_id=None, actor=STAFF, deps=deps)
    [backorder] = await backorders_of("MUG")
    assert (backorder.quantity_allocated, backorder.status) == (
        2,
        BackorderStatus.PARTIALLY_ALLOCATED,
    )

    backorder, cancellation = await backorders.cancel_backorder(
        backorder_id=backorder.id, quantity=3, reason="only need two", actor=STAFF, deps=deps
    )

    assert (backorder.quantity, backorder.quantity_allocated) == (2, 2)
    assert backorder.status is BackorderStatus.ALLOCATED
    assert cancellation.quantity_released == 0
    [shipment] = await Shipment.filter(order_id=placed.id)
    assert shipment.status is ShipmentStatus.READY
    await assert_counters_consistent()


async def test_cancelling_the_only_backorder_of_an_order_cancels_its_shipment_and_order(db):
    deps = make_deps()
    await product(deps, "MUG")
    placed = await order(deps, "a@example.com", ("MUG", 2))
    [backorder] = await backorders_of("MUG")

    await backorders.cancel_backorder(
        backorder_id=backorder.id, quantity=None, reason="", actor=STAFF, deps=deps
    )

    assert [s.status for s in await Shipment.filter(order_id=placed.id)] == [
        ShipmentStatus.CANCELLED
    ]
    assert (await Order.get(id=placed.id)).status is OrderStatus.CANCELLED
    with pytest.raises(BobotError) as refused:
        await backorders.cancel_backorder(
            backorder_id=backorder.id, quantity=None, reason="", actor=STAFF, deps=deps
        )
    assert refused.value.code is ErrorCode.INVALID_STATUS
    assert await Cancellation.all().count() == 1
    await assert_counters_consistent()


async def test_cancelled_purchase_order_stops_counting_and_dates_become_estimates(db):
    deps = make_deps()
    await product(deps, "MUG", lead_days=20)
    po_id = await purchase_order(deps, "MUG", 10, in_days=5)
    await order(deps, "a@example.com", ("MUG", 3))
    [backorder] = await backorders_of("MUG")
    assert (backorder.expected_date, backorder.eta_is_estimate) == (days(6), False)

    await purchasing.update_purchase_order(
        purchase_order_id=po_id, status=PurchaseOrderStatus.CANCELLED, actor=STAFF, deps=deps
    )

    await backorder.refresh_from_db()
    assert (backorder.expected_date, backorder.eta_is_estimate) == (days(21), True)
    assert backorder.is_delayed
    assert (await Product.get(sku="MUG")).incoming == 0
    assert await Event.filter(kind="BACKORDER_DELAYED", subject_id=backorder.id).count() == 1
    await assert_counters_consistent()


async def test_receiving_against_a_draft_purchase_order_is_refused_and_changes_nothing(db):
    deps = make_deps()
    await product(deps, "MUG")
    po = await purchasing.create_purchase_order(
        supplier_id=(await Supplier.get(name="Acme")).id,
        expected_date=days(3),
        lines=[purchasing.PoLineInput("MUG", 4)],
        status=PurchaseOrderStatus.DRAFT,
        actor=STAFF,
        deps=deps,
    )
    assert (await Product.get(sku="MUG")).incoming == 0
    events = await Event.all().count()

    with pytest.raises(BobotError) as refused:
        await stock.receive_stock(
            sku="MUG", quantity=4, purchase_order_id=po.id, actor=STAFF, deps=deps
        )

    assert refused.value.code is ErrorCode.INVALID_STATUS
    assert (await Product.get(sku="MUG")).on_hand == 0
    assert await Event.all().count() == events


async def test_a_purchase_order_cannot_shrink_below_what_was_received(db):
    deps = make_deps()
    await product(deps, "MUG")
    po_id = await purchase_order(deps, "MUG", 10, in_days=5)
    await stock.receive_stock(
        sku="MUG", quantity=6, purchase_order_id=po_id, actor=STAFF, deps=deps
    )
    assert (await PurchaseOrder.get(id=po_id)).status is PurchaseOrderStatus.PARTIALLY_RECEIVED

    with pytest.raises(BobotError) as refused:
        await purchasing.update_purchase_order(
            purchase_order_id=po_id,
            lines=[purchasing.PoLineInput("MUG", 5)],
            actor=STAFF,
            deps=deps,
        )
    assert refused.value.code is ErrorCode.INVALID_QUANTITY

    await purchasing.update_purchase_order(
        purchase_order_id=po_id, lines=[purchasing.PoLineInput("MUG", 8)], actor=STAFF, deps=deps
    )
    assert (await Product.get(sku="MUG")).incoming == 2
    await assert_counters_consistent()


async def test_over_receipt_beyond_a_purchase_order_becomes_available_stock(db):
    deps = make_deps()
    await product(deps, "MUG")
    po_id = await purchase_order(deps, "MUG", 4, in_days=5)
    await order(deps, "a@example.com", ("MUG", 3))

    await stock.receive_stock(
        sku="MUG", quantity=6, purchase_order_id=po_id, actor=STAFF, deps=deps
    )

    mug = await Product.get(sku="MUG")
    assert (mug.on_hand, mug.allocated, mug.available, mug.incoming) == (6, 3, 3, 0)
    assert (await PurchaseOrder.get(id=po_id)).status is PurchaseOrderStatus.RECEIVED
    await assert_counters_consistent()


async def test_only_a_ready_shipment_can_be_shipped(db):
    deps = make_deps()
    await product(deps, "MUG", on_hand=1)
    placed = await order(deps, "a@example.com", ("MUG", 3))
    ready, pending = await Shipment.filter(order_id=placed.id).order_by("id")

    with pytest.raises(BobotError) as refused:
        await stock.mark_shipment_shipped(shipment_id=pending.id, actor=STAFF, deps=deps)
    assert refused.value.code is ErrorCode.INVALID_STATUS

    await stock.mark_shipment_shipped(shipment_id=ready.id, actor=STAFF, deps=deps)
    assert (await Order.get(id=placed.id)).status is OrderStatus.PARTIALLY_SHIPPED
    with pytest.raises(BobotError):
        await stock.mark_shipment_shipped(shipment_id=ready.id, actor=STAFF, deps=deps)
    await assert_counters_consistent()


async def test_the_worker_moves_dates_when_a_purchase_order_goes_late(db):
    deps = make_deps()
    await product(deps, "MUG")
    await purchase_order(deps, "MUG", 10, in_days=3)
    await order(deps, "a@example.com", ("MUG", 2))
    [backorder] = await backorders_of("MUG")
    assert (backorder.expected_date, backorder.promised_date) == (days(4), days(6))

    clock_of(deps).advance(days=4)  # the PO was due yesterday and has not arrived
    assert await refresh_etas(deps) == 1

    await backorder.refresh_from_db()
    # One day late: given one more day (day 5), shipped after a handling day.
    assert (backorder.expected_date, backorder.eta_is_estimate) == (days(6), True)
    assert not backorder.is_delayed
    clock_of(deps).advance(days=2)  # three days late now: expected in three more days
    await refresh_etas(deps)
    await backorder.refresh_from_db()
    assert (backorder.expected_date, backorder.is_delayed) == (days(10), True)
    assert await Event.filter(kind="BACKORDER_DELAYED", subject_id=backorder.id).count() == 1


async def test_the_worker_waits_for_a_restock_in_progress_before_redating(pg_db):
    deps = make_deps()
    product_id = await product(deps, "MUG")
    await purchase_order(deps, "MUG", 10, in_days=3)
    await order(deps, "a@example.com", ("MUG", 2))
    locked, release = asyncio.Event(), asyncio.Event()

    async def restock_in_progress() -> None:
        async with in_transaction():
            await lock_products([product_id])
            locked.set()
            await release.wait()

    holder = asyncio.create_task(restock_in_progress())
    await locked.wait()
    clock_of(deps).advance(days=4)  # the PO is late: the worker has a date to move
    redating = asyncio.create_task(refresh_etas(deps))
    await asyncio.sleep(0.5)
    assert not redating.done()  # waiting for the product lock
    release.set()
    await holder
    assert await redating == 1


async def test_counters_stay_consistent_through_a_busy_random_day(db):
    deps = make_deps()
    rng = random.Random(7)
    skus = ["MUG", "PAN", "CUP"]
    for sku in skus:
        await product(deps, sku, on_hand=rng.randint(0, 5), limit=40)
        await purchase_order(deps, sku, rng.randint(5, 15), in_days=rng.randint(2, 9))
    for step in range(60):
        action = rng.random()
        sku = rng.choice(skus)
        try:
            if action < 0.5:
                await order(deps, f"c{step}@example.com", (sku, rng.randint(1, 4)))
            elif action < 0.7:
                await stock.receive_stock(
                    sku=sku,
                    quantity=rng.randint(1, 6),
                    purchase_order_id=None,
                    actor=STAFF,
                    deps=deps,
                )
            elif action < 0.85:
                waiting = [b for b in await backorders_of(sku) if b.quantity]
                live = [
                    b
                    for b in waiting
                    if b.status not in (BackorderStatus.SHIPPED, BackorderStatus.CANCELLED)
                ]
                if live:
                    target = rng.choice(live)
                    await backorders.cancel_backorder(
                        backorder_id=target.id,
                        quantity=rng.randint(1, target.quantity),
                        reason="random",
                        actor=STAFF,
                        deps=deps,
                    )
            else:
                ready = await Shipment.filter(status=ShipmentStatus.READY).first()
                if ready:
                    await stock.mark_shipment_shipped(shipment_id=ready.id, actor=STAFF, deps=deps)
        except BobotError as exc:
            assert exc.code is ErrorCode.BACKORDER_LIMIT_REACHED
        await assert_counters_consistent()
    assert await Order.all().count() > 10


async def test_policy_deny_refuses_backorders_but_sells_what_is_in_stock(db):
    deps = make_deps()
    await product(deps, "MUG", on_hand=2, policy=Policy.DENY)
    await order(deps, "a@example.com", ("MUG", 2))
    with pytest.raises(BobotError) as refused:
        await order(deps, "b@example.com", ("MUG", 1))
    assert refused.value.code is ErrorCode.BACKORDERS_DENIED
    assert await Order.all().count() == 1


async def test_an_idempotency_key_reused_with_another_ship_preference_is_a_conflict(db):
    deps = make_deps()
    await product(deps, "MUG", on_hand=5)
    line = [LineRequest("MUG", 1)]
    first = await orders.place_order(
        customer=orders.Customer("a@example.com"),
        lines=line,
        ship_preference=ShipPreference.SHIP_AVAILABLE_NOW,
        idempotency_key="k",
        actor=STAFF,
        deps=deps,
    )
    again = await orders.place_order(
        customer=orders.Customer("A@example.com "),
        lines=line,
        ship_preference=ShipPreference.SHIP_AVAILABLE_NOW,
        idempotency_key="k",
        actor=STAFF,
        deps=deps,
    )
    assert again.id == first.id
    with pytest.raises(BobotError) as refused:
        await orders.place_order(
            customer=orders.Customer("a@example.com"),
            lines=line,
            ship_preference=ShipPreference.SHIP_TOGETHER,
            idempotency_key="k",
            actor=STAFF,
            deps=deps,
        )
    assert refused.value.code is ErrorCode.IDEMPOTENCY_CONFLICT
    assert await Order.all().count() == 1


@pytest.mark.postgres
async def test_receiving_and_changing_one_purchase_order_at_once_take_locks_in_one_order(db):
    deps = make_deps()
    for sku in ("MUG", "PAN"):
        await product(deps, sku)
        await order(deps, f"{sku}@example.com", (sku, 3))
    supplier = await Supplier.get(name="Acme")
    for _ in range(5):
        po = await purchasing.create_purchase_order(
            supplier_id=supplier.id, expected_date=days(5),
            lines=[purchasing.PoLineInput("MUG", 2), purchasing.PoLineInput("PAN", 2)],
            actor=STAFF, deps=deps,
        )  # fmt: skip
        received, changed = await asyncio.gather(
            stock.receive_purchase_order(purchase_order_id=po.id, actor=STAFF, deps=deps),
            purchasing.update_purchase_order(
                purchase_order_id=po.id, expected_date=days(9), actor=STAFF, deps=deps
            ),
            return_exceptions=True,
        )
        assert not isinstance(received, Exception), received
        # Whichever came second saw the first's result: a received order cannot change.
        assert not isinstance(changed, Exception) or isinstance(changed, BobotError), changed
    await assert_counters_consistent()


async def test_a_fill_records_one_allocation_event_per_backorder_in_fifo_order(db):
    deps = make_deps()
    await product(deps, "MUG")
    placed = [await order(deps, f"{n}@example.com", ("MUG", 2)) for n in range(4)]
    queue = await backorders_of("MUG")
    assert not await Event.filter(kind="BACKORDER_ALLOCATED").exists()

    await stock.receive_stock(sku="MUG", quantity=5, purchase_order_id=None, actor=STAFF, deps=deps)

    events = await Event.filter(kind="BACKORDER_ALLOCATED").order_by("id")
    assert [(e.subject_type, e.subject_id, e.product_id) for e in events] == [
        ("backorder", b.id, b.product_id) for b in queue[:3]
    ]
    assert [{k: e.data[k] for k in ("order_id", "units", "complete")} for e in events] == [
        {"order_id": placed[0].id, "units": 2, "complete": True},
        {"order_id": placed[1].id, "units": 2, "complete": True},
        {"order_id": placed[2].id, "units": 1, "complete": False},
    ]
    # A complete fill also says how its date moved: it now ships after handling.
    assert [(e.data["previous"], e.data["expected"]) for e in events[:2]] == [
        (queue[0].expected_date.isoformat(), days(1).isoformat()),
        (queue[1].expected_date.isoformat(), days(1).isoformat()),
    ]
    assert [(e.actor_kind, e.actor_id, e.channel) for e in events] == [
        (STAFF.kind, STAFF.id, STAFF.channel)
    ] * 3
    assert len({e.at for e in events}) == 1
