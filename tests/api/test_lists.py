"""Waitlists and the staff lists over HTTP: joining, leaving, and paging with first/after."""

from __future__ import annotations

from datetime import timedelta

import pytest

JOIN = """
mutation($input: JoinWaitlistInput!) {
  joinWaitlist(input: $input) {
    entry { id email quantity status product { sku } }
    userErrors { code field message }
  }
}
"""

LEAVE = """
mutation($input: LeaveWaitlistInput!) {
  leaveWaitlist(input: $input) { entry { id status } userErrors { code field message } }
}
"""

WAITLIST = """
query($sku: String) {
  waitlist(sku: $sku) { totalCount nodes { email quantity status } }
  product(sku: "RARE") { waitlist { email } }
}
"""


async def test_customers_join_and_leave_a_waitlist_once_at_a_time(api):
    await api.create_product("RARE", policy="DENY")
    shop = api.storefront_token

    ada = await api.mutate(
        "joinWaitlist", JOIN, {"sku": "RARE", "email": "Ada@Example.com", "quantity": 2},
        token=shop,
    )  # fmt: skip
    assert ada["entry"] | {"id": None} == {
        "id": None, "email": "ada@example.com", "quantity": 2, "status": "WAITING",
        "product": {"sku": "RARE"},
    }  # fmt: skip
    api.clock.advance(minutes=1)
    await api.mutate("joinWaitlist", JOIN, {"sku": "RARE", "email": "bo@example.com"}, token=shop)

    errors = await api.user_errors(
        "joinWaitlist", JOIN, {"sku": "RARE", "email": "ada@example.com"}, token=shop
    )
    assert [(e["code"], e["field"]) for e in errors] == [("ALREADY_ON_WAITLIST", ["email"])]
    for bad, code in (
        ({"sku": "NOPE", "email": "x@example.com"}, "UNKNOWN_SKU"),
        ({"sku": "RARE", "email": "x@example.com", "quantity": 0}, "INVALID_QUANTITY"),
        ({"sku": "RARE", "email": "not an email"}, "INVALID"),
    ):
        errors = await api.user_errors("joinWaitlist", JOIN, bad, token=shop)
        assert [e["code"] for e in errors] == [code]
    anonymous = await api.gql(
        JOIN, {"input": {"sku": "RARE", "email": "z@example.com"}}, token=None
    )
    assert anonymous.error_codes == ["UNAUTHENTICATED"]

    listed = await api.ok(WAITLIST, {"sku": "RARE"})
    assert listed["waitlist"]["totalCount"] == 2
    assert [n["email"] for n in listed["waitlist"]["nodes"]] == [
        "ada@example.com", "bo@example.com",
    ]  # fmt: skip
    assert [e["email"] for e in listed["product"]["waitlist"]] == [
        "ada@example.com", "bo@example.com",
    ]  # fmt: skip

    left = await api.mutate("leaveWaitlist", LEAVE, {"id": ada["entry"]["id"]}, token=shop)
    assert left["entry"] == {"id": ada["entry"]["id"], "status": "LEFT"}
    errors = await api.user_errors("leaveWaitlist", LEAVE, {"id": ada["entry"]["id"]}, token=shop)
    assert [e["code"] for e in errors] == ["INVALID_STATUS"]
    errors = await api.user_errors("leaveWaitlist", LEAVE, {"id": "31337"}, token=shop)
    assert [e["code"] for e in errors] == ["NOT_FOUND"]
    listed = await api.ok(WAITLIST, {"sku": "RARE"})
    assert [n["email"] for n in listed["waitlist"]["nodes"]] == ["bo@example.com"]

    # Having left, Ada may join again: at the back of the line.
    await api.mutate("joinWaitlist", JOIN, {"sku": "RARE", "email": "ada@example.com"}, token=shop)
    listed = await api.ok(WAITLIST, {"sku": "RARE"})
    assert [n["email"] for n in listed["waitlist"]["nodes"]] == [
        "bo@example.com", "ada@example.com",
    ]  # fmt: skip


# ---------------------------------------------------------------------- paging

PAGE_QUERIES = {
    "purchaseOrders": "query($first: Int!, $after: String) { purchaseOrders(first: $first, "
    "after: $after) { totalCount edges { cursor node { id number } } "
    "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
    "backorders": "query($first: Int!, $after: String) { backorders(first: $first, "
    "after: $after) { totalCount edges { cursor node { id sku } } "
    "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
    "history": "query($first: Int!, $after: String) { history(first: $first, after: $after) {"
    " totalCount edges { cursor node { id kind } } "
    "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
    "products": "query($first: Int!, $after: String) { products(first: $first, after: $after) {"
    " totalCount edges { cursor node { sku } } "
    "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
}


