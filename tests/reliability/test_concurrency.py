"""64 concurrent use cases on the same few products, on PostgreSQL over the connection pool:
no oversell, no lost update, no deadlock, the queue served first come first served."""

from __future__ import annotations

import asyncio
import random

from tests.reliability import store
from tests.services.helpers import STAFF, make_deps, order, product

from bobot import sql
from bobot.domain import invariants as rules
from bobot.domain.ordering import ShipPreference
from bobot.errors import BobotError
from bobot.services import backorders, doctor, stock
from bobot.services.eta import FIFO_SQL

SKUS = ("ONE", "TWO", "THREE")
TASKS = 64


async def _fifo_breaks() -> list[str]:
    """Along each product's queue, no backorder is served before one ahead of it is covered,
    and only the first still waiting may be partly covered."""
    rows = await sql.fetch(
        "SELECT sku, id, status FROM backorder WHERE status <> 'CANCELLED'"
        f" ORDER BY product_id, {FIFO_SQL}"
    )
    found: list[str] = []
    waiting_ahead: dict[str, int] = {}
    for sku, backorder_id, status in rows:
        if status in ("OPEN", "PARTIALLY_ALLOCATED"):
            if status == "PARTIALLY_ALLOCATED" and sku in waiting_ahead:
                found.append(f"{sku}: backorder {backorder_id} partly served behind a waiting one")
            waiting_ahead.setdefault(sku, backorder_id)
        elif sku in waiting_ahead:
            found.append(
                f"{sku}: backorder {backorder_id} is {status} while {waiting_ahead[sku]}"
                " ahead of it waits"
            )
    return found


async def test_sixty_four_concurrent_use_cases_keep_every_invariant(pg_db) -> None:
    deps = make_deps()
    rng = random.Random(14)
    received: dict[int, int] = {}
    ids = {}
    for sku in SKUS:
        ids[sku] = await product(deps, sku, on_hand=4)
        received[ids[sku]] = 4
    # Backorders and ready shipments for the cancellations and shipments to fight over.
    for n in range(12):
        await order(
            deps,
            f"early{n}@example.com",
            (SKUS[n % 3], 2),
            (SKUS[(n + 1) % 3], 1),
            preference=ShipPreference.SHIP_AVAILABLE_NOW,
        )
    targets = await store.cancellable_backorders()

    receipts: list[tuple[int, int]] = []

    async def one(n: int) -> None:
        kind = n % 4
        sku = SKUS[rng.randrange(3)]
        if kind == 0:
            other = SKUS[(SKUS.index(sku) + 1) % 3]
            preference = (
                ShipPreference.SHIP_TOGETHER if n % 8 else ShipPreference.SHIP_AVAILABLE_NOW
            )
            await order(
                deps,
                f"c{n}@example.com",
                (sku, rng.randint(1, 3)),
                (other, 1),
                preference=preference,
            )
        elif kind == 1:
            units = rng.randint(1, 4)
            await stock.receive_stock(
                sku=sku, quantity=units, purchase_order_id=None, actor=STAFF, deps=deps
            )
            receipts.append((ids[sku], units))
        elif kind == 2:
            await backorders.cancel_backorder(
                backorder_id=rng.choice(targets),
                quantity=rng.choice([None, 1]),
                reason="race",
                actor=STAFF,
                deps=deps,
            )
        else:
            ready = await store.ready_shipments()
            if ready:
                await stock.mark_shipment_shipped(
                    shipment_id=rng.choice(ready), actor=STAFF, deps=deps
                )

    results = await asyncio.wait_for(
        asyncio.gather(*(one(n) for n in range(TASKS)), return_exceptions=True), timeout=120
    )
    unexpected = [
        r for r in results if isinstance(r, BaseException) and not isinstance(r, BobotError)
    ]
    assert not unexpected, unexpected  # no deadlock, no lock or statement timeout, no bug
    assert sum(1 for r in results if r is None) >= TASKS // 2  # most of them did something

    for product_id, units in receipts:
        received[product_id] += units
    shipped: dict[int, int] = {}
    for product_id, units in await sql.fetch(
        "SELECT l.product_id, SUM(l.quantity) FROM shipment_line l"
        " JOIN shipment s ON s.id = l.shipment_id WHERE s.status = 'SHIPPED'"
        " GROUP BY l.product_id"
    ):
        shipped[int(product_id)] = int(units)
    rebuilt = await doctor.rebuild()
    report = await doctor.examine(rebuilt)
    found = list(report.drift) + await _fifo_breaks()
    for product_id, stored in rebuilt.stored.items():
        found += rules.check_conservation(
            rebuilt.skus[product_id], received[product_id], shipped.get(product_id, 0), stored
        )
    assert not found, "\n".join(found)
