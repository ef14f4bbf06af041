"""Reads get the same answer for bad input as writes, without reaching the database."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    ListValueNode,
    ObjectValueNode,
    StringValueNode,
    Visitor,
    visit,
)
from strawberry.extensions.base_extension import SchemaExtension
from strawberry.types.graphql import OperationType
from tortoise.exceptions import ValidationError

from bobot.services.validation import unstorable


def _bad_text(value: Any) -> bool:
    if isinstance(value, str):
        return unstorable(value)
    if isinstance(value, dict):
        return any(_bad_text(v) for v in value.values())
    if isinstance(value, list):
        return any(_bad_text(v) for v in value)
    return False


def _bad_literal(node: Any) -> bool:
    if isinstance(node, StringValueNode):
        return unstorable(node.value)
    if isinstance(node, ListValueNode):
        return any(_bad_literal(v) for v in node.values)
    if isinstance(node, ObjectValueNode):
        return any(_bad_literal(f.value) for f in node.fields)
    return False


class _Arguments(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.bad = False

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        self.bad = self.bad or _bad_literal(node.value)


class LiteralCheck:
    """Whether a document's argument literals hold unstorable text, remembered for the last
    documents seen (the parser cache hands out the same document for the same text)."""

    def __init__(self, maxsize: int = 512) -> None:
        self.maxsize = maxsize
        self._known: OrderedDict[int, tuple[DocumentNode, bool]] = OrderedDict()

    def bad(self, document: DocumentNode) -> bool:
        known = self._known.get(id(document))
        if known is not None and known[0] is document:
            return known[1]
        visitor = _Arguments()
        visit(document, visitor)
        self._known[id(document)] = (document, visitor.bad)
        if len(self._known) > self.maxsize:
            self._known.popitem(last=False)
        return visitor.bad


class GuardReads(SchemaExtension):
    """Reads get the same answer for bad input as writes, without reaching the database.

    A query whose arguments hold text no database can be asked about is refused before it
    runs; a value the ORM refuses while reading (one longer than its column: such a value
    cannot match) is ``BAD_USER_INPUT``, not an unexpected error. Mutations check their
    arguments themselves, as userErrors (:mod:`bobot.graphql.inputs`).
    """

    def __init__(self, seen: LiteralCheck | None = None) -> None:
        self.seen = seen if seen is not None else LiteralCheck()

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        document = ec.graphql_document
        if (
            document is not None
            and ec.operation_type is OperationType.QUERY
            and (self.seen.bad(document) or _bad_text(ec.variables or {}))
        ):
            ec.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "Text arguments must not hold control characters or invalid Unicode.",
                        extensions={"code": "BAD_USER_INPUT"},
                    )
                ],
            )
        yield
        result = ec.result
        if isinstance(result, ExecutionResult) and result.errors:
            result.errors = [_coded(error) for error in result.errors]


def _coded(error: GraphQLError) -> GraphQLError:
    if not isinstance(error.original_error, ValidationError):
        return error
    return GraphQLError(
        "A value is longer than its field allows, or otherwise out of range.",
        error.nodes,
        path=error.path,
        extensions={"code": "BAD_USER_INPUT"},
    )
