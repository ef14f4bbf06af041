"""Delivery dates come from purchase orders, walked against the FIFO queue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bobot.domain.calendar import EVERY_DAY, ShopCalendar
from bobot.domain.eta import Eta, EtaRules, Supply, eta_for_position, promise, walk

TODAY = date(2026, 11, 20)
RULES = EtaRules(today=TODAY, handling_days=1, fallback_lead_days=30)
ESTIMATE = Eta(date(2026, 12, 21), is_estimate=True)  # today + 30 lead days + 1 handling


def day(month: int, dom: int) -> date:
    year = 2026 if month >= 11 else 2027
    return date(year, month, dom)


def ships(month: int, dom: int) -> Eta:
    """A firm ETA one handling day after a PO arrives on that day."""
    return Eta(day(month, dom) + timedelta(days=1), is_estimate=False)


# EtaRules


def test_estimate_is_today_plus_lead_time_plus_handling_and_flagged():
    assert RULES.estimate() == ESTIMATE


def test_po_arriving_in_the_future_ships_after_handling():
    assert RULES.ship_after_arrival(day(12, 1)) == day(12, 2)


def test_a_late_po_is_given_as_long_again_as_it_is_late():
    # Due 10 Nov, today is 20 Nov: ten days late, so expected ten days from now.
    assert RULES.arrival(day(11, 10)) == day(11, 30)
    assert RULES.ship_after_arrival(day(11, 10)) == day(12, 1)


def test_a_po_due_yesterday_is_given_one_more_day():
    assert RULES.arrival(TODAY - timedelta(days=1)) == TODAY + timedelta(days=1)


# walk


def test_backorder_covered_by_first_po_ships_after_it_arrives():
    etas = walk([4], [Supply(day(12, 1), 10)], RULES)

    assert etas == [ships(12, 1)]


def test_queue_is_covered_cumulatively_across_several_pos():
    supply = [Supply(day(12, 1), 5), Supply(day(12, 10), 5), Supply(day(1, 5), 10)]

    etas = walk([3, 2, 4, 6, 5], supply, RULES)

    # cumulative positions 3, 5, 9, 15, 20 against coverage 5, 10, 20
    assert etas == [ships(12, 1), ships(12, 1), ships(12, 10), ships(1, 5), ships(1, 5)]


def test_purchase_orders_are_walked_by_expected_date_whatever_the_input_order():
    supply = [Supply(day(1, 5), 10), Supply(day(12, 1), 5), Supply(day(12, 10), 5)]

    etas = walk([5, 5, 10], supply, RULES)

    assert etas == [ships(12, 1), ships(12, 10), ships(1, 5)]


def test_backorder_spanning_two_pos_ships_when_the_later_one_arrives():
    supply = [Supply(day(12, 1), 3), Supply(day(12, 10), 3)]

    assert walk([5], supply, RULES) == [ships(12, 10)]


def test_backorder_beyond_all_supply_gets_lead_time_estimate():
    supply = [Supply(day(12, 1), 5)]

    etas = walk([5, 1], supply, RULES)

    assert etas == [ships(12, 1), ESTIMATE]
    assert etas[1].is_estimate is True


def test_backorder_only_partly_covered_by_supply_is_an_estimate():
    assert walk([6], [Supply(day(12, 1), 5)], RULES) == [ESTIMATE]


def test_no_supply_at_all_gives_estimates_for_everyone():
    assert walk([1, 2], [], RULES) == [ESTIMATE, ESTIMATE]


def test_a_backorder_on_a_late_po_gets_an_estimate_not_the_broken_date():
    etas = walk([2], [Supply(day(11, 1), 2)], RULES)

    # 19 days late: re-dated 19 days from today, plus a handling day.
    assert etas == [Eta(TODAY + timedelta(days=20), is_estimate=True)]


def test_fully_allocated_backorder_ships_after_handling_and_consumes_no_supply():
    supply = [Supply(day(12, 1), 2), Supply(day(12, 10), 2)]

    etas = walk([2, 0, 2], supply, RULES)

    assert etas == [ships(12, 1), Eta(TODAY + timedelta(days=1), False), ships(12, 10)]


def test_fully_allocated_backorder_ships_after_handling_even_without_supply():
    assert walk([0], [], RULES) == [Eta(TODAY + timedelta(days=1), is_estimate=False)]


def test_handling_days_are_added_to_the_arrival_date():
    rules = EtaRules(today=TODAY, handling_days=3, fallback_lead_days=30)

    assert walk([1], [Supply(day(12, 1), 1)], rules) == [Eta(day(12, 4), False)]


def test_exact_cover_ships_with_that_po_not_the_next():
    supply = [Supply(day(12, 1), 4), Supply(day(12, 10), 4)]

    assert walk([4, 4], supply, RULES) == [ships(12, 1), ships(12, 10)]


def test_empty_po_does_not_cover_anyone():
    supply = [Supply(day(12, 1), 0), Supply(day(12, 10), 2)]

    assert walk([1], supply, RULES) == [ships(12, 10)]


def test_walk_returns_one_eta_per_backorder():
    assert walk([], [Supply(day(12, 1), 5)], RULES) == []


def test_supply_may_be_a_one_shot_iterator():
    supply = (s for s in [Supply(day(12, 10), 5), Supply(day(12, 1), 5)])

    assert walk([5, 5], supply, RULES) == [ships(12, 1), ships(12, 10)]


# eta_for_position


def test_position_covered_by_first_po_ships_after_it():
    assert eta_for_position(3, [Supply(day(12, 1), 3)], RULES) == ships(12, 1)


def test_position_is_covered_cumulatively_over_unsorted_pos():
    supply = [Supply(day(1, 5), 10), Supply(day(12, 1), 5)]

    assert eta_for_position(5, supply, RULES) == ships(12, 1)
    assert eta_for_position(6, supply, RULES) == ships(1, 5)
    assert eta_for_position(15, supply, RULES) == ships(1, 5)


def test_position_beyond_all_supply_is_an_estimate():
    supply = [Supply(day(12, 1), 5)]

    assert eta_for_position(6, supply, RULES) == ESTIMATE
    assert eta_for_position(1, [], RULES) == ESTIMATE


def test_position_on_a_late_po_gets_the_same_estimate_as_the_walk():
    eta = eta_for_position(1, [Supply(day(11, 1), 1)], RULES)

    assert eta == walk([1], [Supply(day(11, 1), 1)], RULES)[0]
    assert eta.is_estimate


def test_eta_for_last_position_agrees_with_the_walk_for_the_last_backorder():
    supply = [Supply(day(1, 5), 4), Supply(day(12, 1), 3), Supply(day(12, 10), 2)]
    needs = [2, 1, 3, 2, 1, 4]
    walked = walk(needs, supply, RULES)
    position = 0
    for need, eta in zip(needs, walked, strict=True):
        position += need

        assert eta_for_position(position, supply, RULES) == eta


# promise


def test_promise_adds_the_safety_margin_to_the_eta():
    assert promise(ships(12, 1), margin_days=2, calendar=EVERY_DAY) == day(12, 4)


def test_promise_without_margin_is_the_eta():
    assert promise(ships(12, 1), margin_days=0, calendar=EVERY_DAY) == day(12, 2)


def test_promise_applies_to_estimates_too():
    assert promise(ESTIMATE, margin_days=3, calendar=EVERY_DAY) == date(2026, 12, 24)


def test_a_negative_need_is_refused_rather_than_guessed():
    with pytest.raises(ValueError):
        walk([2, -1], [Supply(TODAY + timedelta(days=3), 5)], RULES)


def test_an_uncovered_backorder_is_never_dated_before_the_purchase_orders_ahead_of_it():
    # Only 4 units are on a slow PO; the next customer cannot overtake those covered by it,
    # even though a new order with the 30-day lead time would arrive earlier.
    slow = Supply(TODAY + timedelta(days=45), 4)
    covered, beyond = walk([2, 3], [slow], RULES)

    assert covered == Eta(TODAY + timedelta(days=46), is_estimate=False)
    assert beyond == Eta(TODAY + timedelta(days=46), is_estimate=True)
    assert eta_for_position(5, [slow], RULES) == beyond


# supply in order of arrival


def test_a_late_po_is_walked_at_its_projected_arrival_after_an_order_due_earlier():
    # A: due 10 Nov, ten days late, projected 30 Nov. B: due 23 Nov, arrives first.
    supply = [Supply(day(11, 10), 5), Supply(day(11, 23), 5)]

    etas = walk([5, 5], supply, RULES)

    assert etas == [ships(11, 23), Eta(day(12, 1), is_estimate=True)]


def test_once_a_late_po_is_used_every_later_date_is_an_estimate():
    # The late order (projected 22 Nov) comes first; B and C are on time but come after it.
    supply = [Supply(day(11, 18), 2), Supply(day(11, 25), 2), Supply(day(12, 5), 2)]

    etas = walk([2, 2, 2], supply, RULES)

    assert etas == [Eta(day(11, 23), True), Eta(day(11, 26), True), Eta(day(12, 6), True)]


def test_an_order_on_time_arriving_the_day_a_late_one_is_projected_keeps_its_firm_date():
    supply = [Supply(day(11, 15), 2), Supply(day(11, 25), 2)]  # the late one: projected 25 Nov

    assert walk([2, 2], supply, RULES) == [ships(11, 25), Eta(day(11, 26), True)]


def test_dates_never_decrease_along_the_queue():
    supply = [Supply(day(11, 1), 3), Supply(day(11, 22), 3), Supply(day(12, 30), 3)]

    etas = walk([1, 2, 3, 1, 2, 4], supply, RULES)

    assert [e.ship_date for e in etas] == sorted(e.ship_date for e in etas)


def test_beyond_all_supply_the_estimate_is_not_before_the_last_arrival():
    rules = EtaRules(today=TODAY, handling_days=1, fallback_lead_days=2)
    supply = [Supply(day(11, 10), 1)]  # late: projected 30 Nov, after today + 2 lead days

    assert walk([1, 1], supply, rules)[1] == Eta(day(12, 1), is_estimate=True)


# the shop's calendar


MON_FRI = EtaRules(
    today=date(2026, 11, 20),  # a Friday
    handling_days=1,
    fallback_lead_days=30,
    calendar=ShopCalendar(holidays=frozenset({date(2026, 11, 30)})),
)


def test_handling_counts_ship_days_so_a_friday_arrival_ships_on_monday():
    assert walk([1], [Supply(date(2026, 11, 20), 1)], MON_FRI) == [Eta(date(2026, 11, 23), False)]


def test_handling_skips_a_holiday():
    # Friday 27 Nov; Monday 30 Nov is a holiday: Tuesday.
    assert walk([1], [Supply(date(2026, 11, 27), 1)], MON_FRI) == [Eta(date(2026, 12, 1), False)]


def test_an_arrival_on_a_weekend_is_handled_from_the_next_ship_day():
    # Saturday 21 Nov rolls to Monday 23 Nov; one handling day: Tuesday.
    assert MON_FRI.ship_after(date(2026, 11, 21)) == date(2026, 11, 24)


def test_units_in_stock_on_a_friday_ship_on_monday():
    assert MON_FRI.in_stock() == date(2026, 11, 23)


def test_a_promise_margin_counts_ship_days_and_skips_holidays():
    # Ships Fri 27 Nov; two ship days on, skipping the weekend and the holiday on 30 Nov.
    assert MON_FRI.promise(Eta(date(2026, 11, 27), False), 2) == date(2026, 12, 2)


def test_an_estimate_never_falls_on_a_day_the_shop_does_not_ship():
    estimate = MON_FRI.estimate()  # 30 lead days: Sunday 20 Dec, handled from Monday

    assert estimate == Eta(date(2026, 12, 22), is_estimate=True)
