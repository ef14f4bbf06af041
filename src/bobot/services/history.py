"""The append-only history: one event per state change, written in the change's transaction.

Recording routes each event (:mod:`bobot.outbox.routing`): the deliveries it causes (emails,
Slack messages, webhooks, the worker's own jobs) are written in the same transaction, so a
change and the news of it commit together or not at all.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import Enum
from typing import Any

from bobot import sql
from bobot.domain.events import PAYLOADS, EventPayload
from bobot.outbox import routing
from bobot.outbox.enqueue import enqueue, per_backorder_deliveries
from bobot.services.context import Actor


class EventKind(str, Enum):
    ORDER_PLACED = "ORDER_PLACED"
    ORDER_REFUSED = "ORDER_REFUSED"
    BACKORDER_CREATED = "BACKORDER_CREATED"
    BACKORDER_ALLOCATED = "BACKORDER_ALLOCATED"
    BACKORDER_CANCELLED = "BACKORDER_CANCELLED"
    BACKORDER_ETA_CHANGED = "BACKORDER_ETA_CHANGED"
    BACKORDER_DELAYED = "BACKORDER_DELAYED"
    BACKORDER_PRIORITY_CHANGED = "BACKORDER_PRIORITY_CHANGED"
    DELAY_NOTICE_SENT = "DELAY_NOTICE_SENT"
    DELAY_ANSWERED = "DELAY_ANSWERED"
    DELAY_CLEARED = "DELAY_CLEARED"
    DELAY_DEADLINE_PASSED = "DELAY_DEADLINE_PASSED"
    BACKORDER_SHIPPED = "BACKORDER_SHIPPED"
    SHIPMENT_SHIPPED = "SHIPMENT_SHIPPED"
    SHIPMENT_CANCELLED = "SHIPMENT_CANCELLED"
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
    WAITLIST_INVITED = "WAITLIST_INVITED"
    WAITLIST_INVITE_EXPIRED = "WAITLIST_INVITE_EXPIRED"
    WAITLIST_CLAIMED = "WAITLIST_CLAIMED"
    ALERT_OPENED = "ALERT_OPENED"
    ALERT_UPDATED = "ALERT_UPDATED"  # cause, severity, action or proposal: {"from", "to"} each
    ALERT_ACKNOWLEDGED = "ALERT_ACKNOWLEDGED"
    ALERT_SNOOZED = "ALERT_SNOOZED"
    ALERT_REOPENED = "ALERT_REOPENED"
    ALERT_RESOLVED = "ALERT_RESOLVED"
    SWITCH_PROPOSED = "SWITCH_PROPOSED"
    SWITCH_APPROVED = "SWITCH_APPROVED"
    SWITCH_REJECTED = "SWITCH_REJECTED"
    SWITCH_EXPIRED = "SWITCH_EXPIRED"
    WEBHOOK_SUBSCRIPTION_CREATED = "WEBHOOK_SUBSCRIPTION_CREATED"
    WEBHOOK_SUBSCRIPTION_UPDATED = "WEBHOOK_SUBSCRIPTION_UPDATED"
    WEBHOOK_SUBSCRIPTION_DELETED = "WEBHOOK_SUBSCRIPTION_DELETED"
    DELIVERY_RETRIED = "DELIVERY_RETRIED"
    TOKEN_REVOKED = "TOKEN_REVOKED"


@dataclass(slots=True)
class PendingEvent:
    """An event not yet written; pass a batch to :func:`record`."""

    at: datetime
    kind: str
    actor_kind: str
    actor_id: str
    channel: str
    product_id: int | None
    subject_type: str
    subject_id: int
    data: dict[str, Any]
    uid: str = field(default_factory=lambda: uuid.uuid4().hex)


def typed_event(
    payload: EventPayload,
    *,
    actor: Actor,
    at: datetime,
    subject_id: int,
    product_id: int | None = None,
) -> PendingEvent:
    """An event whose data is a typed payload (:mod:`bobot.domain.events`): its kind and
    subject type come from the payload's type."""
    return PendingEvent(
        at,
        payload.KIND,
        actor.kind,
        actor.id,
        actor.channel,
        product_id,
        payload.SUBJECT,
        subject_id,
        payload.as_data(),
    )


