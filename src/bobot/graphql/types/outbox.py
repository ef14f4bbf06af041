"""Outbox types: webhook subscriptions, deliveries and their attempts (staff only)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from bobot import models as m
from bobot.outbox.types import Channel as _Channel

DeliveryChannel = _Channel
DeliveryStatus = m.DeliveryStatus
AttemptOutcome = m.AttemptOutcome
# strawberry.enum marks the class itself and returns it: the names above are the
# classes, valid in annotations, exposed under these GraphQL names.
strawberry.enum(DeliveryChannel, name="DeliveryChannel")
strawberry.enum(DeliveryStatus, name="DeliveryStatus")
strawberry.enum(AttemptOutcome, name="DeliveryAttemptOutcome")


@strawberry.type(description="An endpoint of the shop's systems and the events it is sent.")
class WebhookSubscription:
    id: strawberry.ID
    url: str
    description: str
    events: list[str]
    active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: m.WebhookSubscription) -> WebhookSubscription:
        return cls(
            id=strawberry.ID(str(row.id)),
            url=row.url,
            description=row.description,
            events=list(row.events),
            active=row.active,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(description="One try at sending a delivery.")
class DeliveryAttempt:
    attempt: int
    at: datetime
    outcome: AttemptOutcome
    status: str | None = strawberry.field(description="HTTP status code or SMTP reply.")
    duration_ms: float
    error: str | None


@strawberry.type(description="One message to send: a webhook, an email, a Slack message.")
class Delivery:
    id: strawberry.ID
    channel: DeliveryChannel
    recipient: str = strawberry.field(
        description="Email address, Slack channel, or webhook subscription id."
    )
    kind: str
    aggregate: str
    idempotency_key: str = strawberry.field(description="The webhook-id, Message-ID, ...")
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: datetime
    last_status: str | None
    last_error: str | None
    external_ref: str | None
    created_at: datetime
    sent_at: datetime | None
    payload: JSON
    attempts: list[DeliveryAttempt]

    @classmethod
    def of(cls, row: m.Delivery, attempts: list[DeliveryAttempt]) -> Delivery:
        return cls(
            id=strawberry.ID(str(row.id)),
            channel=_Channel(row.channel),
            recipient=row.recipient,
            kind=row.kind,
            aggregate=row.aggregate,
            idempotency_key=row.idempotency_key,
            status=row.status,
            attempt_count=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_status=row.last_status,
            last_error=row.last_error,
            external_ref=row.external_ref,
            created_at=row.created_at,
            sent_at=row.sent_at,
            payload=cast(JSON, row.payload),
            attempts=attempts,
        )
