"""`bobot doctor`: rebuild every product's counters from the rows and from the history, and
check the invariants of :mod:`bobot.domain.invariants` on the live database.

Set-based: a fixed number of statements whatever the size of the store (the products; three
aggregates over the rows; three over the history; the purchase orders' events, replayed;
one window over the queues; one over the backorders' own quantities).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from bobot import sql
from bobot.domain import invariants as rules
from bobot.domain.invariants import Counters, Flows, PoFact
from bobot.domain.ordering import ShipPreference
from bobot.domain.statuses import (
    CANCELLABLE,
    OPEN_PO_SQL,
    UNSHIPPED,
    WAITING_SQL,
    sql_in,
)

#: How many lines of one kind a report shows before it says how many more there were.
MAX_LINES = 50


@dataclass
class Report:
    products: int = 0
    drift: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.drift

    def lines(self) -> list[str]:
        if self.ok:
            return [f"ok: {self.products} products, counters match the rows and the history"]
        shown = self.drift[:MAX_LINES]
        more = len(self.drift) - len(shown)
        return [*shown, *([f"... and {more} more"] if more else []), f"{len(self.drift)} found"]


@dataclass
class Rebuilt:
    """What the store's rows and history say, per product id."""

    stored: dict[int, Counters]
    skus: dict[int, str]
    from_rows: dict[int, Counters]
    from_history: dict[int, Counters]
    flows: dict[int, Flows]


def _json_int(key: str, column: str = "data") -> str:
    if sql.dialect() == "postgres":
        return f"(({column})::jsonb ->> '{key}')::bigint"
    return f"CAST(json_extract({column}, '$.{key}') AS INTEGER)"


def _order_lines_from_stock() -> str:
    """Per SKU, the units allocated from stock when orders were placed."""
    if sql.dialect() == "postgres":
        return (
            "SELECT l ->> 0, SUM((l ->> 2)::bigint) FROM event e"
            " CROSS JOIN LATERAL jsonb_array_elements((e.data)::jsonb -> 'lines') AS l"
            " WHERE e.kind = 'ORDER_PLACED' GROUP BY 1"
        )
    return (
        "SELECT json_extract(l.value, '$[0]'), SUM(json_extract(l.value, '$[2]'))"
        " FROM event e, json_each(e.data, '$.lines') AS l"
        " WHERE e.kind = 'ORDER_PLACED' GROUP BY 1"
    )


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else json.loads(value)


async def rebuild() -> Rebuilt:
    products = await sql.fetch(
        "SELECT id, sku, on_hand, allocated, available, backordered, incoming, held FROM product"
    )
    stored = {int(r[0]): Counters(*(int(v) for v in r[2:8])) for r in products}
    skus = {int(r[0]): str(r[1]) for r in products}
    sku_ids = {sku: pid for pid, sku in skus.items()}

    # ---- the rows
    live = sql_in(CANCELLABLE)
    backorders = await sql.fetch(
        "SELECT product_id, SUM(quantity_allocated),"
        f" SUM(CASE WHEN status IN {WAITING_SQL} THEN quantity - quantity_allocated ELSE 0 END)"
        f" FROM backorder WHERE status IN {live} GROUP BY product_id"
    )
    from_stock = await sql.fetch(
        "SELECT l.product_id, SUM(l.quantity) FROM shipment_line l"
        " JOIN shipment s ON s.id = l.shipment_id"
        f" WHERE l.backorder_id IS NULL AND s.status IN {sql_in(UNSHIPPED)}"
        " GROUP BY l.product_id"
    )
    due = await sql.fetch(
        "SELECT l.product_id, SUM(CASE WHEN l.quantity > l.quantity_received"
        " THEN l.quantity - l.quantity_received ELSE 0 END)"
        " FROM purchase_order_line l JOIN purchase_order p ON p.id = l.purchase_order_id"
        f" WHERE p.status IN {OPEN_PO_SQL} GROUP BY l.product_id"
    )
    allocated: dict[int, int] = defaultdict(int)
    waiting: dict[int, int] = defaultdict(int)
    for pid, units, uncovered in backorders:
        allocated[int(pid)] += int(units or 0)
        waiting[int(pid)] = int(uncovered or 0)
    for pid, units in from_stock:
        allocated[int(pid)] += int(units or 0)
    incoming = {int(pid): int(units or 0) for pid, units in due}
    from_rows = {
        pid: Counters(
            on_hand=c.on_hand,  # the rows do not record receipts: the history does
            allocated=allocated[pid],
            available=c.on_hand - allocated[pid] - c.held,
            backordered=waiting[pid],
            incoming=incoming.get(pid, 0),
            held=c.held,
        )
        for pid, c in stored.items()
    }

    # ---- the history
    sums = await sql.fetch(
        f"SELECT product_id, kind, SUM(COALESCE({_json_int('quantity')}, {_json_int('units')},"
        f" 0)), SUM(COALESCE({_json_int('released')}, 0)) FROM event"
        " WHERE kind IN ('STOCK_RECEIVED', 'BACKORDER_CREATED', 'BACKORDER_ALLOCATED',"
        " 'BACKORDER_CANCELLED') AND product_id IS NOT NULL GROUP BY product_id, kind"
    )
    shipped = await sql.fetch(
        "SELECT l.product_id, SUM(l.quantity) FROM event e"
        " JOIN shipment_line l ON l.shipment_id = e.subject_id"
        " WHERE e.kind = 'SHIPMENT_SHIPPED' GROUP BY l.product_id"
    )
    placed = await sql.fetch(_order_lines_from_stock())
    flows: dict[int, Flows] = {pid: Flows() for pid in stored}
    column = {
        "STOCK_RECEIVED": "received",
        "BACKORDER_CREATED": "backordered",
        "BACKORDER_ALLOCATED": "filled",
        "BACKORDER_CANCELLED": "cancelled",
    }
    for pid, kind, units, released in sums:
        if int(pid) not in flows:
            continue
        f = replace(flows[int(pid)], **{column[str(kind)]: int(units or 0)})
        if kind == "BACKORDER_CANCELLED":
            f = replace(f, released=int(released or 0))
        flows[int(pid)] = f
    for pid, units in shipped:
        if int(pid) in flows:
            flows[int(pid)] = replace(flows[int(pid)], shipped=int(units or 0))
    for sku, units in placed:
        pid = sku_ids.get(str(sku))
        if pid is not None:
            flows[pid] = replace(flows[pid], from_stock=int(units or 0))
    po_kinds = ", ".join(f"'{k}'" for k in rules.PO_EVENT_KINDS)
    po_events = await sql.fetch(
        f"SELECT kind, subject_id, product_id, data FROM event WHERE kind IN ({po_kinds})"
        f" AND (kind <> 'STOCK_RECEIVED' OR {_json_int('purchase_order_id')} IS NOT NULL)"
        " ORDER BY id"
    )
    history_incoming = rules.incoming_from_history(
        (
            PoFact(str(k), int(s), None if p is None else int(p), _as_dict(d))
            for k, s, p, d in po_events
        ),
        sku_ids,
    )
    from_history = {
        pid: rules.counters_from_flows(f, history_incoming.get(pid, 0), stored[pid].held)
        for pid, f in flows.items()
    }
    return Rebuilt(stored, skus, from_rows, from_history, flows)


