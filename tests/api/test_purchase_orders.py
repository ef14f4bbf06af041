"""Purchase orders moving over HTTP: the backorders they cover follow, promises stay."""

from __future__ import annotations

from datetime import timedelta

UPDATE_PO = """
mutation($input: UpdatePurchaseOrderInput!) {
  updatePurchaseOrder(input: $input) {
    purchaseOrder { id number status expectedDate isLate }
    userErrors { code field message }
  }
}
"""

BACKORDERS = """
query($sku: String) {
  backorders(sku: $sku) {
    nodes { id quantity promisedDate expectedDate isEstimate isDelayed order { number } }
  }
}
"""

HISTORY = """
query($sku: String, $first: Int!) {
  history(sku: $sku, first: $first) {
    nodes { kind subjectType subjectId actor { kind id channel } data }
  }
}
"""


async def test_a_late_purchase_order_moves_the_dates_of_the_backorders_it_covers(api):
    supplier = await api.create_supplier("Acme")
    await api.create_product("SPROCKET", supplier_id=supplier, lead_days=30)
    due = api.today() + timedelta(days=10)
    po = await api.create_po(supplier, due, ("SPROCKET", 10))
    first = await api.order("a@example.com", ("SPROCKET", 3))
    second = await api.order("b@example.com", ("SPROCKET", 4))
    # Beyond the PO's 10 units: an estimate from the lead time, not covered by the PO.
    third = await api.order("c@example.com", ("SPROCKET", 5))

    before = (await api.ok(BACKORDERS, {"sku": "SPROCKET"}))["backorders"]["nodes"]
    covered_ship = (due + timedelta(days=1)).isoformat()
    assert [(b["expectedDate"], b["isEstimate"]) for b in before[:2]] == [(covered_ship, False)] * 2
    assert [b["promisedDate"] for b in before[:2]] == [(due + timedelta(days=3)).isoformat()] * 2
    assert before[2]["isEstimate"] is True
    assert not any(b["isDelayed"] for b in before)

    # A slip within the promise margin moves the expected date, without a delay.
    slightly = due + timedelta(days=2)
    payload = await api.mutate(
        "updatePurchaseOrder", UPDATE_PO, {"id": po["id"], "expectedDate": slightly.isoformat()}
    )
    assert payload["purchaseOrder"]["expectedDate"] == slightly.isoformat()
    nodes = (await api.ok(BACKORDERS, {"sku": "SPROCKET"}))["backorders"]["nodes"]
    assert [b["expectedDate"] for b in nodes[:2]] == [
        (slightly + timedelta(days=1)).isoformat()
    ] * 2
    assert not any(b["isDelayed"] for b in nodes)

    # A week late: past the promise. The promise stays what the customer was told.
    late = due + timedelta(days=7)
    await api.mutate(
        "updatePurchaseOrder", UPDATE_PO, {"id": po["id"], "expectedDate": late.isoformat()}
    )
    after = (await api.ok(BACKORDERS, {"sku": "SPROCKET"}))["backorders"]["nodes"]
    for old, new in zip(before[:2], after[:2], strict=True):
        assert new["promisedDate"] == old["promisedDate"]
        assert new["expectedDate"] == (late + timedelta(days=1)).isoformat()
        assert new["isDelayed"] is True
        assert new["isEstimate"] is False
    assert [b["order"]["number"] for b in after] == [
        first["number"],
        second["number"],
        third["number"],
    ]
    assert after[2]["promisedDate"] == before[2]["promisedDate"]

    events = (await api.ok(HISTORY, {"sku": "SPROCKET", "first": 100}))["history"]["nodes"]
    delayed = [e for e in events if e["kind"] == "BACKORDER_DELAYED"]
    assert sorted(e["subjectId"] for e in delayed) == sorted(b["id"] for b in after[:2])
    for e in delayed:
        assert e["subjectType"] == "backorder"
        assert e["actor"] == {"kind": "staff", "id": "staff-tester", "channel": "api"}
        assert e["data"]["expected"] == (late + timedelta(days=1)).isoformat()
        assert e["data"]["promised"] == before[0]["promisedDate"]
    changed = [e for e in events if e["kind"] == "PO_CHANGED"]
    assert [e["data"]["expected_date"] for e in changed] == [
        [slightly.isoformat(), late.isoformat()],
        [due.isoformat(), slightly.isoformat()],
    ]  # newest first


async def test_a_purchase_order_cannot_be_dated_in_the_past_or_changed_once_received(api):
    supplier = await api.create_supplier("Acme")
    await api.create_product("SPROCKET", supplier_id=supplier)
    po = await api.create_po(supplier, api.today() + timedelta(days=5), ("SPROCKET", 2))

    yesterday = (api.today() - timedelta(days=1)).isoformat()
    errors = await api.user_errors(
        "updatePurchaseOrder", UPDATE_PO, {"id": po["id"], "expectedDate": yesterday}
    )
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID", ["expectedDate"])]
    errors = await api.user_errors(
        "updatePurchaseOrder", UPDATE_PO, {"id": "424242", "expectedDate": None}
    )
    assert [e["code"] for e in errors] == ["NOT_FOUND"]

    received = await api.mutate(
        "receivePurchaseOrder",
        "mutation($input: ReceivePurchaseOrderInput!) { receivePurchaseOrder(input: $input) {"
        " purchaseOrder { status } filledBackorders { id } userErrors { code field message } } }",
        {"id": po["id"]},
    )
    assert received["purchaseOrder"]["status"] == "RECEIVED"
    later = (api.today() + timedelta(days=9)).isoformat()
    errors = await api.user_errors(
        "updatePurchaseOrder", UPDATE_PO, {"id": po["id"], "expectedDate": later}
    )
    assert [e["code"] for e in errors] == ["INVALID_STATUS"]
