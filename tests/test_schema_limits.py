"""Abusive documents are refused before they run."""

from __future__ import annotations

from bobot.graphql.schema import MAX_ALIASES, MAX_DEPTH, create_schema


def _nested(depth: int) -> str:
    inner = "sku"
    for _ in range(depth):
        inner = f"supplierOffers {{ product {{ {inner} }} }}"
    return f'{{ product(sku: "X") {{ {inner} }} }}'


async def test_a_query_deeper_than_the_limit_is_refused():
    result = await create_schema().execute(_nested(MAX_DEPTH))
    assert result.errors and "maximum operation depth" in result.errors[0].message


async def test_more_aliases_than_the_limit_are_refused_every_time():
    schema = create_schema()
    aliases = " ".join(f"a{i}: __typename" for i in range(MAX_ALIASES + 1))
    for _ in range(2):  # the second answer comes from the validation cache
        result = await schema.execute(f"{{ {aliases} }}")
        assert result.errors and "aliases" in result.errors[0].message


async def test_a_document_within_the_limits_runs():
    result = await create_schema().execute("{ a: __typename b: __typename }")
    assert result.errors is None
    assert result.data == {"a": "Query", "b": "Query"}


def test_only_a_bug_s_error_is_masked_in_production():
    from graphql import GraphQLError

    from bobot.graphql.schema import is_unexpected

    assert is_unexpected(GraphQLError("boom", original_error=ZeroDivisionError("x")))
    assert not is_unexpected(GraphQLError("needs staff", original_error=GraphQLError("x")))
    assert not is_unexpected(GraphQLError("Syntax Error: Expected Name"))
