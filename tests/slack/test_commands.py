"""Each /bobot command over real HTTP, signed, answered from the same GraphQL resolvers."""

from __future__ import annotations

from datetime import timedelta

from tests.slack.conftest import STAFF, STRANGER
from tests.slack.store import late_po_store

from bobot.slack import simulate
from bobot.slack.blocks.plaintext import as_text


def text_of(reply: dict) -> str:
    return as_text(reply.get("blocks") or []) or reply.get("text", "")


async def test_shortages_lists_the_worst_first_with_uncovered_units_and_dates(bot):
    supplier = await bot.api.create_supplier("Acme")
    await bot.api.create_product("KETTLE", supplier_id=supplier, lead_days=10)
    await bot.api.create_product("MUG", supplier_id=supplier, lead_days=10)
    await bot.api.create_po(supplier, bot.api.today() + timedelta(days=4), ("MUG", 1))
    await bot.api.order("a@example.com", ("KETTLE", 5), ("MUG", 2))
    reply = await bot.command("shortages")
    assert reply["response_type"] == "ephemeral"
    text = text_of(reply)
    assert text.index("KETTLE") < text.index("MUG"), text
    assert "5 of 5 backordered" in text and "1 of 2 backordered" in text
    assert "Next PO" in text and "A new order ships" in text


async def test_sku_shows_stock_incoming_purchase_orders_and_offers(bot):
    supplier = await bot.api.create_supplier("Acme")
    await bot.api.create_product("MUG", supplier_id=supplier, on_hand=3)
    po = await bot.api.create_po(supplier, bot.api.today() + timedelta(days=6), ("MUG", 12))
    text = text_of(await bot.command("sku MUG"))
    assert "MUG" in text and "In stock" in text
    assert "On hand: 3" in text and "Incoming: 12" in text
    assert f"{po['number']} from Acme: 12 due" in text
    assert "Acme: 2.50 a unit, 20 days" in text


async def test_sku_shows_the_suppliers_record_as_deliveries_come_in(bot):
    api = bot.api
    supplier = await api.create_supplier("Acme")
    await api.create_product("MUG", supplier_id=supplier)
    assert "Acme: 2.50 a unit, 20 days" in text_of(await bot.command("sku MUG"))
    assert "no deliveries yet; promises +2 days" in text_of(await bot.command("sku MUG"))
    for _ in range(2):
        po = await api.create_po(supplier, api.today() + timedelta(days=1), ("MUG", 1))
        api.clock.advance(days=4)
        await api.mutate(
            "receivePurchaseOrder",
            "mutation($input: ReceivePurchaseOrderInput!) { receivePurchaseOrder(input: $input)"
            " { userErrors { code field message } } }",
            {"id": po["id"]},
        )
    text = text_of(await bot.command("sku MUG"))
    # The shop ships Monday to Friday: due Friday, here Monday (1 ship day late); due
    # Tuesday, here Friday (3).
    assert "0% on time over 2 deliveries, 90% within 3 days late (mean 2 days)" in text


async def test_sku_of_an_unknown_product_says_so(bot):
    assert "No product has SKU NOPE" in text_of(await bot.command("sku NOPE"))


async def test_backorders_lists_the_queue_in_order_by_order_number(bot):
    await bot.api.create_product("MUG")
    first = await bot.api.order("a@example.com", ("MUG", 2))
    second = await bot.api.order("b@example.com", ("MUG", 1))
    text = text_of(await bot.command("backorders MUG"))
    assert "2 backorders, 3 units waiting" in text
    assert text.index(first["number"]) < text.index(second["number"])
    assert "example.com" not in text  # customers are named by order number only


async def test_order_shows_lines_shipments_and_backorders_without_the_email(bot):
    await bot.api.create_product("MUG", on_hand=1)
    order = await bot.api.order("ana.silva@example.com", ("MUG", 3))
    text = text_of(await bot.command(f"order {order['number']}"))
    assert f"Order {order['number']}" in text
    assert "MUG x 3: 1 allocated, 2 backordered" in text
    assert "Backorders" in text and "ana.silva" not in text


async def test_alerts_lists_open_alerts_with_cause_and_suggestion(bot):
    await late_po_store(bot.api)
    text = text_of(await bot.command("alerts"))
    assert "Open alerts (" in text and "Late purchase order" in text and "8 days late" in text
    assert "Suggested: Switch supplier" in text


async def test_help_and_unknown_input_both_get_the_help_text(bot):
    for text in ("help", "", "make me a sandwich", "sku"):
        reply = text_of(await bot.command(text))
        assert "/bobot shortages" in reply and "/bobot order <number>" in reply, text
        assert "shown only to you" in reply and "@bobot shortages" in reply


