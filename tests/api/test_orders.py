"""Placing orders over HTTP: split shipments, promised dates, FIFO fills, shipping."""

from __future__ import annotations

from datetime import timedelta

from tests.api.client import ORDER_FIELDS

PRODUCT = """
query($sku: String!) {
  product(sku: $sku) {
    onHand allocated available backordered incoming
    availability { status quantityAvailable canPurchase estimatedShipDate isEstimate }
  }
}
"""

ORDER = f"query($number: String!) {{ order(number: $number) {{ {ORDER_FIELDS} }} }}"

SHIP = """
mutation($input: MarkShipmentShippedInput!) {
  markShipmentShipped(input: $input) {
    shipment { id status shippedAt lines { sku quantity } }
    order { number status }
    userErrors { code field message }
  }
}
"""


async def _store_with_widgets(api):
    """WIDGET: 3 in stock, backorders allowed, 10 more on an ORDERED PO due in 14 days."""
    supplier = await api.create_supplier("Acme")
    await api.create_product("WIDGET", on_hand=3, supplier_id=supplier, lead_days=20)
    po_date = api.today() + timedelta(days=14)
    await api.create_po(supplier, po_date, ("WIDGET", 10))
    return po_date


async def test_a_mixed_order_ships_what_is_in_stock_now_and_the_rest_when_it_arrives(api):
    po_date = await _store_with_widgets(api)

    order = await api.order("ada@example.com", ("WIDGET", 5))

    assert order["status"] == "OPEN"
    assert order["shipPreference"] == "SHIP_AVAILABLE_NOW"
    assert order["customer"] == {"email": "ada@example.com", "name": "Ada"}
    assert order["lines"] == [
        {"sku": "WIDGET", "quantity": 5, "quantityAllocated": 3, "quantityBackordered": 2,
         "quantityCancelled": 0},
    ]  # fmt: skip
    now, later = order["shipments"]
    assert (now["status"], now["cost"], now["lines"]) == (
        "READY",
        "4.95",
        [{"sku": "WIDGET", "quantity": 3}],
    )
    assert (later["status"], later["cost"], later["lines"]) == (
        "PENDING",
        "4.95",
        [{"sku": "WIDGET", "quantity": 2}],
    )
    [backorder] = order["backorders"]
    expected = po_date + timedelta(days=1)  # + handling days
    assert backorder == {
        "id": backorder["id"],
        "sku": "WIDGET",
        "quantity": 2,
        "quantityOrdered": 2,
        "quantityAllocated": 0,
        "status": "OPEN",
        "expectedDate": expected.isoformat(),
        "promisedDate": (expected + timedelta(days=2)).isoformat(),  # + promise margin
        "isEstimate": False,
        "isDelayed": False,
    }

    product = (await api.ok(PRODUCT, {"sku": "WIDGET"}))["product"]
    assert {k: product[k] for k in ("onHand", "allocated", "available", "backordered")} == {
        "onHand": 3, "allocated": 3, "available": 0, "backordered": 2,
    }  # fmt: skip
    assert product["incoming"] == 10
    # The next unit is the third of the PO's ten: same date as this backorder's promise.
    assert product["availability"] == {
        "status": "BACKORDER",
        "quantityAvailable": 0,
        "canPurchase": True,
        "estimatedShipDate": backorder["promisedDate"],
        "isEstimate": False,
    }

    # The order reads back the same through order(number:).
    again = await api.ok(ORDER, {"number": order["number"]}, token=api.storefront_token)
    assert again["order"] == order


