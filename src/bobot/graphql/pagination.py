"""Relay-style connections paged by a unique key (keyset pagination, stable under inserts)."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from graphql import GraphQLError
from tortoise.queryset import QuerySet

N = TypeVar("N")
MAX_PAGE = 100


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    def nodes(self) -> list[N]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="Counted only when asked for (one extra statement).")
    async def total_count(self) -> int:
        return await self._count()


def encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(f"k:{key}".encode()).decode()


def decode_cursor(cursor: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raw = ""
    if not raw.startswith("k:"):
        raise GraphQLError("Invalid cursor.", extensions={"code": "BAD_USER_INPUT"})
    return raw[2:]


def check_first(first: int) -> None:
    if first < 1 or first > MAX_PAGE:
        raise GraphQLError(
            f"first must be between 1 and {MAX_PAGE}.", extensions={"code": "BAD_USER_INPUT"}
        )


async def paginate(
    query: QuerySet[Any],
    *,
    first: int,
    after: str | None,
    key: str = "id",
    descending: bool = False,
    node: Callable[[Any], N],
    values: Sequence[str] | None = None,
) -> Connection[N]:
    """Page ``query`` by the unique column ``key`` and wrap each row with ``node``.

    With ``values``, rows are read as dicts of those columns (no model objects built).
    """
    check_first(first)
    counted = query
    if after is not None:
        raw = decode_cursor(after)
        value: Any = raw
        if key == "id":
            try:
                value = int(raw)
            except ValueError:
                raise GraphQLError(
                    "Invalid cursor.", extensions={"code": "BAD_USER_INPUT"}
                ) from None
        query = query.filter(**{f"{key}__{'lt' if descending else 'gt'}": value})
    query = query.order_by(f"-{key}" if descending else key).limit(first + 1)
    rows: Sequence[Any] = await (query.values(*values) if values else query)
    more = len(rows) > first
    rows = rows[:first]
    edges = [
        Edge(cursor=encode_cursor(row[key] if values else getattr(row, key)), node=node(row))
        for row in rows
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=more,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=counted.count,
    )
