"""Staff priority over HTTP: the queue, its dates and the fill follow (priority, placement)."""

from __future__ import annotations

from datetime import timedelta

SET_PRIORITY = """
mutation($input: SetBackorderPriorityInput!) {
  setBackorderPriority(input: $input) {
    backorder { id priority expectedDate isEstimate }
    userErrors { code field message }
  }
}
"""

QUEUE = """
query($sku: String!) {
  product(sku: $sku) { openBackorders { id priority expectedDate isEstimate } }
}
"""

HISTORY = """
query($sku: String) {
  history(sku: $sku, first: 50) { nodes { kind subjectId actor { kind id channel } data } }
}
"""


async def test_staff_raise_a_backorder_to_the_front_of_the_queue_and_its_date_follows(api):
    supplier = await api.create_supplier("Acme")
    await api.create_product("BOLT", supplier_id=supplier, lead_days=30)
    soon = api.today() + timedelta(days=3)
    await api.create_po(supplier, soon, ("BOLT", 4))
    first = (await api.order("a@example.com", ("BOLT", 4)))["backorders"][0]
    last = (await api.order("b@example.com", ("BOLT", 4)))["backorders"][0]
    assert (first["isEstimate"], last["isEstimate"]) == (False, True)

    payload = await api.mutate(
        "setBackorderPriority", SET_PRIORITY, {"id": last["id"], "priority": 5}
    )

    firm = (soon + timedelta(days=1)).isoformat()
    assert payload["backorder"] == {
        "id": last["id"], "priority": 5, "expectedDate": firm, "isEstimate": False,
    }  # fmt: skip
    queue = (await api.ok(QUEUE, {"sku": "BOLT"}))["product"]["openBackorders"]
    assert [b["id"] for b in queue] == [last["id"], first["id"]]
    assert queue[1]["isEstimate"] is True and queue[1]["expectedDate"] >= firm
    events = (await api.ok(HISTORY, {"sku": "BOLT"}))["history"]["nodes"]
    changed = [e for e in events if e["kind"] == "BACKORDER_PRIORITY_CHANGED"]
    assert len(changed) == 1 and changed[0]["subjectId"] == last["id"]
    assert changed[0]["actor"]["kind"] == "staff" and changed[0]["actor"]["id"] == "staff-tester"
    assert changed[0]["data"]["previous"] == 0 and changed[0]["data"]["priority"] == 5

    # The fill follows the same order: four units go to the raised backorder.
    filled = (await api.receive("BOLT", 4))["filledBackorders"]
    assert [b["id"] for b in filled] == [last["id"]]


async def test_a_priority_out_of_bounds_is_a_coded_error_and_only_staff_may_set_one(api):
    await api.create_product("NUT")
    backorder = (await api.order("a@example.com", ("NUT", 1)))["backorders"][0]

    errors = await api.user_errors(
        "setBackorderPriority", SET_PRIORITY, {"id": backorder["id"], "priority": 101}
    )
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_INPUT", ["priority"])]
    errors = await api.user_errors(
        "setBackorderPriority", SET_PRIORITY, {"id": "99999999999", "priority": 1}
    )
    assert [e["code"] for e in errors] == ["NOT_FOUND"]
    refused = await api.gql(
        SET_PRIORITY,
        {"input": {"id": backorder["id"], "priority": 1}},
        token=api.storefront_token,
    )
    assert refused.errors and not (refused.data or {}).get("setBackorderPriority")
    queue = (await api.ok(QUEUE, {"sku": "NUT"}))["product"]["openBackorders"]
    assert [b["priority"] for b in queue] == [0]
