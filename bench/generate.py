"""A large, consistent store written straight into the tables (executemany, no ORM saves).

The schema comes from the real migrations. Every product's counters agree with its rows:
``backordered`` = uncovered units of its waiting backorders, ``incoming`` = units due on its
ordered purchase orders, ``available = on_hand - allocated`` (0 when backorders wait).
Expected dates are those the ETA walk gives, so the first recompute only moves what moved.

``python -m bench.generate URL MANIFEST [--smoke]`` migrates URL, fills it and writes the
manifest (SKUs, a storefront and a staff token) that the other steps read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tortoise import connections
from tortoise.transactions import in_transaction

from bench.plan import FULL, SMOKE, Plan
from bobot import sql
from bobot.config import Settings
from bobot.db import connected, is_postgres, migrate
from bobot.domain.eta import EtaRules, Supply, promise, walk
from bobot.models import TokenRole
from bobot.services.context import Deps
from bobot.services.tokens import create_token

SUPPLIERS = 20
OFFERS_PER_PRODUCT = 3
RESTOCK_SKUS = ("SKU-HOT-A", "SKU-HOT-B")  # the service fills A, the SQL floor fills B
# in_stock: available > 0; backorder: ALLOW and waiting backorders; denied: DENY, none left;
# full: ALLOW but the backorder limit is reached.
KINDS = {"in_stock": 0.30, "backorder": 0.55, "denied": 0.10, "full": 0.05}
PO_STATUSES = {"ORDERED": 0.85, "PARTIALLY_RECEIVED": 0.05, "RECEIVED": 0.05, "DRAFT": 0.05}
OPEN_PO = ("ORDERED", "PARTIALLY_RECEIVED")

COLUMNS = {
    "supplier": "id name email created_at",
    "product": "id sku name category price backorder_policy backorder_limit backorders_end_at "
    "safety_stock on_hand allocated available backordered incoming created_at updated_at",
    "supplier_offer": "id supplier_id product_id unit_cost lead_time_days rank active updated_at",
    "purchase_order": "id number supplier_id status expected_date created_at updated_at",
    "purchase_order_line": "id purchase_order_id product_id quantity quantity_received unit_cost",
    "order": "id number idempotency_key customer_email customer_name ship_preference status "
    "created_at updated_at",
    "order_line": "id order_id product_id sku quantity quantity_from_stock",
    "backorder": "id order_id order_line_id product_id sku quantity_ordered quantity "
    "quantity_allocated status priority promised_date expected_date eta_is_estimate is_delayed "
    "created_at updated_at",
    "shipment": "id order_id status cost created_at shipped_at",
    "shipment_line": "id shipment_id order_line_id product_id backorder_id sku quantity",
}


@dataclass
class Store:
    """Rows per table (tuples in ``COLUMNS`` order), and which SKU is which kind."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: defaultdict(list))
    skus: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, table: str, **values: Any) -> int:
        """Append a row (every column but ``id``); returns its id."""
        rows = self.rows[table]
        values["id"] = len(rows) + 1
        rows.append(tuple(values[column] for column in COLUMNS[table].split()))
        assert len(values) == len(rows[-1]), f"{table}: unknown column in {sorted(values)}"
        return len(rows)


