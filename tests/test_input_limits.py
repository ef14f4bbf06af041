"""Every text field of every input type documents its maximum length in the schema."""

from __future__ import annotations

import re

from graphql import GraphQLInputObjectType, get_named_type

from bobot.graphql.schema import create_schema


def test_every_text_input_field_documents_its_maximum_length():
    schema = create_schema()._schema
    undocumented = []
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLInputObjectType) or type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            if get_named_type(field.type).name != "String":
                continue
            if not re.search(r"At most \d+ characters\.", field.description or ""):
                undocumented.append(f"{type_.name}.{name}")
    assert undocumented == []


def test_every_money_input_field_documents_its_bounds():
    schema = create_schema()._schema
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLInputObjectType):
            continue
        for name, field in type_.fields.items():
            if get_named_type(field.type).name == "Decimal":
                assert "at most 2 decimals" in (field.description or ""), f"{type_.name}.{name}"
