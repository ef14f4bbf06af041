"""Typed, versioned payloads of history events (pure: no framework imports).

Each event kind has one payload type. ``PUBLIC`` names the webhook event a kind is published
as (None: internal only); a public payload is what a webhook carries under ``data``, besides
the ids of its subject and product, and nothing more: the fields declared here are the whole
public contract (``docs/events/*.json`` are generated from them).

A ``SPARSE`` payload says what changed: its optional fields are stored only when set (the
history's form of such an event since its first version), every other payload stores each of
its fields.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Union, get_type_hints


@dataclass(frozen=True, slots=True)
class EventPayload:
    KIND: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1
    SUBJECT: ClassVar[str] = ""  # subject_type of the events of this kind
    PUBLIC: ClassVar[str | None] = None  # webhook event name
    SPARSE: ClassVar[bool] = False  # optional fields left out when None

    def as_data(self) -> dict[str, Any]:
        """The event's data as stored in the history (JSON values)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        if self.SPARSE:
            return {name: value for name, value in data.items() if value is not None}
        return data


@dataclass(frozen=True, slots=True)
class OrderPlaced(EventPayload):
    KIND = "ORDER_PLACED"
    SUBJECT = "order"
    PUBLIC = "order.placed"
    number: str
    #: [sku, quantity, from stock, backordered] per line (the history's compact form)
    lines: list[list[str | int]]


@dataclass(frozen=True, slots=True)
class OrderRefused(EventPayload):
    """An order refused because a product could not be sold (lost demand): the line that
    could not be satisfied, recorded although nothing else of the order is."""

    KIND = "ORDER_REFUSED"
    SUBJECT = "product"
    sku: str
    quantity: int  # units the refused line asked for
    reason: str  # the refusal's code: BACKORDERS_DENIED, BACKORDER_LIMIT_REACHED, ...


@dataclass(frozen=True, slots=True)
class BackorderCreated(EventPayload):
    KIND = "BACKORDER_CREATED"
    SUBJECT = "backorder"
    PUBLIC = "backorder.created"
    order_id: int
    quantity: int
    promised: str  # ISO date
    expected: str  # ISO date
    is_estimate: bool


@dataclass(frozen=True, slots=True)
class BackorderAllocated(EventPayload):
    KIND = "BACKORDER_ALLOCATED"
    VERSION = 2
    SUBJECT = "backorder"
    PUBLIC = "backorder.allocated"
    order_id: int
    units: int
    complete: bool  # every unit it waited for is now allocated
    #: A complete fill's new date (null for a partial one, whose date moves on its own
    #: backorder.eta_changed): as a date change says it.
    previous: str | None
    expected: str | None
    promised: str | None
    is_estimate: bool | None
    direction: str | None  # EARLIER, LATER or SAME


@dataclass(frozen=True, slots=True)
class BackorderEtaChanged(EventPayload):
    KIND = "BACKORDER_ETA_CHANGED"
    VERSION = 2
    SUBJECT = "backorder"
    PUBLIC = "backorder.eta_changed"
    order_id: int
    previous: str
    expected: str
    promised: str
    is_estimate: bool
    direction: str  # EARLIER, LATER or SAME


@dataclass(frozen=True, slots=True)
class DelayNoticeSent(EventPayload):
    KIND = "DELAY_NOTICE_SENT"
    SUBJECT = "backorder"
    PUBLIC = "backorder.delay_notice_sent"
    order_id: int
    number: int  # 1 for the backorder's first notice
    notice: str  # FIRST (silence accepts it) or EXPRESS (cancelled without a yes)
    new_date: str | None  # null: no date known yet
    deadline: str  # ISO date the answer is due by
    late: bool  # sent on or after the date it had to precede


@dataclass(frozen=True, slots=True)
class DelayAnswered(EventPayload):
    KIND = "DELAY_ANSWERED"
    SUBJECT = "backorder"
    PUBLIC = "backorder.delay_answered"
    order_id: int
    accepted: bool
    by: str  # customer or silence
    new_date: str | None


@dataclass(frozen=True, slots=True)
class DelayCleared(EventPayload):
    KIND = "DELAY_CLEARED"
    SUBJECT = "backorder"
    order_id: int


@dataclass(frozen=True, slots=True)
class DelayDeadlinePassed(EventPayload):
    KIND = "DELAY_DEADLINE_PASSED"
    SUBJECT = "backorder"
    order_id: int
    deadline: str


