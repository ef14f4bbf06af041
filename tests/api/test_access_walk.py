"""Walks the whole schema as anonymous and storefront callers: whatever is not listed public
below is refused (UNAUTHENTICATED or FORBIDDEN), at the root and at every field reachable."""

from __future__ import annotations

from collections import deque
from datetime import timedelta
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    get_named_type,
)

from bobot.graphql.schema import create_schema

SCHEMA = create_schema()._schema

#: Root fields anyone may call, and those a storefront token may call besides.
PUBLIC_ROOTS = {"Query.product", "Query.products"}
SHOP_ROOTS = {
    "Query.order",
    "Mutation.placeOrder",
    "Mutation.joinWaitlist",
    "Mutation.leaveWaitlist",
}

#: Fields anyone may read below the public roots (every other one must refuse).
PUBLIC_FIELDS = {
    *(f"Product.{name}" for name in (
        "sku", "name", "category", "price", "availability",
        "backorderPolicy", "backorderLimit", "backordersEndAt",
    )),
    *(f"Availability.{name}" for name in (
        "status", "quantityAvailable", "canPurchase", "estimatedShipDate", "isEstimate",
        "reason", "label",
    )),
    *(f"ProductConnection.{name}" for name in ("edges", "pageInfo", "nodes", "totalCount")),
    "ProductEdge.cursor", "ProductEdge.node",
    *(f"PageInfo.{name}" for name in (
        "hasNextPage", "hasPreviousPage", "startCursor", "endCursor",
    )),
}  # fmt: skip

#: And a storefront below its orders: the order as the shopper placed it, and its lines,
#: parcels and backorders (with their product's public fields).
SHOP_FIELDS = PUBLIC_FIELDS | {
    *(f"Order.{name}" for name in (
        "id", "number", "status", "shipPreference", "customer", "createdAt", "lines",
        "shipments", "backorders",
    )),
    "Customer.email", "Customer.name",
    *(f"OrderLine.{name}" for name in (
        "id", "sku", "quantity", "quantityAllocated", "quantityBackordered", "quantityCancelled",
    )),
    *(f"Shipment.{name}" for name in (
        "id", "status", "cost", "shippedAt", "lines", "estimatedShipDate",
    )),
    "ShipmentLine.sku", "ShipmentLine.quantity",
    *(f"Backorder.{name}" for name in (
        "id", "sku", "quantity", "quantityOrdered", "quantityAllocated", "status", "priority",
        "promisedDate", "expectedDate", "isEstimate", "isDelayed", "createdAt", "order",
        "product",
    )),
}  # fmt: skip

CALLERS = {
    "anonymous": (None, PUBLIC_ROOTS, PUBLIC_FIELDS),
    "storefront": ("storefront", PUBLIC_ROOTS | SHOP_ROOTS, SHOP_FIELDS),
}
REFUSED = {"UNAUTHENTICATED", "FORBIDDEN"}


def _unwrap(type_: Any) -> Any:
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_


def _value(type_: GraphQLInputType) -> str:
    """A valid literal of ``type_`` (required fields of inputs only)."""
    type_ = _unwrap(type_)
    if isinstance(type_, GraphQLList):
        return f"[{_value(type_.of_type)}]"
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        parts = [
            f"{name}: {_value(field.type)}"
            for name, field in type_.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        ]
        return "{" + ", ".join(parts) + "}"
    assert isinstance(type_, GraphQLScalarType)
    return {
        "String": '"KETTLE-01"', "ID": '"1"', "Int": "1", "Boolean": "true",
        "Decimal": '"1.00"', "Date": '"2026-12-24"', "DateTime": '"2026-12-24T10:00:00Z"',
    }[type_.name]  # fmt: skip


def _arguments(field: Any, given: dict[str, str] | None = None) -> str:
    values = dict(given or {})
    for name, argument in field.args.items():
        if name not in values and isinstance(argument.type, GraphQLNonNull):
            values[name] = _value(argument.type)
    return "(" + ", ".join(f"{k}: {v}" for k, v in values.items()) + ")" if values else ""


def _selection(type_: Any) -> str:
    return " { __typename }" if isinstance(get_named_type(type_), GraphQLObjectType) else ""


def _nest(path: list[str], leaf: str) -> str:
    text = leaf
    for step in reversed(path):
        text = f"{step} {{ {text} }}"
    return text


def _at(data: Any, keys: list[str]) -> list[Any]:
    """The values at ``keys`` under ``data`` (lists flattened)."""
    found = [data]
    for key in keys:
        nxt = []
        for item in found:
            value = item.get(key) if isinstance(item, dict) else None
            nxt.extend(value if isinstance(value, list) else [value])
        found = [v for v in nxt if v is not None]
    return found


async def _store(api) -> str:
    supplier = await api.create_supplier("Acme")
    await api.create_product("KETTLE-01", on_hand=1, supplier_id=supplier)
    await api.create_po(supplier, api.today() + timedelta(days=7), ("KETTLE-01", 10))
    order = await api.order("ana@example.com", ("KETTLE-01", 3))
    return order["number"]


@pytest.mark.parametrize("caller", sorted(CALLERS))
async def test_every_root_field_not_listed_public_refuses_the_caller(api, caller):
    role, allowed, _ = CALLERS[caller]
    token = api.storefront_token if role else None
    number = await _store(api)
    wrong = []
    for root_name in ("Query", "Mutation"):
        root = SCHEMA.get_type(root_name)
        for name, field in root.fields.items():
            given = {"number": f'"{number}"'} if name == "order" else None
            keyword = "mutation " if root_name == "Mutation" else ""
            query = f"{keyword}{{ {name}{_arguments(field, given)}{_selection(field.type)} }}"
            reply = await api.gql(query, token=token)
            refused = bool(set(reply.error_codes) & REFUSED)
            if refused == (f"{root_name}.{name}" in allowed):
                wrong.append((f"{root_name}.{name}", reply.error_codes))
    assert wrong == []


@pytest.mark.parametrize("caller", sorted(CALLERS))
async def test_every_field_reachable_from_the_callers_roots_is_public_or_refused(api, caller):
    role, roots, allowed = CALLERS[caller]
    token = api.storefront_token if role else None
    number = await _store(api)
    start = {"product": '(sku: "KETTLE-01")', "products": "(first: 5)",
             "order": f'(number: "{number}")'}  # fmt: skip
    queue: deque[tuple[list[str], list[str], Any]] = deque()
    for qualified in sorted(roots):
        root, name = qualified.split(".")
        if root == "Query":
            field = SCHEMA.query_type.fields[name]
            queue.append(([name + start[name]], [name], get_named_type(field.type)))
    seen: set[str] = set()
    wrong: list[tuple[str, list[Any]]] = []
    unreached: list[str] = []
    while queue:
        path, keys, type_ = queue.popleft()
        for name, field in type_.fields.items():
            qualified = f"{type_.name}.{name}"
            if qualified in seen:
                continue
            leaf = f"{name}{_arguments(field)}{_selection(field.type)}"
            reply = await api.gql("{ " + _nest(path, leaf) + " }", token=token)
            refused = bool(set(reply.error_codes) & REFUSED)
            seen.add(qualified)
            if refused == (qualified in allowed):
                wrong.append((qualified, reply.error_codes))
            child = get_named_type(field.type)
            if refused or not isinstance(child, GraphQLObjectType):
                continue
            if _at(reply.data, [*keys, name]):
                queue.append(([*path, name], [*keys, name], child))
            else:
                unreached.append(qualified)  # nothing in the store to look below
    assert wrong == []
    assert unreached == []
    assert seen >= allowed
