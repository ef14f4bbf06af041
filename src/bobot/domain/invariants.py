"""The invariants a consistent store keeps, as pure checks over plain values.

The doctor (:mod:`bobot.services.doctor`) and the property-based suites read the store and
ask these; each check returns readable lines, one per violation (none: all is well).

Counters are rebuilt twice: from the rows they summarise (open backorders, unshipped
shipment lines, open purchase-order lines) and from the history (the events of receipts,
placements, fills, cancellations, shipments and purchase orders), so that a counter changed
by hand, or by a code path that forgot its event, shows up as drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from itertools import pairwise
from typing import Any

COUNTERS = ("on_hand", "allocated", "available", "backordered", "incoming")


@dataclass(frozen=True, slots=True)
class Counters:
    on_hand: int = 0
    allocated: int = 0
    available: int = 0
    backordered: int = 0
    incoming: int = 0
    held: int = 0  # units waitlist invitations hold (taken as stored, not rebuilt yet)


@dataclass(frozen=True, slots=True)
class Flows:
    """A product's units as its history tells them, summed over every event."""

    received: int = 0  # STOCK_RECEIVED
    shipped: int = 0  # the lines of shipments SHIPMENT_SHIPPED names
    from_stock: int = 0  # allocated when an order was placed (ORDER_PLACED lines)
    backordered: int = 0  # BACKORDER_CREATED
    filled: int = 0  # BACKORDER_ALLOCATED
    cancelled: int = 0  # BACKORDER_CANCELLED, every unit
    released: int = 0  # of those, allocated units handed back


def counters_from_flows(flows: Flows, incoming: int, held: int = 0) -> Counters:
    """The counters a product's history implies (``held``: as stored)."""
    on_hand = flows.received - flows.shipped
    allocated = flows.from_stock + flows.filled - flows.released - flows.shipped
    backordered = flows.backordered - flows.filled - (flows.cancelled - flows.released)
    return Counters(on_hand, allocated, on_hand - allocated - held, backordered, incoming, held)


# --------------------------------------------------------------------------- purchase orders

PO_EVENT_KINDS = ("PO_CREATED", "PO_CHANGED", "PO_RECEIVED", "STOCK_RECEIVED")
OPEN_PO_VALUES = frozenset({"ORDERED", "PARTIALLY_RECEIVED"})


@dataclass(frozen=True, slots=True)
class PoFact:
    """One event of a purchase order's life (``STOCK_RECEIVED``: a receipt against one)."""

    kind: str
    subject_id: int  # the purchase order (STOCK_RECEIVED: the product)
    product_id: int | None
    data: Mapping[str, Any]


def incoming_from_history(facts: Iterable[PoFact], sku_ids: Mapping[str, int]) -> dict[int, int]:
    """Units still due per product on open purchase orders, replaying their events in order:
    each line's last quantity, each order's last status, the units received against it."""
    status: dict[int, str] = {}
    quantity: dict[tuple[int, int], int] = {}
    received: dict[tuple[int, int], int] = {}
    for fact in facts:
        data = fact.data
        if fact.kind == "STOCK_RECEIVED":
            po_id = data.get("purchase_order_id")
            if po_id is not None:
                key = (int(po_id), fact.subject_id)
                received[key] = received.get(key, 0) + int(data["quantity"])
            continue
        po_id = fact.subject_id
        if fact.kind == "PO_CREATED" and fact.product_id is not None:
            quantity[(po_id, fact.product_id)] = int(data["quantity"])
            status[po_id] = str(data["status"])
        elif fact.kind == "PO_CHANGED":
            for sku, units in data.get("lines") or ():
                if sku in sku_ids:
                    quantity[(po_id, sku_ids[sku])] = int(units)
            if "status" in data:
                status[po_id] = str(data["status"][1])
        elif fact.kind == "PO_RECEIVED":
            status[po_id] = str(data["status"])
    due: dict[int, int] = {}
    for (po_id, product_id), units in quantity.items():
        if status.get(po_id) in OPEN_PO_VALUES:
            left = max(units - received.get((po_id, product_id), 0), 0)
            due[product_id] = due.get(product_id, 0) + left
    return due


# --------------------------------------------------------------------------- checks


