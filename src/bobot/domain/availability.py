"""What a shopper may buy now, and what the storefront should say about it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from typing import NamedTuple


class Policy(str, Enum):
    DENY = "DENY"
    ALLOW = "ALLOW"


class StockStatus(str, Enum):
    IN_STOCK = "IN_STOCK"
    BACKORDER = "BACKORDER"
    OUT_OF_STOCK = "OUT_OF_STOCK"


class OutOfStockReason(str, Enum):
    BACKORDERS_DENIED = "BACKORDERS_DENIED"
    BACKORDER_LIMIT_REACHED = "BACKORDER_LIMIT_REACHED"
    BACKORDERS_ENDED = "BACKORDERS_ENDED"


REASON_TEXT = {
    OutOfStockReason.BACKORDERS_DENIED: "not taking backorders",
    OutOfStockReason.BACKORDER_LIMIT_REACHED: "backorder limit reached",
    OutOfStockReason.BACKORDERS_ENDED: "backorders have ended",
}


@dataclass(frozen=True, slots=True)
class BackorderTerms:
    policy: Policy
    limit: int | None  # None: unlimited; 0: closed
    ends_at: datetime | None


def backorder_room(terms: BackorderTerms, backordered: int, now: datetime) -> int | None:
    """How many more units may be backordered now: None for unlimited, 0 when closed."""
    if terms.policy is Policy.DENY:
        return 0
    if terms.ends_at is not None and now >= terms.ends_at:
        return 0
    if terms.limit is None:
        return None
    return max(terms.limit - backordered, 0)


def closed_reason(terms: BackorderTerms, now: datetime) -> OutOfStockReason:
    """Why no more units can be backordered (only meaningful when the room is 0)."""
    if terms.policy is Policy.DENY:
        return OutOfStockReason.BACKORDERS_DENIED
    if terms.ends_at is not None and now >= terms.ends_at:
        return OutOfStockReason.BACKORDERS_ENDED
    return OutOfStockReason.BACKORDER_LIMIT_REACHED


class Availability(NamedTuple):  # a product list builds one per product: a tuple is cheaper
    status: StockStatus
    quantity_available: int
    can_purchase: bool
    estimated_ship_date: date | None
    is_estimate: bool
    reason: OutOfStockReason | None
    label: str


@lru_cache(maxsize=4096)  # a page of products shows a handful of dates, and strftime is slow
def format_date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def availability(
    *,
    available: int,
    backordered: int,
    terms: BackorderTerms,
    now: datetime,
    in_stock_ship_date: date,
    next_ship_date: date | None,
    next_is_estimate: bool,
) -> Availability:
    """The shopper's view of a product.

    ``in_stock_ship_date`` is when a unit taken from stock now ships (today plus handling
    days); ``next_ship_date`` is the date that would be promised for one more unit ordered
    now on backorder (``promise(eta_for_position(backordered + 1, ...))``), used only when
    nothing is available.
    """
    if available > 0:
        return Availability(
            status=StockStatus.IN_STOCK,
            quantity_available=available,
            can_purchase=True,
            estimated_ship_date=in_stock_ship_date,
            is_estimate=False,
            reason=None,
            label="In stock",
        )
    room = backorder_room(terms, backordered, now)
    if room is None or room > 0:
        label = "Available on backorder"
        if next_ship_date is not None:
            prefix = "ships around" if next_is_estimate else "ships by"
            label = f"{label} - {prefix} {format_date(next_ship_date)}"
        return Availability(
            status=StockStatus.BACKORDER,
            quantity_available=0,
            can_purchase=True,
            estimated_ship_date=next_ship_date,
            is_estimate=next_is_estimate,
            reason=None,
            label=label,
        )
    reason = closed_reason(terms, now)
    return Availability(
        status=StockStatus.OUT_OF_STOCK,
        quantity_available=0,
        can_purchase=False,
        estimated_ship_date=None,
        is_estimate=False,
        reason=reason,
        label=f"Out of stock - {REASON_TEXT[reason]}",
    )
