"""The append-only history: one event per state change, written in the change's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Any

from bobot.models import Event
from bobot.services.base import Actor


class EventKind(str, Enum):
    ORDER_PLACED = "ORDER_PLACED"
    BACKORDER_CREATED = "BACKORDER_CREATED"
    BACKORDER_ALLOCATED = "BACKORDER_ALLOCATED"
    BACKORDER_CANCELLED = "BACKORDER_CANCELLED"
    BACKORDER_ETA_CHANGED = "BACKORDER_ETA_CHANGED"
    BACKORDER_DELAYED = "BACKORDER_DELAYED"
    BACKORDER_SHIPPED = "BACKORDER_SHIPPED"
    SHIPMENT_READY = "SHIPMENT_READY"
    SHIPMENT_SHIPPED = "SHIPMENT_SHIPPED"
    STOCK_RECEIVED = "STOCK_RECEIVED"
    PRODUCT_CREATED = "PRODUCT_CREATED"
    PRODUCT_UPDATED = "PRODUCT_UPDATED"
    POLICY_CHANGED = "POLICY_CHANGED"
    SUPPLIER_CREATED = "SUPPLIER_CREATED"
    SUPPLIER_UPDATED = "SUPPLIER_UPDATED"
    SUPPLIER_OFFER_SET = "SUPPLIER_OFFER_SET"
    PO_CREATED = "PO_CREATED"
    PO_CHANGED = "PO_CHANGED"
    PO_RECEIVED = "PO_RECEIVED"
    WAITLIST_JOINED = "WAITLIST_JOINED"
    WAITLIST_LEFT = "WAITLIST_LEFT"
    ALERT_OPENED = "ALERT_OPENED"
    ALERT_ACKNOWLEDGED = "ALERT_ACKNOWLEDGED"
    ALERT_SNOOZED = "ALERT_SNOOZED"
    ALERT_REOPENED = "ALERT_REOPENED"
    ALERT_RESOLVED = "ALERT_RESOLVED"
    SWITCH_PROPOSED = "SWITCH_PROPOSED"
    SWITCH_APPROVED = "SWITCH_APPROVED"
    SWITCH_REJECTED = "SWITCH_REJECTED"
    SWITCH_EXPIRED = "SWITCH_EXPIRED"


def event(
    kind: EventKind,
    *,
    actor: Actor,
    at: datetime,
    subject_type: str,
    subject_id: int,
    product_id: int | None = None,
    **data: Any,
) -> Event:
    """An unsaved event; pass a batch to :func:`record`."""
    return Event(
        at=at,
        kind=kind.value,
        actor_kind=actor.kind,
        actor_id=actor.id,
        channel=actor.channel,
        product_id=product_id,
        subject_type=subject_type,
        subject_id=subject_id,
        data=data,
    )


async def record(events: Sequence[Event]) -> None:
    """Write events (inside the caller's transaction)."""
    if len(events) == 1:
        await events[0].save()
    elif events:
        await Event.bulk_create(events, batch_size=1000)
