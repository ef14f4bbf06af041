"""How backorders, orders and purchase orders move through their states."""

from __future__ import annotations

import pytest

from bobot.domain.lifecycle import (
    CancellationPlan,
    backorder_status,
    order_status,
    plan_cancellation,
    require_changeable,
    require_manual_transition,
    require_receivable,
    require_shippable,
    status_after_receipt,
)
from bobot.domain.statuses import (
    OPEN_PO,
    OPEN_PO_SQL,
    WAITING,
    WAITING_SQL,
    BackorderStatus,
    OrderStatus,
    PurchaseOrderStatus,
    ShipmentStatus,
    sql_in,
)
from bobot.errors import BobotError, ErrorCode

B, S, P = BackorderStatus, ShipmentStatus, PurchaseOrderStatus
OS = OrderStatus


def cancel(quantity: int, allocated: int, units: int | None, status: B | None = None):
    if status is None:
        status = backorder_status(quantity, allocated)
    return plan_cancellation(
        backorder_id=7, status=status, quantity=quantity, allocated=allocated, units=units
    )


# --------------------------------------------------------------------------- status sets


def test_the_sql_form_of_a_status_set_is_derived_from_the_set():
    assert sql_in(WAITING) == "('OPEN', 'PARTIALLY_ALLOCATED')"
    assert sql_in(WAITING) == WAITING_SQL
    assert OPEN_PO_SQL == "('ORDERED', 'PARTIALLY_RECEIVED')" == sql_in(OPEN_PO)


def test_an_empty_set_has_no_sql_form():
    with pytest.raises(ValueError):
        sql_in(())


def test_the_models_re_export_the_domain_enums_and_sets():
    from bobot import models
    from bobot.models.purchasing import OPEN_PO_STATUSES
    from bobot.services.eta import WAITING as waiting_from_services

    assert models.BackorderStatus is B and models.OrderStatus is OS
    assert models.ShipmentStatus is S and models.PurchaseOrderStatus is P
    assert OPEN_PO_STATUSES == OPEN_PO
    assert waiting_from_services == WAITING


# --------------------------------------------------------------------------- cancellation


def test_cancelling_part_of_a_partly_covered_backorder_drops_uncovered_units_first():
    assert cancel(5, 2, 3) == CancellationPlan(
        units=3, from_uncovered=3, released=0, quantity=2, allocated=2, status=B.ALLOCATED
    )


def test_cancelling_more_than_is_uncovered_releases_allocated_units():
    assert cancel(5, 2, 4) == CancellationPlan(
        units=4, from_uncovered=3, released=1, quantity=1, allocated=1, status=B.ALLOCATED
    )


def test_cancelling_part_of_an_allocated_backorder_releases_what_it_no_longer_needs():
    assert cancel(3, 3, 1) == CancellationPlan(
        units=1, from_uncovered=0, released=1, quantity=2, allocated=2, status=B.ALLOCATED
    )


def test_cancelling_all_of_a_backorder_releases_everything_allocated_to_it():
    assert cancel(4, 1, None) == CancellationPlan(
        units=4, from_uncovered=3, released=1, quantity=0, allocated=0, status=B.CANCELLED
    )


def test_cancelling_part_of_an_uncovered_backorder_leaves_it_open():
    plan = cancel(4, 0, 1)
    assert (plan.quantity, plan.released, plan.status) == (3, 0, B.OPEN)


def test_cancelling_part_of_a_partly_covered_backorder_can_leave_it_partly_covered():
    plan = cancel(6, 2, 1)
    assert (plan.quantity, plan.allocated, plan.status) == (5, 2, B.PARTIALLY_ALLOCATED)


@pytest.mark.parametrize("units", [0, -1, 6])
def test_cancelling_no_units_or_more_than_the_backorder_has_is_an_invalid_quantity(units):
    with pytest.raises(BobotError) as refused:
        cancel(5, 0, units)
    assert refused.value.code is ErrorCode.INVALID_QUANTITY
    assert refused.value.field == ["quantity"]


