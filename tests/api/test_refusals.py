"""Retries and refusals over HTTP: a clear coded answer, and the database left as it was."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.api.client import PLACE_ORDER, db_snapshot, order_input


async def _store(api):
    """IN-STOCK (5, ALLOW), LIMITED (0, ALLOW, limit 3), DENIED (1, DENY), with an offer."""
    supplier = await api.create_supplier("Acme")
    await api.create_product("IN-STOCK", on_hand=5, supplier_id=supplier)
    await api.create_product("LIMITED", limit=3, supplier_id=supplier)
    await api.create_product("DENIED", on_hand=1, policy="DENY", supplier_id=supplier)
    await api.create_po(supplier, api.today() + timedelta(days=7), ("LIMITED", 10))


async def test_the_same_idempotency_key_twice_returns_the_first_order_and_creates_nothing(api):
    await _store(api)
    lines = (("IN-STOCK", 2), ("LIMITED", 1))
    first = await api.order("ada@example.com", *lines, idempotency_key="cart-42")
    before = await db_snapshot()

    again = await api.order("ada@example.com", *lines, idempotency_key="cart-42")

    assert again["number"] == first["number"]
    assert again == first
    assert await db_snapshot() == before

    # A different key is a different order.
    other = await api.order("ada@example.com", *lines, idempotency_key="cart-43")
    assert other["number"] != first["number"]


@pytest.mark.parametrize(
    ("email", "lines"),
    [
        ("ada@example.com", (("IN-STOCK", 3), ("LIMITED", 1))),
        ("ada@example.com", (("IN-STOCK", 2),)),
        ("ada@example.com", (("LIMITED", 1), ("IN-STOCK", 2))),
        ("bob@example.com", (("IN-STOCK", 2), ("LIMITED", 1))),
    ],
    ids=["other-quantity", "fewer-lines", "other-order", "other-customer"],
)
async def test_the_same_idempotency_key_for_another_order_is_a_conflict(api, email, lines):
    await _store(api)
    await api.order("ada@example.com", ("IN-STOCK", 2), ("LIMITED", 1), idempotency_key="k-1")
    before = await db_snapshot()

    reply = await api.place_order(email, *lines, idempotency_key="k-1")

    assert reply.status_code == 200 and not reply.errors
    assert reply.data["placeOrder"]["order"] is None
    [error] = reply.data["placeOrder"]["userErrors"]
    assert (error["code"], error["field"]) == ("IDEMPOTENCY_CONFLICT", ["idempotencyKey"])
    assert error["message"]
    assert await db_snapshot() == before


REFUSED_ORDERS = [
    # (lines, code, field)
    ((("NO-SUCH-SKU", 1),), "UNKNOWN_SKU", ["lines", "0", "sku"]),
    ((("IN-STOCK", 0),), "INVALID_QUANTITY", ["lines", "0", "quantity"]),
    ((("IN-STOCK", -2),), "INVALID_QUANTITY", ["lines", "0", "quantity"]),
    ((("IN-STOCK", 10_001),), "INVALID_QUANTITY", ["lines", "0", "quantity"]),
    ((("LIMITED", 4),), "BACKORDER_LIMIT_REACHED", ["lines", "0", "quantity"]),
    ((("DENIED", 2),), "BACKORDERS_DENIED", ["lines", "0", "quantity"]),
    # Only the second line is bad: the first (in stock, allocatable) is not written either.
    ((("IN-STOCK", 2), ("NO-SUCH-SKU", 1)), "UNKNOWN_SKU", ["lines", "1", "sku"]),
    ((("IN-STOCK", 2), ("LIMITED", 4)), "BACKORDER_LIMIT_REACHED", ["lines", "1", "quantity"]),
    ((("IN-STOCK", 2), ("DENIED", 5)), "BACKORDERS_DENIED", ["lines", "1", "quantity"]),
    ((("IN-STOCK", 2), ("LIMITED", 0)), "INVALID_QUANTITY", ["lines", "1", "quantity"]),
    ((), "INVALID", ["lines"]),
]


@pytest.mark.parametrize(
    ("lines", "code", "field"),
    REFUSED_ORDERS,
    ids=["unknown-sku", "zero", "negative", "too-many", "over-limit", "denied",
         "second-unknown", "second-over-limit", "second-denied", "second-zero", "no-lines"],
)  # fmt: skip
async def test_a_bad_order_gets_a_coded_user_error_and_writes_nothing(api, lines, code, field):
    await _store(api)
    before = await db_snapshot()

    reply = await api.place_order("ada@example.com", *lines)

    assert reply.status_code == 200 and not reply.errors, reply
    payload = reply.data["placeOrder"]
    assert payload["order"] is None
    [error] = payload["userErrors"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]
    assert await db_snapshot() == before


async def test_the_refusal_names_what_is_wrong(api):
    await _store(api)
    reply = await api.place_order("ada@example.com", ("LIMITED", 4))
    [error] = reply.data["placeOrder"]["userErrors"]
    assert "LIMITED" in error["message"]
    assert "3 more can be backordered" in error["message"]
    reply = await api.place_order("not-an-email", ("IN-STOCK", 1))
    [error] = reply.data["placeOrder"]["userErrors"]
    assert (error["code"], error["field"]) == ("INVALID", ["customer.email"])


async def test_the_limit_counts_what_is_already_backordered(api):
    await _store(api)
    await api.order("ada@example.com", ("LIMITED", 2))
    before = await db_snapshot()
    reply = await api.place_order("bob@example.com", ("LIMITED", 2))
    assert [e["code"] for e in reply.data["placeOrder"]["userErrors"]] == [
        "BACKORDER_LIMIT_REACHED"
    ]
    assert await db_snapshot() == before
    await api.order("bob@example.com", ("LIMITED", 1))  # exactly up to the limit
    availability = await api.ok(
        '{ product(sku: "LIMITED") { availability { status canPurchase reason } } }', token=None
    )
    assert availability["product"]["availability"] == {
        "status": "OUT_OF_STOCK", "canPurchase": False, "reason": "BACKORDER_LIMIT_REACHED",
    }  # fmt: skip


# ---------------------------------------------------------------------- authorisation

RECEIVE = """
mutation($input: ReceiveStockInput!) {
  receiveStock(input: $input) { product { onHand } userErrors { code field message } }
}
"""


@pytest.mark.parametrize(
    ("token", "code"),
    [(None, "UNAUTHENTICATED"), ("bbf_not-a-real-token", "UNAUTHENTICATED"),
     ("Basic", "UNAUTHENTICATED")],
    ids=["no-token", "invalid-token", "wrong-scheme"],
)  # fmt: skip
async def test_placing_an_order_needs_a_valid_token(api, token, code):
    await _store(api)
    before = await db_snapshot()
    body = {"query": PLACE_ORDER, "variables": {"input": order_input("a@b.co", ("IN-STOCK", 1))}}
    headers = {"Authorization": "Basic dXNlcjpwYXNz"} if token == "Basic" else api.headers(token)

    response = await api.http.post(api.url, json=body, headers=headers)

    reply = response.json()
    assert response.status_code == 200
    assert reply["data"] is None
    [error] = reply["errors"]
    assert error["extensions"]["code"] == code
    assert error["path"] == ["placeOrder"]
    assert "token" in error["message"]
    assert await db_snapshot() == before


async def test_a_storefront_token_cannot_use_staff_mutations_or_queries(api):
    await _store(api)
    before = await db_snapshot()

    reply = await api.gql(
        RECEIVE, {"input": {"sku": "IN-STOCK", "quantity": 5}}, token=api.storefront_token
    )
    assert reply.data is None
    assert reply.error_codes == ["FORBIDDEN"]
    assert "staff" in reply.errors[0]["message"]

    reply = await api.gql("{ backorders { nodes { id } } }", token=api.storefront_token)
    assert reply.error_codes == ["FORBIDDEN"]
    reply = await api.gql('{ product(sku: "IN-STOCK") { onHand } }', token=api.storefront_token)
    assert reply.error_codes == ["FORBIDDEN"]
    assert reply.data == {"product": None}
    assert await db_snapshot() == before

    # The same request with the staff token goes through.
    await api.mutate("receiveStock", RECEIVE, {"sku": "IN-STOCK", "quantity": 5})


async def test_anyone_may_read_availability_but_not_stock_levels(api):
    await _store(api)
    query = (
        '{ product(sku: "IN-STOCK") { sku name availability { status quantityAvailable'
        " canPurchase estimatedShipDate isEstimate reason label } } }"
    )

    for token in (None, "bbs_invalid-token"):
        public = await api.ok(query, token=token)
        assert public["product"] == {
            "sku": "IN-STOCK",
            "name": "In-Stock",
            "availability": {
                "status": "IN_STOCK",
                "quantityAvailable": 5,
                "canPurchase": True,
                "estimatedShipDate": (api.today() + timedelta(days=1)).isoformat(),
                "isEstimate": False,
                "reason": None,
                "label": "In stock",
            },
        }
    backorder = await api.ok(
        '{ product(sku: "LIMITED") { availability { status estimatedShipDate isEstimate } } }',
        token=None,
    )
    assert backorder["product"]["availability"] == {
        "status": "BACKORDER",
        "estimatedShipDate": (api.today() + timedelta(days=7 + 1 + 2)).isoformat(),
        "isEstimate": False,
    }
    assert (await api.ok('{ product(sku: "NOPE") { sku } }', token=None)) == {"product": None}

    refused = await api.gql('{ product(sku: "IN-STOCK") { sku onHand } }', token=None)
    assert refused.status_code == 200
    assert refused.data == {"product": None}
    assert refused.error_codes == ["UNAUTHENTICATED"]
    assert refused.errors[0]["path"] == ["product", "onHand"]


@pytest.mark.parametrize(
    "query",
    [
        'mutation { placeOrder(input: { customer: { email: "a@b.co" } lines: [',  # syntax
        "mutation { placeOrder(input: {}) { order { number } } }",  # missing fields
        'mutation { placeOrder(input: { customer: { email: "a@b.co" }, lines: '
        '[{ sku: "IN-STOCK", quantity: 1 }] }) { order { nope } } }',  # unknown field
        'mutation { placeOrder(input: { customer: { email: "a@b.co" }, lines: '
        '[{ sku: "IN-STOCK", quantity: "1" }] }) { order { number } } }',  # wrong type
    ],
    ids=["syntax-error", "missing-fields", "unknown-field", "wrong-type"],
)
async def test_a_malformed_request_is_refused_before_anything_runs(api, query):
    await _store(api)
    before = await db_snapshot()

    reply = await api.gql(query, token=api.storefront_token)

    assert reply.status_code in (200, 400), reply.status_code
    assert reply.errors and reply.data is None
    assert all(e["message"] for e in reply.errors)
    assert reply.error_codes == ["BAD_REQUEST"] * len(reply.errors)
    assert await db_snapshot() == before


async def test_a_request_that_is_not_graphql_is_a_client_error(api):
    await _store(api)
    before = await db_snapshot()
    response = await api.http.post(
        api.url, content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500
    response = await api.http.post(api.url, json={"variables": {}})
    assert 400 <= response.status_code < 500
    assert await db_snapshot() == before
