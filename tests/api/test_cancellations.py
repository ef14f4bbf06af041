"""Cancelling backorders over HTTP: released units go to the next in line, on the record."""

from __future__ import annotations

from tests.api.client import ORDER_FIELDS, db_snapshot

CANCEL = """
mutation($input: CancelBackorderInput!) {
  cancelBackorder(input: $input) {
    backorder { id status quantity quantityOrdered quantityAllocated }
    cancellation { id sku quantity quantityReleased reason actor { kind id channel }
                   backorder { id } order { number } }
    userErrors { code field message }
  }
}
"""

CANCELLATIONS = """
query($sku: String) {
  cancellations(sku: $sku) {
    totalCount
    nodes { sku quantity quantityReleased reason actor { kind id channel } order { number } }
  }
}
"""

ORDER = f"query($number: String!) {{ order(number: $number) {{ {ORDER_FIELDS} }} }}"

COUNTERS = "query($sku: String!) { product(sku: $sku) { onHand allocated available backordered } }"


async def _queue(api):
    """GIZMO: first (2 units, ALLOCATED by a receipt of 2), then second (3 units, OPEN)."""
    supplier = await api.create_supplier("Acme")
    await api.create_product("GIZMO", supplier_id=supplier)
    first = await api.order("first@example.com", ("GIZMO", 2))
    api.clock.advance(minutes=1)
    second = await api.order("second@example.com", ("GIZMO", 3))
    await api.receive("GIZMO", 2)
    return first, second


async def test_cancelling_an_allocated_backorder_hands_its_units_to_the_next_in_line(api):
    first, second = await _queue(api)
    first_backorder = first["backorders"][0]["id"]

    payload = await api.mutate(
        "cancelBackorder", CANCEL, {"id": first_backorder, "reason": "Found it cheaper"}
    )

    assert payload["backorder"] == {
        "id": first_backorder, "status": "CANCELLED", "quantity": 0, "quantityOrdered": 2,
        "quantityAllocated": 0,
    }  # fmt: skip
    cancellation = payload["cancellation"]
    assert cancellation["quantity"] == 2
    assert cancellation["quantityReleased"] == 2
    assert cancellation["reason"] == "Found it cheaper"
    assert cancellation["actor"] == {"kind": "staff", "id": "staff-tester", "channel": "api"}
    assert cancellation["backorder"] == {"id": first_backorder}
    assert cancellation["order"] == {"number": first["number"]}

    nxt = (await api.ok(ORDER, {"number": second["number"]}))["order"]
    assert [(b["status"], b["quantityAllocated"]) for b in nxt["backorders"]] == [
        ("PARTIALLY_ALLOCATED", 2)
    ]
    counters = (await api.ok(COUNTERS, {"sku": "GIZMO"}))["product"]
    assert counters == {"onHand": 2, "allocated": 2, "available": 0, "backordered": 1}

    cancelled = (await api.ok(ORDER, {"number": first["number"]}))["order"]
    assert cancelled["lines"][0]["quantityCancelled"] == 2
    assert cancelled["lines"][0]["quantityAllocated"] == 0
    # Nothing is left to ship for the first order: its shipment is cancelled, not READY.
    assert [s["status"] for s in cancelled["shipments"]] == ["CANCELLED"]
    assert cancelled["status"] == "CANCELLED"

    listed = (await api.ok(CANCELLATIONS, {"sku": "GIZMO"}))["cancellations"]
    assert listed["totalCount"] == 1
    assert listed["nodes"] == [
        {"sku": "GIZMO", "quantity": 2, "quantityReleased": 2, "reason": "Found it cheaper",
         "actor": {"kind": "staff", "id": "staff-tester", "channel": "api"},
         "order": {"number": first["number"]}},
    ]  # fmt: skip
    assert (await api.ok(CANCELLATIONS, {"sku": "OTHER"}))["cancellations"]["nodes"] == []


async def test_a_partial_cancellation_drops_uncovered_units_first(api):
    first, second = await _queue(api)
    second_backorder = second["backorders"][0]["id"]
    # Second gets 2 of its 3 units from the first's cancellation...
    await api.mutate("cancelBackorder", CANCEL, {"id": first["backorders"][0]["id"]})

    # ...then cancels 1 unit: the uncovered one, so nothing is released and it is complete.
    payload = await api.mutate(
        "cancelBackorder", CANCEL, {"id": second_backorder, "quantity": 1, "reason": "One less"}
    )

    assert payload["backorder"] == {
        "id": second_backorder, "status": "ALLOCATED", "quantity": 2, "quantityOrdered": 3,
        "quantityAllocated": 2,
    }  # fmt: skip
    assert (payload["cancellation"]["quantity"], payload["cancellation"]["quantityReleased"]) == (
        1,
        0,
    )
    order = (await api.ok(ORDER, {"number": second["number"]}))["order"]
    assert order["lines"][0] | {"sku": "GIZMO"} == {
        "sku": "GIZMO", "quantity": 3, "quantityAllocated": 2, "quantityBackordered": 0,
        "quantityCancelled": 1,
    }  # fmt: skip
    [shipment] = order["shipments"]
    assert shipment["status"] == "READY"
    assert shipment["lines"] == [{"sku": "GIZMO", "quantity": 2}]
    counters = (await api.ok(COUNTERS, {"sku": "GIZMO"}))["product"]
    assert counters == {"onHand": 2, "allocated": 2, "available": 0, "backordered": 0}

    listed = (await api.ok(CANCELLATIONS, {"sku": "GIZMO"}))["cancellations"]
    assert [(n["quantity"], n["reason"]) for n in listed["nodes"]] == [(1, "One less"), (2, "")]


async def test_a_cancellation_that_cannot_be_done_changes_nothing(api):
    _, second = await _queue(api)
    second_backorder = second["backorders"][0]["id"]
    before = await db_snapshot()

    for quantity in (0, -1, 4):
        errors = await api.user_errors(
            "cancelBackorder", CANCEL, {"id": second_backorder, "quantity": quantity}
        )
        assert [(e["code"], e["field"]) for e in errors] == [("INVALID_QUANTITY", ["quantity"])]
    for missing in ("999", "abc"):
        errors = await api.user_errors("cancelBackorder", CANCEL, {"id": missing})
        assert [e["code"] for e in errors] == ["NOT_FOUND"]
    refused = await api.gql(CANCEL, {"input": {"id": second_backorder}}, token=api.storefront_token)
    assert refused.error_codes == ["FORBIDDEN"]
    assert await db_snapshot() == before

    await api.mutate("cancelBackorder", CANCEL, {"id": second_backorder})
    errors = await api.user_errors("cancelBackorder", CANCEL, {"id": second_backorder})
    assert [e["code"] for e in errors] == ["INVALID_STATUS"]
