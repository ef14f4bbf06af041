from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from bobot.domain.ordering import ShipPreference
from bobot.domain.statuses import BackorderStatus, OrderStatus, ShipmentStatus
from bobot.models.catalog import Product

# The enums live in the domain; these names stay importable from here.
__all__ = ["BackorderStatus", "OrderStatus", "ShipPreference", "ShipmentStatus"]


class Order(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    idempotency_key = fields.CharField(max_length=128, null=True, unique=True)
    customer_email = fields.CharField(max_length=254)
    customer_name = fields.CharField(max_length=200, default="")
    ship_preference = fields.CharEnumField(ShipPreference)
    status = fields.CharEnumField(OrderStatus, default=OrderStatus.OPEN)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "order"
        indexes = (("created_at",),)


class OrderLine(Model):
    """One line of an order.

    ``quantity_from_stock`` was allocated when the order was placed, and the rest (if any) is
    the line's backorder.
    """

    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="lines", on_delete=fields.CASCADE
    )
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="order_lines", on_delete=fields.RESTRICT
    )
    sku = fields.CharField(max_length=64)
    quantity = fields.IntField()
    quantity_from_stock = fields.IntField()

    order_id: int
    product_id: int

    class Meta:
        table = "order_line"
        indexes = (("order_id",), ("product_id",))


class Backorder(Model):
    """The backordered part of one order line, filled first-come-first-served."""

    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="backorders", on_delete=fields.CASCADE
    )
    order_line: fields.ForeignKeyRelation[OrderLine] = fields.ForeignKeyField(
        "models.OrderLine", related_name="backorders", on_delete=fields.CASCADE
    )
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="backorders", on_delete=fields.RESTRICT
    )
    sku = fields.CharField(max_length=64)
    quantity_ordered = fields.IntField()
    quantity = fields.IntField()  # after cancellations
    quantity_allocated = fields.IntField(default=0)
    status = fields.CharEnumField(BackorderStatus, default=BackorderStatus.OPEN)
    priority = fields.IntField(default=0)  # higher is served first; FIFO within a priority
    promised_date = fields.DateField()
    expected_date = fields.DateField()
    eta_is_estimate = fields.BooleanField(default=False)
    is_delayed = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    order_id: int
    order_line_id: int
    product_id: int

    class Meta:
        table = "backorder"
        indexes = (
            ("product_id", "status", "priority", "created_at", "id"),
            ("status", "id"),
            ("sku", "id"),
            ("order_id",),
            ("order_line_id",),
        )


class Shipment(Model):
    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="shipments", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(ShipmentStatus)
    cost = fields.DecimalField(max_digits=12, decimal_places=2)
    created_at = fields.DatetimeField()
    shipped_at = fields.DatetimeField(null=True)

    order_id: int

    class Meta:
        table = "shipment"
        indexes = (("order_id",),)


class ShipmentLine(Model):
    id = fields.IntField(primary_key=True)
    shipment: fields.ForeignKeyRelation[Shipment] = fields.ForeignKeyField(
        "models.Shipment", related_name="lines", on_delete=fields.CASCADE
    )
    order_line: fields.ForeignKeyRelation[OrderLine] = fields.ForeignKeyField(
        "models.OrderLine", related_name="shipment_lines", on_delete=fields.CASCADE
    )
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="shipment_lines", on_delete=fields.RESTRICT
    )
    backorder: fields.ForeignKeyNullableRelation[Backorder] = fields.ForeignKeyField(
        "models.Backorder", related_name="shipment_lines", null=True, on_delete=fields.CASCADE
    )
    sku = fields.CharField(max_length=64)
    quantity = fields.IntField()

    shipment_id: int
    order_line_id: int
    product_id: int
    backorder_id: int | None

    class Meta:
        table = "shipment_line"
        indexes = (("shipment_id",), ("backorder_id",))


class Cancellation(Model):
    """Who cancelled how many units of which backorder, when and why."""

    id = fields.IntField(primary_key=True)
    backorder: fields.ForeignKeyRelation[Backorder] = fields.ForeignKeyField(
        "models.Backorder", related_name="cancellations", on_delete=fields.CASCADE
    )
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="cancellations", on_delete=fields.CASCADE
    )
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="cancellations", on_delete=fields.RESTRICT
    )
    sku = fields.CharField(max_length=64)
    quantity = fields.IntField()
    quantity_released = fields.IntField(default=0)  # allocated units handed back
    reason = fields.CharField(max_length=500, default="")
    actor_kind = fields.CharField(max_length=20)
    actor_id = fields.CharField(max_length=254)
    channel = fields.CharField(max_length=20)
    created_at = fields.DatetimeField()

    backorder_id: int
    order_id: int
    product_id: int

    class Meta:
        table = "cancellation"
        indexes = (("backorder_id",), ("sku", "id"))