class Builder:
    def __init__(self, plan: Plan, now: datetime, settings: Settings) -> None:
        self.plan = plan
        self.now = now
        self.today = settings.calendar.today(now)
        self.settings = settings
        self.rng = random.Random(plan.seed)
        self.store = Store()
        self.clock = now - timedelta(days=90)  # orders are placed over the last weeks

    def pick(self, weights: dict[str, float]) -> str:
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def build(self) -> Store:
        for n in range(1, SUPPLIERS + 1):
            self.store.add(
                "supplier", name=f"Supplier {n:02d}", email=f"s{n}@example.com", created_at=self.now
            )
        pos = [self.purchase_order(self.pick(PO_STATUSES)) for _ in range(self.po_count())]
        kinds = [self.pick(KINDS) for _ in range(self.plan.products - len(RESTOCK_SKUS))]
        queues = self.queue_lengths(kinds)
        for n, (kind, length) in enumerate(zip(kinds, queues, strict=True), start=1):
            quantities = [self.rng.randint(1, 3) for _ in range(length)]
            chosen = self.rng.sample(pos, k=self.rng.choice((0, 1, 1, 2)))
            self.product(f"SKU-{n:06d}", kind, quantities, [(po, None) for po in chosen])
        quantities = [self.rng.randint(1, 3) for _ in range(self.plan.queue)]
        units = sum(quantities)
        for sku in RESTOCK_SKUS:  # two identical queues with their own purchase orders
            lines = [
                (self.purchase_order("ORDERED", days=10), units * 3 // 10),
                (self.purchase_order("ORDERED", days=30), units * 4 // 10),
            ]
            self.product(sku, "backorder", quantities, lines)
        return self.store

    def po_count(self) -> int:
        return max(self.plan.products // 4, 4)

    def queue_lengths(self, kinds: list[str]) -> list[int]:
        """Share the backorders out over the products that take them (at least one each)."""
        waiting = [i for i, kind in enumerate(kinds) if kind in ("backorder", "full")]
        lengths = [0] * len(kinds)
        spare = self.plan.backorders - len(RESTOCK_SKUS) * self.plan.queue
        for i in waiting[:spare]:
            lengths[i] = 1
        for _ in range(max(spare - len(waiting), 0)):
            lengths[self.rng.choice(waiting)] += 1
        return lengths

    def purchase_order(self, status: str, days: int | None = None) -> tuple[int, str]:
        n = len(self.store.rows["purchase_order"]) + 1
        days = self.rng.randint(-3, 60) if days is None else days  # a few are late
        po_id = self.store.add(
            "purchase_order",
            number=f"PO-B{n:06d}",
            supplier_id=self.rng.randint(1, SUPPLIERS),
            status=status,
            expected_date=self.today + timedelta(days=days),
            created_at=self.now,
            updated_at=self.now,
        )
        return po_id, status

    def product(
        self,
        sku: str,
        kind: str,
        quantities: list[int],
        lines: list[tuple[tuple[int, str], int | None]],
    ) -> None:
        store, rng = self.store, self.rng
        product_id = len(store.rows["product"]) + 1
        supply = self.po_lines(product_id, lines)
        leads = [rng.randint(5, 60) for _ in range(OFFERS_PER_PRODUCT)]
        suppliers = rng.sample(range(1, SUPPLIERS + 1), OFFERS_PER_PRODUCT)
        for rank, (supplier, lead) in enumerate(zip(suppliers, leads, strict=True), start=1):
            store.add(
                "supplier_offer",
                supplier_id=supplier,
                product_id=product_id,
                unit_cost=Decimal(rng.randint(100, 9000)) / 100,
                lead_time_days=lead,
                rank=rank,
                active=True,
                updated_at=self.now,
            )
        self.queue(product_id, sku, quantities, supply, min(leads))
        on_hand = rng.randint(100, 500) if kind == "in_stock" else 0
        store.add(
            "product",
            sku=sku,
            name=f"Product {sku}",
            category=rng.choice(("tools", "kitchen", "garden", "toys")),
            price=Decimal(rng.randint(500, 50000)) / 100,
            backorder_policy="DENY" if kind == "denied" else "ALLOW",
            backorder_limit=sum(quantities) if kind == "full" else None,
            backorders_end_at=None,
            safety_stock=0,
            on_hand=on_hand,
            allocated=0,
            available=on_hand,
            backordered=sum(quantities),
            incoming=sum(s.quantity for s in supply),
            created_at=self.now,
            updated_at=self.now,
        )
        store.skus[kind].append(sku)

    def po_lines(
        self, product_id: int, lines: list[tuple[tuple[int, str], int | None]]
    ) -> list[Supply]:
        """Write the product's purchase-order lines (quantity None: random); returns its due
        supply."""
        store, rng = self.store, self.rng
        supply = []
        for (po_id, status), wanted in lines:
            quantity = wanted or rng.randint(10, 200)
            received = {"RECEIVED": quantity, "PARTIALLY_RECEIVED": quantity // 2}.get(status, 0)
            store.add(
                "purchase_order_line",
                purchase_order_id=po_id,
                product_id=product_id,
                quantity=quantity,
                quantity_received=received,
                unit_cost=Decimal("9.50"),
            )
            if status in OPEN_PO and quantity > received:
                expected = store.rows["purchase_order"][po_id - 1][4]
                supply.append(Supply(expected, quantity - received))
        return sorted(supply, key=lambda s: s.expected_date)

    def queue(
        self, product_id: int, sku: str, quantities: list[int], supply: list[Supply], lead: int
    ) -> None:
        """Per waiting backorder: its order, order line, pending shipment and shipment line,
        oldest first, with the dates the ETA walk gives."""
        store = self.store
        calendar = self.settings.calendar
        rules = EtaRules(self.today, self.settings.handling_days, lead, calendar)
        etas = walk(quantities, supply, rules)
        margin = self.settings.promise_margin_days
        for quantity, eta in zip(quantities, etas, strict=True):
            self.clock += timedelta(seconds=20)
            at = self.clock
            n = len(store.rows["order"]) + 1
            order_id = store.add(
                "order",
                number=f"BN-{n:08d}",
                idempotency_key=None,
                customer_email=f"c{n}@example.com",
                customer_name="Bench Customer",
                ship_preference="SHIP_AVAILABLE_NOW",
                status="OPEN",
                created_at=at,
                updated_at=at,
            )
            line = {"order_id": order_id, "product_id": product_id, "sku": sku}
            line_id = store.add("order_line", **line, quantity=quantity, quantity_from_stock=0)
            backorder_id = store.add(
                "backorder",
                **line,
                order_line_id=line_id,
                quantity_ordered=quantity,
                quantity=quantity,
                quantity_allocated=0,
                status="OPEN",
                priority=0,
                promised_date=promise(eta, margin, calendar),
                expected_date=eta.ship_date,
                eta_is_estimate=eta.is_estimate,
                is_delayed=False,
                created_at=at,
                updated_at=at,
            )
            shipment_id = store.add(
                "shipment",
                order_id=order_id,
                status="PENDING",
                cost=Decimal("4.95"),
                created_at=at,
                shipped_at=None,
            )
            store.add(
                "shipment_line",
                shipment_id=shipment_id,
                order_line_id=line_id,
                product_id=product_id,
                backorder_id=backorder_id,
                sku=sku,
                quantity=quantity,
            )


async def insert(table: str, rows: list[tuple[Any, ...]], postgres: bool) -> None:
    """One executemany of the whole table, in one transaction."""
    columns = COLUMNS[table].split()
    assert len(columns) == len(rows[0]), table
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f'INSERT INTO "{table}" ({names}) VALUES ({sql.placeholders(len(columns))})'
    async with in_transaction() as conn:
        if postgres:  # the rows are consistent by construction: skip the per-row FK triggers
            await conn.execute_script("SET LOCAL session_replication_role = replica")
        await conn.execute_many(sql.render(statement, postgres), rows)


COUNTER_CHECK = """
SELECT COUNT(*) FROM product p
  LEFT JOIN (SELECT product_id, SUM(quantity - quantity_allocated) AS units FROM backorder
              WHERE status IN ('OPEN', 'PARTIALLY_ALLOCATED') GROUP BY product_id) b
         ON b.product_id = p.id
  LEFT JOIN (SELECT l.product_id, SUM(l.quantity - l.quantity_received) AS units
               FROM purchase_order_line l JOIN purchase_order po ON po.id = l.purchase_order_id
              WHERE po.status IN ('ORDERED', 'PARTIALLY_RECEIVED')
                AND l.quantity > l.quantity_received GROUP BY l.product_id) i
         ON i.product_id = p.id
 WHERE p.backordered <> COALESCE(b.units, 0) OR p.incoming <> COALESCE(i.units, 0)
    OR p.available <> p.on_hand - p.allocated OR p.allocated > p.on_hand
    OR (COALESCE(b.units, 0) > 0 AND p.available <> 0)
"""


async def inconsistent_products() -> int:
    """How many products' counters disagree with their rows (0 in a consistent store)."""
    return int((await sql.fetch(COUNTER_CHECK))[0][0])


async def _after_load(postgres: bool) -> None:
    if not postgres:
        return
    conn = connections.get("default")
    for table in COLUMNS:
        await conn.execute_script(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'),"
            f' (SELECT MAX(id) FROM "{table}"))'
        )
    await conn.execute_script("ANALYZE")  # what autovacuum would do soon after a bulk load


async def generate(url: str, plan: Plan) -> dict[str, Any]:
    started = time.perf_counter()
    await migrate(url)
    settings = Settings(database_url=url)
    store = Builder(plan, datetime.now(UTC), settings).build()
    postgres = is_postgres(url)
    async with connected(url):
        for table in COLUMNS:  # in foreign-key order
            await insert(table, store.rows[table], postgres)
        await _after_load(postgres)
        bad = await inconsistent_products()
        if bad:
            raise RuntimeError(f"{bad} products have inconsistent counters")
        deps = Deps(settings=settings)
        _, token = await create_token(name="bench storefront", role=TokenRole.STOREFRONT, deps=deps)
        _, staff_token = await create_token(name="bench staff", role=TokenRole.STAFF, deps=deps)
    return {
        "url": url,
        "token": token,  # storefront
        "staff_token": staff_token,
        "skus": dict(store.skus),
        "restock": {
            "service": RESTOCK_SKUS[0],
            "floor": RESTOCK_SKUS[1],
            "units": plan.restock_units,
            "queue": plan.queue,
        },
        "rows": {table: len(rows) for table, rows in store.rows.items()},
        "seconds": round(time.perf_counter() - started, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.generate")
    parser.add_argument("url")
    parser.add_argument("manifest")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    manifest = asyncio.run(generate(args.url, SMOKE if args.smoke else FULL))
    with open(args.manifest, "w") as out:
        json.dump(manifest, out)
    print(json.dumps({k: manifest[k] for k in ("rows", "seconds")}))


if __name__ == "__main__":
    main()
