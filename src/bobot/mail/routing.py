"""Which events email the customer: a pure rule over the event (see
:mod:`bobot.outbox.routing`). A delivery names what it is about, never the text: the
message is worded when it leaves (:mod:`bobot.mail.compose`), and its recipient is read
then from the order or waitlist entry, so a delivery row holds no address."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from bobot.outbox.types import Channel, NewDelivery, RowDelivery

if TYPE_CHECKING:
    from bobot.outbox.routing import RoutedEvent, RoutingContext

CUSTOMER_ACTORS = ("customer",)


def _mail(event: RoutedEvent, kind: str, aggregate: str, payload: Mapping[str, Any]) -> NewDelivery:
    return NewDelivery(
        channel=Channel.EMAIL,
        recipient=aggregate,  # the customer of the order or waitlist entry, read when sent
        kind=kind,
        aggregate=aggregate,
        payload=payload,
        idempotency_key=f"{event.uid}.email",
    )


def email_rule(event: RoutedEvent, context: RoutingContext) -> Iterable[NewDelivery]:
    data = event.data
    subject = event.subject_id
    if event.kind == "ORDER_PLACED":
        return [_mail(event, "order.confirmation", f"order:{subject}", {"order_id": subject})]
    if event.kind == "BACKORDER_CANCELLED":
        payload = {
            "backorder_id": subject,
            "quantity": data.get("quantity"),
            "by_shop": event.actor_kind not in CUSTOMER_ACTORS,
            "reason": data.get("reason") or "",
        }
        return [_mail(event, "backorder.cancelled", f"order:{data.get('order_id')}", payload)]
    if event.kind == "WAITLIST_JOINED":
        return [_mail(event, "waitlist.joined", f"waitlist:{subject}", {"entry_id": subject})]
    if event.kind == "WAITLIST_INVITED":
        return [_mail(event, "waitlist.invited", f"waitlist:{subject}", {"entry_id": subject})]
    if event.kind == "DELAY_NOTICE_SENT":
        payload = {"backorder_id": subject, **{k: data.get(k) for k in (
            "number", "notice", "new_date", "deadline")}}  # fmt: skip
        return [_mail(event, "delay.notice", f"order:{data.get('order_id')}", payload)]
    return ()


#: A "ready to ship" email per shipment a fill or cancellation readied, built by the
#: database from the shipment's row (:func:`bobot.outbox.enqueue.deliveries_from`).
SHIPMENT_READY = RowDelivery(
    channel=Channel.EMAIL,
    kind="shipment.ready",
    recipient="'order:' || {row}.order_id",  # the order's customer, read when sent
    aggregate="'order:' || {row}.order_id",
    payload={"shipment_id": "{row}.id", "order_id": "{row}.order_id"},
    key="'.' || {row}.id || '.ready'",
)