@pytest.mark.parametrize("status", [B.SHIPPED, B.CANCELLED])
def test_a_shipped_or_cancelled_backorder_cannot_be_cancelled(status):
    with pytest.raises(BobotError) as refused:
        cancel(2, 2, None, status=status)
    assert refused.value.code is ErrorCode.INVALID_STATUS


def test_the_units_cancelled_are_the_uncovered_plus_the_released_ones_in_every_case():
    for quantity in range(1, 6):
        for allocated in range(quantity + 1):
            for units in range(1, quantity + 1):
                plan = cancel(quantity, allocated, units)
                assert plan.from_uncovered + plan.released == units
                assert 0 <= plan.allocated <= plan.quantity == quantity - units
                assert plan.quantity - plan.allocated == (
                    quantity - allocated - plan.from_uncovered
                )


# --------------------------------------------------------------------------- orders


@pytest.mark.parametrize(
    ("shipments", "expected"),
    [
        ([S.READY, S.PENDING], OS.OPEN),
        ([S.SHIPPED, S.PENDING], OS.PARTIALLY_SHIPPED),
        ([S.SHIPPED, S.READY, S.CANCELLED], OS.PARTIALLY_SHIPPED),
        ([S.SHIPPED, S.CANCELLED], OS.SHIPPED),
        ([S.SHIPPED], OS.SHIPPED),
        ([S.CANCELLED, S.CANCELLED], OS.CANCELLED),
        ([], OS.CANCELLED),
    ],
)
def test_an_orders_status_follows_from_its_shipments(shipments, expected):
    assert order_status(shipments) is expected


@pytest.mark.parametrize("status", [S.PENDING, S.SHIPPED, S.CANCELLED])
def test_only_a_ready_shipment_can_be_shipped(status):
    require_shippable(1, S.READY)
    with pytest.raises(BobotError) as refused:
        require_shippable(1, status)
    assert refused.value.code is ErrorCode.INVALID_STATUS


# --------------------------------------------------------------------------- purchase orders


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (P.DRAFT, P.ORDERED),
        (P.DRAFT, P.CANCELLED),
        (P.ORDERED, P.CANCELLED),
        (P.PARTIALLY_RECEIVED, P.CANCELLED),
        (P.ORDERED, P.ORDERED),
    ],
)
def test_staff_may_order_a_draft_and_cancel_what_is_not_received(current, wanted):
    require_manual_transition("PO-1", current, wanted)


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (P.ORDERED, P.DRAFT),
        (P.ORDERED, P.RECEIVED),
        (P.ORDERED, P.PARTIALLY_RECEIVED),
        (P.DRAFT, P.RECEIVED),
        (P.PARTIALLY_RECEIVED, P.ORDERED),
    ],
)
def test_receipts_not_staff_move_a_purchase_order_to_received(current, wanted):
    with pytest.raises(BobotError) as refused:
        require_manual_transition("PO-1", current, wanted)
    assert refused.value.code is ErrorCode.INVALID_STATUS
    assert refused.value.field == ["status"]


@pytest.mark.parametrize("status", [P.RECEIVED, P.CANCELLED])
def test_a_received_or_cancelled_purchase_order_can_no_longer_change(status):
    with pytest.raises(BobotError):
        require_changeable("PO-1", status)
    require_changeable("PO-1", P.DRAFT)


@pytest.mark.parametrize("status", [P.DRAFT, P.RECEIVED, P.CANCELLED])
def test_only_an_ordered_purchase_order_can_be_received(status):
    require_receivable("PO-1", P.ORDERED, field="id")
    require_receivable("PO-1", P.PARTIALLY_RECEIVED, field="id")
    with pytest.raises(BobotError) as refused:
        require_receivable("PO-1", status, field="purchaseOrderId")
    assert refused.value.field == ["purchaseOrderId"]


def test_a_receipt_completes_the_purchase_order_only_when_every_line_is_received():
    assert status_after_receipt([(5, 5), (3, 3)]) is P.RECEIVED
    assert status_after_receipt([(5, 6)]) is P.RECEIVED  # more than ordered still completes
    assert status_after_receipt([(5, 5), (3, 1)]) is P.PARTIALLY_RECEIVED
    assert status_after_receipt([(5, 0)]) is P.PARTIALLY_RECEIVED
