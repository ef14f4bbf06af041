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
    promise_kept,
)
from bobot.errors import BobotError, ErrorCode, InvalidInput
from bobot.services.context import Deps

_KINDS = (
    "BACKORDER_CREATED",
    "BACKORDER_ALLOCATED",
    "BACKORDER_CANCELLED",
    "WAITLIST_JOINED",
    "STOCK_RECEIVED",
    "ORDER_REFUSED",
)


def _events_sql() -> str:
    """The range's events, with the few fields of their data the figures read (a fill that
    is not complete, a fill later undone by the backorder's cancellation, and a
    cancellation that leaves units are left out here)."""
    quantity, complete, remaining, po = (
        sql.json_field("e.data", key)
        for key in ("quantity", "complete", "remaining", "purchase_order_id")
    )
    postgres = sql.dialect() == "postgres"
    true, zero = ("'true'", "'0'") if postgres else ("1", "0")  # ->> reads text on PostgreSQL
    return (
        f"SELECT e.at, e.kind, {quantity}, {po}, b.created_at, b.promised_date, w.status"
        " FROM event e"
        " LEFT JOIN backorder b ON e.subject_type = 'backorder' AND b.id = e.subject_id"
        " LEFT JOIN waitlist_entry w ON e.subject_type = 'waitlist_entry'"
        " AND w.id = e.subject_id"
        f" WHERE e.at >= ? AND e.at < ? AND e.kind IN ({', '.join(repr(k) for k in _KINDS)})"
        f" AND (e.kind <> 'BACKORDER_ALLOCATED' OR ({complete} = {true}"
        " AND b.status <> 'CANCELLED'))"
        f" AND (e.kind <> 'BACKORDER_CANCELLED' OR {remaining} = {zero})"
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
    for name, value in (("from", start), ("to", end)):
        if not 1970 <= value.year <= 2999:
            raise InvalidInput("Dates are between the years 1970 and 2999.", field=[name])
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
    statement, params = _events_sql(), [sql.adapt(low), sql.adapt(high)]
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

    days: dict[str, date] = {}

    def day(value: Any) -> date:
        """The shop's day of a timestamp as read back (many events share a second)."""
        key = str(value)
        found = days.get(key)
        if found is None:
            found = days[key] = _instant(value).astimezone(zone).date()
        return found

    facts = Facts()
    receipts: list[tuple[date, int]] = []
    for at_value, kind, quantity, po, created_value, promised_value, entry_status in rows:
        if kind == "BACKORDER_CREATED":
            facts.opened.append(Opened(day(at_value), int(quantity)))
        elif kind in ("BACKORDER_ALLOCATED", "BACKORDER_CANCELLED") and created_value:
            at = _instant(at_value)
            wait = (at - _instant(created_value)).total_seconds() / 86400
            if kind == "BACKORDER_ALLOCATED":
                kept = promise_kept(
                    day(at_value),
                    sql.as_date(promised_value),
                    calendar=deps.settings.calendar,
                    handling_days=deps.settings.handling_days,
                )
                facts.ended.append(Ended(day(at_value), wait, cancelled=False, kept=kept))
            else:
                facts.ended.append(Ended(day(at_value), wait, cancelled=True))
        elif kind == "WAITLIST_JOINED":
            facts.joined.append(Joined(day(at_value), entry_status == "CONVERTED"))
        elif kind == "STOCK_RECEIVED" and po is not None:
            receipts.append((day(at_value), int(po)))
        elif kind == "ORDER_REFUSED":
            facts.refusals.append(Refusal(day(at_value), int(quantity)))
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
