"""One parcel, one date, over HTTP: a ship-together order's lines and its shipment agree on
the day the parcel leaves."""

from __future__ import annotations

from datetime import timedelta

from tests.api.client import ORDER_FIELDS

ORDER = f"query($number: String!) {{ order(number: $number) {{ {ORDER_FIELDS} }} }}"


async def _store(api):
    """A: 2 in stock. X: due in 3 days. Y: due in 20 days."""
    supplier = await api.create_supplier("Acme")
    await api.create_product("A", on_hand=2, supplier_id=supplier, lead_days=30)
    for sku, in_days in (("X", 3), ("Y", 20)):
        await api.create_product(sku, supplier_id=supplier, lead_days=30)
        await api.create_po(supplier, api.today() + timedelta(days=in_days), (sku, 5))


async def test_a_ship_together_order_arrives_in_one_parcel_on_the_date_of_its_latest_line(api):
    await _store(api)
    day = lambda n: (api.today() + timedelta(days=n)).isoformat()  # noqa: E731

    placed = await api.order(
        "a@example.com", ("A", 1), ("X", 1), ("Y", 1), ship_preference="SHIP_TOGETHER"
    )

    assert [(s["status"], s["estimatedShipDate"]) for s in placed["shipments"]] == [
        ("PENDING", day(21))
    ]
    assert [(b["sku"], b["expectedDate"], b["promisedDate"]) for b in placed["backorders"]] == [
        ("X", day(21), day(23)),
        ("Y", day(21), day(23)),
    ]

    await api.receive("X", 1)  # X's units are here; Y's are not
    order = (await api.ok(ORDER, {"number": placed["number"]}, token=api.staff_token))["order"]

    assert [(b["sku"], b["status"], b["expectedDate"]) for b in order["backorders"]] == [
        ("X", "ALLOCATED", day(21)),
        ("Y", "OPEN", day(21)),
    ]
    assert [(s["status"], s["estimatedShipDate"]) for s in order["shipments"]] == [
        ("PENDING", day(21))
    ]


async def test_split_shipments_leave_each_on_its_own_date(api):
    await _store(api)
    day = lambda n: (api.today() + timedelta(days=n)).isoformat()  # noqa: E731

    placed = await api.order("a@example.com", ("A", 1), ("X", 1), ("Y", 1))

    assert [(s["status"], s["estimatedShipDate"]) for s in placed["shipments"]] == [
        ("READY", day(1)),
        ("PENDING", day(21)),
    ]
    assert [b["expectedDate"] for b in placed["backorders"]] == [day(4), day(21)]