async def test_input_that_is_not_a_command_is_told_why_before_the_help(bot):
    notes = {
        "make me a sandwich": "Sorry, I don't know `make`. Here is what I can do:",
        "sku": "`/bobot sku` needs a SKU, for example `/bobot sku MUG-01`.",
        "order BO-1 BO-2": "`/bobot order` takes just an order number, for example",
        "shortages now": "`/bobot shortages` takes nothing after it.",
        "<!channel>": "Sorry, I don't know `&lt;!channel&gt;`.",
    }
    for text, note in notes.items():
        reply = await bot.command(text)
        assert reply["text"].startswith(note), (text, reply["text"])
        assert "What /bobot can do" in text_of(reply)
    assert text_of(await bot.command("help")).startswith("What /bobot can do")


async def test_a_sku_or_order_number_typed_loosely_is_still_found(bot):
    await bot.api.create_product("MUG", on_hand=1)
    order = await bot.api.order("a@example.com", ("MUG", 3))
    assert "On hand: 1" in text_of(await bot.command("sku mug"))
    assert "1 backorder, 2 units waiting" in text_of(await bot.command("backorders mug"))
    bare = order["number"].removeprefix("BO-")
    for typed in (order["number"].lower(), f"#{order['number']}", bare.lower()):
        assert f"Order {order['number']}" in text_of(await bot.command(f"order {typed}")), typed
    missing = text_of(await bot.command("order BO-NOPE2345"))
    assert "No order has number BO-NOPE2345. Order numbers look like" in missing


async def test_someone_not_on_the_staff_list_gets_a_polite_refusal_only_they_see(bot):
    await bot.api.create_product("MUG")
    for text in ("shortages", "sku MUG", "alerts", "help"):
        reply = await bot.command(text, user=STRANGER)
        assert reply["response_type"] == "ephemeral"
        assert "only answers the shop's staff" in text_of(reply), text
        assert f"(`{STRANGER}`) to SLACK_STAFF_IDS or to a user group" in text_of(reply)


async def test_a_mention_runs_the_same_command_and_replies_in_thread(bot):
    await bot.api.create_product("MUG", on_hand=2)
    body = simulate.event_callback(
        simulate.mention("sku MUG", user_id=STAFF, ts="1700000100.000009"), event_id="Ev1"
    )
    response = await bot.post(body, simulate.JSON)
    assert response.status_code == 200
    calls = await bot.standin.wait_for(lambda calls: bool(_posts(calls)))
    [post] = _posts(calls)
    assert post.args["thread_ts"] == "1700000100.000009"
    assert "On hand: 2" in as_text(post.args["blocks"])


async def test_a_mention_by_a_stranger_is_refused_by_an_ephemeral_message(bot):
    body = simulate.event_callback(simulate.mention("shortages", user_id=STRANGER), event_id="E2")
    assert (await bot.post(body, simulate.JSON)).status_code == 200
    calls = await bot.standin.wait_for(
        lambda c: bool([x for x in c if x.method.endswith("Ephemeral")])
    )
    [refusal] = [c for c in calls if c.method == "chat.postEphemeral"]
    assert refusal.args["user"] == STRANGER and not _posts(calls)


def _posts(calls):
    return [c for c in calls if c.method == "chat.postMessage"]


async def test_the_app_home_shows_open_alerts_and_top_shortages_to_staff_only(bot):
    await late_po_store(bot.api)
    for user, event_id in ((STAFF, "EvHome1"), (STRANGER, "EvHome2")):
        event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}
        body = simulate.event_callback(event, event_id=event_id)
        assert (await bot.post(body, simulate.JSON)).status_code == 200
    calls = await bot.standin.wait_for(
        lambda c: len([x for x in c if x.method == "views.publish"]) == 2
    )
    views = {c.args["user_id"]: c.args["view"] for c in calls if c.method == "views.publish"}
    staff_home = as_text(views[STAFF]["blocks"])
    assert views[STAFF]["type"] == "home" and "Open alerts (" in staff_home
    assert "Top shortages" in staff_home and "MUG" in staff_home
    assert "only answers the shop's staff" in as_text(views[STRANGER]["blocks"])


async def test_an_answer_slower_than_the_ack_allows_follows_by_response_url(bot):
    await bot.api.create_product("MUG", on_hand=2)
    bot.app.state.slack.answer_in_ack_within = 0.0  # every answer is "too slow"
    reply = await bot.command("sku MUG")
    assert reply == {"text": "Working on it…", "response_type": "ephemeral"}
    [later] = await bot.responses("command")
    assert later["replace_original"] is True and "On hand: 2" in as_text(later["blocks"])
