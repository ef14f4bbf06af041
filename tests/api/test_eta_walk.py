"""The ETA walk over HTTP: supply is walked in the order it is now expected to arrive."""

from __future__ import annotations

from datetime import timedelta

BACKORDERS = """
query($sku: String) {
  backorders(sku: $sku) { nodes { id expectedDate isEstimate order { number } } }
}
"""


async def test_a_late_purchase_order_does_not_let_a_later_backorder_get_an_earlier_firm_date(api):
    supplier = await api.create_supplier("Acme")
    await api.create_product("GEAR", supplier_id=supplier, lead_days=30)
    await api.create_po(supplier, api.today() + timedelta(days=1), ("GEAR", 5))
    api.clock.advance(days=11)  # PO A was due yesterday-but-nine: ten days late now
    due_b = api.today() + timedelta(days=3)
    await api.create_po(supplier, due_b, ("GEAR", 5))
    first = await api.order("a@example.com", ("GEAR", 5))
    second = await api.order("b@example.com", ("GEAR", 5))

    nodes = (await api.ok(BACKORDERS, {"sku": "GEAR"}))["backorders"]["nodes"]

    assert [n["order"]["number"] for n in nodes] == [first["number"], second["number"]]
    # B arrives first and fills the first backorder: a firm date on B.
    assert (nodes[0]["expectedDate"], nodes[0]["isEstimate"]) == (
        (due_b + timedelta(days=1)).isoformat(),
        False,
    )
    # The second waits for A, which is late: an estimate, never before the first.
    assert nodes[1]["isEstimate"] is True
    assert nodes[1]["expectedDate"] >= nodes[0]["expectedDate"]
    # Placement told the same story.
    assert first["backorders"][0]["isEstimate"] is False
    assert second["backorders"][0]["isEstimate"] is True
