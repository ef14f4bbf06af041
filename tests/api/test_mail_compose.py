"""Messages composed from the live store: the right content, and links that work."""

from __future__ import annotations

import re
from dataclasses import replace

from tests.api.client import Api

from bobot.links import Links
from bobot.mail.compose import compose

LINK = re.compile(r"https?://\S+/l/[a-z-]+/[A-Za-z0-9._-]+")


async def test_an_order_confirmation_links_to_a_working_cancel_page_per_backorder(
    api: Api,
) -> None:
    await api.create_product("KETTLE-01", on_hand=1)
    await api.create_product("GRINDER-01")
    order = await api.order("ana@example.com", ("KETTLE-01", 1), ("GRINDER-01", 2))
    base = api.url.removesuffix("/graphql")
    settings = replace(api.settings, public_url=base)
    links = Links.from_settings(settings, api.clock)

    message = await compose(
        "order.confirmation", {"order_id": order["id"]}, settings=settings, links=links
    )
    assert message.to == "ana@example.com"
    assert f"order {order['number']} confirmed" in message.subject
    assert "- 1 x Kettle-01" in message.text and "- 2 x Grinder-01" in message.text
    promised = order["backorders"][0]["promisedDate"]
    assert promised[-2:].lstrip("0") in message.text  # the promised day is restated
    (cancel,) = LINK.findall(message.text)
    assert "/l/cancel-backorder/" in cancel
    page = await api.http.get(cancel)
    assert page.status_code == 200 and "Grinder-01" in page.text


async def test_a_waitlist_mail_links_to_its_leave_page(api: Api) -> None:
    await api.create_product("KETTLE-01", policy="DENY")
    entry_id = await api.join_waitlist("KETTLE-01", "ben@example.com")
    base = api.url.removesuffix("/graphql")
    settings = replace(api.settings, public_url=base)
    message = await compose(
        "waitlist.joined",
        {"entry_id": entry_id},
        settings=settings,
        links=Links.from_settings(settings, api.clock),
    )
    assert message.list_unsubscribe is not None
    page = await api.http.get(message.list_unsubscribe)
    assert page.status_code == 200 and "Leave the waitlist" in page.text
