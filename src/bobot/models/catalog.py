from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from bobot.domain.availability import Policy as BackorderPolicy


class Product(Model):
    """A sellable item and its stock counters.

    Invariants kept by the services: ``0 <= allocated <= on_hand``,
    ``available == on_hand - allocated - held`` (``held``: units waitlist invitations hold),
    ``backordered`` = units on open backorders not yet covered by stock, ``incoming`` = units
    on ordered purchase orders not yet received.
    """

    id = fields.IntField(primary_key=True)
    sku = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    category = fields.CharField(max_length=80, default="")
    price = fields.DecimalField(max_digits=12, decimal_places=2, default=0)
    backorder_policy = fields.CharEnumField(BackorderPolicy, default=BackorderPolicy.DENY)
    backorder_limit = fields.IntField(null=True)
    backorders_end_at = fields.DatetimeField(null=True)
    safety_stock = fields.IntField(default=0)
    on_hand = fields.IntField(default=0)
    allocated = fields.IntField(default=0)
    available = fields.IntField(default=0)
    held = fields.IntField(default=0, db_default=0)  # on hand, held for waitlist invitations
    backordered = fields.IntField(default=0)
    incoming = fields.IntField(default=0)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "product"


class Supplier(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120, unique=True)
    email = fields.CharField(max_length=254, default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "supplier"


class SupplierOffer(Model):
    """An offer of one supplier for one product: cost, lead time and rank (1 = preferred)."""

    id = fields.IntField(primary_key=True)
    supplier: fields.ForeignKeyRelation[Supplier] = fields.ForeignKeyField(
        "models.Supplier", related_name="offers", on_delete=fields.RESTRICT
    )
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="offers", on_delete=fields.CASCADE
    )
    unit_cost = fields.DecimalField(max_digits=12, decimal_places=2)
    lead_time_days = fields.IntField()
    rank = fields.IntField(default=1)
    active = fields.BooleanField(default=True)
    updated_at = fields.DatetimeField()

    supplier_id: int
    product_id: int

    class Meta:
        table = "supplier_offer"
        unique_together = (("supplier", "product"),)
        indexes = (("product_id", "active"),)


class DemandForecast(Model):
    """A product's demand forecast of the week, kept for every process and restart.

    ``week`` is its Monday; it stays valid while the weeks of orders it rests on are the
    same (``history_key``) and it reaches far enough (``horizon`` weeks)."""

    id = fields.IntField(primary_key=True)
    product: fields.OneToOneRelation[Product] = fields.OneToOneField(
        "models.Product", related_name="forecast", on_delete=fields.CASCADE
    )
    week = fields.DateField()
    history_key = fields.CharField(max_length=32)
    horizon = fields.IntField()
    method = fields.CharField(max_length=16)
    weeks = fields.TextField()  # JSON: units forecast per week, the week of ``week`` first
    sigma = fields.FloatField()
    heldout_weeks = fields.IntField()
    error = fields.FloatField(null=True)
    naive_error = fields.FloatField(null=True)
    created_at = fields.DatetimeField()

    product_id: int

    class Meta:
        table = "demand_forecast"
