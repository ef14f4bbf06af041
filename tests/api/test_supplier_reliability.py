"""`supplier { reliability }` over HTTP: a supplier's record, and the margin its dates get."""

from __future__ import annotations

from datetime import timedelta

from tests.api.client import Api

RECEIVE_PO = (
    "mutation($input: ReceivePurchaseOrderInput!) { receivePurchaseOrder(input: $input) {"
    " purchaseOrder { status } userErrors { code field message } } }"
)

SUPPLIERS = """
{ suppliers { name reliability {
    onTimeRate meanDelayDays p90DelayDays sampleSize promiseMarginDays } } }
"""

AVAILABILITY = "query($sku: String!) { product(sku: $sku) { availability { estimatedShipDate } } }"


async def _deliver(api: Api, supplier: str, *, due_in: int, late: int) -> None:
    po = await api.create_po(supplier, api.today() + timedelta(days=due_in), ("FILL", 1))
    api.clock.advance(days=due_in + late)
    await api.mutate("receivePurchaseOrder", RECEIVE_PO, {"id": po["id"]})


async def test_staff_see_each_suppliers_record_and_promises_follow_it(api):
    late = await api.create_supplier("Late")
    await api.create_supplier("New")
    await api.create_product("FILL")
    await api.create_product("KITE", supplier_id=late, lead_days=30)
    for n in range(12):
        await _deliver(api, late, due_in=2, late=5 if n % 4 else 0)  # 3 of 12 on time

    data = await api.ok(SUPPLIERS)
    by_name = {s["name"]: s["reliability"] for s in data["suppliers"]}
    assert by_name["Late"] == {
        "onTimeRate": 0.25,
        "meanDelayDays": 3.75,
        "p90DelayDays": 5,
        "sampleSize": 12,
        "promiseMarginDays": 5,
    }
    # A supplier with no deliveries yet: no record, the shop's margin.
    assert by_name["New"] == {
        "onTimeRate": None,
        "meanDelayDays": None,
        "p90DelayDays": None,
        "sampleSize": 0,
        "promiseMarginDays": 5,
    }

    # KITE's date rests on Late's purchase order: 10 days, handling, and Late's 5 days.
    await api.create_po(late, api.today() + timedelta(days=10), ("KITE", 4))
    shown = await api.ok(AVAILABILITY, {"sku": "KITE"})
    handling = api.settings.handling_days
    expected = api.today() + timedelta(days=10 + handling + 5)
    assert shown["product"]["availability"]["estimatedShipDate"] == expected.isoformat()
    order = await api.order("a@example.com", ("KITE", 1))
    (backorder,) = order["backorders"]
    assert backorder["promisedDate"] == expected.isoformat()


async def test_with_learned_margins_off_the_record_shows_the_fixed_margin(api_with):
    async with api_with(learned_margins=False) as api:
        late = await api.create_supplier("Late")
        await api.create_product("FILL")
        for _ in range(3):
            await _deliver(api, late, due_in=1, late=4)
        data = await api.ok(SUPPLIERS)
        (record,) = [s["reliability"] for s in data["suppliers"]]
        assert (record["sampleSize"], record["meanDelayDays"]) == (3, 4.0)
        assert record["promiseMarginDays"] == api.settings.promise_margin_days


async def test_a_storefront_cannot_read_supplier_reliability(api):
    await api.create_supplier("Acme")
    refused = await api.gql(SUPPLIERS, token=api.storefront_token)
    assert refused.error_codes == ["FORBIDDEN"]


async def test_the_records_of_every_listed_supplier_cost_one_statement(api, sql_log):
    ids = [await api.create_supplier(f"S{n}") for n in range(5)]
    await api.create_product("FILL")
    for n, supplier in enumerate(ids):
        await _deliver(api, supplier, due_in=1, late=n)
    with sql_log() as statements:
        data = await api.ok(SUPPLIERS)
    assert [s["reliability"]["meanDelayDays"] for s in data["suppliers"]] == [0, 1, 2, 3, 4]
    assert len([s for s in statements if "supplier_delay" in s]) == 1
