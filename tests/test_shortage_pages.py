"""Pages of the shortage report, read from the kept table, say what the full computation says."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from bench import generate
from bench.plan import Plan
from tests.services.helpers import (
    STAFF,
    START,
    clock_of,
    make_deps,
    order,
    product,
    purchase_order,
)
from tortoise.transactions import in_transaction

from bobot import sql
from bobot.models import Backorder, BackorderStatus, PurchaseOrderStatus, Supplier
from bobot.services import backorders, catalog, purchasing, shortage_summary, shortages, stock
from bobot.services.context import Deps

STORE = Plan(
    products=240,
    backorders=900,
    queue=30,
    restock_units=30,
    restock_rounds=1,
    duration=1.0,
    warmup=0.0,
    max_requests=1,
    seed=7,
)


def _plain(report: list[shortages.Shortage]) -> list[tuple[object, ...]]:
    return [
        (
            s.product_id,
            s.sku,
            s.backordered,
            s.available,
            list(s.incoming),
            s.uncovered,
            s.oldest_backorder_age_days,
            s.next_purchase_order_date,
            s.eta_for_new_order,
            s.eta_is_estimate,
            s.severity,
        )
        for s in report
    ]


async def _every_page(deps: Deps, size: int) -> list[shortages.Shortage]:
    found: list[shortages.Shortage] = []
    after = None
    while True:
        page = await shortage_summary.page(deps, first=size, after=after)
        found += page.shortages
        if not page.has_next:
            return found
        after = shortages.rank_of(page.shortages[-1])


async def _assert_pages_match_the_full_report(deps: Deps, size: int = 7) -> None:
    full = _plain(await shortages.shortages(deps))
    assert _plain(await _every_page(deps, size)) == full
    first = await shortage_summary.page(deps, first=3)
    assert _plain(first.shortages) == full[:3]
    assert await shortage_summary.count() == len(full)


async def _load_generated_store(db, deps: Deps) -> None:
    store = generate.Builder(STORE, START, deps.settings).build()
    for table in generate.COLUMNS:
        await generate.insert(table, store.rows[table], db.is_postgres)
    await generate._after_load(db.is_postgres)


async def test_pages_of_a_generated_store_list_the_full_report_in_its_order(db):
    deps = make_deps()
    await _load_generated_store(db, deps)
    report = await shortages.shortages(deps)
    assert len(report) > 100
    severities = [s.severity for s in report]
    assert 1 < len(set(severities)) < len(severities)  # ties, broken by uncovered, age, SKU
    await _assert_pages_match_the_full_report(deps)
    await _assert_pages_match_the_full_report(deps, size=100)


async def test_pages_follow_orders_receipts_and_purchase_order_changes(db):
    deps = make_deps()
    await _load_generated_store(db, deps)
    await _assert_pages_match_the_full_report(deps)
    top = (await shortage_summary.page(deps, first=5)).shortages
    sku = top[0].sku
    await order(deps, "new@example.com", (sku, 4), (top[1].sku, 2))
    await _assert_pages_match_the_full_report(deps)
    po_id = await purchase_order(deps, sku, 50, in_days=3)
    await _assert_pages_match_the_full_report(deps)
    await purchasing.update_purchase_order(
        purchase_order_id=po_id, expected_date=deps.today() + timedelta(days=40), actor=STAFF,
        deps=deps,
    )  # fmt: skip
    await _assert_pages_match_the_full_report(deps)
    await stock.receive_stock(
        sku=top[2].sku, quantity=3, purchase_order_id=None, actor=STAFF, deps=deps
    )
    await _assert_pages_match_the_full_report(deps)
    await stock.receive_purchase_order(purchase_order_id=po_id, actor=STAFF, deps=deps)
    await _assert_pages_match_the_full_report(deps)
    waiting = await Backorder.filter(
        sku=top[3].sku, status__in=[BackorderStatus.OPEN, BackorderStatus.PARTIALLY_ALLOCATED]
    ).first()
    assert waiting is not None
    await backorders.cancel_backorder(
        backorder_id=waiting.id, quantity=None, reason="test", actor=STAFF, deps=deps
    )
    await _assert_pages_match_the_full_report(deps)


async def test_pages_follow_cancelled_purchase_orders_offers_and_the_calendar(db):
    deps = make_deps()
    await product(deps, "BARE", lead_days=20)
    await order(deps, "a@example.com", ("BARE", 6))
    await product(deps, "LATE", lead_days=20)
    late = await purchase_order(deps, "LATE", 4, in_days=2)
    await order(deps, "b@example.com", ("LATE", 4))
    await product(deps, "COVERED", lead_days=20)
    covered = await purchase_order(deps, "COVERED", 10, in_days=5)
    await order(deps, "c@example.com", ("COVERED", 3))
    await _assert_pages_match_the_full_report(deps)

    supplier = await Supplier.get(name="Acme")
    await catalog.set_supplier_offer(
        supplier_id=supplier.id, sku="BARE", unit_cost=Decimal("2.00"), lead_time_days=5,
        actor=STAFF, deps=deps,
    )  # fmt: skip
    await _assert_pages_match_the_full_report(deps)
    clock_of(deps).advance(days=4)  # LATE's purchase order is now late; every age moved
    await _assert_pages_match_the_full_report(deps)
    await purchasing.update_purchase_order(
        purchase_order_id=covered, status=PurchaseOrderStatus.CANCELLED, actor=STAFF, deps=deps
    )
    await _assert_pages_match_the_full_report(deps)
    clock_of(deps).advance(days=1)
    await stock.receive_purchase_order(purchase_order_id=late, actor=STAFF, deps=deps)
    await _assert_pages_match_the_full_report(deps)
    assert [s.sku for s in await shortages.shortages(deps)] == ["BARE", "COVERED"]


async def test_pages_are_rebuilt_when_the_date_rules_change(db):
    deps = make_deps()
    await product(deps, "BARE")
    await order(deps, "a@example.com", ("BARE", 6))
    before = (await shortage_summary.page(deps, first=5)).shortages[0]
    slower = Deps(settings=deps.settings.__class__(handling_days=5), clock=deps.clock)
    after = (await shortage_summary.page(slower, first=5)).shortages[0]
    assert after.eta_for_new_order > before.eta_for_new_order  # four more handling days
    await _assert_pages_match_the_full_report(slower)


async def test_an_up_to_date_page_is_one_statement_whatever_its_size(db, sql_log):
    deps = make_deps()
    await _load_generated_store(db, deps)
    await shortage_summary.page(deps, first=1)
    counts = []
    for first in (1, 50, 100):
        with sql_log() as statements:
            await shortage_summary.page(deps, first=first)
        counts.append(len(statements))
    assert counts == [1, 1, 1]
    await order(deps, "new@example.com", ((await shortages.shortages(deps))[0].sku, 1))
    with sql_log() as statements:  # the one product that moved is recomputed
        await shortage_summary.page(deps, first=50)
    assert len(statements) > 1
    with sql_log() as statements:
        await shortage_summary.page(deps, first=50)
    assert len(statements) == 1


async def test_a_refresh_keeps_the_mark_of_a_change_still_being_written(pg_db):
    """A refresh skips the marks that uncommitted writers hold, so their changes are
    picked up once they commit (PostgreSQL: concurrent transactions)."""
    deps = make_deps()
    await product(deps, "BARE")
    await order(deps, "a@example.com", ("BARE", 6))
    await _assert_pages_match_the_full_report(deps)
    # A committed change not yet refreshed, then a second one still being written.
    await sql.execute("UPDATE product SET backordered = backordered + 1 WHERE sku = 'BARE'")
    written, release = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with in_transaction():
            await sql.execute("UPDATE product SET backordered = backordered + 2 WHERE sku = ?",
                              ["BARE"])  # fmt: skip
            written.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await written.wait()
    page = await asyncio.wait_for(shortage_summary.page(deps, first=5), 10)
    assert page.shortages[0].backordered == 7  # the committed change, not the pending one
    release.set()
    await task
    await _assert_pages_match_the_full_report(deps)
    assert (await shortage_summary.page(deps, first=5)).shortages[0].backordered == 9


async def test_a_guarded_update_counts_its_own_rows_not_the_marks_its_triggers_write(db):
    from tortoise.expressions import F

    from bobot.models import Product

    deps = make_deps()
    product_id = await product(deps, "BARE")
    await order(deps, "a@example.com", ("BARE", 6))
    changed = await Product.filter(id=product_id, backordered__gte=1).update(
        backordered=F("backordered") - 1
    )
    assert changed == 1
    marks = await sql.fetch("SELECT product_id FROM shortage_stale")
    assert marks == [(product_id,)]


@pytest.mark.parametrize("products", [30, 240])
async def test_the_first_page_of_a_day_is_a_fixed_small_number_of_statements(db, sql_log, products):
    """The whole table is rebuilt when the day changes: in as many statements for a small
    store as for a larger one, whatever the page size."""
    deps = make_deps()
    plan = dataclasses.replace(STORE, products=products, backorders=products * 4)
    store = generate.Builder(plan, START, deps.settings).build()
    for table in generate.COLUMNS:
        await generate.insert(table, store.rows[table], db.is_postgres)
    await generate._after_load(db.is_postgres)
    counts = []
    for first in (5, 100):
        await shortage_summary.page(deps, first=first)
        clock_of(deps).advance(days=1)
        with sql_log() as statements:
            page = await shortage_summary.page(deps, first=first)
        assert page.shortages
        counts.append(len(statements))
    # The page, the marks with the basis (PostgreSQL: after its refresh lock), the report's
    # two reads, emptying the table with the new basis (SQLite: two), the new lines, the page.
    assert counts == [8, 8]