def serialise(event: PendingEvent) -> dict[str, Any]:
    """An event as JSON values: its envelope, the version of its kind's payload type and
    its data."""
    return {
        "kind": event.kind,
        "version": PAYLOADS[event.kind].VERSION,
        "at": event.at.isoformat(),
        "actor": {"kind": event.actor_kind, "id": event.actor_id, "channel": event.channel},
        "subject": {"type": event.subject_type, "id": event.subject_id},
        "product_id": event.product_id,
        "data": event.data,
    }


_ENCODER = json.JSONEncoder(separators=(",", ":"))
_COLUMNS = (
    "at", "kind", "actor_kind", "actor_id", "channel", "product_id", "subject_type",
    "subject_id", "data",
)  # fmt: skip


async def record(
    events: Sequence[PendingEvent], *, context: routing.RoutingContext | None = None
) -> None:
    """Write events inside the caller's transaction (one batch, however many), and the
    deliveries they cause (one more statement, when any event is routed or published)."""
    if not events:
        return
    times = {at: sql.adapt(at) for at in {e.at for e in events}}  # mostly one timestamp
    encode = _ENCODER.encode
    rows = [
        (times[e.at], e.kind, e.actor_kind, e.actor_id, e.channel, e.product_id,
         e.subject_type, e.subject_id, encode(e.data))
        for e in events
    ]  # fmt: skip
    await sql.insert_rows("event", _COLUMNS, rows, adapted=True)
    context = context or routing.current()
    deliveries = [d for e in events for d in routing.route(e, context)]
    published = [w for e in events if (w := routing.webhook_event(e)) is not None]
    await enqueue(deliveries, published, now=max(e.at for e in events))


async def record_per_backorder(
    payload: type[EventPayload],
    backorder_ids: Sequence[int],
    data: Mapping[str, str],
    values: Sequence[Any] = (),
    *,
    actor: Actor,
    at: datetime,
    then: tuple[str, Sequence[Any]] | None = None,
) -> int:
    """Write one event of ``payload``'s kind for each backorder in ``backorder_ids``, in that
    order, as one statement: the database builds each event's data from the backorder's row
    (``data`` maps each of the payload type's fields to an SQL expression over ``b``, the
    backorder, and Python never holds the events; ``values`` are the parameters those
    expressions name, in order). Runs inside the caller's transaction.

    ``then``: an UPDATE of those backorders (statement, parameters) that the events are to
    describe the rows before, run after them; returns how many rows it changed. (Run as
    common table expressions of one statement on PostgreSQL, the three took longer in the
    bench restock than one after the other.)
    """
    if set(data) != {f.name for f in fields(payload)} or payload.SUBJECT != "backorder":
        raise ValueError(f"{payload.KIND} events are not built from {sorted(data)}")
    if not backorder_ids:
        return 0
    statement = (
        f"INSERT INTO event ({', '.join(_COLUMNS)})"
        f" SELECT ?, ?, ?, ?, ?, b.product_id, 'backorder', b.id, {sql.json_object(data)}"
        f" FROM {sql.rows_by_id('backorder', 'b')} ORDER BY j.key"
    )
    params = [at, payload.KIND, actor.kind, actor.id, actor.channel, *values]
    parts: list[tuple[str, Sequence[Any]]] = [(statement, [*params, sql.ids(backorder_ids)])]
    if payload.PUBLIC is not None:
        parts.append(
            per_backorder_deliveries(
                payload.PUBLIC,
                backorder_ids,
                data,
                values,
                version=payload.VERSION,
                key_prefix=f"msg_{uuid.uuid4().hex}",
                at=at,
            )
        )
    if then is not None:
        parts.append(then)
    changed = 0
    for text, part_params in parts:
        changed = await sql.execute(text, part_params)
    return changed if then is not None else 0
