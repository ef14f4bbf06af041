"""Splitting an order's lines into what ships now and what is backordered."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bobot.domain.availability import BackorderTerms, backorder_room, closed_reason
from bobot.errors import BobotError, ErrorCode, InvalidInput

MAX_LINES = 100
MAX_QUANTITY = 10_000


class ShipPreference(str, Enum):
    SHIP_AVAILABLE_NOW = "SHIP_AVAILABLE_NOW"
    SHIP_TOGETHER = "SHIP_TOGETHER"


@dataclass(frozen=True, slots=True)
class LineRequest:
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class StockView:
    """What the split needs to know of one product, read under lock."""

    available: int
    backordered: int
    terms: BackorderTerms


@dataclass(frozen=True, slots=True)
class LineSplit:
    index: int
    sku: str
    quantity: int
    from_stock: int
    backordered: int


_REFUSAL_CODE = {
    "BACKORDERS_DENIED": ErrorCode.BACKORDERS_DENIED,
    "BACKORDER_LIMIT_REACHED": ErrorCode.BACKORDER_LIMIT_REACHED,
    "BACKORDERS_ENDED": ErrorCode.BACKORDERS_ENDED,
}


def validate_lines(lines: Sequence[LineRequest]) -> None:
    if not lines:
        raise InvalidInput("An order needs at least one line.", field=["lines"])
    if len(lines) > MAX_LINES:
        raise InvalidInput(f"An order has at most {MAX_LINES} lines.", field=["lines"])
    for index, line in enumerate(lines):
        if line.quantity <= 0 or line.quantity > MAX_QUANTITY:
            raise BobotError(
                f"Quantity of {line.sku} must be between 1 and {MAX_QUANTITY}, "
                f"got {line.quantity}.",
                code=ErrorCode.INVALID_QUANTITY,
                field=["lines", str(index), "quantity"],
            )


def split_lines(
    lines: Sequence[LineRequest], stock: Mapping[str, StockView], now: datetime
) -> list[LineSplit]:
    """Split every line, all or nothing.

    Units available now are allocated; the rest is backordered if the product's terms allow
    it. Lines naming the same SKU share its stock in order. Raises a coded error for the
    first line that cannot be satisfied.
    """
    validate_lines(lines)
    available = {sku: view.available for sku, view in stock.items()}
    backordered = {sku: view.backordered for sku, view in stock.items()}
    result: list[LineSplit] = []
    for index, line in enumerate(lines):
        view = stock.get(line.sku)
        if view is None:
            raise BobotError(
                f"No product has SKU {line.sku!r}.",
                code=ErrorCode.UNKNOWN_SKU,
                field=["lines", str(index), "sku"],
            )
        from_stock = min(line.quantity, available[line.sku])
        short = line.quantity - from_stock
        if short:
            room = backorder_room(view.terms, backordered[line.sku], now)
            if room is not None and short > room:
                reason = closed_reason(view.terms, now)
                detail = f"only {available[line.sku]} available" + (
                    f" and {room} more can be backordered" if room else ""
                )
                raise BobotError(
                    f"Cannot order {line.quantity} x {line.sku}: {detail}"
                    f" ({reason.value.lower().replace('_', ' ')}).",
                    code=_REFUSAL_CODE[reason.value],
                    field=["lines", str(index), "quantity"],
                )
        available[line.sku] -= from_stock
        backordered[line.sku] += short
        result.append(LineSplit(index, line.sku, line.quantity, from_stock, short))
    return result


@dataclass(frozen=True, slots=True)
class PlannedShipment:
    """Line indexes with the units each carries; ``waits`` when any unit is backordered."""

    parts: tuple[tuple[int, int, bool], ...]  # (line index, units, units are backordered)
    waits: bool


def plan_shipments(
    splits: Sequence[LineSplit], preference: ShipPreference
) -> list[PlannedShipment]:
    """One shipment for what ships now and one for backordered units, or one in all."""
    if preference is ShipPreference.SHIP_TOGETHER:
        parts = []
        for split in splits:
            if split.from_stock:
                parts.append((split.index, split.from_stock, False))
            if split.backordered:
                parts.append((split.index, split.backordered, True))
        return [PlannedShipment(tuple(parts), waits=any(p[2] for p in parts))]
    now = tuple((s.index, s.from_stock, False) for s in splits if s.from_stock)
    later = tuple((s.index, s.backordered, True) for s in splits if s.backordered)
    planned = []
    if now:
        planned.append(PlannedShipment(now, waits=False))
    if later:
        planned.append(PlannedShipment(later, waits=True))
    return planned
