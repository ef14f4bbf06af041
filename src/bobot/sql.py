"""Hand-written SQL for the few hot paths where the ORM's overhead shows.

Statements are written with ``?`` placeholders and rewritten to ``$n`` for PostgreSQL.
Parameters are adapted the way Tortoise stores them (on SQLite: dates as ISO text,
timestamps as ``str(datetime)``), so rows written here read back through the ORM unchanged.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from tortoise import connections

_PLACEHOLDER = re.compile(r"\?")


def _connection() -> Any:
    return connections.get("default")


def dialect() -> str:
    return str(_connection().capabilities.dialect)


def render(sql: str, postgres: bool) -> str:
    if not postgres:
        return sql
    counter = itertools.count(1)
    return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)


def placeholders(count: int) -> str:
    return ", ".join("?" * count)


def _adapt(value: Any) -> Any:
    if isinstance(value, datetime):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _params(params: Iterable[Any], postgres: bool) -> list[Any]:
    return list(params) if postgres else [_adapt(v) for v in params]


async def fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    conn = _connection()
    postgres = conn.capabilities.dialect == "postgres"
    _, rows = await conn.execute_query(render(sql, postgres), _params(params, postgres))
    if rows and isinstance(rows[0], dict):
        return [tuple(row.values()) for row in rows]
    return list(map(tuple, rows))


async def returning(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """The rows a write's ``RETURNING`` gives back (Tortoise's ``execute_query`` drops them
    for an UPDATE on PostgreSQL)."""
    conn = _connection()
    postgres = conn.capabilities.dialect == "postgres"
    rows = await conn.execute_query_dict(render(sql, postgres), _params(params, postgres))
    return [tuple(row.values()) for row in rows]


async def execute(sql: str, params: Sequence[Any] = ()) -> int:
    """Run one statement; returns the number of rows an UPDATE or DELETE changed (not an
    INSERT's on PostgreSQL, where Tortoise reads the status ``INSERT 0 n`` as 0)."""
    conn = _connection()
    postgres = conn.capabilities.dialect == "postgres"
    changed, _ = await conn.execute_query(render(sql, postgres), _params(params, postgres))
    return int(changed)


async def insert_rows(
    table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, adapted: bool = False
) -> None:
    """Insert many rows in one round of the driver: PostgreSQL's binary COPY, SQLite's
    ``executemany``. Runs in the caller's transaction, if any.

    ``adapted``: the rows hold no date or timestamp objects (see :func:`adapt`), so they are
    passed as they are.
    """
    if not rows:
        return
    conn = _connection()
    names = ", ".join(columns)
    if conn.capabilities.dialect == "postgres":
        conn.log.debug("%s: %s", f"COPY {table} ({names}) FROM STDIN", f"{len(rows)} rows")
        async with conn.acquire_connection() as raw:
            await raw.copy_records_to_table(table, records=rows, columns=list(columns))
        return
    values = rows if adapted else [[_adapt(v) for v in row] for row in rows]
    await conn.execute_many(
        f"INSERT INTO {table} ({names}) VALUES ({placeholders(len(columns))})", values
    )


async def execute_many(sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run one statement once per row of parameters, in one round of the driver."""
    if not rows:
        return
    conn = _connection()
    postgres = conn.capabilities.dialect == "postgres"
    await conn.execute_many(render(sql, postgres), [_params(row, postgres) for row in rows])


def in_ids(column: str) -> str:
    """``column`` is one of a list of ids given as one parameter (see :func:`ids`), however
    long the list: one statement and one plan where ``IN (?, ?, ...)`` would need thousands
    of placeholders and chunks under the drivers' limits."""
    if dialect() == "postgres":
        return f"{column} = ANY(?::bigint[])"
    return f"{column} IN (SELECT value FROM json_each(?))"


def ids(values: Iterable[int]) -> Any:
    """The parameter of an :func:`in_ids` condition or of :func:`rows_by_id`."""
    listed = [int(v) for v in values]
    return listed if dialect() == "postgres" else json.dumps(listed)


def rows_by_id(table: str, alias: str) -> str:
    """FROM items: the rows of ``table`` (as ``alias``) whose ids one parameter lists (see
    :func:`ids`), each looked up by primary key; ``ORDER BY j.key`` keeps the list's order.

    SQLite walks the list as written (``CROSS JOIN`` fixes the order of the loops). Given
    thousands of ids, PostgreSQL's planner would rather hash the whole table: 5,000
    backorders out of 100,000 took twice as long that way as probing each. The LATERAL
    subquery, kept one by ``OFFSET 0``, makes it probe.
    """
    if dialect() == "postgres":
        return (
            "unnest(?::bigint[]) WITH ORDINALITY AS j(value, key) CROSS JOIN LATERAL"
            f" (SELECT * FROM {table} WHERE id = j.value OFFSET 0) AS {alias}"
        )
    return f"json_each(?) AS j CROSS JOIN {table} AS {alias} ON {alias}.id = j.value"


def json_object(fields: Mapping[str, str]) -> str:
    """An SQL expression building a JSON object, its keys in the order given, from each
    key's SQL expression (JSON ``true``: :func:`json_true`)."""
    function = "jsonb_build_object" if dialect() == "postgres" else "json_object"
    pairs = ", ".join(f"'{key}', {value}" for key, value in fields.items())
    return f"{function}({pairs})"


def json_true() -> str:
    """JSON ``true`` in :func:`json_object` (SQLite has no boolean type of its own)."""
    return "TRUE" if dialect() == "postgres" else "json('true')"


def json_bool(value: bool) -> str:
    """JSON ``true`` or ``false`` in :func:`json_object`."""
    if value:
        return json_true()
    return "FALSE" if dialect() == "postgres" else "json('false')"


def json_field(column: str, key: str) -> str:
    """An SQL expression reading ``key`` of the JSON object in ``column`` as text (SQLite:
    as its SQL value, a JSON true being 1)."""
    if dialect() == "postgres":
        return f"({column}->>'{key}')"
    return f"json_extract({column}, '$.{key}')"


def date_parameter() -> str:
    """A date parameter where nothing else gives it a type (a value in
    :func:`json_object`): PostgreSQL needs the cast, SQLite takes the ISO text."""
    return "?::date" if dialect() == "postgres" else "?"


def adapt(value: Any) -> Any:
    """A date or timestamp as the current database takes it in a parameter."""
    return value if dialect() == "postgres" else _adapt(value)


def as_date(value: Any) -> date:
    """SQLite hands dates back as ISO strings (a long queue has few distinct ones: each is
    parsed once)."""
    if isinstance(value, date):
        return value
    text = str(value)[:10]
    found = _DATES.get(text)
    if found is None:
        if len(_DATES) >= 4096:
            _DATES.clear()
        found = _DATES[text] = date.fromisoformat(text)
    return found


_DATES: dict[str, date] = {}
