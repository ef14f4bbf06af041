"""Reading the store as the invariants need it: queues in (priority, placement) order, the
candidates a random step may act on, and the report of every invariant after a step."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from bobot import sql
from bobot.domain import invariants as rules
from bobot.domain.statuses import CANCELLABLE, OPEN_PO, WAITING_SQL, sql_in
from bobot.models import WaitlistEntry, WaitlistStatus
from bobot.services import doctor
from bobot.services.eta import FIFO_SQL


async def queues(product_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """Each product's waiting backorders (id, units still needed), in the queue's order."""
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if not product_ids:
        return found
    rows = await sql.fetch(
        "SELECT product_id, id, quantity - quantity_allocated FROM backorder"
        f" WHERE status IN {WAITING_SQL} AND product_id IN ({sql.placeholders(len(product_ids))})"
        f" ORDER BY product_id, {FIFO_SQL}",
        product_ids,
    )
    for product_id, backorder_id, need in rows:
        found[int(product_id)].append((int(backorder_id), int(need)))
    return found


async def ids(statement: str, params: list[object] | None = None) -> list[int]:
    return [int(row[0]) for row in await sql.fetch(statement, params or [])]


async def cancellable_backorders() -> list[int]:
    return await ids(f"SELECT id FROM backorder WHERE status IN {sql_in(CANCELLABLE)} ORDER BY id")


async def waiting_backorders() -> list[int]:
    return await ids(f"SELECT id FROM backorder WHERE status IN {WAITING_SQL} ORDER BY id")


async def ready_shipments() -> list[int]:
    return await ids("SELECT id FROM shipment WHERE status = 'READY' ORDER BY id")


async def changeable_pos() -> list[int]:
    return await ids(
        "SELECT id FROM purchase_order WHERE status = 'DRAFT' OR status IN"
        f" {sql_in(OPEN_PO)} ORDER BY id"
    )


async def open_pos(product_id: int | None = None) -> list[int]:
    if product_id is None:
        return await ids(
            f"SELECT id FROM purchase_order WHERE status IN {sql_in(OPEN_PO)} ORDER BY id"
        )
    return await ids(
        "SELECT p.id FROM purchase_order p JOIN purchase_order_line l ON l.purchase_order_id = p.id"
        f" WHERE p.status IN {sql_in(OPEN_PO)} AND l.product_id = ? ORDER BY p.id",
        [product_id],
    )


async def po_lines(purchase_order_id: int) -> list[tuple[int, int, int]]:
    """(product id, quantity, received) of each line of a purchase order."""
    rows = await sql.fetch(
        "SELECT product_id, quantity, quantity_received FROM purchase_order_line"
        " WHERE purchase_order_id = ? ORDER BY product_id",
        [purchase_order_id],
    )
    return [(int(p), int(q), int(r)) for p, q, r in rows]


async def shipment_units(shipment_id: int) -> dict[int, int]:
    units: dict[int, int] = defaultdict(int)
    for product_id, quantity in await sql.fetch(
        "SELECT product_id, quantity FROM shipment_line WHERE shipment_id = ?", [shipment_id]
    ):
        units[int(product_id)] += int(quantity)
    return units


async def active_waitlist() -> list[int]:
    return await ids(
        "SELECT id FROM waitlist_entry WHERE status IN ('WAITING', 'INVITED') ORDER BY id"
    )


async def invitations() -> list[tuple[int, int, int, datetime]]:
    """The open invitations: entry id, product id, units held, held until."""
    rows = (
        await WaitlistEntry.filter(status=WaitlistStatus.INVITED)
        .order_by("id")
        .values_list("id", "product_id", "quantity", "hold_until")
    )
    return [(int(e), int(p), int(q), h) for e, p, q, h in rows]


async def entry_status(entry_id: int) -> str:
    [[status]] = await sql.fetch("SELECT status FROM waitlist_entry WHERE id = ?", [entry_id])
    return str(status)


async def order_lines(order_id: int) -> list[tuple[int, int, int]]:
    """An order's lines: product id, quantity, units from stock."""
    rows = await sql.fetch(
        "SELECT product_id, quantity, quantity_from_stock FROM order_line"
        " WHERE order_id = ? ORDER BY id",
        [order_id],
    )
    return [(int(p), int(q), int(s)) for p, q, s in rows]


async def terms() -> dict[int, tuple[int, bool, int | None]]:
    """Per product: backordered units, whether the policy allows backorders, the limit."""
    rows = await sql.fetch("SELECT id, backordered, backorder_policy, backorder_limit FROM product")
    return {
        int(pid): (int(units), str(policy) == "ALLOW", None if limit is None else int(limit))
        for pid, units, policy, limit in rows
    }


async def violations(received: dict[int, int], shipped: dict[int, int]) -> list[str]:
    """Every invariant broken now: the doctor's checks, and units conserved against what the
    test itself counted in and out."""
    rebuilt = await doctor.rebuild()
    report = await doctor.examine(rebuilt)
    found = list(report.drift)
    for pid, stored in rebuilt.stored.items():
        found += rules.check_conservation(
            rebuilt.skus[pid], received.get(pid, 0), shipped.get(pid, 0), stored
        )
    return found
