"""From a delivery's kind and payload to the message it sends, read at send time.

A delivery row carries ids, not text: the message is worded from the state when it leaves,
through the same read functions as the customer pages, with links signed for this customer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Any

from bobot.config import Settings
from bobot.links import Links, Purpose
from bobot.mail import messages
from bobot.mail.messages import Message, Shop
from bobot.services import self_service

Composer = Callable[[Mapping[str, Any], Shop, Links], Awaitable[Message]]


async def _order_confirmation(payload: Mapping[str, Any], shop: Shop, links: Links) -> Message:
    order = await self_service.order_summary(int(payload["order_id"]))
    return messages.order_confirmation(
        order,
        shop=shop,
        cancel_links={b.id: links.url(Purpose.CANCEL_BACKORDER, b.id) for b in order.cancellable},
        cancel_all=links.url(Purpose.CANCEL_ORDER, order.id),
    )


async def _shipment_ready(payload: Mapping[str, Any], shop: Shop, links: Links) -> Message:
    order = await self_service.order_summary(int(payload["order_id"]))
    shipment = next(s for s in order.shipments if s.id == int(payload["shipment_id"]))
    return messages.shipment_ready(order, shipment, shop=shop)


async def _cancellation(payload: Mapping[str, Any], shop: Shop, links: Links) -> Message:
    backorder = await self_service.backorder_view(int(payload["backorder_id"]))
    return messages.cancellation_confirmed(
        backorder,
        shop=shop,
        quantity=int(payload["quantity"]),
        by_shop=bool(payload.get("by_shop")),
        reason=str(payload.get("reason") or ""),
    )


async def _waitlist_joined(payload: Mapping[str, Any], shop: Shop, links: Links) -> Message:
    entry = await self_service.waitlist_view(int(payload["entry_id"]))
    return messages.waitlist_joined(
        entry, shop=shop, leave_link=links.url(Purpose.LEAVE_WAITLIST, entry.id)
    )


async def _delay_notice(payload: Mapping[str, Any], shop: Shop, links: Links) -> Message:
    backorder = await self_service.backorder_view(int(payload["backorder_id"]))
    answer = links.url(Purpose.ANSWER_DELAY, backorder.id)
    new_date = payload.get("new_date")
    return messages.delay_notice(
        backorder,
        shop=shop,
        new_date=date.fromisoformat(new_date) if new_date else None,
        deadline=date.fromisoformat(str(payload["deadline"])),
        express=payload.get("notice") == "EXPRESS",
        number=int(payload.get("number") or 1),
        keep_link=answer,
        cancel_link=answer,
    )


async def _waitlist_invited(payload: Mapping[str, Any], shop: Shop, links: Links) -> Message:
    entry = await self_service.waitlist_view(int(payload["entry_id"]))
    return messages.waitlist_invited(
        entry,
        shop=shop,
        claim_link=links.url(Purpose.CLAIM_INVITATION, entry.id),
        leave_link=links.url(Purpose.LEAVE_WAITLIST, entry.id),
    )


COMPOSERS: dict[str, Composer] = {
    "order.confirmation": _order_confirmation,
    "shipment.ready": _shipment_ready,
    "backorder.cancelled": _cancellation,
    "waitlist.joined": _waitlist_joined,
    "waitlist.invited": _waitlist_invited,
    "delay.notice": _delay_notice,
}


async def compose(
    kind: str, payload: Mapping[str, Any], *, settings: Settings, links: Links
) -> Message:
    """The message of one delivery; ``KeyError`` for a kind no composer knows."""
    shop = Shop(settings.shop_name, settings.currency)
    return await COMPOSERS[kind](payload, shop, links)
