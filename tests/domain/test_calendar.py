"""The shop's calendar: its day, its ship days, its holidays, and how it reads a wall time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bobot.domain.calendar import (
    ALL_WEEK,
    MON_FRI,
    ShopCalendar,
    parse_holidays,
    parse_ship_days,
)

BERLIN = ShopCalendar(zone=ZoneInfo("Europe/Berlin"))
FRIDAY = date(2026, 11, 27)


def test_today_is_the_day_in_the_shops_time_zone():
    late_evening_utc = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)

    assert ShopCalendar().today(late_evening_utc) == date(2026, 11, 27)
    assert BERLIN.today(late_evening_utc) == date(2026, 11, 28)


def test_weekends_and_holidays_are_not_ship_days():
    calendar = ShopCalendar(holidays=frozenset({date(2026, 12, 25)}))

    assert calendar.is_ship_day(FRIDAY)
    assert not calendar.is_ship_day(FRIDAY + timedelta(days=1))
    assert not calendar.is_ship_day(date(2026, 12, 25))


def test_adding_ship_days_skips_the_weekend():
    assert ShopCalendar().add_ship_days(FRIDAY, 1) == date(2026, 11, 30)
    assert ShopCalendar().add_ship_days(FRIDAY, 0) == FRIDAY


def test_a_non_ship_day_rolls_on_before_the_days_are_counted():
    saturday = FRIDAY + timedelta(days=1)

    assert ShopCalendar().add_ship_days(saturday, 0) == date(2026, 11, 30)
    assert ShopCalendar().add_ship_days(saturday, 1) == date(2026, 12, 1)


def test_a_shop_shipping_on_saturdays_counts_them():
    calendar = ShopCalendar(ship_days=frozenset({0, 1, 5}))  # Mon, Tue, Sat

    assert calendar.add_ship_days(date(2026, 12, 1), 1) == date(2026, 12, 5)


def test_an_offset_less_time_is_read_in_the_shops_time_zone():
    assert BERLIN.to_utc(datetime(2026, 12, 24, 18, 0)) == datetime(2026, 12, 24, 17, 0, tzinfo=UTC)


def test_a_time_with_an_offset_is_kept_as_the_instant_it_names():
    plus_two = datetime(2026, 12, 24, 18, 0, tzinfo=timezone(timedelta(hours=2)))

    stored = BERLIN.to_utc(plus_two)

    assert stored == datetime(2026, 12, 24, 16, 0, tzinfo=UTC) and stored.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Mon-Fri", MON_FRI),
        ("Mon-Sat", frozenset(range(6))),
        ("Mon,Tue,Sat", frozenset({0, 1, 5})),
        ("mon-wed, sat", frozenset({0, 1, 2, 5})),
        ("Mon-Sun", ALL_WEEK),
    ],
)
def test_ship_days_are_read_from_ranges_and_lists(text, days):
    assert parse_ship_days(text) == days


@pytest.mark.parametrize("text", ["", "Fri-Mon", "Monday", "Mon-Fri-Sat", "1-5"])
def test_ship_days_that_name_no_day_or_run_backwards_are_refused(text):
    with pytest.raises(ValueError):
        parse_ship_days(text)


def test_holidays_are_iso_dates():
    assert parse_holidays("2026-12-25, 2027-01-01") == {date(2026, 12, 25), date(2027, 1, 1)}
    assert parse_holidays("") == frozenset()
    with pytest.raises(ValueError, match=r"25\.12\.2026"):
        parse_holidays("25.12.2026")


def test_a_calendar_without_a_ship_day_is_refused():
    with pytest.raises(ValueError):
        ShopCalendar(ship_days=frozenset())
