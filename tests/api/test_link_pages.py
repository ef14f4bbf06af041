"""Customer link pages over HTTP: GET and HEAD show, only POST acts, once.

The links are made the way an email makes them (``Links.from_settings`` with the app's
settings and clock); the pages are the real app's, served by uvicorn on 127.0.0.1.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from tests.api.client import Api, db_snapshot

from bobot.links import Links, Purpose
from bobot.models import Backorder, BackorderStatus, Cancellation, Event, Product, WaitlistEntry
from bobot.services import consent
from bobot.services.context import Deps

X = "\N{MULTIPLICATION SIGN}"  # as the pages write quantities


def link(api: Api, purpose: Purpose, subject_id: int | str) -> str:
    base = api.url.removesuffix("/graphql")
    token = Links.from_settings(api.settings, api.clock).token(purpose, int(subject_id))
    return f"{base}/l/{purpose.value}/{token}"


async def store(api: Api) -> dict[str, Any]:
    """KETTLE-01 with no stock: Ana backorders 3, then Ben 2; 3 units arrive for Ana."""
    await api.create_product("KETTLE-01")
    ana = await api.order("ana@example.com", ("KETTLE-01", 3))
    ben = await api.order("ben@example.com", ("KETTLE-01", 2))
    await api.receive("KETTLE-01", 3)
    return {"ana": ana, "ben": ben}


async def status_of(backorder_id: str) -> BackorderStatus:
    return (await Backorder.get(id=int(backorder_id))).status


@pytest.fixture
async def orders(api: Api) -> dict[str, Any]:
    return await store(api)


async def test_get_and_head_show_the_backorder_and_change_nothing(api: Api, orders) -> None:
    url = link(api, Purpose.CANCEL_BACKORDER, orders["ana"]["backorders"][0]["id"])
    before = await db_snapshot()
    events = await Event.all().count()
    page = await api.http.get(url)
    assert page.status_code == 200
    assert f"Cancel 3 {X} Kettle-01" in page.text
    assert orders["ana"]["number"] in page.text
    assert '<form method="post"' in page.text
    head = await api.http.head(url)
    assert head.status_code == 200 and head.content == b""
    assert await db_snapshot() == before
    assert await Event.all().count() == events


async def test_post_cancels_once_and_the_units_go_to_the_next_in_line(api: Api, orders) -> None:
    ana = orders["ana"]["backorders"][0]["id"]
    ben = orders["ben"]["backorders"][0]["id"]
    assert await status_of(ana) is BackorderStatus.ALLOCATED
    url = link(api, Purpose.CANCEL_BACKORDER, ana)

    done = await api.http.post(url)
    assert done.status_code == 200
    assert f"Your backorder is cancelled: 3 {X} Kettle-01 will not be sent" in done.text
    assert await status_of(ana) is BackorderStatus.CANCELLED
    assert await status_of(ben) is BackorderStatus.ALLOCATED  # Ana's units went to Ben
    kettle = await Product.get(sku="KETTLE-01")
    assert (kettle.on_hand, kettle.allocated, kettle.available) == (3, 2, 1)
    cancellation = await Cancellation.get(backorder_id=int(ana))
    assert (cancellation.actor_kind, cancellation.actor_id, cancellation.channel) == (
        "customer",
        "ana@example.com",
        "link",
    )

    before = await db_snapshot()
    again = await api.http.post(url)
    assert again.status_code == 200
    assert "already cancelled" in again.text
    assert "<form" not in again.text
    assert await db_snapshot() == before


async def test_refused_tokens_get_a_page_of_their_own_and_change_nothing(api: Api, orders) -> None:
    backorder_id = orders["ana"]["backorders"][0]["id"]
    good = link(api, Purpose.CANCEL_BACKORDER, backorder_id)
    wrong_purpose = link(api, Purpose.LEAVE_WAITLIST, backorder_id).replace(
        "/l/leave-waitlist/", "/l/cancel-backorder/"
    )
    tampered = good[:-3] + ("xyz" if not good.endswith("xyz") else "abc")
    before = await db_snapshot()
    for url in (wrong_purpose, tampered):
        for method in ("GET", "POST"):
            page = await api.http.request(method, url)
            assert page.status_code == 400, (method, url)
            assert "This link does not work" in page.text
    unknown = await api.http.post(good.replace("/l/cancel-backorder/", "/l/delete-everything/"))
    assert unknown.status_code == 404
    api.clock.advance(days=api.settings.link_days, seconds=1)
    expired = await api.http.post(good)
    assert expired.status_code == 410
    assert "This link has expired" in expired.text
    assert await db_snapshot() == before


async def test_a_link_to_a_shipped_backorder_says_so(api: Api, orders) -> None:
    ana = orders["ana"]
    shipment = next(s for s in ana["shipments"] if s["lines"])
    await api.mutate(
        "markShipmentShipped",
        "mutation($input: MarkShipmentShippedInput!) { markShipmentShipped(input: $input) {"
        " shipment { status } userErrors { code field message } } }",
        {"id": shipment["id"]},
    )
    url = link(api, Purpose.CANCEL_BACKORDER, ana["backorders"][0]["id"])
    page = await api.http.get(url)
    assert "already shipped" in page.text and "<form" not in page.text
    before = await db_snapshot()
    posted = await api.http.post(url)
    assert "already shipped" in posted.text
    assert await db_snapshot() == before


async def test_an_order_link_cancels_every_backordered_line_and_leaves_stock_lines(
    api: Api,
) -> None:
    await api.create_product("KETTLE-01", on_hand=1)
    await api.create_product("MUG-01")
    await api.create_product("LID-01")
    order = await api.order("ana@example.com", ("KETTLE-01", 2), ("MUG-01", 1), ("LID-01", 4))
    url = link(api, Purpose.CANCEL_ORDER, order["id"])
    page = await api.http.get(url)
    assert "Cancel 3 backordered items" in page.text
    done = await api.http.post(url)
    assert f"Cancelled: 1 {X} Kettle-01, 1 {X} Mug-01, 4 {X} Lid-01" in done.text
    statuses = {b.sku: b.status for b in await Backorder.filter(order_id=int(order["id"]))}
    assert set(statuses.values()) == {BackorderStatus.CANCELLED}
    kettle = await Product.get(sku="KETTLE-01")
    assert (kettle.allocated, kettle.backordered) == (1, 0)  # the unit in stock still ships
    again = await api.http.post(url)
    assert "Nothing in this order can be cancelled any more" in again.text


async def test_a_waitlist_link_leaves_by_form_or_by_one_click_unsubscribe(api: Api) -> None:
    await api.create_product("KETTLE-01", policy="DENY")
    entries = [
        await api.join_waitlist("KETTLE-01", email)
        for email in ("ana@example.com", "ben@example.com")
    ]
    page = await api.http.get(link(api, Purpose.LEAVE_WAITLIST, entries[0]))
    assert "Leave the waitlist" in page.text and "ana@example.com" in page.text
    left = await api.http.post(link(api, Purpose.LEAVE_WAITLIST, entries[0]))
    assert "You have left the waitlist" in left.text
    # RFC 8058: a mail client posts "List-Unsubscribe=One-Click" to the List-Unsubscribe URL.
    one_click = await api.http.post(
        link(api, Purpose.LEAVE_WAITLIST, entries[1]),
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert one_click.status_code == 200
    statuses = [(await WaitlistEntry.get(id=int(e))).status.value for e in entries]
    assert statuses == ["LEFT", "LEFT"]


async def test_pages_are_sent_with_security_headers_and_escape_names(api: Api) -> None:
    await api.create_product("KETTLE-01")
    await api.mutate(
        "upsertProduct",
        "mutation($input: UpsertProductInput!) { upsertProduct(input: $input) {"
        " created userErrors { code field message } } }",
        {"sku": "KETTLE-01", "name": '<script>alert("x")</script>', "price": "10.00"},
    )
    order = await api.order("ana@example.com", ("KETTLE-01", 1))
    page = await api.http.get(link(api, Purpose.CANCEL_BACKORDER, order["backorders"][0]["id"]))
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text
    headers = page.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    css = await api.http.get(api.url.removesuffix("/graphql") + "/l/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


async def test_a_delay_link_answers_once_keep_waiting_or_cancel(api: Api) -> None:
    supplier = await api.create_supplier()
    await api.create_product("KETTLE-01", supplier_id=supplier, lead_days=60)
    po = await api.create_po(supplier, api.today() + timedelta(days=5), ("KETTLE-01", 4))
    ana = await api.order("ana@example.com", ("KETTLE-01", 2))
    ben = await api.order("ben@example.com", ("KETTLE-01", 2))
    await api.mutate(
        "updatePurchaseOrder",
        "mutation($input: UpdatePurchaseOrderInput!) { updatePurchaseOrder(input: $input) {"
        " purchaseOrder { id } userErrors { code field message } } }",
        {"id": po["id"], "expectedDate": (api.today() + timedelta(days=50)).isoformat()},
    )
    deps = Deps(settings=api.settings, clock=api.clock)
    assert await consent.review_delays(deps) == 2
    staff = await api.ok(
        '{ product(sku: "KETTLE-01") { openBackorders { consent { state deadline notices } } }'
        " delayNotices { sent late } }"
    )
    states = [b["consent"] for b in staff["product"]["openBackorders"]]
    assert [c["state"] for c in states] == ["AWAITING", "AWAITING"]
    assert staff["delayNotices"] == {"sent": 2, "late": 0}
    urls = [link(api, Purpose.ANSWER_DELAY, o["backorders"][0]["id"]) for o in (ana, ben)]
    before = await db_snapshot()
    page = await api.http.get(urls[0])
    assert "Keep waiting" in page.text and "Cancel for a full refund" in page.text
    assert await db_snapshot() == before

    kept = await api.http.post(urls[0] + "?choice=wait")
    assert "keeps its place in the queue" in kept.text
    cancelled = await api.http.post(urls[1] + "?choice=cancel")
    assert "Your backorder is cancelled" in cancelled.text
    assert await status_of(ana["backorders"][0]["id"]) is BackorderStatus.OPEN
    assert await status_of(ben["backorders"][0]["id"]) is BackorderStatus.CANCELLED
    after = await db_snapshot()
    again = await api.http.post(urls[0] + "?choice=cancel")  # already answered: nothing changes
    assert "There is nothing to answer: you agreed to wait" in again.text
    assert await db_snapshot() == after


async def test_an_invitation_link_claims_the_held_units_once(api: Api) -> None:
    await api.create_product("KETTLE-01", policy="DENY")
    entries = [
        await api.join_waitlist("KETTLE-01", email)
        for email in ("ana@example.com", "ben@example.com")
    ]
    await api.receive("KETTLE-01", 1)
    shown = await api.ok('{ product(sku: "KETTLE-01") { availability { quantityAvailable } } }')
    assert shown["product"]["availability"]["quantityAvailable"] == 0  # held for Ana
    url = link(api, Purpose.CLAIM_INVITATION, entries[0])
    page = await api.http.get(url)
    assert "We are holding 1 for you until" in page.text
    claimed = await api.http.post(url + "?choice=claim")
    assert "Your order BO-" in claimed.text
    before = await db_snapshot()
    again = await api.http.post(url + "?choice=claim")
    assert "You have already ordered these" in again.text
    assert await db_snapshot() == before
    ben = await api.http.get(link(api, Purpose.CLAIM_INVITATION, entries[1]))
    assert "You are on the waitlist" in ben.text  # one unit, one invitation: Ben still waits
