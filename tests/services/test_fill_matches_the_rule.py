"""Receipts fill exactly as the pure FIFO rule says, and the rows agree, on both databases."""

from __future__ import annotations

import random

from tests.services.helpers import STAFF, assert_counters_consistent, make_deps, order, product

from bobot.domain.fifo import Waiting, fill
from bobot.models import Backorder, BackorderStatus, Product
from bobot.services import stock


async def test_receipts_fill_backorders_exactly_as_the_fifo_rule_says(db):
    deps = make_deps()
    rng = random.Random(11)
    await product(deps, "MUG")
    ordered = [rng.randint(1, 6) for _ in range(25)]
    for n, quantity in enumerate(ordered):
        await order(deps, f"c{n}@example.com", ("MUG", quantity))

    for units in (1, 7, 3, 19, 40):
        queue = await Backorder.filter(
            sku="MUG", status__in=[BackorderStatus.OPEN, BackorderStatus.PARTIALLY_ALLOCATED]
        ).order_by("-priority", "created_at", "id")
        before = {b.id: b.quantity_allocated for b in queue}
        expected, _ = fill([Waiting(b.id, b.quantity - b.quantity_allocated) for b in queue], units)

        receipt = await stock.receive_stock(
            sku="MUG", quantity=units, purchase_order_id=None, actor=STAFF, deps=deps
        )

        assert receipt.fills == expected
        for f in expected:
            row = await Backorder.get(id=f.backorder_id)
            assert row.quantity_allocated == before[f.backorder_id] + f.units
            status = (
                BackorderStatus.ALLOCATED if f.complete else BackorderStatus.PARTIALLY_ALLOCATED
            )
            assert row.status is status
        await assert_counters_consistent()
    assert (await Product.get(sku="MUG")).backordered == sum(ordered) - 70
