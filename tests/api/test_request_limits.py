"""Hostile requests: too large, too many tokens, too costly, too deep; refused before they run."""

from __future__ import annotations

import json

import pytest
from tests.api.client import db_snapshot

from bobot.graphql.limits import MAX_COST
from bobot.graphql.schema import MAX_TOKENS


async def test_a_body_over_the_limit_is_refused_with_413_before_it_runs(api):
    body = json.dumps({"query": "{ " + "__typename " * 300_000 + "}"})  # ~3.3 MB
    assert len(body) > api.settings.max_body_bytes

    response = await api.http.post(
        api.url, content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def test_a_chunked_body_without_a_length_is_refused_at_the_limit(api):
    chunk = b'{"query": "{ ' + b"__typename " * 10_000 + b'"'

    async def chunks():
        for _ in range(6):  # ~660 KB
            yield chunk

    response = await api.http.post(
        api.url, content=chunks(), headers={"Content-Type": "application/json"}
    )

    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def test_a_body_at_the_limit_is_read(api):
    query = "{ __typename }"
    padding = api.settings.max_body_bytes - len(json.dumps({"query": query, "x": ""}))
    body = json.dumps({"query": query, "x": " " * padding})
    assert len(body) == api.settings.max_body_bytes

    response = await api.http.post(
        api.url, content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


async def test_a_document_with_too_many_tokens_is_refused_before_it_is_parsed_whole(api):
    query = "{ " + "__typename " * (MAX_TOKENS + 10) + "}"

    reply = await api.gql(query, token=None)

    assert reply.data is None
    assert reply.error_codes == ["BAD_REQUEST"]
    assert f"more than {MAX_TOKENS} tokens" in reply.errors[0]["message"]


COSTLY = """
query($first: Int) {
  products(first: $first) {
    nodes { sku openBackorders { id order { number backorders { id } lines { sku } } } }
  }
}
"""


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (COSTLY.replace("query($first: Int)", "query").replace("$first", "100"), None),
        (COSTLY, {"first": 100}),
        (COSTLY, {"first": 5}),  # a variable counts as the largest page it could ask for
    ],
    ids=["literal", "variable", "small-variable"],
)
async def test_a_costly_list_query_is_refused_before_it_runs(api, sql_log, query, variables):
    await api.create_product("KETTLE-01")

    with sql_log() as statements:
        reply = await api.gql(query, variables)

    assert reply.data is None
    assert reply.error_codes == ["QUERY_TOO_COSTLY"]
    assert reply.errors[0]["extensions"]["cost"] > MAX_COST
    assert [s for s in statements if "api_token" not in s] == []  # only the token was read


async def test_a_large_page_of_flat_fields_is_within_the_cost_limit(api):
    await api.create_product("KETTLE-01")

    data = await api.ok(
        "{ products(first: 100) { nodes { sku name onHand available"
        " availability { status label } openBackorders { id quantity } } } }"
    )

    assert [p["sku"] for p in data["products"]["nodes"]] == ["KETTLE-01"]


async def test_the_depth_and_alias_limits_still_hold(api):
    deep = '{ order(number: "X") { backorders { order { backorders { order { backorders {'
    deep += " order { backorders { order { backorders { order { backorders { id } } } } } }"
    deep += " } } } } } } }"
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(20)) + " }"

    too_deep = await api.gql(deep)
    too_many = await api.gql(aliases, token=None)

    assert too_deep.data is None and "BAD_REQUEST" in too_deep.error_codes
    assert any("depth" in e["message"] for e in too_deep.errors)
    assert too_many.data is None and too_many.error_codes == ["BAD_REQUEST"]
    assert "aliases" in too_many.errors[0]["message"]


async def test_refused_requests_change_nothing(api):
    await api.create_product("KETTLE-01", on_hand=3)
    before = await db_snapshot()
    huge_name = {"email": "ana@example.com", "name": "A" * 300_000}

    response = await api.http.post(
        api.url,
        json={
            "query": "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { order { id } } }",
            "variables": {
                "i": {"customer": huge_name, "lines": [{"sku": "KETTLE-01", "quantity": 1}]}
            },
        },
        headers=api.headers(api.storefront_token),
    )  # fmt: skip

    assert response.status_code == 413
    assert await db_snapshot() == before
