"""Staff learn of a late purchase order with its cause and a fix, approve it, and see dates
move: the gap scenario through the real app over HTTP (the worker's jobs run in-process)."""

from __future__ import annotations

from datetime import timedelta

from tests.api.client import db_snapshot

from bobot.services.context import Deps
from bobot.worker import JOBS

ALERTS = """
query { alerts(status: OPEN, kind: PO_LATE, first: 5) { nodes {
  id kind cause suggestedAction severity status product { sku }
  proposal { id status quantity newExpectedDate costDifference backordersImproved
             fromSupplier { name } toSupplier { name } }
} } }
"""
APPROVE = """
mutation($input: ApproveSupplierSwitchInput!) { approveSupplierSwitch(input: $input) {
  switch { id status decidedBy }
  purchaseOrder { number status expectedDate supplier { name } }
  userErrors { code field message }
} }
"""
BACKORDERS = '{ backorders(sku: "MUG", first: 20) { nodes { id expectedDate isDelayed } } }'
HISTORY = '{ history(sku: "MUG", first: 100) { nodes { kind actor { kind } } } }'


async def _run(job: str, api) -> int:
    return await JOBS[job](Deps(settings=api.settings, clock=api.clock))


async def _late_po_store(api) -> str:
    acme = await api.create_supplier("Acme")
    speedy = await api.create_supplier("Speedy")
    await api.create_product("MUG", supplier_id=acme, lead_days=30)
    await api.mutate(
        "setSupplierOffer",
        "mutation($input: SetSupplierOfferInput!) { setSupplierOffer(input: $input) {"
        " offer { id } userErrors { code field message } } }",
        {"supplierId": speedy, "sku": "MUG", "unitCost": "3.10", "leadTimeDays": 5, "rank": 2},
    )
    po = await api.create_po(acme, api.today() + timedelta(days=10), ("MUG", 20))
    for n in range(5):
        await api.order(f"c{n}@example.com", ("MUG", 4))
    api.clock.advance(days=18)  # due on day 10: eight days late, nothing received
    await _run("refresh_etas", api)
    return po["number"]


async def test_a_late_po_raises_an_alert_with_a_fix_that_staff_approve_once(api):
    number = await _late_po_store(api)
    assert await _run("gap_scan", api) >= 1
    before = {b["id"]: b["expectedDate"] for b in (await api.ok(BACKORDERS))["backorders"]["nodes"]}

    [alert] = (await api.ok(ALERTS))["alerts"]["nodes"]
    assert f"{number} from Acme was due" in alert["cause"] and "8 days late" in alert["cause"]
    assert "20 units on 5 backorders" in alert["cause"]
    assert alert["suggestedAction"] == "SWITCH_SUPPLIER" and alert["product"]["sku"] == "MUG"
    proposal = alert["proposal"]
    assert (proposal["fromSupplier"]["name"], proposal["toSupplier"]["name"]) == ("Acme", "Speedy")
    assert proposal["quantity"] == 20 and proposal["backordersImproved"] == 5
    assert proposal["newExpectedDate"] == (api.today() + timedelta(days=5)).isoformat()

    approved = await api.mutate(
        "approveSupplierSwitch", APPROVE, {"id": proposal["id"], "cancelLatePurchaseOrder": True}
    )
    assert approved["switch"]["status"] == "APPROVED"
    assert approved["purchaseOrder"]["supplier"]["name"] == "Speedy"
    after = {b["id"]: b["expectedDate"] for b in (await api.ok(BACKORDERS))["backorders"]["nodes"]}
    assert all(after[i] < before[i] for i in before), (before, after)

    snapshot = await db_snapshot()
    [refused] = await api.user_errors("approveSupplierSwitch", APPROVE, {"id": proposal["id"]})
    assert refused["code"] == "ALREADY_DECIDED" and "staff" in refused["message"]
    assert await db_snapshot() == snapshot

    await _run("gap_scan", api)
    assert (await api.ok(ALERTS))["alerts"]["nodes"] == []  # resolved: the late PO is gone
    kinds = [e["kind"] for e in (await api.ok(HISTORY))["history"]["nodes"]]
    for kind in ("ALERT_OPENED", "SWITCH_PROPOSED", "SWITCH_APPROVED", "PO_CREATED",
                 "ALERT_RESOLVED"):  # fmt: skip
        assert kind in kinds, kind


async def test_gap_operations_refuse_bad_ids_and_storefront_tokens(api):
    await _late_po_store(api)
    await _run("gap_scan", api)
    snapshot = await db_snapshot()

    [unknown] = await api.user_errors("approveSupplierSwitch", APPROVE, {"id": "999"})
    assert unknown["code"] == "NOT_FOUND"
    refused = await api.gql(ALERTS, token=api.storefront_token)
    assert refused.error_codes == ["FORBIDDEN"] and refused.data is None
    refused = await api.gql(APPROVE, {"input": {"id": "1"}}, token=api.storefront_token)
    assert refused.error_codes == ["FORBIDDEN"]
    assert await db_snapshot() == snapshot


REJECT = """
mutation($input: RejectSupplierSwitchInput!) { rejectSupplierSwitch(input: $input) {
  switch { id status } userErrors { code field message }
} }
"""
ALL_ALERTS = """
query { alerts(status: OPEN, first: 10) { nodes {
  kind suggestedAction severity product { sku } proposal { id status }
} } }
"""


async def test_a_rejected_switch_leaves_its_alert_and_is_not_proposed_again(api):
    await _late_po_store(api)
    await _run("gap_scan", api)
    [alert] = (await api.ok(ALERTS))["alerts"]["nodes"]
    rejected = await api.mutate(
        "rejectSupplierSwitch", REJECT, {"id": alert["proposal"]["id"], "reason": "unreliable"}
    )
    assert rejected["switch"]["status"] == "REJECTED"

    [alert] = (await api.ok(ALERTS))["alerts"]["nodes"]
    assert alert["proposal"] is None and alert["suggestedAction"] == "NOTIFY_CUSTOMERS"
    api.clock.advance(days=1)
    await _run("gap_scan", api)
    [alert] = (await api.ok(ALERTS))["alerts"]["nodes"]
    assert alert["proposal"] is None and alert["suggestedAction"] == "NOTIFY_CUSTOMERS"


async def test_a_product_closed_on_purpose_raises_no_limit_alert(api):
    acme = await api.create_supplier("Acme")
    await api.create_product("OPEN", supplier_id=acme, limit=1)
    await api.order("a@example.com", ("OPEN", 1))
    await api.create_product("CLOSED", supplier_id=acme, limit=0)
    await _run("gap_scan", api)
    limits = [
        a["product"]["sku"]
        for a in (await api.ok(ALL_ALERTS))["alerts"]["nodes"]
        if a["kind"] == "BACKORDER_LIMIT_REACHED"
    ]
    assert limits == ["OPEN"]


async def test_a_late_po_nobody_waits_on_suggests_chasing_the_supplier(api):
    acme = await api.create_supplier("Acme")
    await api.create_product("MUG", supplier_id=acme, lead_days=30)
    await api.create_po(acme, api.today() + timedelta(days=2), ("MUG", 20))
    api.clock.advance(days=5)
    await _run("gap_scan", api)
    [alert] = (await api.ok(ALERTS))["alerts"]["nodes"]
    assert alert["suggestedAction"] == "CHASE_SUPPLIER" and alert["proposal"] is None
    assert alert["severity"] <= 25
