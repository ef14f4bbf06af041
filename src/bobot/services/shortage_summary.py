"""The shortage report kept as a table, so that staff get a page of it in one indexed read.

``shortage_summary`` holds each short product's line of the report as
:func:`bobot.services.shortages.compute` works it out, for the day and date rules recorded
in ``shortage_state.basis``. Triggers (migration ``0007``) list in ``shortage_stale``, in the
same transaction, every product whose line a change may have moved. Before a page is read,
:func:`refresh` recomputes the listed products' lines, or the whole table when the day or
the rules have changed since it was built (the ages and late units move with the day).

A page is then ``ORDER BY`` the report's order ``LIMIT`` the page size, along an index, in
the same statement that checks the table is up to date: one statement when nothing moved.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.transactions import in_transaction

from bobot import sql
from bobot.domain.eta import Supply
from bobot.services.context import Deps
from bobot.services.shortages import Rank, Shortage, compute

#: Key of the PostgreSQL advisory lock a refresh takes ("bobotsho" in ASCII, as a bigint),
#: so that two refreshes never rebuild the same lines at once.
REFRESH_LOCK_KEY = 0x626F626F7473686F & 0x7FFFFFFFFFFFFFFF

COLUMNS = (
    "product_id",
    "sku",
    "severity",
    "uncovered",
    "oldest_age_days",
    "backordered",
    "available",
    "incoming",
    "next_purchase_order_date",
    "eta_for_new_order",
    "eta_is_estimate",
)
_ORDER = "severity DESC, uncovered DESC, oldest_age_days DESC, sku"
#: Strictly after a rank in the report's order (see :data:`bobot.services.shortages.Rank`).
_AFTER = (
    " WHERE (severity < ? OR (severity = ? AND (uncovered < ? OR (uncovered = ?"
    " AND (oldest_age_days < ? OR (oldest_age_days = ? AND sku > ?))))))"
)
_FRESHNESS = (
    "(SELECT basis FROM shortage_state WHERE id = 1),"
    " (SELECT product_id FROM shortage_stale LIMIT 1)"
)
_PAGE = f"SELECT {_FRESHNESS}, {', '.join(COLUMNS)} FROM shortage_summary{{after}}"
_PAGE += f" ORDER BY {_ORDER} LIMIT ?"


@dataclass(frozen=True, slots=True)
class Page:
    shortages: list[Shortage]
    has_next: bool


def basis(deps: Deps, today: date) -> str:
    """What the stored lines were computed for: the day and the date rules, written the
    same way by every process (sets sorted), so that processes never rebuild in turn."""
    rules = deps.eta_rules(None, today=today)
    values = dataclasses.asdict(rules) if dataclasses.is_dataclass(rules) else vars(rules)
    return json.dumps({"today": today.isoformat(), "rules": _stable(values)}, sort_keys=True)


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _stable(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((_stable(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [_stable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


async def page(deps: Deps, *, first: int, after: Rank | None = None) -> Page:
    """Up to ``first`` shortages, worst first, strictly after ``after`` (a rank from a
    previous page). One statement when the table is up to date."""
    today = deps.today()
    rows = await _read(first + 1, after)
    fresh_as_of, stale = rows[0][:2] if rows else (await sql.fetch(f"SELECT {_FRESHNESS}"))[0]
    if fresh_as_of != basis(deps, today) or stale is not None:
        await refresh(deps, today=today)
        rows = await _read(first + 1, after)
    return Page([_shortage(row[2:]) for row in rows[:first]], has_next=len(rows) > first)


async def count() -> int:
    """How many products the report holds (as of the last :func:`page`)."""
    return int((await sql.fetch("SELECT COUNT(*) FROM shortage_summary"))[0][0])


async def _read(limit: int, after: Rank | None) -> list[tuple[Any, ...]]:
    if after is None:
        return await sql.fetch(_PAGE.format(after=""), [limit])
    severity, uncovered, age, sku = after
    params = [severity, severity, uncovered, uncovered, age, age, sku, limit]
    return await sql.fetch(_PAGE.format(after=_AFTER), params)


async def refresh(deps: Deps, *, today: date | None = None) -> int:
    """Bring the table up to date: the listed products' lines, or every line when the day or
    the rules changed. One transaction of a fixed number of statements, whatever the count
    of products: the marks and the basis read together, the report's two reads, and its
    writes. Returns how many products were recomputed (-1: all).
    """
    today = today if today is not None else deps.today()
    wanted = basis(deps, today)
    async with in_transaction():
        marked, built_for = await _take_marks()
        if built_for == wanted:
            if not marked:
                return 0
            report = await compute(deps, marked, today=today)
            await sql.execute(
                f"DELETE FROM shortage_summary WHERE {sql.in_ids('product_id')}",
                [sql.ids(marked)],
            )
            await sql.insert_rows("shortage_summary", COLUMNS, [_row(s) for s in report])
            return len(marked)
        report = await compute(deps, today=today)
        await _clear(wanted)
        await sql.insert_rows("shortage_summary", COLUMNS, [_row(s) for s in report])
        return -1


_SET_BASIS = (
    "INSERT INTO shortage_state (id, basis) VALUES (1, ?)"
    " ON CONFLICT (id) DO UPDATE SET basis = excluded.basis"
)


async def _clear(wanted: str) -> None:
    """Empty the table and record what it is rebuilt for (PostgreSQL: one statement)."""
    if sql.dialect() == "postgres":
        await sql.execute(f"WITH cleared AS (DELETE FROM shortage_summary) {_SET_BASIS}", [wanted])
        return
    await sql.execute("DELETE FROM shortage_summary")
    await sql.execute(_SET_BASIS, [wanted])


async def _take_marks() -> tuple[list[int], str | None]:
    """The products listed as stale, and what the table was built for, read together; each
    mark is taken off the list unless a transaction still writing holds it (PostgreSQL;
    its change is not visible yet, so its mark must stay; the product is recomputed all the
    same, for the changes already committed).

    On SQLite the transaction holds the write lock from its start: the marks are deleted
    after the read, when there are any.
    """
    if sql.dialect() != "postgres":
        built_for, listed = (
            await sql.fetch(
                "SELECT (SELECT basis FROM shortage_state WHERE id = 1),"
                " (SELECT json_group_array(product_id) FROM shortage_stale)"
            )
        )[0]
        marked = [int(p) for p in json.loads(listed)]
        if marked:
            await sql.execute("DELETE FROM shortage_stale")
        return marked, built_for
    await sql.fetch("SELECT pg_advisory_xact_lock(?)", [REFRESH_LOCK_KEY])
    # The statement's parts share one snapshot: the list is every mark, those it deletes
    # included.
    built_for, listed = (
        await sql.fetch(
            "WITH taken AS (DELETE FROM shortage_stale WHERE product_id IN (SELECT product_id"
            " FROM shortage_stale FOR UPDATE SKIP LOCKED))"
            " SELECT (SELECT basis FROM shortage_state WHERE id = 1),"
            " ARRAY(SELECT product_id FROM shortage_stale ORDER BY product_id)"
        )
    )[0]
    return [int(p) for p in listed], built_for


def _row(s: Shortage) -> tuple[Any, ...]:
    incoming = json.dumps([[i.expected_date.isoformat(), i.quantity] for i in s.incoming])
    return (
        s.product_id,
        s.sku,
        s.severity,
        s.uncovered,
        s.oldest_backorder_age_days,
        s.backordered,
        s.available,
        incoming,
        s.next_purchase_order_date,
        s.eta_for_new_order,
        s.eta_is_estimate,
    )


def _shortage(row: Sequence[Any]) -> Shortage:
    product_id, sku, severity, uncovered, age, backordered, available = row[:7]
    incoming, next_po, eta, estimate = row[7:]
    return Shortage(
        product_id=product_id,
        sku=sku,
        backordered=backordered,
        available=available,
        incoming=tuple(Supply(date.fromisoformat(d), q) for d, q in json.loads(incoming)),
        uncovered=uncovered,
        oldest_backorder_age_days=age,
        next_purchase_order_date=None if next_po is None else sql.as_date(next_po),
        eta_for_new_order=sql.as_date(eta),
        eta_is_estimate=bool(estimate),
        severity=severity,
    )
