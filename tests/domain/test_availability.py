"""What the storefront shows: in stock, on backorder with a date, or out of stock and why."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bobot.domain.availability import (
    BackorderTerms,
    OutOfStockReason,
    Policy,
    StockStatus,
    availability,
    backorder_room,
    closed_reason,
    format_date,
)

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
SHIP_DATE = date(2026, 12, 12)

ALLOW = BackorderTerms(Policy.ALLOW, limit=None, ends_at=None)
DENY = BackorderTerms(Policy.DENY, limit=None, ends_at=None)


def terms(
    policy: Policy = Policy.ALLOW, limit: int | None = None, ends_at: datetime | None = None
) -> BackorderTerms:
    return BackorderTerms(policy, limit, ends_at)


def show(
    *,
    available: int = 0,
    backordered: int = 0,
    terms: BackorderTerms = ALLOW,
    next_ship_date: date | None = SHIP_DATE,
    next_is_estimate: bool = False,
):
    return availability(
        available=available,
        backordered=backordered,
        terms=terms,
        now=NOW,
        in_stock_ship_date=NOW.date() + timedelta(days=1),
        next_ship_date=next_ship_date,
        next_is_estimate=next_is_estimate,
    )


# format_date


def test_format_date_writes_day_short_month_and_year():
    assert format_date(date(2026, 12, 12)) == "12 Dec 2026"


def test_format_date_does_not_pad_single_digit_days():
    assert format_date(date(2027, 1, 5)) == "5 Jan 2027"


# IN_STOCK


def test_product_with_units_available_is_in_stock():
    shown = show(available=3)

    assert shown.status is StockStatus.IN_STOCK
    assert shown.label == "In stock"
    assert shown.quantity_available == 3
    assert shown.can_purchase is True
    assert shown.reason is None
    assert shown.is_estimate is False


def test_in_stock_product_ships_on_the_in_stock_ship_date():
    assert show(available=1).estimated_ship_date == NOW.date() + timedelta(days=1)


def test_in_stock_wins_even_when_backorders_are_denied():
    shown = show(available=2, terms=DENY)

    assert shown.status is StockStatus.IN_STOCK
    assert shown.can_purchase is True


def test_in_stock_wins_even_when_the_backorder_limit_is_reached():
    shown = show(available=1, backordered=5, terms=terms(limit=5))

    assert shown.status is StockStatus.IN_STOCK


def test_in_stock_ignores_the_next_backorder_date():
    shown = show(available=1, next_ship_date=date(2027, 3, 1), next_is_estimate=True)

    assert shown.estimated_ship_date == NOW.date() + timedelta(days=1)
    assert shown.is_estimate is False


# BACKORDER


def test_sold_out_product_that_allows_backorders_is_sellable_on_backorder_with_its_date():
    shown = show(available=0, next_ship_date=SHIP_DATE)

    assert shown.status is StockStatus.BACKORDER
    assert shown.can_purchase is True
    assert shown.quantity_available == 0
    assert shown.estimated_ship_date == SHIP_DATE
    assert shown.is_estimate is False
    assert shown.reason is None
    assert shown.label == "Available on backorder - ships by 12 Dec 2026"


def test_backorder_with_an_estimated_date_says_ships_around():
    shown = show(next_ship_date=SHIP_DATE, next_is_estimate=True)

    assert shown.status is StockStatus.BACKORDER
    assert shown.is_estimate is True
    assert shown.label == "Available on backorder - ships around 12 Dec 2026"


def test_backorder_without_a_known_date_says_only_available_on_backorder():
    shown = show(next_ship_date=None)

    assert shown.status is StockStatus.BACKORDER
    assert shown.estimated_ship_date is None
    assert shown.label == "Available on backorder"


def test_no_limit_means_unlimited_backorders():
    shown = show(backordered=1_000_000, terms=terms(limit=None))

    assert shown.status is StockStatus.BACKORDER


def test_backorder_limit_with_room_left_is_still_sellable():
    shown = show(backordered=14, terms=terms(limit=15))

    assert shown.status is StockStatus.BACKORDER


def test_backorders_ending_in_the_future_are_still_open():
    shown = show(terms=terms(ends_at=NOW + timedelta(minutes=1)))

    assert shown.status is StockStatus.BACKORDER


# OUT_OF_STOCK


def test_sold_out_product_that_denies_backorders_is_out_of_stock_not_taking_backorders():
    shown = show(terms=DENY)

    assert shown.status is StockStatus.OUT_OF_STOCK
    assert shown.reason is OutOfStockReason.BACKORDERS_DENIED
    assert shown.label == "Out of stock - not taking backorders"
    assert shown.can_purchase is False
    assert shown.quantity_available == 0
    assert shown.estimated_ship_date is None
    assert shown.is_estimate is False


def test_limit_zero_closes_backorders_rather_than_meaning_unlimited():
    shown = show(backordered=0, terms=terms(limit=0))

    assert shown.status is StockStatus.OUT_OF_STOCK
    assert shown.reason is OutOfStockReason.BACKORDER_LIMIT_REACHED
    assert shown.label == "Out of stock - backorder limit reached"
    assert shown.can_purchase is False


def test_reaching_the_backorder_limit_makes_the_product_out_of_stock():
    shown = show(backordered=15, terms=terms(limit=15))

    assert shown.status is StockStatus.OUT_OF_STOCK
    assert shown.reason is OutOfStockReason.BACKORDER_LIMIT_REACHED


def test_backordered_beyond_a_lowered_limit_is_out_of_stock():
    shown = show(backordered=20, terms=terms(limit=15))

    assert shown.status is StockStatus.OUT_OF_STOCK
    assert shown.reason is OutOfStockReason.BACKORDER_LIMIT_REACHED


def test_backorders_that_ended_in_the_past_make_the_product_out_of_stock():
    shown = show(terms=terms(ends_at=NOW - timedelta(days=1)))

    assert shown.status is StockStatus.OUT_OF_STOCK
    assert shown.reason is OutOfStockReason.BACKORDERS_ENDED
    assert shown.label == "Out of stock - backorders have ended"
    assert shown.can_purchase is False


def test_backorders_end_at_the_exact_end_time():
    shown = show(terms=terms(ends_at=NOW))

    assert shown.reason is OutOfStockReason.BACKORDERS_ENDED


def test_out_of_stock_hides_the_next_backorder_date():
    shown = show(terms=DENY, next_ship_date=SHIP_DATE, next_is_estimate=True)

    assert shown.estimated_ship_date is None
    assert shown.is_estimate is False


def test_denied_is_the_reason_given_even_when_backorders_also_ended_and_limit_is_zero():
    shown = show(terms=terms(Policy.DENY, limit=0, ends_at=NOW - timedelta(days=1)))

    assert shown.reason is OutOfStockReason.BACKORDERS_DENIED


def test_ended_is_the_reason_given_over_limit_reached():
    shown = show(backordered=5, terms=terms(limit=5, ends_at=NOW - timedelta(days=1)))

    assert shown.reason is OutOfStockReason.BACKORDERS_ENDED


# backorder_room / closed_reason


@pytest.mark.parametrize(
    ("given", "backordered", "room"),
    [
        (terms(limit=None), 0, None),
        (terms(limit=None), 500, None),
        (terms(limit=0), 0, 0),
        (terms(limit=15), 0, 15),
        (terms(limit=15), 14, 1),
        (terms(limit=15), 15, 0),
        (terms(limit=15), 16, 0),
        (terms(Policy.DENY, limit=None), 0, 0),
        (terms(Policy.DENY, limit=10), 0, 0),
        (terms(limit=None, ends_at=NOW - timedelta(seconds=1)), 0, 0),
        (terms(limit=10, ends_at=NOW + timedelta(days=1)), 3, 7),
    ],
)
def test_backorder_room_counts_units_that_may_still_be_backordered(given, backordered, room):
    assert backorder_room(given, backordered, NOW) == room


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        (terms(Policy.DENY), OutOfStockReason.BACKORDERS_DENIED),
        (terms(ends_at=NOW), OutOfStockReason.BACKORDERS_ENDED),
        (terms(limit=0), OutOfStockReason.BACKORDER_LIMIT_REACHED),
    ],
)
def test_closed_reason_names_why_backorders_are_closed(given, reason):
    assert closed_reason(given, NOW) is reason
