"""The SQL a request runs does not grow with the number of items it returns.

Counted while requesting over HTTP: the server runs in this process, so ``sql_log``
captures its statements. A staff request also looks its token up (one statement); that
one is left out of the absolute bounds.
"""

from __future__ import annotations

from datetime import timedelta

PRODUCTS = """
query($first: Int!) {
  products(first: $first) {
    nodes { sku name price availability { status quantityAvailable canPurchase
            estimatedShipDate isEstimate reason label } }
  }
}
"""

BACKORDERS = """
query($first: Int!) {
  backorders(first: $first) {
    nodes { id quantity status order { number lines { quantityAllocated } } }
  }
}
"""

STAFF_PRODUCTS = """
query($first: Int!) {
  products(first: $first) {
    nodes { sku onHand availability { status estimatedShipDate }
            openBackorders { id order { number } }
            purchaseOrders { number supplier { name } }
            supplierOffers { leadTimeDays supplier { name } }
            waitlist { email } }
  }
}
"""


def _without_token_lookup(statements: list[str]) -> list[str]:
    return [s for s in statements if "api_token" not in s]


async def _count(api, sql_log, query: str, first: int, *, token=None) -> tuple[int, dict]:
    with sql_log() as statements:
        data = await api.ok(query, {"first": first}, token=token)
    return len(_without_token_lookup(statements)), data


async def test_a_page_of_products_with_availability_costs_the_same_statements_for_5_or_50(
    api, sql_log
):
    supplier = await api.create_supplier("Acme")
    kinds = []
    for n in range(50):
        sku = f"SKU-{n:02d}"
        kind = ("in-stock", "covered", "estimated", "closed", "denied")[n % 5]
        kinds.append(kind)
        await api.create_product(
            sku,
            on_hand=4 if kind == "in-stock" else 0,
            policy="DENY" if kind == "denied" else "ALLOW",
            limit=0 if kind == "closed" else None,
            supplier_id=supplier if n % 2 else None,
        )
        if kind == "covered":
            await api.create_po(supplier, api.today() + timedelta(days=9), (sku, 5))

    small, small_data = await _count(api, sql_log, PRODUCTS, 5)
    large, large_data = await _count(api, sql_log, PRODUCTS, 50)

    statuses = [n["availability"]["status"] for n in large_data["products"]["nodes"]]
    assert len(statuses) == 50
    assert {"IN_STOCK", "BACKORDER", "OUT_OF_STOCK"} == set(statuses)
    assert [n["availability"]["status"] for n in small_data["products"]["nodes"]] == statuses[:5]
    estimated = [
        n["availability"] for n, kind in zip(large_data["products"]["nodes"], kinds, strict=True)
        if kind == "estimated"
    ]  # fmt: skip
    assert all(a["isEstimate"] and a["estimatedShipDate"] for a in estimated)
    assert small == large, "statements grow with the number of products"
    assert large <= 4

    # Staff details through every per-product loader: still a fixed number of statements.
    small, _ = await _count(api, sql_log, STAFF_PRODUCTS, 5, token=api.staff_token)
    large, _ = await _count(api, sql_log, STAFF_PRODUCTS, 50, token=api.staff_token)
    assert small == large, "statements grow with the number of products"


async def test_a_page_of_backorders_with_their_orders_costs_the_same_statements_for_5_or_50(
    api, sql_log
):
    supplier = await api.create_supplier("Acme")
    for sku in ("A", "B", "C"):
        await api.create_product(sku, supplier_id=supplier)
    for n in range(50):
        sku = "ABC"[n % 3]
        lines = [(sku, 1 + n % 4)]
        if n % 7 == 0:
            lines.append(("ABC"[(n + 1) % 3], 2))
        await api.order(f"c{n}@example.com", *lines)
    await api.receive("A", 9)  # fills some backorders of A, one of them partly

    small, small_data = await _count(api, sql_log, BACKORDERS, 5, token=api.staff_token)
    large, large_data = await _count(api, sql_log, BACKORDERS, 50, token=api.staff_token)

    nodes = large_data["backorders"]["nodes"]
    assert len(nodes) == 50
    assert nodes[:5] == small_data["backorders"]["nodes"]
    assert {n["status"] for n in nodes} == {"ALLOCATED", "PARTIALLY_ALLOCATED", "OPEN"}
    assert any(line["quantityAllocated"] for n in nodes for line in n["order"]["lines"])
    assert small == large, "statements grow with the number of backorders"
    assert large <= 4


CREATE_SUBSCRIPTION = """
mutation($input: CreateWebhookSubscriptionInput!) {
  createWebhookSubscription(input: $input) { subscription { id } userErrors { code } }
}
"""


async def _order_statements(api, sql_log, *lines) -> list[str]:
    with sql_log() as statements:
        await api.order("a@example.com", *lines)
    return _without_token_lookup(statements)


async def test_placing_an_order_writes_its_deliveries_in_one_statement_with_or_without_hooks(
    api, sql_log
):
    """Before the outbox, placing one line in stock took 12 statements here and one
    backordered line 15; the deliveries (webhooks, the gap scan's job) add one: 13 and 16,
    however many subscriptions match (one ``INSERT ... SELECT`` over them). A backordered
    line also reads its suppliers' learned margins (one more): 17."""
    await api.create_product("MUG", on_hand=50)
    await api.create_product("CUP")
    await api.order("warm-up@example.com", ("MUG", 1))
    counts = {}
    for hooks in (0, 3):
        for n in range(hooks):
            await api.mutate(
                "createWebhookSubscription",
                CREATE_SUBSCRIPTION,
                {"url": f"http://127.0.0.1:9/{n}", "events": ["order.placed", "backorder.created"]},
            )
        in_stock = await _order_statements(api, sql_log, ("MUG", 1))
        backordered = await _order_statements(api, sql_log, ("CUP", 1))
        assert sum("INSERT INTO delivery" in s for s in in_stock) == 1
        assert sum("INSERT INTO delivery" in s for s in backordered) == 1
        counts[hooks] = (len(in_stock), len(backordered))
    assert counts == {0: (13, 17), 3: (13, 17)}
