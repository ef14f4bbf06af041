"""The whole order decided by one pure function: splits, backorders with their dates,
shipments with theirs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bobot.domain.availability import BackorderTerms, Policy
from bobot.domain.calendar import ShopCalendar
from bobot.domain.eta import Eta, EtaRules, Supply
from bobot.domain.order_plan import (
    ProductFacts,
    ShipmentPlan,
    parcel_eta,
    plan_order,
    shipment_ship_date,
    skus_to_date,
)
from bobot.domain.ordering import LineRequest, ShipPreference, StockView
from bobot.errors import BobotError, ErrorCode

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
ALLOW = BackorderTerms(Policy.ALLOW, limit=None, ends_at=None)
DENY = BackorderTerms(Policy.DENY, limit=None, ends_at=None)
RULES = EtaRules(today=TODAY, handling_days=1, fallback_lead_days=30)


def day(n: int) -> date:
    return TODAY + timedelta(days=n)


def facts(
    available: int = 0,
    *,
    backordered: int = 0,
    supply: tuple[tuple[int, int], ...] = (),
    terms: BackorderTerms = ALLOW,
) -> ProductFacts:
    return ProductFacts(
        StockView(available, backordered, terms),
        [Supply(day(in_days), units) for in_days, units in supply],
        RULES,
    )


def plan(lines, products, preference=ShipPreference.SHIP_AVAILABLE_NOW):
    return plan_order(
        [LineRequest(sku, units) for sku, units in lines],
        products,
        preference,
        now=NOW,
        today=TODAY,
        handling_days=1,
        margin_days=2,
    )


# Which supply to read


def test_only_skus_asked_beyond_their_stock_need_their_supply_read():
    lines = [LineRequest("A", 2), LineRequest("B", 1), LineRequest("B", 2)]

    assert skus_to_date(lines, {"A": 5, "B": 2}) == {"B"}


# Backorders and their dates


def test_a_backordered_part_takes_the_date_of_the_purchase_order_covering_its_place():
    planned = plan([("A", 3)], {"A": facts(1, backordered=4, supply=((3, 4), (9, 10)))})

    [backorder] = planned.backorders.values()
    assert (backorder.line_index, backorder.sku, backorder.quantity) == (0, "A", 2)
    assert backorder.expected == Eta(day(10), False)
    assert backorder.promised == day(12)


def test_two_lines_of_one_sku_queue_one_behind_the_other():
    planned = plan([("A", 2), ("A", 2)], {"A": facts(0, supply=((3, 2), (9, 2)))})

    assert [b.expected.ship_date for b in planned.backorders.values()] == [day(4), day(10)]


def test_a_refused_line_refuses_the_whole_plan():
    with pytest.raises(BobotError) as caught:
        plan([("A", 1), ("B", 2)], {"A": facts(0), "B": facts(1, terms=DENY)})

    assert caught.value.code is ErrorCode.BACKORDERS_DENIED


def test_an_in_stock_order_needs_no_supply_and_has_no_backorders():
    planned = plan([("A", 2)], {"A": ProductFacts(StockView(5, 0, ALLOW))})

    assert planned.backorders == {}
    assert planned.shipments == (ShipmentPlan(((0, 2, False),), waits=False, ship_date=day(1)),)


# Ship together: one parcel, one date


def test_ship_together_promises_every_line_the_date_the_parcel_can_leave():
    products = {"X": facts(0, supply=((3, 5),)), "Y": facts(0, supply=((20, 5),))}

    together = plan([("X", 1), ("Y", 1)], products, ShipPreference.SHIP_TOGETHER)
    apart = plan([("X", 1), ("Y", 1)], products)

    assert [b.expected for b in apart.backorders.values()] == [
        Eta(day(4), False),
        Eta(day(21), False),
    ]
    assert [b.expected for b in together.backorders.values()] == [Eta(day(21), False)] * 2
    assert [b.promised for b in together.backorders.values()] == [day(23)] * 2
    assert [s.ship_date for s in together.shipments] == [day(21)]


def test_a_ship_together_parcel_is_an_estimate_when_any_of_its_lines_is():
    products = {"X": facts(0), "Y": facts(0, supply=((40, 5),))}

    together = plan([("X", 1), ("Y", 1)], products, ShipPreference.SHIP_TOGETHER)

    # X has no purchase order (an estimate 30 days out); Y's firm date is later.
    assert [b.expected for b in together.backorders.values()] == [Eta(day(41), True)] * 2


def test_shipments_apart_leave_on_their_own_dates():
    products = {"A": facts(2), "X": facts(0, supply=((3, 5),)), "Y": facts(0, supply=((20, 5),))}

    planned = plan([("A", 2), ("X", 1), ("Y", 1)], products)

    assert [(s.waits, s.ship_date) for s in planned.shipments] == [
        (False, day(1)),
        (True, day(21)),
    ]


def test_the_parcel_leaves_after_handling_even_with_nothing_to_wait_for():
    assert parcel_eta([], day(1)) == Eta(day(1), False)
    assert parcel_eta([Eta(day(5), False), Eta(day(3), True)], day(1)) == Eta(day(5), True)


# A shipment's own date


def test_a_shipment_leaves_after_handling_once_ready_and_with_its_latest_line_while_pending():
    assert shipment_ship_date(False, (), day(1)) == day(1)
    assert shipment_ship_date(True, [day(4), day(21)], day(1)) == day(21)
    assert shipment_ship_date(None, [day(4)], day(1)) is None


def test_handling_and_the_promise_margin_count_only_the_shops_ship_days():
    friday, weekdays = date(2026, 12, 4), ShopCalendar()  # Monday to Friday
    rules = EtaRules(today=friday, handling_days=1, fallback_lead_days=30, calendar=weekdays)
    products = {
        "A": facts(1),
        "X": ProductFacts(StockView(0, 0, ALLOW), [Supply(friday, 5)], rules),  # due today
    }

    planned = plan_order(
        [LineRequest("A", 1), LineRequest("X", 1)],
        products,
        ShipPreference.SHIP_AVAILABLE_NOW,
        now=NOW,
        today=friday,
        handling_days=1,
        margin_days=2,
        calendar=weekdays,
    )

    assert planned.shipments[0].ship_date == date(2026, 12, 7)  # Monday, after the weekend
    [backorder] = planned.backorders.values()
    assert backorder.expected.ship_date == date(2026, 12, 7)
    assert backorder.promised == date(2026, 12, 9)