async def test_ship_together_makes_one_pending_shipment_for_the_whole_order(api):
    po_date = await _store_with_widgets(api)

    order = await api.order("bo@example.com", ("WIDGET", 5), ship_preference="SHIP_TOGETHER")

    assert order["shipPreference"] == "SHIP_TOGETHER"
    [shipment] = order["shipments"]
    assert shipment["status"] == "PENDING"
    assert shipment["cost"] == "4.95"
    assert sum(line["quantity"] for line in shipment["lines"]) == 5
    assert {line["sku"] for line in shipment["lines"]} == {"WIDGET"}
    [backorder] = order["backorders"]
    assert backorder["quantity"] == 2
    assert backorder["promisedDate"] == (po_date + timedelta(days=3)).isoformat()

    # When the PO's units arrive, the backorder is filled and the one shipment is ready.
    await api.receive("WIDGET", 2)
    shipped = (await api.ok(ORDER, {"number": order["number"]}))["order"]
    assert [s["status"] for s in shipped["shipments"]] == ["READY"]
    assert shipped["lines"][0]["quantityAllocated"] == 5


async def test_a_restock_fills_the_oldest_backorders_first_and_shipping_empties_the_shelf(api):
    supplier = await api.create_supplier("Acme")
    await api.create_product("GADGET", supplier_id=supplier)
    first = await api.order("first@example.com", ("GADGET", 3))
    api.clock.advance(minutes=5)
    second = await api.order("second@example.com", ("GADGET", 4))
    api.clock.advance(minutes=5)
    third = await api.order("third@example.com", ("GADGET", 2))
    assert all(o["backorders"][0]["status"] == "OPEN" for o in (first, second, third))
    assert [s["status"] for s in first["shipments"]] == ["PENDING"]

    receipt = await api.receive("GADGET", 5)

    assert receipt["product"] == {"onHand": 5, "allocated": 5, "available": 0, "backordered": 4}
    assert receipt["filledBackorders"] == [
        {"id": first["backorders"][0]["id"], "status": "ALLOCATED", "quantityAllocated": 3,
         "order": {"number": first["number"]}},
        {"id": second["backorders"][0]["id"], "status": "PARTIALLY_ALLOCATED",
         "quantityAllocated": 2, "order": {"number": second["number"]}},
    ]  # fmt: skip
    orders = {}
    for placed in (first, second, third):
        orders[placed["number"]] = (await api.ok(ORDER, {"number": placed["number"]}))["order"]
    one, two, three = (orders[o["number"]] for o in (first, second, third))
    assert [(b["status"], b["quantityAllocated"]) for b in one["backorders"]] == [("ALLOCATED", 3)]
    assert [(b["status"], b["quantityAllocated"]) for b in two["backorders"]] == [
        ("PARTIALLY_ALLOCATED", 2)
    ]
    assert [(b["status"], b["quantityAllocated"]) for b in three["backorders"]] == [("OPEN", 0)]
    assert [s["status"] for s in one["shipments"]] == ["READY"]
    assert [s["status"] for s in two["shipments"]] == ["PENDING"]
    assert (two["lines"][0]["quantityAllocated"], two["lines"][0]["quantityBackordered"]) == (2, 2)

    # A PENDING shipment cannot be shipped; the READY one can.
    refused = await api.user_errors("markShipmentShipped", SHIP, {"id": two["shipments"][0]["id"]})
    assert [e["code"] for e in refused] == ["INVALID_STATUS"]

    api.clock.advance(hours=2)
    shipped = await api.mutate("markShipmentShipped", SHIP, {"id": one["shipments"][0]["id"]})
    assert shipped["shipment"]["status"] == "SHIPPED"
    assert shipped["shipment"]["shippedAt"] is not None
    assert shipped["order"] == {"number": first["number"], "status": "SHIPPED"}
    product = (await api.ok(PRODUCT, {"sku": "GADGET"}))["product"]
    assert {k: product[k] for k in ("onHand", "allocated", "available", "backordered")} == {
        "onHand": 2, "allocated": 2, "available": 0, "backordered": 4,
    }  # fmt: skip
    after = (await api.ok(ORDER, {"number": first["number"]}))["order"]
    assert [b["status"] for b in after["backorders"]] == ["SHIPPED"]

    # Shipping twice is refused and changes nothing.
    again = await api.user_errors("markShipmentShipped", SHIP, {"id": one["shipments"][0]["id"]})
    assert [e["code"] for e in again] == ["INVALID_STATUS"]
    assert (await api.ok(PRODUCT, {"sku": "GADGET"}))["product"]["onHand"] == 2
