"""Execution without the per-field machinery where a field needs none of it.

A product list answers a few hundred fields a request, and most are leaves copied from an
attribute (``sku``, ``status``, ``label``...). graphql-core still builds a resolve info,
calls strawberry's resolver wrapper and runs the generic value completion for each.

- :class:`ExecutionContext`: a leaf that strawberry itself resolves by ``getattr`` (no
  resolver, no permission classes, no field extensions, no arguments) is read and coerced
  directly. Anything unusual (a null, a value the scalar refuses, an awaitable, middleware)
  goes down graphql-core's own path, so errors and their paths come out exactly as before.
- :func:`resolve_methods_directly`: a field resolved by a plain method (``def
  availability(self)``: no arguments, no info, no permission classes, not async) calls it
  without strawberry's wrapper, which otherwise builds an Info and parses arguments first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

_MISSING = object()


class PlainLeaf(NamedTuple):
    attribute: str
    type: GraphQLLeafType
    non_null: bool


def plain_leaf(field: GraphQLField) -> PlainLeaf | None:
    """How to read ``field`` directly, or None when it needs graphql-core's full path."""
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or field.args:
        return None
    if not definition.is_basic_field or definition.default_resolver is not getattr:
        return None
    output = field.type
    non_null = isinstance(output, GraphQLNonNull)
    leaf = output.of_type if isinstance(output, GraphQLNonNull) else output
    if not is_leaf_type(leaf):
        return None
    return PlainLeaf(definition.python_name, leaf, non_null)


def plain_method(field: GraphQLField) -> Callable[[Any], Any] | None:
    """The method behind ``field`` when calling it is all its resolver does, else None."""
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or field.args or definition.extensions:
        return None
    resolver = definition.base_resolver
    if resolver is None or resolver.is_async or resolver.arguments:
        return None
    if resolver.self_parameter is None or resolver.info_parameter is not None:
        return None
    if resolver.root_parameter is not None or resolver.parent_parameter is not None:
        return None
    method = resolver.wrapped_func
    return None if isinstance(method, (staticmethod, classmethod)) else method


def resolve_methods_directly(schema: GraphQLSchema) -> int:
    """Point each plain method field of ``schema`` straight at its method; returns how many.

    For a schema without field exception handlers (strawberry then adds nothing else).
    """
    count = 0
    for graphql_type in schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType):
            continue
        for field in graphql_type.fields.values():
            method = plain_method(field)
            if method is not None:
                field.resolve = _calling(method)
                count += 1
    return count


def _calling(method: Callable[[Any], Any]) -> Callable[..., Any]:
    def resolve(source: Any, info: Any) -> Any:
        return method(source)

    return resolve


class _Leaves(dict[str, PlainLeaf | None]):
    """A type's fields by name -> how to read them, filled on first use."""

    def __init__(self, parent: GraphQLObjectType) -> None:
        super().__init__()
        self.fields = parent.fields

    def __missing__(self, name: str) -> PlainLeaf | None:
        field = self.fields.get(name)
        self[name] = found = plain_leaf(field) if field is not None else None
        return found


# Per schema, then per type name: a schema's entry goes with it (tests build many schemas).
_leaves: WeakKeyDictionary[GraphQLSchema, dict[str, _Leaves]] = WeakKeyDictionary()


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = _leaves.get(self.schema)
        if types is None:
            types = _leaves[self.schema] = {}
        self._leaves = types

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        if not node.arguments and not (
            self.middleware_manager and self.middleware_manager.middlewares
        ):
            leaves = self._leaves.get(parent_type.name)
            if leaves is None:
                leaves = self._leaves[parent_type.name] = _Leaves(parent_type)
            leaf = leaves[node.name.value]
            if leaf is not None:
                value = getattr(source, leaf.attribute, _MISSING)
                if value is None:
                    if not leaf.non_null:
                        return None
                elif value is not _MISSING and not self.is_awaitable(value):
                    try:
                        coerced = leaf.type.coerce_output_value(value)
                    except Exception:  # graphql-core's path reports it, with its path
                        coerced = None
                    if coerced is not None and coerced is not Undefined:
                        return coerced
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