def check_counters(sku: str, stored: Counters) -> list[str]:
    """Nothing negative, ``allocated <= on_hand``, ``available = on_hand - allocated``, and no
    unit available while backorders wait for one."""
    found = [
        f"{sku}: {f.name} is {getattr(stored, f.name)}, below zero"
        for f in fields(stored)
        if getattr(stored, f.name) < 0
    ]
    if stored.allocated > stored.on_hand:
        found.append(f"{sku}: allocated {stored.allocated} exceeds on hand {stored.on_hand}")
    if stored.available != stored.on_hand - stored.allocated - stored.held:
        found.append(
            f"{sku}: available is {stored.available}, on hand - allocated - held is "
            f"{stored.on_hand - stored.allocated - stored.held}"
        )
    if stored.backordered > 0 and stored.available > 0:
        found.append(
            f"{sku}: {stored.available} units available while {stored.backordered} are backordered"
        )
    return found


def compare(
    sku: str, stored: Counters, rebuilt: Counters, source: str, *, only: tuple[str, ...] = COUNTERS
) -> list[str]:
    """One line per counter whose stored value differs from the one ``source`` gives."""
    return [
        f"{sku}: {name} is {getattr(stored, name)}, the {source} give {getattr(rebuilt, name)}"
        for name in only
        if getattr(stored, name) != getattr(rebuilt, name)
    ]


def check_conservation(sku: str, received: int, shipped: int, stored: Counters) -> list[str]:
    """Units are conserved: received = shipped + allocated + available (+ held, once held
    units exist)."""
    accounted = shipped + stored.allocated + stored.available + stored.held
    if received == accounted:
        return []
    return [
        f"{sku}: {received} units received, but shipped {shipped} + allocated "
        f"{stored.allocated} + available {stored.available} + held {stored.held} = {accounted}"
    ]


def check_held(sku: str, held: int, invited: int) -> list[str]:
    """The units a product holds are those its open invitations asked for (``invited``: the
    sum over its INVITED waitlist entries)."""
    if held == invited:
        return []
    return [f"{sku}: {held} units held, but its open invitations hold {invited}"]


def check_invitation_order(sku: str, entries: Sequence[tuple[int, str]]) -> list[str]:
    """Invitations follow the waitlist's order: no entry still WAITING is ahead of an
    INVITED one (``entries``: id and status of a product's WAITING and INVITED entries, in
    queue order)."""
    first_waiting = next((eid for eid, status in entries if status == "WAITING"), None)
    if first_waiting is None:
        return []
    behind = False
    found: list[str] = []
    for eid, status in entries:
        behind = behind or eid == first_waiting
        if behind and status == "INVITED":
            found.append(f"{sku}: waitlist entry {eid} is invited before {first_waiting}")
    return found


def check_queue_dates(sku: str, queue: Sequence[tuple[int, date]]) -> list[str]:
    """Expected dates never decrease along a product's queue (``queue``: backorder id and
    expected date, in queue order, of the backorders dated by their own supply: a line of a
    ship-together order carries its parcel's date, which may be later)."""
    return [
        f"{sku}: backorder {later_id} expects {later.isoformat()}, before backorder "
        f"{earlier_id} ahead of it ({earlier.isoformat()})"
        for (earlier_id, earlier), (later_id, later) in pairwise(queue)
        if later < earlier
    ]


def check_fills(
    sku: str,
    queue: Sequence[tuple[int, int]],
    units: int,
    fills: Sequence[tuple[int, int, bool]],
) -> list[str]:
    """A receipt of ``units`` fills the queue as it stood (``queue``: backorder id and units
    still needed, in (priority, placement) order) strictly in order: every backorder ahead
    of the last one reached is covered, and units are left over only once all are."""
    expected: list[tuple[int, int, bool]] = []
    left = units
    for backorder_id, need in queue:
        if left == 0:
            break
        if need <= 0:
            continue
        take = min(need, left)
        expected.append((backorder_id, take, take == need))
        left -= take
    actual = [(int(b), int(u), bool(c)) for b, u, c in fills]
    if actual == expected:
        return []
    return [f"{sku}: a receipt of {units} filled {actual}, the queue's order gives {expected}"]


def check_limit_growth(
    sku: str, before: int, after: int, limit: int | None, policy_allows: bool
) -> list[str]:
    """Backordered units grow only within the limit in force (a limit lowered below what
    already waits stops new backorders; it does not cancel those waiting)."""
    if after <= before:
        return []
    if not policy_allows:
        return [f"{sku}: backordered grew from {before} to {after} under a DENY policy"]
    if limit is not None and after > limit:
        return [f"{sku}: backordered grew from {before} to {after}, past the limit of {limit}"]
    return []
