"""The ETA walk through the services: late purchase orders and approved switches."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.services.helpers import STAFF, backorders_of, clock_of, make_deps, order, product

from bobot.models import PurchaseOrderStatus, SupplierSwitch
from bobot.services import catalog, eta, gap_scan, purchasing, switches
from bobot.services.context import SYSTEM


async def test_approving_a_switch_that_keeps_the_late_order_delivers_the_improvement_it_announced(
    db,
):
    deps = make_deps()
    await product(deps, "MUG", lead_days=30)
    speedy, _ = await catalog.upsert_supplier(name="Speedy", actor=STAFF, deps=deps)
    await catalog.set_supplier_offer(
        supplier_id=speedy.id, sku="MUG", unit_cost=Decimal("2.50"), lead_time_days=5,
        rank=2, actor=STAFF, deps=deps,
    )  # fmt: skip
    acme, _ = await catalog.upsert_supplier(name="Acme", actor=STAFF, deps=deps)
    late = await purchasing.create_purchase_order(
        supplier_id=acme.id,
        expected_date=deps.today() + timedelta(days=10),
        lines=[purchasing.PoLineInput("MUG", 40, Decimal("2.00"))],
        actor=STAFF,
        deps=deps,
    )
    for i in range(12):
        await order(deps, f"c{i}@example.com", ("MUG", 3))
    clock_of(deps).advance(days=18)  # the PO was due on day 10: 8 days late
    await gap_scan.scan(deps=deps)
    switch = await SupplierSwitch.get()
    # The dates as the walk gives them today (the late order re-dated), before the decision.
    await eta.recompute_etas([switch.product_id], actor=SYSTEM, deps=deps)
    before = {b.id: b.expected_date for b in await backorders_of("MUG")}
    assert switch.backorders_improved == 12

    _, new_po = await switches.approve_supplier_switch(
        switch_id=switch.id, cancel_late_po=False, actor=STAFF, deps=deps
    )

    await late.refresh_from_db()
    assert late.status is PurchaseOrderStatus.ORDERED  # kept, still late
    ship = deps.eta_rules(None).ship_after(new_po.expected_date)
    after = await backorders_of("MUG")
    improved = [b for b in after if b.expected_date < before[b.id]]
    assert len(improved) == switch.backorders_improved
    assert all(b.expected_date == ship and not b.eta_is_estimate for b in improved)