async def _queue_order_breaks() -> list[str]:
    """Dates along each queue, leaving out the lines of ship-together orders: those carry
    their parcel's date, which may be later than their own supply (the rest of the queue,
    dated by supply alone, must still never go backwards)."""
    rows = await sql.fetch(
        "SELECT q.sku, q.prev_id, q.prev_date, q.id, q.expected_date FROM ("
        " SELECT b.sku, b.id, b.expected_date,"
        " LAG(b.id) OVER w AS prev_id, LAG(b.expected_date) OVER w AS prev_date"
        ' FROM backorder b JOIN "order" o ON o.id = b.order_id'
        f" WHERE b.status IN {WAITING_SQL}"
        f" AND o.ship_preference <> '{ShipPreference.SHIP_TOGETHER.value}'"
        " WINDOW w AS (PARTITION BY b.product_id ORDER BY b.priority DESC, b.created_at, b.id)) q"
        " WHERE q.prev_date > q.expected_date ORDER BY q.sku, q.id"
    )
    found: list[str] = []
    for sku, prev_id, prev_date, bid, expected in rows:
        found += rules.check_queue_dates(
            str(sku), [(int(prev_id), sql.as_date(prev_date)), (int(bid), sql.as_date(expected))]
        )
    return found


async def _broken_backorders() -> list[str]:
    rows = await sql.fetch(
        "SELECT sku, id, quantity, quantity_allocated, status FROM backorder"
        " WHERE quantity < 0 OR quantity_allocated < 0 OR quantity_allocated > quantity"
        " OR (status = 'ALLOCATED' AND quantity_allocated <> quantity)"
        " OR (status = 'OPEN' AND quantity_allocated <> 0) ORDER BY id"
    )
    return [
        f"{sku}: backorder {bid} ({status}) has {allocated} of {quantity} units allocated"
        for sku, bid, quantity, allocated, status in rows
    ]


async def _invitation_breaks(skus: dict[int, str], held: dict[int, int]) -> list[str]:
    """Held units match the open invitations, which follow the waitlist's order."""
    rows = await sql.fetch(
        "SELECT product_id, id, status, quantity FROM waitlist_entry"
        " WHERE status IN ('WAITING', 'INVITED') ORDER BY product_id, created_at, id"
    )
    entries: dict[int, list[tuple[int, str]]] = {}
    invited: dict[int, int] = {}
    for pid, eid, status, quantity in rows:
        entries.setdefault(int(pid), []).append((int(eid), str(status)))
        if str(status) == "INVITED":
            invited[int(pid)] = invited.get(int(pid), 0) + int(quantity)
    found: list[str] = []
    for pid in sorted(skus, key=skus.__getitem__):
        found += rules.check_held(skus[pid], held[pid], invited.get(pid, 0))
        found += rules.check_invitation_order(skus[pid], entries.get(pid, []))
    return found


async def examine(rebuilt: Rebuilt | None = None) -> Report:
    """Check the live database; every inconsistency is one readable line (``rebuilt``: the
    counters :func:`rebuild` just gave, if the caller has them)."""
    rebuilt = rebuilt or await rebuild()
    report = Report(products=len(rebuilt.stored))
    for pid in sorted(rebuilt.stored, key=lambda p: rebuilt.skus[p]):
        sku, stored = rebuilt.skus[pid], rebuilt.stored[pid]
        report.drift += rules.check_counters(sku, stored)
        report.drift += rules.compare(
            sku, stored, rebuilt.from_rows[pid], "rows", only=rules.COUNTERS[1:]
        )
        report.drift += rules.compare(sku, stored, rebuilt.from_history[pid], "history")
    report.drift += await _queue_order_breaks()
    report.drift += await _broken_backorders()
    held = {pid: stored.held for pid, stored in rebuilt.stored.items()}
    report.drift += await _invitation_breaks(rebuilt.skus, held)
    return report
