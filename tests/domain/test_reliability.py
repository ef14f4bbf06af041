"""Supplier reliability: delays in ship days, margins shrunk towards the shop's prior."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bobot.domain.calendar import ShopCalendar
from bobot.domain.reliability import (
    Belief,
    Margins,
    own_quantile,
    reliability,
    reliable_arrival,
    ship_days_late,
    shop_prior,
)

MON_FRI = ShopCalendar()
EVERY_DAY = ShopCalendar(ship_days=frozenset(range(7)))
FRIDAY = date(2026, 12, 4)

histograms = st.dictionaries(st.integers(0, 30), st.integers(0, 40), max_size=8)
quantiles = st.floats(0.05, 0.99)


def test_a_delivery_on_or_before_its_date_is_not_late():
    assert ship_days_late(FRIDAY, FRIDAY, MON_FRI) == 0
    assert ship_days_late(FRIDAY, FRIDAY - timedelta(days=3), MON_FRI) == 0


def test_a_delay_counts_the_ship_days_the_parcel_loses():
    # Due Friday, here Saturday or Monday: the parcel leaves one ship day later either way.
    assert ship_days_late(FRIDAY, FRIDAY + timedelta(days=1), MON_FRI) == 1
    assert ship_days_late(FRIDAY, FRIDAY + timedelta(days=3), MON_FRI) == 1
    assert ship_days_late(FRIDAY, FRIDAY + timedelta(days=4), MON_FRI) == 2
    assert ship_days_late(FRIDAY, FRIDAY + timedelta(days=4), EVERY_DAY) == 4


def test_before_any_delivery_the_margin_is_the_fixed_one():
    prior = shop_prior({}, fixed_margin=2)
    new = reliability({}, prior, quantile=0.9)
    assert new.margin_days == 2
    assert (new.sample_size, new.on_time_rate, new.mean_delay_days, new.p90_delay_days) == (
        0,
        None,
        None,
        None,
    )


def test_a_new_supplier_gets_the_shops_margin_not_zero_nor_the_worst():
    shop = shop_prior({0: 60, 3: 30, 12: 10}, fixed_margin=2)
    assert reliability({}, shop, quantile=0.9).margin_days == shop.quantile(0.9) == 3


def test_one_bad_delivery_does_not_condemn_a_new_supplier_but_many_do():
    shop = shop_prior({0: 90, 2: 10}, fixed_margin=2)
    once = reliability({10: 1}, shop, quantile=0.9)
    assert once.margin_days == 2  # one delivery against the prior's ten
    assert once.p90_delay_days == 10  # its own record says so, plainly
    often = reliability({10: 8, 0: 2}, shop, quantile=0.9)
    assert often.margin_days == 10


def test_a_reliable_supplier_earns_a_zero_margin_with_enough_history():
    shop = shop_prior({0: 50, 4: 50}, fixed_margin=2)
    assert reliability({0: 3}, shop, quantile=0.9).margin_days == 4
    assert reliability({0: 100}, shop, quantile=0.9).margin_days == 0


def test_the_record_staff_see():
    shop = shop_prior({}, fixed_margin=2)
    r = reliability({0: 7, 1: 2, 5: 1}, shop, quantile=0.9)
    assert r.sample_size == 10
    assert r.on_time_rate == pytest.approx(0.7)
    assert r.mean_delay_days == pytest.approx(0.7)
    assert r.p90_delay_days == 1


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        Belief({-1: 3})
    with pytest.raises(ValueError):
        Belief({}).quantile(1.0)


def test_margins_fall_back_to_the_default():
    margins = Margins(3, {7: 0})
    assert (margins.of(7), margins.of(8), margins.of(None)) == (0, 3, 3)


def test_an_order_already_late_is_judged_by_the_deliveries_that_were_as_late():
    # 80 on time, 10 three days late, 10 ten days late: the 90th percentile is 3 days, but
    # of the deliveries at least a day late, 90% came within 10 days.
    record = Belief({0: 80, 3: 10, 10: 10}, weight=0)
    assert record.quantile(0.9) == 3
    assert record.quantile_beyond(0.9, 0) == 3
    assert record.quantile_beyond(0.9, 1) == 10
    assert record.quantile_beyond(0.5, 1) == 3
    assert record.quantile_beyond(0.9, 11) is None  # never that late: it says nothing
    with pytest.raises(ValueError):
        record.quantile_beyond(1.0, 1)


def test_margins_after_a_late_order_come_from_the_late_deliveries():
    record = Belief({0: 80, 3: 10, 10: 10}, weight=0)
    learned = Margins(3, {7: 3}, {7: record}, Belief({0: 1}, weight=0), 0.9)
    # Two days late, projected to come two days after that (4 in all): 10 - 4 more days.
    assert learned.after_late(7, 2, 4) == 6
    assert learned.after_late(7, 6, 12) == 0  # the projection is already past it
    assert learned.after_late(7, 11, 22) == 3  # later than ever seen: its usual margin
    assert learned.after_late(8, 2, 4) == 3  # the shop's belief: nobody that late
    assert Margins(2, {7: 5}).after_late(7, 2, 4) == 5  # fixed margins: as for any order


def test_reliable_arrival_adds_the_delay_in_ship_days():
    assert reliable_arrival(FRIDAY, 0, MON_FRI) == FRIDAY
    assert reliable_arrival(FRIDAY, 1, MON_FRI) == FRIDAY + timedelta(days=3)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(own=histograms, shop=histograms, fixed=st.integers(0, 10), q=quantiles)
def test_the_margin_is_never_negative_and_lies_between_own_and_prior(own, shop, fixed, q):
    prior = shop_prior(shop, fixed_margin=fixed)
    margin = reliability(own, prior, quantile=q).margin_days
    assert margin >= 0
    mine = own_quantile(own, q)
    theirs = prior.quantile(q)
    if mine is None:
        assert margin == theirs
    else:
        assert min(mine, theirs) <= margin <= max(mine, theirs)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(own=histograms, shop=histograms, fixed=st.integers(0, 10), q=quantiles, r=quantiles)
def test_a_higher_quantile_never_gives_a_smaller_margin(own, shop, fixed, q, r):
    prior = shop_prior(shop, fixed_margin=fixed)
    low, high = sorted((q, r))
    assert (
        reliability(own, prior, quantile=low).margin_days
        <= reliability(own, prior, quantile=high).margin_days
    )


@settings(max_examples=200, deadline=None, derandomize=True)
@given(own=histograms, shop=histograms, fixed=st.integers(0, 10), q=quantiles)
def test_enough_deliveries_outweigh_any_prior(own, shop, fixed, q):
    if not sum(own.values()):
        return
    scaled = {d: c * 2000 for d, c in own.items()}
    prior = shop_prior(shop, fixed_margin=fixed)
    margin = reliability(scaled, prior, quantile=q).margin_days
    # The prior, worth 10 deliveries against thousands, moves each share by under 0.006.
    low = own_quantile(own, max(q - 0.006, 0.001))
    high = own_quantile(own, min(q + 0.006, 0.999))
    assert low is not None and high is not None
    assert low <= margin <= high


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    expected=st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    late=st.integers(0, 40),
    ship_days=st.frozensets(st.integers(0, 6), min_size=1),
)
def test_a_delay_shifts_the_ship_date_by_as_many_ship_days(expected, late, ship_days):
    calendar = ShopCalendar(ship_days=ship_days)
    received = expected + timedelta(days=late)
    delay = ship_days_late(expected, received, calendar)
    assert 0 <= delay <= late
    # A parcel handled on arrival leaves ``delay`` ship days after it would have.
    for handling in (0, 1, 3):
        assert calendar.add_ship_days(received, handling) == calendar.add_ship_days(
            expected, handling + delay
        )
