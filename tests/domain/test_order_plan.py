"""The whole order decided by one pure function: splits, backorders with their dates,
shipments with theirs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
from bobot.domain.reliability import Belief, Margins
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


def _supplied(*supplies: Supply, lead_supplier: int | None = None) -> ProductFacts:
    return ProductFacts(
        StockView(0, 0, ALLOW),
        list(supplies),
        RULES,
        lead_supplier,
        Margins(3, {7: 0, 8: 6}),
    )


def test_each_backorder_is_promised_with_its_suppliers_margin():
    products = {
        "A": _supplied(Supply(day(4), 1, 7), Supply(day(9), 5, 8)),
        "B": _supplied(lead_supplier=8),  # no purchase order: the estimate's supplier
        "C": _supplied(Supply(day(4), 5, 99)),  # a supplier with no record: the default
    }
    result = plan([("A", 2), ("B", 1), ("C", 1)], products)
    a, b, c = (result.backorders[i] for i in range(3))
    assert (a.expected.ship_date, a.promised) == (day(10), day(16))  # on supplier 8's order
    assert (b.expected, b.promised) == (Eta(day(31), True), day(37))
    assert (c.expected.ship_date, c.promised) == (day(5), day(8))
    first = plan([("A", 1)], products).backorders[0]
    assert first.promised == first.expected.ship_date == day(5)  # supplier 7 keeps its dates


def test_a_place_that_waits_for_an_unreliable_order_ahead_is_promised_after_it():
    # Supplier 8's order (margin 6) comes first with one unit, supplier 7's (margin 0) next:
    # the second unit in line ships once both have come, so it carries supplier 8's risk.
    products = {"A": _supplied(Supply(day(4), 1, 8), Supply(day(9), 5, 7))}
    second = plan([("A", 2)], products).backorders[0]
    assert second.expected.ship_date == day(10)
    assert second.promised == day(11)  # supplier 8's day 5, plus its 6 days


def test_a_place_on_an_order_already_late_is_promised_from_its_suppliers_late_deliveries():
    # Supplier 7 is on time 8 times in 10, but when late, it is 10 days late.
    record = Belief({0: 80, 10: 20}, weight=0)
    margins = Margins(0, {7: 0}, {7: record}, None, 0.9)
    late = ProductFacts(StockView(0, 0, ALLOW), [Supply(day(-2), 5, 7)], RULES, 7, margins)
    [backorder] = plan([("A", 1)], {"A": late}).backorders.values()
    # Two days late, projected to come in two more days (day 2, ships day 3); such orders
    # of supplier 7 came 10 days after their date (day 8): promised after that, day 9.
    assert backorder.expected == Eta(day(3), True)
    assert backorder.promised == day(9)
    on_time = ProductFacts(StockView(0, 0, ALLOW), [Supply(day(2), 5, 7)], RULES, 7, margins)
    [backorder] = plan([("A", 1)], {"A": on_time}).backorders.values()
    assert backorder.promised == backorder.expected.ship_date == day(3)  # its usual margin


def test_one_parcel_is_promised_the_latest_of_its_lines_promises():
    products = {
        "A": _supplied(Supply(day(9), 5, 7)),  # ships day 10, margin 0
        "B": _supplied(Supply(day(6), 5, 8)),  # ships day 7, margin 6: promised day 13
    }
    result = plan([("A", 1), ("B", 1)], products, ShipPreference.SHIP_TOGETHER)
    assert {b.expected.ship_date for b in result.backorders.values()} == {day(10)}
    assert {b.promised for b in result.backorders.values()} == {day(13)}


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    pos=st.lists(st.tuples(st.integers(-5, 30), st.integers(1, 6), st.integers(1, 4)), max_size=5),
    margins=st.dictionaries(st.integers(1, 4), st.integers(0, 9)),
    default=st.integers(0, 9),
    wanted=st.lists(st.integers(1, 8), min_size=1, max_size=3),
    together=st.booleans(),
)
def test_a_promise_is_never_earlier_than_the_expected_date(pos, margins, default, wanted, together):
    calendar = ShopCalendar()
    rules = EtaRules(TODAY, handling_days=1, fallback_lead_days=12, calendar=calendar)
    supply = [Supply(day(d), units, supplier) for d, units, supplier in pos]
    products = {
        f"P{i}": ProductFacts(StockView(0, 0, ALLOW), supply, rules, 1, Margins(default, margins))
        for i in range(len(wanted))
    }
    result = plan_order(
        [LineRequest(f"P{i}", units) for i, units in enumerate(wanted)],
        products,
        ShipPreference.SHIP_TOGETHER if together else ShipPreference.SHIP_AVAILABLE_NOW,
        now=NOW,
        today=TODAY,
        handling_days=1,
        margin_days=2,
        calendar=calendar,
    )
    for backorder in result.backorders.values():
        assert backorder.promised >= backorder.expected.ship_date
        assert calendar.is_ship_day(backorder.promised)
