"""``/bobot insights [sku|category]``: the last four weeks' figures, through the same query
as the API."""

from __future__ import annotations

from datetime import timedelta

from tests.api.test_cancellations import CANCEL
from tests.api.test_insights import receive_on
from tests.slack.conftest import STRANGER
from tests.slack.test_commands import text_of

CATEGORY = (
    "mutation($input: UpsertProductInput!) { upsertProduct(input: $input) {"
    " created userErrors { code field message } } }"
)


async def _history(api) -> None:
    """MUG (kitchen): 2 backorders, one cancelled after 2 days, one filled after 5 from a
    purchase order a day late; DENIED refuses an order of 3."""
    acme = await api.create_supplier("Acme")
    await api.create_product("MUG", supplier_id=acme)
    await api.mutate("upsertProduct", CATEGORY, {"sku": "MUG", "name": "Mug", "price": "10.00",
                                                 "category": "kitchen"})  # fmt: skip
    await api.create_product("DENIED", policy="DENY")
    po = await api.create_po(acme, api.today() + timedelta(days=4), ("MUG", 1))
    first = await api.order("a@example.com", ("MUG", 1))
    second = await api.order("b@example.com", ("MUG", 1))
    await api.place_order("c@example.com", ("DENIED", 3))
    start = api.clock.now()
    api.clock.set(start + timedelta(days=2))
    await api.mutate("cancelBackorder", CANCEL, {"id": second["backorders"][0]["id"]})
    api.clock.set(start + timedelta(days=5))
    await receive_on(api, "MUG", 1, po)
    assert first["backorders"][0]["status"] == "OPEN"


async def test_insights_of_the_shop_a_sku_and_a_category(bot):
    await _history(bot.api)

    shop = text_of(await bot.command("insights"))
    assert "Insights: all products" in shop
    assert "2 opened, 1 filled, 1 cancelled" in shop
    assert "median 5.0 d" in shop
    assert "0% of 1 receipts, mean delay 1.0 d" in shop
    assert "3 units refused (1 orders) vs 2 backordered" in shop
    assert "0-7 d 50% (1/2)" in shop

    mug = text_of(await bot.command("insights MUG"))
    assert "Insights: MUG" in mug and "3 units refused" not in mug
    assert "0 units refused (0 orders) vs 2 backordered" in mug

    kitchen = text_of(await bot.command("insights kitchen"))
    assert "Insights: category kitchen" in kitchen and "2 opened, 1 filled" in kitchen


async def test_insights_are_for_staff_only(bot):
    reply = text_of(await bot.command("insights", user=STRANGER))
    assert "only answers the shop's staff" in reply