@dataclass(frozen=True, slots=True)
class BackorderDelayed(EventPayload):
    KIND = "BACKORDER_DELAYED"
    SUBJECT = "backorder"
    PUBLIC = "backorder.delayed"
    order_id: int
    promised: str
    expected: str


@dataclass(frozen=True, slots=True)
class BackorderCancelled(EventPayload):
    KIND = "BACKORDER_CANCELLED"
    SUBJECT = "backorder"
    PUBLIC = "backorder.cancelled"
    order_id: int
    quantity: int  # units cancelled now (a refund is due for them)
    released: int  # allocated units given back to the queue
    remaining: int
    reason: str


@dataclass(frozen=True, slots=True)
class ProductCreated(EventPayload):
    KIND = "PRODUCT_CREATED"
    SUBJECT = "product"
    sku: str
    name: str


@dataclass(frozen=True, slots=True)
class ProductUpdated(ProductCreated):
    KIND = "PRODUCT_UPDATED"


@dataclass(frozen=True, slots=True)
class SupplierCreated(EventPayload):
    KIND = "SUPPLIER_CREATED"
    SUBJECT = "supplier"
    name: str


@dataclass(frozen=True, slots=True)
class SupplierUpdated(SupplierCreated):
    KIND = "SUPPLIER_UPDATED"


@dataclass(frozen=True, slots=True)
class PolicyChanged(EventPayload):
    KIND = "POLICY_CHANGED"
    SUBJECT = "product"
    previous: dict[str, Any]  # policy, limit, endsAt before the change
    policy: str
    limit: int | None
    endsAt: str | None


@dataclass(frozen=True, slots=True)
class SupplierOfferSet(EventPayload):
    KIND = "SUPPLIER_OFFER_SET"
    SUBJECT = "supplier_offer"
    supplier_id: int
    unit_cost: str  # decimal as text
    lead_time_days: int
    rank: int
    active: bool


@dataclass(frozen=True, slots=True)
class WaitlistJoined(EventPayload):
    KIND = "WAITLIST_JOINED"
    SUBJECT = "waitlist_entry"
    email: str
    quantity: int


@dataclass(frozen=True, slots=True)
class WaitlistLeft(EventPayload):
    KIND = "WAITLIST_LEFT"
    SUBJECT = "waitlist_entry"
    email: str


@dataclass(frozen=True, slots=True)
class WaitlistInvited(EventPayload):
    KIND = "WAITLIST_INVITED"
    SUBJECT = "waitlist_entry"
    PUBLIC = "waitlist.invited"
    units: int  # held for the entry
    hold_until: str  # ISO timestamp


@dataclass(frozen=True, slots=True)
class WaitlistInviteExpired(EventPayload):
    KIND = "WAITLIST_INVITE_EXPIRED"
    SUBJECT = "waitlist_entry"


@dataclass(frozen=True, slots=True)
class WaitlistClaimed(EventPayload):
    KIND = "WAITLIST_CLAIMED"
    SUBJECT = "waitlist_entry"
    PUBLIC = "waitlist.claimed"
    order_id: int
    number: str


@dataclass(frozen=True, slots=True)
class WebhookSubscriptionCreated(EventPayload):
    KIND = "WEBHOOK_SUBSCRIPTION_CREATED"
    SUBJECT = "webhook_subscription"
    url: str
    events: list[str]
    active: bool


@dataclass(frozen=True, slots=True)
class WebhookSubscriptionUpdated(WebhookSubscriptionCreated):
    KIND = "WEBHOOK_SUBSCRIPTION_UPDATED"


@dataclass(frozen=True, slots=True)
class WebhookSubscriptionDeleted(EventPayload):
    KIND = "WEBHOOK_SUBSCRIPTION_DELETED"
    SUBJECT = "webhook_subscription"
    url: str
    abandoned: int  # its deliveries still pending, marked FAILED


@dataclass(frozen=True, slots=True)
class DeliveryRetried(EventPayload):
    KIND = "DELIVERY_RETRIED"
    SUBJECT = "delivery"
    channel: str
    kind: str
    attempts: int  # attempts made before this retry


@dataclass(frozen=True, slots=True)
class BackorderPriorityChanged(EventPayload):
    KIND = "BACKORDER_PRIORITY_CHANGED"
    SUBJECT = "backorder"
    order_id: int
    previous: int
    priority: int


