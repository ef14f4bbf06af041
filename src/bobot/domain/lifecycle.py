"""How backorders, orders and purchase orders move through their states: pure decisions
over plain values, which the services load, ask and persist."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bobot.domain.statuses import (
    CANCELLABLE,
    OPEN_PO,
    BackorderStatus,
    OrderStatus,
    PurchaseOrderStatus,
    ShipmentStatus,
)
from bobot.errors import BobotError, Conflict, ErrorCode

# --------------------------------------------------------------------------- backorders


def backorder_status(quantity: int, allocated: int) -> BackorderStatus:
    """The status of a live backorder of ``quantity`` units, ``allocated`` of them covered."""
    if quantity == 0:
        return BackorderStatus.CANCELLED
    if allocated >= quantity:
        return BackorderStatus.ALLOCATED
    if allocated:
        return BackorderStatus.PARTIALLY_ALLOCATED
    return BackorderStatus.OPEN


@dataclass(frozen=True, slots=True)
class CancellationPlan:
    """What cancelling ``units`` of a backorder does."""

    units: int  # units cancelled
    from_uncovered: int  # of them, units not yet covered by stock (no longer backordered)
    released: int  # of them, allocated units handed back to the product's queue
    quantity: int  # units the backorder keeps
    allocated: int  # of those, units still allocated
    status: BackorderStatus  # the backorder's status afterwards


def plan_cancellation(
    *, backorder_id: int, status: BackorderStatus, quantity: int, allocated: int, units: int | None
) -> CancellationPlan:
    """Cancel ``units`` (``None``: all) of a backorder of ``quantity`` units, ``allocated`` of
    them covered. Uncovered units are cancelled first; only the rest releases stock."""
    if status not in CANCELLABLE:
        raise Conflict(
            f"Backorder {backorder_id} is {status.value} and can no longer be cancelled.",
            field=["id"],
        )
    cancelled = quantity if units is None else units
    if cancelled <= 0 or cancelled > quantity:
        raise BobotError(
            f"Can cancel between 1 and {quantity} units of backorder {backorder_id}, "
            f"not {cancelled}.",
            code=ErrorCode.INVALID_QUANTITY,
            field=["quantity"],
        )
    from_uncovered = min(cancelled, quantity - allocated)
    released = cancelled - from_uncovered
    left, left_allocated = quantity - cancelled, allocated - released
    return CancellationPlan(
        units=cancelled,
        from_uncovered=from_uncovered,
        released=released,
        quantity=left,
        allocated=left_allocated,
        status=backorder_status(left, left_allocated),
    )


# --------------------------------------------------------------------------- orders


def order_status(shipment_statuses: Iterable[ShipmentStatus]) -> OrderStatus:
    """An order's status from its shipments': cancelled when none is left, shipped when every
    live one has left, partly shipped when some have, open otherwise."""
    live = set(shipment_statuses) - {ShipmentStatus.CANCELLED}
    if not live:
        return OrderStatus.CANCELLED
    if live == {ShipmentStatus.SHIPPED}:
        return OrderStatus.SHIPPED
    if ShipmentStatus.SHIPPED in live:
        return OrderStatus.PARTIALLY_SHIPPED
    return OrderStatus.OPEN


def require_shippable(shipment_id: int, status: ShipmentStatus) -> None:
    """Only a READY shipment (every unit allocated) can be shipped."""
    if status is not ShipmentStatus.READY:
        raise Conflict(
            f"Shipment {shipment_id} is {status.value}; only a READY shipment can be shipped.",
            field=["id"],
        )


# --------------------------------------------------------------------------- purchase orders

_PO = PurchaseOrderStatus
#: Status changes staff may make by hand (receipts move ORDERED onwards).
MANUAL_PO_TRANSITIONS: dict[PurchaseOrderStatus, frozenset[PurchaseOrderStatus]] = {
    _PO.DRAFT: frozenset({_PO.ORDERED, _PO.CANCELLED}),
    _PO.ORDERED: frozenset({_PO.CANCELLED}),
    _PO.PARTIALLY_RECEIVED: frozenset({_PO.CANCELLED}),
    _PO.RECEIVED: frozenset(),
    _PO.CANCELLED: frozenset(),
}
#: The statuses a purchase order is created in.
NEW_PO_STATUSES = (_PO.DRAFT, _PO.ORDERED)


#: A received or cancelled purchase order changes no more.
FINAL_PO_STATUSES = (_PO.RECEIVED, _PO.CANCELLED)


def require_changeable(number: str, status: PurchaseOrderStatus) -> None:
    if status in FINAL_PO_STATUSES:
        raise Conflict(f"{number} is {status.value} and can no longer change.", field=["id"])


def require_manual_transition(
    number: str, current: PurchaseOrderStatus, wanted: PurchaseOrderStatus
) -> None:
    """Staff may move a purchase order only along :data:`MANUAL_PO_TRANSITIONS` (staying put
    is no change)."""
    if wanted != current and wanted not in MANUAL_PO_TRANSITIONS[current]:
        raise Conflict(
            f"{number} cannot go from {current.value} to {wanted.value}.", field=["status"]
        )


def require_receivable(number: str, status: PurchaseOrderStatus, *, field: str) -> None:
    """Only an ordered (possibly partly received) purchase order can be received."""
    if status not in OPEN_PO:
        raise Conflict(
            f"{number} is {status.value}; only an ordered purchase order can be received.",
            field=[field],
        )


def status_after_receipt(lines: Iterable[tuple[int, int]]) -> PurchaseOrderStatus:
    """A purchase order's status once units were received against it: ``lines`` are each
    line's (quantity, quantity received). Received when every line is complete."""
    done = all(received >= quantity for quantity, received in lines)
    return _PO.RECEIVED if done else _PO.PARTIALLY_RECEIVED
