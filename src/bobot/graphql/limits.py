"""What a request may cost: the query's cost, checked before it runs, and the write rate.

Cost: every field selected costs 1, times the number of items its parents can return. A
connection's page is its ``first`` argument (a variable counts as the largest page, an
absent one as the field's default); any other list counts as :data:`LIST_GUESS` items.
``products(first: 100) { nodes { openBackorders { id } } }`` costs 1 + 100 * (1 + 10 * 2).
A document over :data:`MAX_COST` is refused with the top-level code ``QUERY_TOO_COSTLY``.

Writes: each token may run a number of mutations per period (``BOBOT_WRITE_RATE``, a token
bucket on the injectable clock); beyond it a mutation is refused before it runs with the
top-level code ``RATE_LIMITED`` and the ``Retry-After`` header (HTTP 429).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    get_named_type,
)
from strawberry.extensions.base_extension import SchemaExtension
from strawberry.types.graphql import OperationType

from bobot.config import Rate
from bobot.graphql.pagination import MAX_PAGE

MAX_COST = 25_000
LIST_GUESS = 10


def _is_list(type_: GraphQLOutputType) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


class QueryCostRule(ValidationRule):
    """Refuses an operation whose cost (see the module) is over :data:`MAX_COST`."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        schema = self.context.schema
        root = schema.get_root_type(node.operation)
        if root is None:
            return
        fragments = {
            d.name.value: d
            for d in self.context.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        cost = self._cost(node.selection_set, root, None, fragments, frozenset())
        if cost > MAX_COST:
            self.report_error(
                GraphQLError(
                    f"This query may cost {cost:,}, more than {MAX_COST:,}: ask for smaller"
                    " pages or fewer nested lists.",
                    node,
                    extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "maxCost": MAX_COST},
                )
            )

    def _page(self, node: FieldNode, default: Any) -> int:
        for argument in node.arguments or ():
            if argument.name.value == "first":
                value = argument.value
                if isinstance(value, IntValueNode):
                    return max(int(value.value), 1)
                return MAX_PAGE  # a variable: the largest page it may ask for
        return default if isinstance(default, int) else MAX_PAGE

    def _cost(
        self,
        selections: SelectionSetNode | None,
        parent: Any,
        page: int | None,
        fragments: dict[str, FragmentDefinitionNode],
        seen: frozenset[str],
    ) -> int:
        if selections is None:
            return 0
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                fields = getattr(parent, "fields", None) or {}
                definition = fields.get(selection.name.value)
                if definition is None:
                    total += 1  # __typename, or an unknown field another rule reports
                    continue
                child_page = None
                times = 1
                if "first" in definition.args:
                    child_page = self._page(selection, definition.args["first"].default_value)
                elif _is_list(definition.type):
                    times = page if page is not None else LIST_GUESS
                child = get_named_type(definition.type)
                total += times * (
                    1 + self._cost(selection.selection_set, child, child_page, fragments, seen)
                )
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.context.schema.get_type(condition.name.value) if condition else parent
                total += self._cost(selection.selection_set, target, page, fragments, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is None or name in seen:
                    continue  # unknown or cyclic: other rules report it
                target = self.context.schema.get_type(fragment.type_condition.name.value)
                total += self._cost(fragment.selection_set, target, page, fragments, seen | {name})
        return total


class WriteLimiter:
    """A token bucket per API token: ``rate.count`` writes at once, refilled evenly.
    Kept in the process's memory: each web process counts its own."""

    def __init__(self, rate: Rate) -> None:
        self.rate = rate
        self._buckets: dict[int, tuple[float, datetime]] = {}

    def take(self, key: int, now: datetime) -> int:
        """Spend one write for ``key``; 0 when allowed, else the seconds to wait."""
        per_second = self.rate.count / self.rate.seconds
        burst = float(self.rate.count)
        tokens, since = self._buckets.get(key, (burst, now))
        elapsed = max((now - since).total_seconds(), 0.0)
        tokens = min(burst, tokens + elapsed * per_second)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0
        self._buckets[key] = (tokens, now)
        return max(math.ceil((1 - tokens) / per_second), 1)


class LimitWrites(SchemaExtension):
    """Refuses a mutation beyond its token's write rate before it runs."""

    def __init__(self, limiter: WriteLimiter) -> None:
        self.limiter = limiter

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        context = ec.context
        viewer = getattr(context, "viewer", None)
        key = getattr(viewer, "token_id", None)
        if ec.operation_type is OperationType.MUTATION and key is not None:
            wait = self.limiter.take(key, context.deps.now())
            if wait:
                ec.result = ExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            f"Too many writes with this token: retry in {wait} s.",
                            extensions={"code": "RATE_LIMITED", "retryAfter": wait},
                        )
                    ],
                )
                response = getattr(context, "response", None)
                if response is not None:
                    response.status_code = 429
                    response.headers["Retry-After"] = str(wait)
        yield
