"""Backorder insights: the facts of a date range read from the history, in a fixed number of
statements whatever the range (the figures are :mod:`bobot.domain.insights`).

1. the product of ``sku``, when one is named (an unknown SKU is a coded error);
2. the range's events of the kinds the figures use, each with the backorder or waitlist
   entry it is about (creation time, promise; whether the entry became an order);
3. the purchase orders received in the range, as first created: the date each promised
   and its supplier.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bobot import sql
from bobot.domain.insights import (
    MAX_RANGE_DAYS,
    Ended,
    Facts,
    Insights,
    Joined,
    Opened,
    Receipt,
    Refusal,
    insights,
)
from bobot.errors import BobotError, ErrorCode, InvalidInput
from bobot.services.base import Deps

_KINDS = (
    "BACKORDER_CREATED",
    "BACKORDER_ALLOCATED",
    "BACKORDER_CANCELLED",
    "WAITLIST_JOINED",
    "STOCK_RECEIVED",
    "ORDER_REFUSED",
)

_EVENTS = (
    "SELECT e.at, e.kind, e.data, b.created_at, b.promised_date, w.status"
    " FROM event e"
    " LEFT JOIN backorder b ON e.subject_type = 'backorder' AND b.id = e.subject_id"
    " LEFT JOIN waitlist_entry w ON e.subject_type = 'waitlist_entry' AND w.id = e.subject_id"
    f" WHERE e.at >= ? AND e.at < ? AND e.kind IN ({', '.join(repr(k) for k in _KINDS)})"
)

_PURCHASE_ORDERS = (
    "SELECT e.subject_id, e.data, s.id, s.name FROM event e"
    " JOIN purchase_order po ON po.id = e.subject_id"
    " JOIN supplier s ON s.id = po.supplier_id"
    " WHERE e.subject_type = 'purchase_order' AND e.kind = 'PO_CREATED' AND {ids}"
)


def _data(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str | bytes) else dict(value)


def _instant(value: Any) -> datetime:
    """A timestamp as read back (SQLite: text), timezone-aware."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_range(start: date, end: date) -> None:
    if end < start:
        raise InvalidInput("The range ends before it starts.", field=["to"])
    if (end - start).days >= MAX_RANGE_DAYS:
        raise InvalidInput(f"A range covers at most {MAX_RANGE_DAYS} days.", field=["to"])


async def backorder_insights(
    *, start: date, end: date, sku: str | None = None, category: str | None = None, deps: Deps
) -> Insights:
    """The insights of ``start``..``end`` (shop days, inclusive), for one product (``sku``),
    one category, or the whole shop."""
    check_range(start, end)
    zone = deps.settings.calendar.zone
    low = datetime.combine(start, time(), zone).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time(), zone).astimezone(UTC)
    statement, params = _EVENTS, [sql.adapt(low), sql.adapt(high)]
    if sku is not None:
        found = await sql.fetch("SELECT id FROM product WHERE sku = ?", [sku])
        if not found:
            raise BobotError(f"No product has SKU {sku!r}.", code=ErrorCode.UNKNOWN_SKU,
                             field=["sku"])  # fmt: skip
        statement += " AND e.product_id = ?"
        params.append(found[0][0])
    elif category is not None:
        statement += " AND e.product_id IN (SELECT id FROM product WHERE category = ?)"
        params.append(category)
    rows = await sql.fetch(statement, params)

    def day(moment: datetime) -> date:
        return moment.astimezone(zone).date()

    facts = Facts()
    receipts: list[tuple[date, int]] = []
    for at_value, kind, data_value, created_value, promised_value, entry_status in rows:
        at, data = _instant(at_value), _data(data_value)
        if kind == "BACKORDER_CREATED":
            facts.opened.append(Opened(day(at), int(data["quantity"])))
        elif kind == "BACKORDER_ALLOCATED" and data.get("complete") and created_value:
            wait = (at - _instant(created_value)).total_seconds() / 86400
            kept = day(at) <= sql.as_date(promised_value)
            facts.ended.append(Ended(day(at), wait, cancelled=False, kept=kept))
        elif kind == "BACKORDER_CANCELLED" and data.get("remaining") == 0 and created_value:
            wait = (at - _instant(created_value)).total_seconds() / 86400
            facts.ended.append(Ended(day(at), wait, cancelled=True))
        elif kind == "WAITLIST_JOINED":
            facts.joined.append(Joined(day(at), entry_status == "CONVERTED"))
        elif kind == "STOCK_RECEIVED" and data.get("purchase_order_id") is not None:
            receipts.append((day(at), int(data["purchase_order_id"])))
        elif kind == "ORDER_REFUSED":
            facts.refusals.append(Refusal(day(at), int(data["quantity"])))
    promised = await _purchase_orders({po for _, po in receipts})
    for received, po in receipts:
        if po in promised:
            expected, supplier_id, name = promised[po]
            facts.receipts.append(Receipt(received, supplier_id, name, (received - expected).days))
    return insights(facts, start, end)


async def _purchase_orders(ids: set[int]) -> dict[int, tuple[date, int, str]]:
    """Each purchase order's first expected date and its supplier (id, name)."""
    rows = await sql.fetch(
        _PURCHASE_ORDERS.format(ids=sql.in_ids("e.subject_id")), [sql.ids(sorted(ids))]
    )
    return {
        int(po): (date.fromisoformat(_data(data)["expected_date"]), int(sid), str(name))
        for po, data, sid, name in rows
    }
