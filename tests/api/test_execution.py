"""The leaf fast path answers exactly what graphql-core's own path answers, errors included."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from bobot.graphql.execution import (
    ExecutionContext,
    plain_leaf,
    plain_method,
    resolve_methods_directly,
)
from bobot.graphql.schema import create_schema


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Never(BasePermission):
    message = "No."

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Thing:
    name: str
    nickname: str | None
    count: int
    colour: Colour
    when: date | None
    price: Decimal
    secret: str = strawberry.field(permission_classes=[Never])

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    def repeat(self, times: int) -> str:
        return self.name * times

    @strawberry.field(permission_classes=[Never])
    def guarded(self) -> str:
        return "secret"

    @strawberry.field
    def described(self, info: strawberry.Info) -> str:
        return f"{self.name} ({info.field_name})"


def thing(**changes: Any) -> Thing:
    values: dict[str, Any] = dict(
        name="lamp", nickname=None, count=3, colour=Colour.BLUE, when=date(2026, 12, 1),
        price=Decimal("9.50"), secret="s",
    )  # fmt: skip
    values.update(changes)
    return Thing(**values)


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        return [
            thing(),
            thing(name="desk", nickname="d", colour=Colour.RED, when=None),
            thing(name=None),  # a null where the schema promises a String!
            thing(count="many"),  # a value the Int scalar refuses
            thing(colour="green"),  # not a Colour
        ]


QUERY = """{
  things {
    name alias: name nickname count colour when price shout repeat(times: 2)
    ... on Thing { again: count }
  }
}"""


def run(context_class: type, query: str, *, direct: bool = False) -> Any:
    schema = strawberry.Schema(query=Query, execution_context_class=context_class)
    if direct:
        resolve_methods_directly(schema._schema)
    return schema.execute_sync(query)


def test_the_fast_path_answers_as_graphql_core_does_values_nulls_and_errors():
    fast = run(ExecutionContext, QUERY, direct=True)
    slow = run(StrawberryGraphQLCoreExecutionContext, QUERY)

    assert fast.data == slow.data
    assert fast.data["things"][0] == {
        "name": "lamp", "alias": "lamp", "nickname": None, "count": 3, "colour": "BLUE",
        "when": "2026-12-01", "price": "9.50", "shout": "LAMP", "repeat": "lamplamp", "again": 3,
    }  # fmt: skip
    assert fast.data["things"][2:] == [None, None, None]  # each error nulls its item
    assert [(e.message, e.path) for e in fast.errors] == [(e.message, e.path) for e in slow.errors]
    # The first error in an item nulls it, and its other fields are not reported.
    assert [e.path for e in fast.errors] == [
        ["things", 2, "name"], ["things", 3, "count"], ["things", 4, "colour"]
    ]  # fmt: skip


def test_a_permission_still_refuses_on_the_fast_path():
    for field in ("secret", "guarded"):
        fast = run(ExecutionContext, f"{{ things {{ name {field} }} }}", direct=True)
        assert fast.data == {"things": [None] * 5}
        assert fast.errors[0].message == "No." and fast.errors[0].path == ["things", 0, field]


def test_only_plain_methods_are_called_directly():
    schema = strawberry.Schema(query=Query)
    assert resolve_methods_directly(schema._schema) == 2  # Query.things, Thing.shout
    fields = schema._schema.type_map["Thing"].fields
    assert plain_method(fields["shout"]) is not None
    for name in ("repeat", "guarded", "described", "name"):  # arguments, permission, info, none
        assert plain_method(fields[name]) is None
    answer = schema.execute_sync("{ things { shout described } }")
    assert answer.data["things"][0] == {"shout": "LAMP", "described": "lamp (described)"}


def test_only_attribute_leaves_without_arguments_or_permissions_take_the_fast_path():
    fields = create_schema()._schema.type_map["Product"].fields  # type: ignore[attr-defined]
    assert plain_leaf(fields["sku"]) == ("sku", plain_leaf(fields["sku"]).type, True)
    assert plain_leaf(fields["backorderLimit"]).non_null is False
    assert plain_leaf(fields["availability"]) is None  # a resolver, and not a leaf
    assert plain_leaf(fields["onHand"]) is None  # staff only
    availability = create_schema()._schema.type_map["Availability"].fields  # type: ignore[attr-defined]
    assert {name for name, field in availability.items() if plain_leaf(field)} == set(availability)


def test_plain_leaves_skip_the_resolve_info_and_resolvers_keep_it():
    built: list[str] = []

    class Counting(ExecutionContext):
        def build_resolve_info(self, field_def: Any, field_nodes: Any, *args: Any) -> Any:
            built.append(field_nodes[0].name.value)
            return super().build_resolve_info(field_def, field_nodes, *args)

    run(Counting, "{ things { name count colour shout } }")
    # Items 0 and 1 are good; 2, 3 and 4 each fail on one leaf, which takes the full path.
    assert built == ["things", "shout", "shout", "name", "count", "colour"]
