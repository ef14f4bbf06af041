"""Availability as every door reads it: one rule, the supply of many products in one read."""

from __future__ import annotations

from datetime import timedelta

from tests.services.helpers import make_deps, order, product, purchase_order

from bobot.domain.availability import OutOfStockReason, Policy, StockStatus
from bobot.services import availability, catalog


async def test_availabilities_of_many_products_read_their_supply_in_two_statements(db, sql_log):
    deps = make_deps()
    await product(deps, "STOCKED", on_hand=3)
    await product(deps, "COVERED")
    await purchase_order(deps, "COVERED", 10, in_days=6)
    await product(deps, "ESTIMATED", lead_days=9)
    await order(deps, "a@example.com", ("ESTIMATED", 2))
    await product(deps, "CLOSED", limit=0)
    await product(deps, "DENIED", policy=Policy.DENY)
    skus = ["STOCKED", "COVERED", "ESTIMATED", "CLOSED", "DENIED"]
    rows = [await catalog.product_row(sku) for sku in skus]
    assert all(rows)

    with sql_log() as statements:
        views = await availability.availabilities([r for r in rows if r], deps)
    # The supply of COVERED and ESTIMATED only, and their suppliers' learned margins.
    assert len(statements) == 2

    by_sku = dict(zip(skus, views, strict=True))
    handling, margin = deps.settings.handling_days, deps.settings.promise_margin_days
    assert by_sku["STOCKED"].status is StockStatus.IN_STOCK
    assert by_sku["STOCKED"].estimated_ship_date == deps.today() + timedelta(days=handling)
    covered = by_sku["COVERED"]
    assert (covered.status, covered.is_estimate) == (StockStatus.BACKORDER, False)
    assert covered.estimated_ship_date == deps.today() + timedelta(days=6 + handling + margin)
    estimated = by_sku["ESTIMATED"]
    assert (estimated.status, estimated.is_estimate) == (StockStatus.BACKORDER, True)
    assert estimated.estimated_ship_date == deps.today() + timedelta(days=9 + handling + margin)
    assert by_sku["CLOSED"].reason is OutOfStockReason.BACKORDER_LIMIT_REACHED
    assert by_sku["DENIED"].reason is OutOfStockReason.BACKORDERS_DENIED
    assert not by_sku["DENIED"].can_purchase


async def test_a_product_read_by_sku_is_none_when_unknown(db):
    assert await catalog.product_row("NOPE") is None
