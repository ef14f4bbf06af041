"""The life-cycle states of orders, backorders, shipments and purchase orders, and the sets
of them that the rules (and the hand-written SQL) name.

Each set is defined once, here; its SQL form is derived with :func:`sql_in`, never spelled
again in a statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum


class OrderStatus(str, Enum):
    OPEN = "OPEN"
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    SHIPPED = "SHIPPED"
    CANCELLED = "CANCELLED"


class BackorderStatus(str, Enum):
    OPEN = "OPEN"
    PARTIALLY_ALLOCATED = "PARTIALLY_ALLOCATED"
    ALLOCATED = "ALLOCATED"
    SHIPPED = "SHIPPED"
    CANCELLED = "CANCELLED"


class ShipmentStatus(str, Enum):
    PENDING = "PENDING"  # waits for backordered units
    READY = "READY"  # every unit is allocated: ready to ship
    SHIPPED = "SHIPPED"
    CANCELLED = "CANCELLED"


class PurchaseOrderStatus(str, Enum):
    DRAFT = "DRAFT"
    ORDERED = "ORDERED"
    PARTIALLY_RECEIVED = "PARTIALLY_RECEIVED"
    RECEIVED = "RECEIVED"
    CANCELLED = "CANCELLED"


#: Backorders still waiting for units (they make up a product's queue).
WAITING: tuple[BackorderStatus, ...] = (
    BackorderStatus.OPEN,
    BackorderStatus.PARTIALLY_ALLOCATED,
)
#: Backorders that may still be cancelled: those waiting, and those allocated but not shipped.
CANCELLABLE: tuple[BackorderStatus, ...] = (*WAITING, BackorderStatus.ALLOCATED)
#: Purchase orders whose unreceived units count as incoming supply.
OPEN_PO: tuple[PurchaseOrderStatus, ...] = (
    PurchaseOrderStatus.ORDERED,
    PurchaseOrderStatus.PARTIALLY_RECEIVED,
)
#: Shipments that have not left and are not cancelled.
UNSHIPPED: tuple[ShipmentStatus, ...] = (ShipmentStatus.PENDING, ShipmentStatus.READY)


def sql_in(statuses: Iterable[Enum]) -> str:
    """The SQL list of ``statuses``' stored values: ``sql_in(WAITING)`` is
    ``"('OPEN', 'PARTIALLY_ALLOCATED')"``, for ``status IN ...`` in a hand-written statement.

    The values are the enums' own (upper-case identifiers), so quoting them is safe.
    """
    values = [str(status.value) for status in statuses]
    if not values:
        raise ValueError("an SQL list needs at least one status")
    for value in values:
        if not value.replace("_", "").isalnum():
            raise ValueError(f"not a status value: {value!r}")
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


WAITING_SQL = sql_in(WAITING)
OPEN_PO_SQL = sql_in(OPEN_PO)
