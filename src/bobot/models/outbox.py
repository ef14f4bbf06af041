"""The outbox: messages to send (deliveries), each attempt at sending one, and webhook
subscriptions. Deliveries are written in the transaction of the change that causes them and
drained by the worker (:mod:`bobot.outbox.drain`)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from bobot.outbox.types import AttemptOutcome, DeliveryStatus

__all__ = ["AttemptOutcome", "Delivery", "DeliveryAttempt", "DeliveryStatus", "WebhookSubscription"]


class WebhookSubscription(Model):
    """An endpoint of the shop's systems and the public events it is sent."""

    id = fields.IntField(primary_key=True)
    url = fields.CharField(max_length=2000)
    description = fields.CharField(max_length=200, default="")
    events: list[str] = fields.JSONField(default=list)
    secret = fields.CharField(max_length=100)  # "whsec_" + base64; shown once, when created
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "webhook_subscription"


class Delivery(Model):
    """One message to send to one recipient over one channel, and where it stands."""

    id = fields.BigIntField(primary_key=True)
    created_at = fields.DatetimeField()
    channel = fields.CharField(max_length=16)  # bobot.outbox.types.Channel
    recipient = fields.CharField(max_length=254)
    kind = fields.CharField(max_length=64)
    aggregate = fields.CharField(max_length=64)
    payload: dict[str, Any] = fields.JSONField(default=dict)
    idempotency_key = fields.CharField(max_length=200, unique=True)
    status = fields.CharEnumField(DeliveryStatus, default=DeliveryStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    claimed_until = fields.DatetimeField(null=True)
    last_status = fields.CharField(max_length=200, null=True)
    last_error = fields.TextField(null=True)
    external_ref = fields.CharField(max_length=200, null=True)
    sent_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "delivery"
        indexes = (("status", "next_attempt_at"), ("aggregate", "channel", "recipient", "id"))


class DeliveryAttempt(Model):
    """One try at sending a delivery: when, how it went, how long it took."""

    id = fields.BigIntField(primary_key=True)
    delivery_id = fields.BigIntField()
    attempt = fields.IntField()
    at = fields.DatetimeField()
    outcome = fields.CharEnumField(AttemptOutcome)
    status = fields.CharField(max_length=200, null=True)  # HTTP status or SMTP reply
    duration_ms = fields.FloatField()
    error = fields.TextField(null=True)

    class Meta:
        table = "delivery_attempt"
        indexes = (("delivery_id", "id"),)
