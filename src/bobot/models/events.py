from __future__ import annotations

from enum import Enum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class Event(Model):
    """An append-only record of one state change: what, when, who and through which channel.

    Written in the same transaction as the change it records, so later deliveries
    (email, Slack) can be driven from committed events only.
    """

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField()
    kind = fields.CharField(max_length=64)
    actor_kind = fields.CharField(max_length=20)
    actor_id = fields.CharField(max_length=254)
    channel = fields.CharField(max_length=20)
    product_id = fields.IntField(null=True)
    subject_type = fields.CharField(max_length=40)
    subject_id = fields.IntField()
    data: dict[str, Any] = fields.JSONField(default=dict)

    class Meta:
        table = "event"
        indexes = (("product_id", "id"), ("subject_type", "subject_id"))


class TokenRole(str, Enum):
    STAFF = "STAFF"
    STOREFRONT = "STOREFRONT"


class ApiToken(Model):
    """An API token, stored as its SHA-256 digest only."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120)
    role = fields.CharEnumField(TokenRole)
    digest = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)  # null: never

    class Meta:
        table = "api_token"


# Now the mark of a once-a-day job (the outlook scan's last shop day, as an ordinal); the
# docstring is the table's description in the migrations, so it stays as it was.
class WorkerCursor(Model):
    """How far a worker job has read the event history (one row per job)."""

    name = fields.CharField(max_length=64, primary_key=True)
    position = fields.BigIntField(default=0)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "worker_cursor"
