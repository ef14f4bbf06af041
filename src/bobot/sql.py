"""Hand-written SQL for the few hot paths where the ORM's overhead shows.

Statements are written with ``?`` placeholders and rewritten to ``$n`` for PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
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
    counter = iter(range(1, 10_000))
    return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)


def placeholders(count: int) -> str:
    return ", ".join("?" * count)


async def fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    conn = _connection()
    postgres = conn.capabilities.dialect == "postgres"
    _, rows = await conn.execute_query(render(sql, postgres), list(params))
    return [tuple(row.values()) if isinstance(row, dict) else tuple(row) for row in rows]


def as_date(value: Any) -> date:
    """SQLite hands dates back as ISO strings."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