@dataclass(frozen=True, slots=True)
class BackorderShipped(EventPayload):
    KIND = "BACKORDER_SHIPPED"
    SUBJECT = "backorder"
    order_id: int


@dataclass(frozen=True, slots=True)
class ShipmentShipped(EventPayload):
    KIND = "SHIPMENT_SHIPPED"
    SUBJECT = "shipment"
    order_id: int


@dataclass(frozen=True, slots=True)
class ShipmentCancelled(EventPayload):
    KIND = "SHIPMENT_CANCELLED"
    SUBJECT = "shipment"
    order_id: int
    previous: str  # its status before: PENDING or READY


@dataclass(frozen=True, slots=True)
class StockReceived(EventPayload):
    KIND = "STOCK_RECEIVED"
    SUBJECT = "product"
    quantity: int
    purchase_order_id: int | None  # null: received without a purchase order


@dataclass(frozen=True, slots=True)
class PoCreated(EventPayload):
    """One event per line of the new purchase order (its product is the event's)."""

    KIND = "PO_CREATED"
    SUBJECT = "purchase_order"
    number: str
    supplier_id: int
    status: str
    quantity: int  # the line's
    expected_date: str  # ISO date


@dataclass(frozen=True, slots=True)
class PoChanged(EventPayload):
    """One event per line of the changed purchase order; each change as [before, after],
    but ``lines``: [sku, quantity] of each line set."""

    KIND = "PO_CHANGED"
    SUBJECT = "purchase_order"
    SPARSE = True
    number: str
    lines: list[list[str | int]] | None = None
    expected_date: list[str] | None = None  # ISO dates
    status: list[str] | None = None


@dataclass(frozen=True, slots=True)
class PoReceived(EventPayload):
    KIND = "PO_RECEIVED"
    SUBJECT = "purchase_order"
    status: str  # after the receipt: PARTIALLY_RECEIVED or RECEIVED


@dataclass(frozen=True, slots=True)
class AlertOpened(EventPayload):
    KIND = "ALERT_OPENED"
    SUBJECT = "alert"
    alert_kind: str
    cause: str
    severity: int


@dataclass(frozen=True, slots=True)
class AlertReopened(AlertOpened):
    KIND = "ALERT_REOPENED"


@dataclass(frozen=True, slots=True)
class AlertAcknowledged(AlertOpened):
    KIND = "ALERT_ACKNOWLEDGED"


@dataclass(frozen=True, slots=True)
class AlertResolved(AlertOpened):
    """What the alert said when its gap closed."""

    KIND = "ALERT_RESOLVED"


@dataclass(frozen=True, slots=True)
class AlertSnoozed(AlertOpened):
    KIND = "ALERT_SNOOZED"
    until: str  # ISO timestamp


@dataclass(frozen=True, slots=True)
class AlertUpdated(EventPayload):
    """What the scan changed on an open alert: each changed field as ``{"from", "to"}``."""

    KIND = "ALERT_UPDATED"
    SUBJECT = "alert"
    SPARSE = True
    alert_kind: str
    cause: dict[str, Any] | None = None
    severity: dict[str, Any] | None = None
    suggested_action: dict[str, Any] | None = None
    switch_id: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class SwitchProposed(EventPayload):
    KIND = "SWITCH_PROPOSED"
    SUBJECT = "supplier_switch"
    from_supplier_id: int | None
    to_supplier_id: int
    quantity: int
    new_expected_date: str  # ISO date
    cost_difference: str  # decimal as text
    backorders_improved: int


@dataclass(frozen=True, slots=True)
class SwitchApproved(EventPayload):
    KIND = "SWITCH_APPROVED"
    SUBJECT = "supplier_switch"
    purchase_order: str  # the new purchase order's number
    quantity: int
    expected_date: str  # ISO date
    late_purchase_order: str | None  # what became of the late one ("PO-1001 cancelled")
    alert_ids: list[int]  # the alerts that showed the switch


@dataclass(frozen=True, slots=True)
class SwitchRejected(EventPayload):
    KIND = "SWITCH_REJECTED"
    SUBJECT = "supplier_switch"
    reason: str
    alert_ids: list[int]


@dataclass(frozen=True, slots=True)
class SwitchExpired(EventPayload):
    """Nobody decided the proposal before its alert let go of it."""

    KIND = "SWITCH_EXPIRED"
    SUBJECT = "supplier_switch"


