"""Supplier switches on both databases: the late-PO scenario, decisions, races."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from tests.services.helpers import STAFF, backorders_of, clock_of, make_deps, order, product

from bobot.errors import BobotError, ErrorCode
from bobot.models import (
    Alert,
    AlertKind,
    AlertStatus,
    Event,
    PurchaseOrder,
    PurchaseOrderStatus,
    SupplierSwitch,
    SwitchStatus,
)
from bobot.services import catalog, gap_scan, purchasing, switches


async def late_po_store(deps):
    """MUG from Acme (rank 1, 30 days), Speedy offers it in 5 days at a higher cost;
    a PO of 40 from Acme covers 12 backorders (37 units) and then goes 8 days late."""
    await product(deps, "MUG", lead_days=30)
    speedy, _ = await catalog.upsert_supplier(name="Speedy", actor=STAFF, deps=deps)
    await catalog.set_supplier_offer(
        supplier_id=speedy.id, sku="MUG", unit_cost=Decimal("2.50"), lead_time_days=5,
        rank=2, actor=STAFF, deps=deps,
    )  # fmt: skip
    acme = await catalog.upsert_supplier(name="Acme", actor=STAFF, deps=deps)
    po = await purchasing.create_purchase_order(
        supplier_id=acme[0].id,
        expected_date=deps.today() + timedelta(days=10),
        lines=[purchasing.PoLineInput("MUG", 40, Decimal("2.00"))],
        actor=STAFF,
        deps=deps,
    )
    for i in range(12):
        await order(deps, f"c{i}@example.com", ("MUG", 4 if i == 0 else 3))
    clock_of(deps).advance(days=18)  # the PO was due on day 10: 8 days late
    return po, speedy


async def test_late_po_scenario_proposal_approval_resolution(db):
    deps = make_deps()
    po, speedy = await late_po_store(deps)
    before = {b.id: b.expected_date for b in await backorders_of("MUG")}

    result = await gap_scan.scan(deps=deps)
    assert result.opened >= 1 and result.proposed == 1
    alert = await Alert.get(kind=AlertKind.PO_LATE)
    assert alert.status is AlertStatus.OPEN
    assert po.number in alert.cause and "Acme" in alert.cause and "8 days late" in alert.cause
    assert "37 units on 12 backorders" in alert.cause
    assert alert.suggested_action.value == "SWITCH_SUPPLIER"
    switch = await SupplierSwitch.get(id=alert.switch_id)
    assert switch.to_supplier_id == speedy.id and switch.quantity == 40
    assert switch.new_expected_date == deps.today() + timedelta(days=5)
    assert switch.cost_difference == Decimal("20.00")
    assert switch.backorders_improved == 12

    again = await gap_scan.scan(deps=deps)
    assert (again.opened, again.proposed) == (0, 0)
    assert await Alert.filter(kind=AlertKind.PO_LATE).count() == 1

    approved, new_po = await switches.approve_supplier_switch(
        switch_id=switch.id, cancel_late_po=True, actor=STAFF, deps=deps
    )
    assert approved.status is SwitchStatus.APPROVED and approved.decided_by.startswith("staff:")
    assert new_po.supplier_id == speedy.id
    assert (await PurchaseOrder.get(id=po.id)).status is PurchaseOrderStatus.CANCELLED
    ship = deps.today() + timedelta(days=5 + deps.settings.handling_days)
    for b in await backorders_of("MUG"):
        assert b.expected_date == ship and not b.eta_is_estimate
        # earlier than the late PO's projected arrival (today + 8 days late)
        assert b.expected_date < deps.today() + timedelta(days=8 + 1)
        assert b.id in before

    await gap_scan.scan(deps=deps)
    await alert.refresh_from_db()
    assert alert.status is AlertStatus.RESOLVED and alert.dedupe_key is None
    kinds = set(await Event.all().values_list("kind", flat=True))
    assert {"ALERT_OPENED", "SWITCH_PROPOSED", "SWITCH_APPROVED", "ALERT_RESOLVED"} <= kinds
    assert {"PO_CREATED", "PO_CHANGED", "BACKORDER_ETA_CHANGED"} <= kinds


async def test_deciding_a_decided_switch_is_refused_and_changes_nothing(db):
    deps = make_deps()
    await late_po_store(deps)
    await gap_scan.scan(deps=deps)
    switch = await SupplierSwitch.get()
    await switches.reject_supplier_switch(
        switch_id=switch.id, reason="Speedy is unreliable", actor=STAFF, deps=deps
    )
    pos, events = await PurchaseOrder.all().count(), await Event.all().count()
    with pytest.raises(BobotError) as caught:
        await switches.approve_supplier_switch(switch_id=switch.id, actor=STAFF, deps=deps)
    assert caught.value.code is ErrorCode.ALREADY_DECIDED
    assert "rejected by staff:tester" in caught.value.message
    with pytest.raises(BobotError) as caught:
        await switches.approve_supplier_switch(switch_id=999, actor=STAFF, deps=deps)
    assert caught.value.code is ErrorCode.NOT_FOUND
    with pytest.raises(BobotError) as caught:
        await switches.reject_supplier_switch(switch_id=999, reason="x", actor=STAFF, deps=deps)
    assert caught.value.code is ErrorCode.NOT_FOUND
    assert (await PurchaseOrder.all().count(), await Event.all().count()) == (pos, events)
    rejected = await SupplierSwitch.get(id=switch.id)
    assert rejected.reason == "Speedy is unreliable"


async def test_staff_propose_a_switch_by_hand(db):
    deps = make_deps()
    _, speedy = await late_po_store(deps)
    switch = await switches.propose_supplier_switch(sku="MUG", quantity=10, actor=STAFF, deps=deps)
    assert switch.to_supplier_id == speedy.id and switch.quantity == 10
    with pytest.raises(BobotError) as caught:
        await switches.propose_supplier_switch(sku="NOPE", actor=STAFF, deps=deps)
    assert caught.value.code is ErrorCode.UNKNOWN_SKU


@pytest.mark.postgres
async def test_two_concurrent_approvals_create_one_purchase_order(db):
    deps = make_deps()
    await late_po_store(deps)
    await gap_scan.scan(deps=deps)
    switch = await SupplierSwitch.get()
    pos = await PurchaseOrder.all().count()
    outcomes = await asyncio.gather(
        *(
            switches.approve_supplier_switch(switch_id=switch.id, actor=STAFF, deps=deps)
            for _ in range(2)
        ),
        return_exceptions=True,
    )
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], BobotError) and errors[0].code is ErrorCode.ALREADY_DECIDED
    assert await PurchaseOrder.all().count() == pos + 1
    assert await Event.filter(kind="SWITCH_APPROVED").count() == 1


async def test_alert_and_its_proposal_in_one_query_then_approve_via_graphql(db):
    from bobot.graphql.context import Context, Viewer
    from bobot.graphql.schema import create_schema
    from bobot.models import TokenRole

    deps = make_deps()
    await late_po_store(deps)
    await gap_scan.scan(deps=deps)
    alert = await Alert.get(kind=AlertKind.PO_LATE)
    schema = create_schema()

    def ctx() -> Context:
        return Context(deps=deps, viewer=Viewer(role=TokenRole.STAFF, actor=STAFF))

    doc = """query($id: ID!) { alert(id: $id) { kind cause suggestedAction severity status
      product { sku } proposal { id fromSupplier { name } toSupplier { name } quantity
      newExpectedDate costDifference backordersImproved status } }
      shortages(first: 5) { nodes { sku uncovered severity incoming { date quantity } } } }"""
    result = await schema.execute(doc, {"id": str(alert.id)}, context_value=ctx())
    assert result.errors is None, result.errors
    data = result.data["alert"]
    assert data["kind"] == "PO_LATE" and data["product"]["sku"] == "MUG"
    assert data["proposal"]["toSupplier"]["name"] == "Speedy"
    assert data["proposal"]["fromSupplier"]["name"] == "Acme"
    approve = """mutation($id: ID!) { approveSupplierSwitch(input: {id: $id,
      cancelLatePurchaseOrder: true}) { switch { status } purchaseOrder { number }
      userErrors { code message } } }"""
    first = await schema.execute(approve, {"id": data["proposal"]["id"]}, context_value=ctx())
    assert first.data["approveSupplierSwitch"]["switch"]["status"] == "APPROVED"
    second = await schema.execute(approve, {"id": data["proposal"]["id"]}, context_value=ctx())
    [error] = second.data["approveSupplierSwitch"]["userErrors"]
    assert error["code"] == "ALREADY_DECIDED"


async def test_a_rejected_offer_is_not_proposed_again_until_its_facts_change(db, sql_log):
    deps = make_deps()
    _, speedy = await late_po_store(deps)
    await gap_scan.scan(deps=deps)
    alert = await Alert.get(kind=AlertKind.PO_LATE)
    await switches.reject_supplier_switch(
        switch_id=alert.switch_id, reason="Speedy is unreliable", actor=STAFF, deps=deps
    )
    await alert.refresh_from_db()
    assert alert.switch_id is None and alert.suggested_action.value == "NOTIFY_CUSTOMERS"

    clock_of(deps).advance(days=1)  # one more day late: the same offer, the same late PO
    with sql_log() as statements:
        assert (await gap_scan.scan(deps=deps)).proposed == 0
    assert not [s for s in statements if "expected_date FROM backorder" in s]  # not priced
    await alert.refresh_from_db()
    assert alert.switch_id is None and await SupplierSwitch.all().count() == 1

    await catalog.set_supplier_offer(
        supplier_id=speedy.id, sku="MUG", unit_cost=Decimal("2.20"), lead_time_days=4,
        rank=2, actor=STAFF, deps=deps,
    )  # fmt: skip
    assert (await gap_scan.scan(deps=deps)).proposed == 1
    await alert.refresh_from_db()
    fresh = await SupplierSwitch.get(id=alert.switch_id)
    assert fresh.status is SwitchStatus.PROPOSED and fresh.unit_cost == Decimal("2.20")
    assert alert.suggested_action.value == "SWITCH_SUPPLIER"


async def test_an_approved_switch_that_keeps_the_late_po_leaves_no_dead_proposal(db):
    deps = make_deps()
    await late_po_store(deps)
    await gap_scan.scan(deps=deps)
    switch = await SupplierSwitch.get()
    await switches.approve_supplier_switch(
        switch_id=switch.id, cancel_late_po=False, actor=STAFF, deps=deps
    )
    await gap_scan.scan(deps=deps)
    for alert in await Alert.filter(dedupe_key__isnull=False):
        if alert.switch_id is not None:
            live = await SupplierSwitch.get(id=alert.switch_id)
            assert live.status is SwitchStatus.PROPOSED, alert.kind
    late = await Alert.get(kind=AlertKind.PO_LATE, dedupe_key__isnull=False)
    # The new order covers every backorder: nobody waits on the late one any more.
    assert late.switch_id is None and late.suggested_action.value == "CHASE_SUPPLIER"
    assert await SupplierSwitch.filter(status=SwitchStatus.PROPOSED).count() == 0


async def test_a_late_po_and_uncovered_backorders_each_carry_their_own_proposal(db):
    deps = make_deps()
    await late_po_store(deps)
    for i in range(4):
        await order(deps, f"more{i}@example.com", ("MUG", 5))  # 20 units beyond the PO

    assert (await gap_scan.scan(deps=deps)).proposed == 2

    late = await Alert.get(kind=AlertKind.PO_LATE)
    uncovered = await Alert.get(kind=AlertKind.UNCOVERED_BACKORDERS)
    assert None not in (late.switch_id, uncovered.switch_id)
    assert late.switch_id != uncovered.switch_id
    late_switch = await SupplierSwitch.get(id=late.switch_id)
    uncovered_switch = await SupplierSwitch.get(id=uncovered.switch_id)
    assert late_switch.late_purchase_order_id is not None and late_switch.quantity == 40
    assert uncovered_switch.late_purchase_order_id is None
    assert uncovered_switch.quantity == 17  # 57 backordered, 40 incoming
    assert {late.suggested_action.value, uncovered.suggested_action.value} == {"SWITCH_SUPPLIER"}
