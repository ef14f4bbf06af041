"""A receipt's answer reads the backorders it filled only when it asks for them."""

from __future__ import annotations

RECEIVE = """
mutation($input: ReceiveStockInput!) {
  receiveStock(input: $input) { product { sku } %s userErrors { code message } }
}
"""


async def _receive(api, sql_log, fields: str) -> tuple[list[str], dict]:
    with sql_log() as statements:
        data = await api.ok(RECEIVE % fields, {"input": {"sku": "MUG", "quantity": 2}})
    assert data["receiveStock"]["userErrors"] == []
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")], data


async def test_a_restock_that_does_not_ask_for_the_filled_backorders_does_not_read_them(
    api, sql_log
):
    await api.create_product("MUG")
    for n in range(4):
        await api.order(f"c{n}@example.com", ("MUG", 1))

    without, _ = await _receive(api, sql_log, "")
    asked, data = await _receive(api, sql_log, "filledBackorders { id status }")

    assert [b["status"] for b in data["receiveStock"]["filledBackorders"]] == ["ALLOCATED"] * 2
    by_id = 'FROM "backorder" WHERE "id" IN'
    assert [s for s in without if by_id in s] == []
    assert len([s for s in asked if by_id in s]) == 1
