"""The figures of insights from plain facts: quantiles, wait buckets, shares and weeks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bobot.domain.calendar import EVERY_DAY, ShopCalendar
from bobot.domain.insights import (
    Ended,
    Facts,
    Joined,
    Opened,
    Receipt,
    Refusal,
    figures,
    insights,
    promise_kept,
    quantile,
    wait_bucket,
    weeks_of,
)

MONDAY = date(2026, 11, 23)


def test_quantiles_interpolate_between_closest_ranks():
    assert quantile([1, 2, 3, 10], 0.5) == 2.5
    assert quantile([7, 7, 14, 22], 0.5) == 10.5
    assert quantile([7, 7, 14, 22], 0.9) == pytest.approx(19.6)
    assert quantile([5], 0.9) == 5
    assert quantile([], 0.5) is None


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(0, "0-7"), (7.9, "0-7"), (8, "8-14"), (14.5, "8-14"), (15, "15-30"), (30.99, "15-30"),
     (31, "30+"), (400, "30+")],
)  # fmt: skip
def test_a_wait_falls_in_the_bucket_of_its_whole_days(days, bucket):
    assert wait_bucket(days) == bucket


def test_weeks_start_on_monday_and_cover_the_range():
    assert weeks_of(date(2026, 11, 26), date(2026, 12, 7)) == [
        MONDAY, MONDAY + timedelta(weeks=1), MONDAY + timedelta(weeks=2)
    ]  # fmt: skip
    assert weeks_of(MONDAY, MONDAY) == [MONDAY]


def _facts() -> Facts:
    day = MONDAY
    return Facts(
        opened=[Opened(day, 2), Opened(day, 1), Opened(day + timedelta(days=8), 3)],
        ended=[
            Ended(day + timedelta(days=3), 3.0, cancelled=True),
            Ended(day + timedelta(days=7), 7.0, cancelled=False, kept=True),
            Ended(day + timedelta(days=9), 9.0, cancelled=False, kept=False),
            Ended(day + timedelta(days=40), 40.0, cancelled=True),
        ],
        joined=[Joined(day, True), Joined(day, False), Joined(day, False), Joined(day, True)],
        receipts=[
            Receipt(day + timedelta(days=7), 1, "Acme", 2),
            Receipt(day + timedelta(days=8), 1, "Acme", 0),
            Receipt(day + timedelta(days=9), 2, "Zenith", -3),
        ],
        refusals=[Refusal(day + timedelta(days=1), 4)],
    )


def test_figures_of_a_range():
    f = figures(_facts())

    assert (f.opened, f.filled, f.cancelled) == (3, 2, 2)
    assert (f.median_days_to_fill, f.p90_days_to_fill) == (8.0, pytest.approx(8.8))
    assert [(b.bucket, b.ended, b.cancelled, b.rate) for b in f.cancellation_by_wait] == [
        ("0-7", 2, 1, 0.5), ("8-14", 1, 0, 0.0), ("15-30", 0, 0, None), ("30+", 1, 1, 1.0)
    ]  # fmt: skip
    assert (f.waitlist_joined, f.waitlist_converted, f.waitlist_conversion) == (4, 2, 0.5)
    assert (f.promises_due, f.promises_kept, f.promises_kept_share) == (2, 1, 0.5)
    assert f.receipts == 3
    assert f.supplier_on_time_rate == pytest.approx(2 / 3)
    assert f.supplier_mean_delay_days == pytest.approx(2 / 3)  # early counts as 0, not -3
    assert [(s.name, s.receipts, s.on_time_rate, s.mean_delay_days) for s in f.suppliers] == [
        ("Acme", 2, 0.5, 1.0), ("Zenith", 1, 1.0, 0.0)
    ]  # fmt: skip
    assert (f.backordered_units, f.refused_orders, f.refused_units) == (6, 1, 4)


def test_no_facts_give_zero_counts_and_no_rates():
    f = figures(Facts())
    assert (f.opened, f.filled, f.refused_units) == (0, 0, 0)
    assert f.median_days_to_fill is None and f.waitlist_conversion is None
    assert f.supplier_on_time_rate is None and f.promises_kept_share is None
    assert all(b.rate is None for b in f.cancellation_by_wait)


def test_each_week_has_the_figures_of_its_own_facts_and_they_add_up():
    result = insights(_facts(), MONDAY, MONDAY + timedelta(days=45))

    assert [w.start for w in result.weeks] == [MONDAY + timedelta(weeks=n) for n in range(7)]
    first, second = result.weeks[0].figures, result.weeks[1].figures
    assert (first.opened, first.filled, first.cancelled, first.refused_units) == (2, 0, 1, 4)
    # Day 7 is the next Monday: both fills and every receipt are in the second week.
    assert (second.opened, second.filled, second.receipts) == (1, 2, 3)
    assert second.median_days_to_fill == 8.0
    assert result.weeks[5].figures.cancelled == 1  # day 40
    assert sum(w.figures.opened for w in result.weeks) == result.figures.opened
    assert sum(w.figures.receipts for w in result.weeks) == result.figures.receipts


def test_a_promise_is_kept_when_the_fill_leaves_the_handling_days_before_it() -> None:
    """The promised date is a ship date: a backorder filled on it ships too late."""
    promised = MONDAY + timedelta(days=4)  # a Friday
    for filled, kept in ((MONDAY + timedelta(days=3), True), (promised, False)):
        assert promise_kept(filled, promised, calendar=EVERY_DAY, handling_days=1) is kept
    assert promise_kept(promised, promised, calendar=EVERY_DAY, handling_days=0)
    # Weekdays only: filled on Friday, the parcel leaves on Monday.
    weekdays = ShopCalendar()
    friday, monday = promised, MONDAY + timedelta(days=7)
    assert not promise_kept(friday, friday, calendar=weekdays, handling_days=1)
    assert promise_kept(friday, monday, calendar=weekdays, handling_days=1)
