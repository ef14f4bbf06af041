"""Many shoppers at once, over HTTP, on PostgreSQL (SQLite serialises everything, so a race
test there proves nothing)."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bobot.models import Backorder, BackorderStatus, Order, OrderLine, Product

SHOPPERS = 50


@pytest.mark.postgres
async def test_fifty_concurrent_orders_never_oversell_nor_pass_the_backorder_limit(api):
    supplier = await api.create_supplier("Acme")
    await api.create_product("HOT", on_hand=10, limit=15, supplier_id=supplier)

    seen: list[tuple[int, int, int, int]] = []
    stop = asyncio.Event()

    async def watch() -> None:
        """Read the counters again and again while the orders race."""
        while not stop.is_set():
            p = await Product.get(sku="HOT")
            seen.append((p.on_hand, p.allocated, p.available, p.backordered))
            await asyncio.sleep(0.002)

    watcher = asyncio.create_task(watch())
    try:
        replies = await asyncio.gather(
            *(api.place_order(f"shopper{n}@example.com", ("HOT", 1)) for n in range(SHOPPERS))
        )
    finally:
        stop.set()
        await watcher

    assert all(r.status_code == 200 and not r.errors for r in replies), [
        r for r in replies if r.errors
    ][:1]
    payloads = [r.data["placeOrder"] for r in replies]
    accepted = [p["order"] for p in payloads if p["order"] is not None]
    refused = [p["userErrors"] for p in payloads if p["order"] is None]
    outcome = Counter(
        "in-stock" if o["lines"][0]["quantityAllocated"] == 1 else "backordered" for o in accepted
    )
    assert outcome == {"in-stock": 10, "backordered": 15}
    assert len(refused) == 25
    assert all([e["code"] for e in errors] == ["BACKORDER_LIMIT_REACHED"] for errors in refused)
    assert len({o["number"] for o in accepted}) == 25

    # The database agrees, and the counters were never out of bounds while it raced.
    p = await Product.get(sku="HOT")
    assert (p.on_hand, p.allocated, p.available, p.backordered) == (10, 10, 0, 15)
    waiting = await Backorder.filter(product_id=p.id, status=BackorderStatus.OPEN)
    assert len(waiting) == 15
    assert sum(b.quantity - b.quantity_allocated for b in waiting) == p.backordered
    assert await Order.all().count() == 25
    assert sum(await OrderLine.all().values_list("quantity_from_stock", flat=True)) == 10
    assert seen, "the watcher never read the counters"
    for on_hand, allocated, available, backordered in seen:
        assert on_hand == 10
        assert 0 <= allocated <= on_hand
        assert available == on_hand - allocated >= 0
        assert 0 <= backordered <= 15

    availability = await api.ok(
        '{ product(sku: "HOT") { availability { status canPurchase reason } } }', token=None
    )
    assert availability["product"]["availability"] == {
        "status": "OUT_OF_STOCK", "canPurchase": False, "reason": "BACKORDER_LIMIT_REACHED",
    }  # fmt: skip


@pytest.mark.postgres
async def test_concurrent_retries_with_one_idempotency_key_place_one_order(api):
    supplier = await api.create_supplier("Acme")
    await api.create_product("HOT", on_hand=3, supplier_id=supplier)

    replies = await asyncio.gather(
        *(
            api.place_order("ada@example.com", ("HOT", 2), idempotency_key="cart-7")
            for _ in range(10)
        )
    )

    assert all(r.status_code == 200 and not r.errors for r in replies), replies[0]
    payloads = [r.data["placeOrder"] for r in replies]
    assert all(p["userErrors"] == [] for p in payloads), payloads
    assert len({p["order"]["number"] for p in payloads}) == 1
    assert await Order.all().count() == 1
    p = await Product.get(sku="HOT")
    assert (p.on_hand, p.allocated, p.available, p.backordered) == (3, 2, 1, 0)