async def _busy_store(api) -> None:
    """7 products, 7 purchase orders, 7 backorders and a few dozen history events."""
    supplier = await api.create_supplier("Acme")
    for n in range(7):
        sku = f"P-{n}"
        await api.create_product(sku, supplier_id=supplier)
        await api.create_po(supplier, api.today() + timedelta(days=5 + n), (sku, 3))
        api.clock.advance(seconds=1)
        await api.order(f"c{n}@example.com", (sku, 1 + n % 3))


async def _all_pages(api, field: str, first: int) -> tuple[list[dict], list[dict]]:
    pages, nodes, after = [], [], None
    while True:
        data = (await api.ok(PAGE_QUERIES[field], {"first": first, "after": after}))[field]
        pages.append(data)
        nodes += [edge["node"] for edge in data["edges"]]
        info = data["pageInfo"]
        assert info["hasPreviousPage"] is (after is not None)
        if data["edges"]:
            assert info["startCursor"] == data["edges"][0]["cursor"]
            assert info["endCursor"] == data["edges"][-1]["cursor"]
        if not info["hasNextPage"]:
            return pages, nodes
        assert len(data["edges"]) == first
        after = info["endCursor"]
        assert len(pages) < 50, "paging does not end"


@pytest.mark.parametrize("field", ["purchaseOrders", "backorders", "history", "products"])
async def test_a_connection_pages_through_everything_once_in_order(api, field):
    await _busy_store(api)
    everything = (await api.ok(PAGE_QUERIES[field], {"first": 100, "after": None}))[field]
    assert everything["pageInfo"]["hasNextPage"] is False
    total = everything["totalCount"]
    assert total == len(everything["edges"]) >= 7

    pages, nodes = await _all_pages(api, field, 3)

    assert nodes == [edge["node"] for edge in everything["edges"]]
    assert len(pages) == -(-total // 3)
    assert all(page["totalCount"] == total for page in pages)
    if field == "history":  # newest first
        ids = [int(n["id"]) for n in nodes]
        assert ids == sorted(ids, reverse=True)
    elif field == "products":
        assert [n["sku"] for n in nodes] == [f"P-{n}" for n in range(7)]
    else:  # oldest first
        ids = [int(n["id"]) for n in nodes]
        assert ids == sorted(ids)
    # Paging past the end: an empty page, not an error.
    last = pages[-1]["pageInfo"]["endCursor"]
    tail = (await api.ok(PAGE_QUERIES[field], {"first": 3, "after": last}))[field]
    assert tail["edges"] == []
    assert tail["pageInfo"]["hasNextPage"] is False
    assert tail["pageInfo"]["endCursor"] is None


async def test_connections_filter_by_sku_and_status(api):
    await _busy_store(api)
    data = await api.ok(
        '{ purchaseOrders(sku: "P-3") { nodes { lines { sku quantity } } }'
        ' backorders(sku: "P-3", status: OPEN) { nodes { sku quantity status } }'
        " none: backorders(status: ALLOCATED) { totalCount } }"
    )
    assert data["purchaseOrders"]["nodes"] == [{"lines": [{"sku": "P-3", "quantity": 3}]}]
    assert data["backorders"]["nodes"] == [{"sku": "P-3", "quantity": 1, "status": "OPEN"}]
    assert data["none"]["totalCount"] == 0


async def test_suppliers_are_listed_by_name_with_their_offers(api):
    for name in ("Zeta", "Acme", "Mid"):
        await api.create_supplier(name)
    data = await api.ok("{ suppliers { id name email offers { id } } }")
    assert [s["name"] for s in data["suppliers"]] == ["Acme", "Mid", "Zeta"]
    assert data["suppliers"][0]["email"] == "acme@example.com"
    refused = await api.gql("{ suppliers { id } }", token=api.storefront_token)
    assert refused.error_codes == ["FORBIDDEN"]


@pytest.mark.parametrize(
    ("first", "after"),
    [(0, None), (-1, None), (101, None), (2, "bm90LWEtY3Vyc29y"), (2, "%%%")],
    ids=["zero", "negative", "too-many", "foreign-cursor", "garbage-cursor"],
)
async def test_a_bad_page_request_is_a_clear_error(api, first, after):
    reply = await api.gql(PAGE_QUERIES["backorders"], {"first": first, "after": after})
    assert reply.status_code == 200
    assert reply.error_codes == ["BAD_USER_INPUT"]
    assert reply.data is None
