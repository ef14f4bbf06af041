"""Order lines split into what ships now and what is backordered, all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bobot.domain.availability import BackorderTerms, Policy
from bobot.domain.ordering import (
    MAX_LINES,
    MAX_QUANTITY,
    LineRequest,
    LineSplit,
    PlannedShipment,
    ShipPreference,
    StockView,
    plan_shipments,
    split_lines,
    validate_lines,
)
from bobot.errors import BobotError, ErrorCode, InvalidInput

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)

ALLOW = BackorderTerms(Policy.ALLOW, limit=None, ends_at=None)
DENY = BackorderTerms(Policy.DENY, limit=None, ends_at=None)


def stock_of(available: int, backordered: int = 0, terms: BackorderTerms = ALLOW) -> StockView:
    return StockView(available=available, backordered=backordered, terms=terms)


def split(lines: list[tuple[str, int]], stock: dict[str, StockView]) -> list[LineSplit]:
    return split_lines([LineRequest(sku, qty) for sku, qty in lines], stock, NOW)


def refusal(lines: list[tuple[str, int]], stock: dict[str, StockView]) -> BobotError:
    with pytest.raises(BobotError) as caught:
        split(lines, stock)
    return caught.value


# validate_lines


def test_order_without_lines_is_invalid():
    with pytest.raises(InvalidInput) as caught:
        validate_lines([])

    assert caught.value.code is ErrorCode.INVALID
    assert caught.value.field == ["lines"]


def test_order_may_have_up_to_the_maximum_number_of_lines():
    validate_lines([LineRequest(f"SKU-{i}", 1) for i in range(MAX_LINES)])


def test_order_with_too_many_lines_is_invalid():
    with pytest.raises(InvalidInput) as caught:
        validate_lines([LineRequest(f"SKU-{i}", 1) for i in range(MAX_LINES + 1)])

    assert caught.value.field == ["lines"]


@pytest.mark.parametrize("quantity", [0, -1, MAX_QUANTITY + 1])
def test_quantity_outside_the_allowed_range_is_refused_with_invalid_quantity(quantity):
    lines = [LineRequest("A", 1), LineRequest("B", quantity)]

    with pytest.raises(BobotError) as caught:
        validate_lines(lines)

    assert caught.value.code is ErrorCode.INVALID_QUANTITY
    assert caught.value.field == ["lines", "1", "quantity"]
    assert "B" in caught.value.message


@pytest.mark.parametrize("quantity", [1, MAX_QUANTITY])
def test_quantity_at_the_bounds_is_accepted(quantity):
    validate_lines([LineRequest("A", quantity)])


def test_invalid_quantity_is_reported_before_an_unknown_sku():
    error = refusal([("NOPE", 1), ("A", 0)], {"A": stock_of(5)})

    assert error.code is ErrorCode.INVALID_QUANTITY


# split_lines


def test_line_within_available_stock_ships_entirely_from_stock():
    assert split([("A", 3)], {"A": stock_of(5)}) == [LineSplit(0, "A", 3, 3, 0)]


def test_mixed_line_splits_into_from_stock_and_backordered():
    assert split([("A", 5)], {"A": stock_of(2)}) == [
        LineSplit(0, "A", 5, from_stock=2, backordered=3)
    ]


def test_line_with_nothing_available_is_entirely_backordered():
    assert split([("A", 4)], {"A": stock_of(0)}) == [LineSplit(0, "A", 4, 0, 4)]


def test_unlimited_backorders_accept_any_shortfall():
    result = split([("A", MAX_QUANTITY)], {"A": stock_of(0, backordered=1_000_000)})

    assert result[0].backordered == MAX_QUANTITY


def test_each_line_is_split_on_its_own_product():
    stock = {"A": stock_of(5), "B": stock_of(1)}

    assert split([("A", 2), ("B", 3)], stock) == [
        LineSplit(0, "A", 2, 2, 0),
        LineSplit(1, "B", 3, 1, 2),
    ]


def test_two_lines_of_the_same_sku_share_its_stock_in_order():
    result = split([("A", 3), ("A", 3)], {"A": stock_of(4)})

    assert result == [LineSplit(0, "A", 3, 3, 0), LineSplit(1, "A", 3, 1, 2)]


def test_two_lines_of_the_same_sku_share_its_backorder_limit():
    stock = {"A": stock_of(0, backordered=10, terms=BackorderTerms(Policy.ALLOW, 15, None))}

    assert split([("A", 2), ("A", 3)], stock)[1].backordered == 3
    error = refusal([("A", 2), ("A", 4)], stock)
    assert error.code is ErrorCode.BACKORDER_LIMIT_REACHED
    assert error.field == ["lines", "1", "quantity"]


def test_split_does_not_change_the_stock_it_was_given():
    stock = {"A": stock_of(4, backordered=1)}

    split([("A", 6)], stock)

    assert stock == {"A": stock_of(4, backordered=1)}


def test_denied_product_sells_what_is_available():
    assert split([("A", 2)], {"A": stock_of(2, terms=DENY)}) == [LineSplit(0, "A", 2, 2, 0)]


def test_shortfall_on_a_product_that_denies_backorders_refuses_the_order():
    stock = {"A": stock_of(5), "B": stock_of(1, terms=DENY)}

    error = refusal([("A", 1), ("B", 2)], stock)

    assert error.code is ErrorCode.BACKORDERS_DENIED
    assert error.field == ["lines", "1", "quantity"]
    assert "B" in error.message


def test_backorder_limit_refuses_more_than_the_room_left():
    stock = {"A": stock_of(0, backordered=14, terms=BackorderTerms(Policy.ALLOW, 15, None))}

    error = refusal([("A", 2)], stock)

    assert error.code is ErrorCode.BACKORDER_LIMIT_REACHED
    assert error.field == ["lines", "0", "quantity"]


def test_backorder_limit_accepts_an_order_that_uses_the_last_room():
    stock = {"A": stock_of(0, backordered=14, terms=BackorderTerms(Policy.ALLOW, 15, None))}

    assert split([("A", 1)], stock) == [LineSplit(0, "A", 1, 0, 1)]


def test_backorder_limit_counts_only_the_shortfall_not_units_from_stock():
    stock = {"A": stock_of(3, backordered=14, terms=BackorderTerms(Policy.ALLOW, 15, None))}

    assert split([("A", 4)], stock) == [LineSplit(0, "A", 4, 3, 1)]


def test_limit_zero_refuses_any_backorder():
    stock = {"A": stock_of(1, terms=BackorderTerms(Policy.ALLOW, 0, None))}

    assert split([("A", 1)], stock) == [LineSplit(0, "A", 1, 1, 0)]
    assert refusal([("A", 2)], stock).code is ErrorCode.BACKORDER_LIMIT_REACHED


def test_ended_backorders_refuse_a_shortfall():
    ended = BackorderTerms(Policy.ALLOW, None, NOW - timedelta(days=1))

    error = refusal([("A", 1)], {"A": stock_of(0, terms=ended)})

    assert error.code is ErrorCode.BACKORDERS_ENDED
    assert error.field == ["lines", "0", "quantity"]


def test_backorders_ending_later_still_accept_a_shortfall():
    later = BackorderTerms(Policy.ALLOW, None, NOW + timedelta(days=1))

    assert split([("A", 1)], {"A": stock_of(0, terms=later)}) == [LineSplit(0, "A", 1, 0, 1)]


def test_unknown_sku_refuses_the_order_and_points_at_the_line():
    error = refusal([("A", 1), ("GHOST", 1)], {"A": stock_of(5)})

    assert error.code is ErrorCode.UNKNOWN_SKU
    assert error.field == ["lines", "1", "sku"]
    assert "GHOST" in error.message


def test_first_unsatisfiable_line_is_the_one_reported():
    stock = {"A": stock_of(0, terms=DENY), "B": stock_of(0, terms=DENY)}

    assert refusal([("A", 1), ("B", 1)], stock).field == ["lines", "0", "quantity"]


# plan_shipments


MIXED = [LineSplit(0, "A", 2, 2, 0), LineSplit(1, "B", 5, 1, 4), LineSplit(2, "C", 3, 0, 3)]
IN_STOCK = [LineSplit(0, "A", 2, 2, 0), LineSplit(1, "B", 1, 1, 0)]
ALL_BACKORDERED = [LineSplit(0, "A", 2, 0, 2)]


def test_ship_available_now_sends_stock_now_and_backordered_units_later():
    planned = plan_shipments(MIXED, ShipPreference.SHIP_AVAILABLE_NOW)

    assert planned == [
        PlannedShipment(((0, 2, False), (1, 1, False)), waits=False),
        PlannedShipment(((1, 4, True), (2, 3, True)), waits=True),
    ]


def test_ship_together_sends_one_shipment_that_waits_for_backordered_units():
    planned = plan_shipments(MIXED, ShipPreference.SHIP_TOGETHER)

    assert planned == [
        PlannedShipment(
            ((0, 2, False), (1, 1, False), (1, 4, True), (2, 3, True)),
            waits=True,
        )
    ]


@pytest.mark.parametrize("preference", list(ShipPreference))
def test_all_in_stock_order_is_one_shipment_that_does_not_wait(preference):
    planned = plan_shipments(IN_STOCK, preference)

    assert planned == [PlannedShipment(((0, 2, False), (1, 1, False)), waits=False)]


@pytest.mark.parametrize("preference", list(ShipPreference))
def test_all_backordered_order_is_one_shipment_that_waits(preference):
    planned = plan_shipments(ALL_BACKORDERED, preference)

    assert planned == [PlannedShipment(((0, 2, True),), waits=True)]


@pytest.mark.parametrize("preference", list(ShipPreference))
def test_planned_shipments_carry_every_ordered_unit_exactly_once(preference):
    planned = plan_shipments(MIXED, preference)

    carried: dict[int, int] = {}
    for shipment in planned:
        for index, units, _ in shipment.parts:
            carried[index] = carried.get(index, 0) + units
    assert carried == {s.index: s.quantity for s in MIXED}


def test_split_then_plan_for_a_mixed_order():
    splits = split([("A", 2), ("B", 3)], {"A": stock_of(5), "B": stock_of(0)})

    planned = plan_shipments(splits, ShipPreference.SHIP_AVAILABLE_NOW)

    assert [s.waits for s in planned] == [False, True]
    assert planned[1].parts == ((1, 3, True),)
