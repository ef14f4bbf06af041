"""The shop's calendar over HTTP, for a shop in Berlin that ships Monday to Friday."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bobot.config import Settings
from bobot.domain.calendar import ShopCalendar

SET_POLICY = """
mutation($input: SetBackorderPolicyInput!) {
  setBackorderPolicy(input: $input) {
    product { sku backordersEndAt }
    userErrors { code field message }
  }
}
"""

SHOWN = """
query($sku: String!, $status: StockStatus!) {
  product(sku: $sku) { availability { status canPurchase reason } }
  products(status: $status, first: 50) { nodes { sku } }
}
"""

POS = "{ purchaseOrders { nodes { number isLate } } }"


@pytest.fixture
def api_settings(db) -> Settings:
    berlin = ShopCalendar(zone=ZoneInfo("Europe/Berlin"), holidays=frozenset({date(2026, 12, 1)}))
    return Settings(database_url=db.url, calendar=berlin)


async def shown(api, sku: str, status: str) -> tuple[str, bool]:
    data = await api.ok(SHOWN, {"sku": sku, "status": status})
    listed = sku in [n["sku"] for n in data["products"]["nodes"]]
    return data["product"]["availability"]["status"], listed


async def test_backorders_end_at_is_stored_in_utc_and_availability_agrees_with_the_filter(api):
    await api.create_product("LAMP")
    ends = {"sku": "LAMP", "policy": "ALLOW"}

    # An offset-less time is the shop's wall time: noon in Berlin is 11:00 UTC.
    payload = await api.mutate(
        "setBackorderPolicy", SET_POLICY, {**ends, "backordersEndAt": "2026-11-26T12:00:00"}
    )
    assert payload["product"]["backordersEndAt"] == "2026-11-26T11:00:00+00:00"
    # Any offset names the same instant, stored in UTC.
    payload = await api.mutate(
        "setBackorderPolicy", SET_POLICY, {**ends, "backordersEndAt": "2026-11-26T16:00:00+05:00"}
    )
    assert payload["product"]["backordersEndAt"] == "2026-11-26T11:00:00+00:00"

    end = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
    api.clock.set(end - timedelta(milliseconds=1))
    assert await shown(api, "LAMP", "BACKORDER") == ("BACKORDER", True)
    assert await shown(api, "LAMP", "OUT_OF_STOCK") == ("BACKORDER", False)
    api.clock.set(end)
    assert await shown(api, "LAMP", "BACKORDER") == ("OUT_OF_STOCK", False)
    assert await shown(api, "LAMP", "OUT_OF_STOCK") == ("OUT_OF_STOCK", True)


async def test_today_lateness_and_dates_follow_the_shops_day_and_ship_days(api):
    supplier = await api.create_supplier("Acme")
    await api.create_product("DESK", supplier_id=supplier, lead_days=30)
    # Thursday 26 Nov; the order is due Friday 27 Nov.
    po = await api.create_po(supplier, date(2026, 11, 27), ("DESK", 5))
    backorder = (await api.order("a@example.com", ("DESK", 1)))["backorders"][0]
    # One handling day after Friday is Monday 30 Nov; the margin's two ship days skip
    # the holiday on Tuesday 1 Dec.
    assert (backorder["expectedDate"], backorder["isEstimate"]) == ("2026-11-30", False)
    assert backorder["promisedDate"] == "2026-12-03"

    # 22:59 UTC on Friday is still Friday in Berlin: not late. 23:00 UTC is Saturday there.
    api.clock.set(datetime(2026, 11, 27, 22, 59, tzinfo=UTC))
    assert (await api.ok(POS))["purchaseOrders"]["nodes"] == [
        {"number": po["number"], "isLate": False}
    ]
    api.clock.set(datetime(2026, 11, 27, 23, 0, tzinfo=UTC))
    assert (await api.ok(POS))["purchaseOrders"]["nodes"] == [
        {"number": po["number"], "isLate": True}
    ]
    # Saturday in Berlin: in-stock units ship on the next ship day after handling.
    await api.create_product("PEN", on_hand=5)
    availability = await api.ok('{ product(sku: "PEN") { availability { estimatedShipDate } } }')
    assert availability["product"]["availability"]["estimatedShipDate"] == "2026-12-02"
