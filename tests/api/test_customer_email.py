"""Customer email end to end: the real app, the worker's outbox drain, a real SMTP server
on 127.0.0.1. Each message arrives once, with the right content and links that work."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from tests.api.client import Api

from bobot.models import Backorder, BackorderStatus, Delivery
from bobot.services.context import Deps
from bobot.worker import deliver

PUBLIC = "http://shop.test"
LINK = re.compile(re.escape(PUBLIC) + r"/l/[a-z-]+/[A-Za-z0-9._-]+")


@pytest.fixture
async def shop(api_with, smtp_server) -> AsyncIterator[tuple[Api, object]]:
    inbox, port = smtp_server
    async with api_with(smtp_url=f"smtp://127.0.0.1:{port}", public_url=PUBLIC) as api:
        yield api, inbox


def deps_of(api: Api) -> Deps:
    return Deps(settings=api.settings, clock=api.clock)


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def served(api: Api, url: str) -> str:
    """A link from an email, on the app under test."""
    return url.replace(PUBLIC, api.url.removesuffix("/graphql"))


async def test_each_message_arrives_once_with_working_links(shop) -> None:
    api, inbox = shop
    await api.create_product("KETTLE-01", on_hand=1)
    await api.create_product("GRINDER-01")
    order = await api.order("ana@example.com", ("KETTLE-01", 1), ("GRINDER-01", 2))
    await deliver(deps_of(api))
    await deliver(deps_of(api))  # nothing more: each message once
    (confirmation,) = inbox.messages
    assert confirmation["To"] == "ana@example.com"
    assert f"order {order['number']} confirmed" in confirmation["Subject"]
    body = text_of(confirmation)
    assert "- 1 x Kettle-01" in body and "- 2 x Grinder-01" in body
    (cancel,) = LINK.findall(body)  # one backordered line: no "cancel every item" link
    page = await api.http.get(served(api, cancel))
    assert page.status_code == 200 and "Cancel 2" in page.text

    # The stock arrives: the parcel is ready, and the customer hears of it once.
    await api.receive("GRINDER-01", 2)
    await deliver(deps_of(api))
    ready = inbox.messages[1]
    assert "on their way" in ready["Subject"] and "- 2 x Grinder-01" in text_of(ready)

    # Another order is cancelled from its email's link: the cancellation is confirmed.
    second = await api.order("ben@example.com", ("GRINDER-01", 1))
    await deliver(deps_of(api))
    link = LINK.findall(text_of(inbox.messages[2]))[0]
    await api.http.post(served(api, link))
    await deliver(deps_of(api))
    cancelled = inbox.messages[3]
    assert cancelled["To"] == "ben@example.com"
    assert "As you asked, we cancelled 1 x Grinder-01" in text_of(cancelled)
    backorder = await Backorder.get(order_id=int(second["id"]))
    assert backorder.status is BackorderStatus.CANCELLED
    assert len(inbox.messages) == 4
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(set(ids)) == 4


async def test_waitlist_mail_carries_its_leave_link_as_one_click_unsubscribe(shop) -> None:
    api, inbox = shop
    await api.create_product("KETTLE-01", policy="DENY")
    await api.join_waitlist("KETTLE-01", "ana@example.com")
    await api.receive("KETTLE-01", 1)  # Ana is invited: one unit is held for her
    await deliver(deps_of(api))
    joined, invited = inbox.messages
    assert joined["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    leave = joined["List-Unsubscribe"].strip("<>")
    assert "held for you" in invited["Subject"]
    claim = next(u for u in LINK.findall(text_of(invited)) if "/claim-invitation/" in u)
    done = await api.http.post(served(api, claim) + "?choice=claim")
    assert "Your order BO-" in done.text
    page = await api.http.get(served(api, leave))
    assert page.status_code == 200


async def test_messages_wait_while_smtp_is_down_and_arrive_once_after(
    api_with, smtp_server, unused_tcp_port_factory
) -> None:
    inbox, port = smtp_server
    down = unused_tcp_port_factory()  # nobody listens there
    async with api_with(smtp_url=f"smtp://127.0.0.1:{down}", public_url=PUBLIC) as api:
        await api.create_product("KETTLE-01")
        await api.order("ana@example.com", ("KETTLE-01", 1))
        await api.order("ben@example.com", ("KETTLE-01", 1))
        await deliver(deps_of(api))  # tried, kept for later
        rows = await Delivery.filter(channel="EMAIL")
        assert [r.status.value for r in rows] == ["PENDING", "PENDING"]
        assert all(r.attempts == 1 and r.last_error for r in rows)
    async with api_with(smtp_url=f"smtp://127.0.0.1:{port}", public_url=PUBLIC) as api:
        api.clock.advance(hours=1)  # past the backoff
        await deliver(deps_of(api))
        await deliver(deps_of(api))
        assert sorted(m["To"] for m in inbox.messages) == ["ana@example.com", "ben@example.com"]
        rows = await Delivery.filter(channel="EMAIL")
        assert [r.status.value for r in rows] == ["SUCCESS", "SUCCESS"]


async def test_the_development_mailbox_shows_each_message_with_its_links(api) -> None:
    await api.create_product("KETTLE-01")
    await api.order("ana@example.com", ("KETTLE-01", 1))
    await deliver(deps_of(api))
    page = await api.http.get(api.url.removesuffix("/graphql") + "/dev/mail")
    assert page.status_code == 200
    assert "order.confirmation" in page.text and "ana@example.com" in page.text
    assert '<a href="http://127.0.0.1:8000/l/cancel-backorder/' in page.text
    row = await Delivery.get(channel="EMAIL")
    part = await api.http.get(api.url.removesuffix("/graphql") + f"/dev/mail/{row.id}")
    assert part.status_code == 200 and "Kettle-01" in part.text


async def test_the_development_mailbox_is_off_in_production(api_with) -> None:
    async with api_with(
        env="production", secret_key="x" * 40, smtp_url="smtp://127.0.0.1:1"
    ) as api:
        page = await api.http.get(api.url.removesuffix("/graphql") + "/dev/mail")
        assert page.status_code == 404
