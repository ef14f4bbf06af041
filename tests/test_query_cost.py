"""The query cost: fields times the items their parents can return, refused over MAX_COST."""

from __future__ import annotations

from graphql import parse, validate

from bobot.graphql.limits import MAX_COST, QueryCostRule
from bobot.graphql.schema import create_schema

SCHEMA = create_schema()._schema


def _cost(query: str) -> int | None:
    errors = validate(SCHEMA, parse(query), [QueryCostRule])
    return errors[0].extensions["cost"] if errors else None


def test_a_field_costs_one_times_the_pages_and_lists_above_it():
    query = "{ products(first: 100) { nodes { openBackorders { id } } } }"
    # Under the limit: no error, so check the arithmetic on a copy scaled past it.
    assert _cost(query) is None
    scaled = (
        "{ "
        + " ".join(
            f"a{i}: products(first: 100) {{ nodes {{ openBackorders {{ id }} }} }}"
            for i in range(12)
        )
        + " }"
    )
    assert _cost(scaled) == 12 * (1 + 100 * (1 + 10 * 2))


def test_a_variable_page_counts_as_the_largest_page():
    query = """query($n: Int!) { products(first: $n) { nodes { openBackorders {
        id order { number backorders { id } lines { sku } } } } } }"""
    assert _cost(query) == 1 + 100 * (1 + 10 * (1 + 1 + (1 + 1 + 10 * 2 + 10 * 2)))
    assert _cost(query.replace("($n: Int!)", "").replace("$n", "1")) is None


def test_a_staff_page_of_products_with_every_list_is_within_the_limit():
    query = """{ products(first: 100) { nodes { sku onHand availability { status }
        openBackorders { id order { number } } purchaseOrders { number supplier { name } }
        supplierOffers { leadTimeDays supplier { name } } waitlist { email } } } }"""
    assert _cost(query) is None
    assert MAX_COST >= 15_000
