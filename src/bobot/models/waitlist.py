from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from bobot.models.catalog import Product


class WaitlistStatus(str, Enum):
    WAITING = "WAITING"
    INVITED = "INVITED"
    CONVERTED = "CONVERTED"
    EXPIRED = "EXPIRED"
    LEFT = "LEFT"


ACTIVE_WAITLIST_STATUSES = (WaitlistStatus.WAITING, WaitlistStatus.INVITED)


class WaitlistEntry(Model):
    id = fields.IntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="waitlist", on_delete=fields.CASCADE
    )
    email = fields.CharField(max_length=254)
    quantity = fields.IntField(default=1)
    status = fields.CharEnumField(WaitlistStatus, default=WaitlistStatus.WAITING)
    hold_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    product_id: int

    class Meta:
        table = "waitlist_entry"
        indexes = (("product_id", "status", "created_at", "id"),)
