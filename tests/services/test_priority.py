"""Staff priority through the services: the queue, the fill and the dates follow it."""

from __future__ import annotations

import pytest
from tests.services.helpers import (
    STAFF,
    backorders_of,
    days,
    make_deps,
    order,
    product,
    purchase_order,
)

from bobot.errors import BobotError, ErrorCode
from bobot.models import BackorderStatus, Event
from bobot.services import backorders, stock
from bobot.services.eta import read_queues
from bobot.services.priority import set_backorder_priority


async def test_the_fill_serves_higher_priority_first_then_placement(db):
    deps = make_deps()
    product_id = await product(deps, "CUP")
    for i in range(4):
        await order(deps, f"c{i}@example.com", ("CUP", 2))
    first, second, third, fourth = await backorders_of("CUP")
    await set_backorder_priority(backorder_id=fourth.id, priority=9, actor=STAFF, deps=deps)
    await set_backorder_priority(backorder_id=third.id, priority=9, actor=STAFF, deps=deps)

    queue = (await read_queues([product_id]))[product_id]
    assert [row[0] for row in queue] == [third.id, fourth.id, first.id, second.id]

    receipt = await stock.receive_stock(
        sku="CUP", quantity=5, purchase_order_id=None, actor=STAFF, deps=deps
    )
    assert [(f.backorder_id, f.units) for f in receipt.fills] == [
        (third.id, 2), (fourth.id, 2), (first.id, 1),
    ]  # fmt: skip


async def test_raising_a_priority_re_dates_the_queue_in_the_same_change(db):
    deps = make_deps()
    await product(deps, "CUP", lead_days=30)
    await purchase_order(deps, "CUP", 2, in_days=3)
    await order(deps, "a@example.com", ("CUP", 2))
    await order(deps, "b@example.com", ("CUP", 2))
    first, second = await backorders_of("CUP")
    assert (first.eta_is_estimate, second.eta_is_estimate) == (False, True)

    raised = await set_backorder_priority(
        backorder_id=second.id, priority=1, actor=STAFF, deps=deps
    )

    await first.refresh_from_db()
    assert (raised.expected_date, raised.eta_is_estimate) == (days(4), False)  # PO + handling
    assert first.eta_is_estimate and first.expected_date >= days(4)


async def test_only_a_waiting_backorder_has_a_priority_to_set(db):
    deps = make_deps()
    await product(deps, "CUP")
    await order(deps, "a@example.com", ("CUP", 2))
    (backorder,) = await backorders_of("CUP")
    await backorders.cancel_backorder(
        backorder_id=backorder.id, quantity=None, reason="", actor=STAFF, deps=deps
    )
    events = await Event.all().count()

    with pytest.raises(BobotError) as caught:
        await set_backorder_priority(backorder_id=backorder.id, priority=3, actor=STAFF, deps=deps)

    assert caught.value.code is ErrorCode.INVALID_STATUS
    await backorder.refresh_from_db()
    assert backorder.status is BackorderStatus.CANCELLED and backorder.priority == 0
    assert await Event.all().count() == events


@pytest.mark.parametrize("priority", [-1, 101])
async def test_a_priority_out_of_bounds_is_refused_before_anything_is_read(db, priority):
    with pytest.raises(BobotError) as caught:
        await set_backorder_priority(
            backorder_id=1, priority=priority, actor=STAFF, deps=make_deps()
        )

    assert caught.value.code is ErrorCode.INVALID_INPUT and caught.value.field == ["priority"]


async def test_setting_the_same_priority_again_records_nothing(db):
    deps = make_deps()
    await product(deps, "CUP")
    await order(deps, "a@example.com", ("CUP", 2))
    (backorder,) = await backorders_of("CUP")
    await set_backorder_priority(backorder_id=backorder.id, priority=2, actor=STAFF, deps=deps)
    events = await Event.all().count()

    await set_backorder_priority(backorder_id=backorder.id, priority=2, actor=STAFF, deps=deps)

    assert await Event.all().count() == events