@dataclass(frozen=True, slots=True)
class TokenRevoked(EventPayload):
    KIND = "TOKEN_REVOKED"
    SUBJECT = "api_token"
    name: str
    role: str


PAYLOADS: dict[str, type[EventPayload]] = {
    cls.KIND: cls
    for cls in (
        OrderPlaced,
        OrderRefused,
        BackorderCreated,
        BackorderAllocated,
        BackorderEtaChanged,
        BackorderDelayed,
        BackorderCancelled,
        DelayNoticeSent,
        DelayAnswered,
        DelayCleared,
        DelayDeadlinePassed,
        ProductCreated,
        ProductUpdated,
        SupplierCreated,
        SupplierUpdated,
        PolicyChanged,
        SupplierOfferSet,
        WaitlistJoined,
        WaitlistLeft,
        WaitlistInvited,
        WaitlistInviteExpired,
        WaitlistClaimed,
        WebhookSubscriptionCreated,
        WebhookSubscriptionUpdated,
        WebhookSubscriptionDeleted,
        DeliveryRetried,
        BackorderPriorityChanged,
        BackorderShipped,
        ShipmentShipped,
        ShipmentCancelled,
        StockReceived,
        PoCreated,
        PoChanged,
        PoReceived,
        AlertOpened,
        AlertUpdated,
        AlertAcknowledged,
        AlertSnoozed,
        AlertReopened,
        AlertResolved,
        SwitchProposed,
        SwitchApproved,
        SwitchRejected,
        SwitchExpired,
        TokenRevoked,
    )
}
PUBLIC: dict[str, type[EventPayload]] = {c.PUBLIC: c for c in PAYLOADS.values() if c.PUBLIC}


def public_data(
    kind: str, subject_id: int, product_id: int | None, data: dict[str, Any]
) -> tuple[str, dict[str, Any]] | None:
    """A history event as published: (webhook event name, data), or None when the kind is
    internal. Only the payload type's fields are kept: a webhook carries no more than that."""
    payload = PAYLOADS.get(kind)
    if payload is None or payload.PUBLIC is None:
        return None
    public: dict[str, Any] = {f"{payload.SUBJECT}_id": subject_id}
    if payload.SUBJECT != "product":
        public["product_id"] = product_id
    public.update({f.name: data.get(f.name) for f in fields(payload)})
    return payload.PUBLIC, public


# --------------------------------------------------------------------------- JSON Schema

_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    bool: {"type": "boolean"},
    float: {"type": "number"},
    type(None): {"type": "null"},
}


def _schema_of(hint: Any) -> dict[str, Any]:
    if hint in _SCALARS:
        return dict(_SCALARS[hint])
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        return {"anyOf": [_schema_of(a) for a in typing.get_args(hint)]}
    if origin is list:
        (item,) = typing.get_args(hint)
        return {"type": "array", "items": _schema_of(item)}
    if dataclasses.is_dataclass(hint):
        return _object_schema(hint)
    raise TypeError(f"no JSON Schema for {hint!r}")


def _object_schema(cls: Any, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    hints = get_type_hints(cls)
    properties = dict(extra or {})
    properties.update({f.name: _schema_of(hints[f.name]) for f in fields(cls)})
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of the body of webhook event ``name`` (Standard Webhooks' shape:
    ``type``, ``timestamp``, ``data``)."""
    payload = PUBLIC[name]
    ids: dict[str, Any] = {f"{payload.SUBJECT}_id": {"type": "integer"}}
    if payload.SUBJECT != "product":
        ids["product_id"] = {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://bobot.example/events/{name}.v{payload.VERSION}.json",
        "title": name,
        "description": f"The body of the webhook event {name} (history kind {payload.KIND}).",
        "type": "object",
        "properties": {
            "type": {"const": name},
            "version": {"const": payload.VERSION},
            "timestamp": {"type": "string", "format": "date-time"},
            "data": _object_schema(payload, ids),
        },
        "required": ["type", "version", "timestamp", "data"],
        "additionalProperties": False,
    }


def schema_files() -> dict[str, str]:
    """``docs/events/``: one JSON Schema per public event, as committed."""
    import json

    return {
        f"{name}.json": json.dumps(json_schema(name), indent=2) + "\n" for name in sorted(PUBLIC)
    }
