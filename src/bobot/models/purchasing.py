from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from bobot.domain.statuses import OPEN_PO, PurchaseOrderStatus
from bobot.models.catalog import Product, Supplier

#: Purchase orders whose unreceived units count as incoming supply (:data:`OPEN_PO`).
OPEN_PO_STATUSES = OPEN_PO

# The enum lives in the domain; these names stay importable from here.
__all__ = ["OPEN_PO_STATUSES", "PurchaseOrderStatus"]


class PurchaseOrder(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    supplier: fields.ForeignKeyRelation[Supplier] = fields.ForeignKeyField(
        "models.Supplier", related_name="purchase_orders", on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(PurchaseOrderStatus, default=PurchaseOrderStatus.DRAFT)
    expected_date = fields.DateField()
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    supplier_id: int

    class Meta:
        table = "purchase_order"


class PurchaseOrderLine(Model):
    id = fields.IntField(primary_key=True)
    purchase_order: fields.ForeignKeyRelation[PurchaseOrder] = fields.ForeignKeyField(
        "models.PurchaseOrder", related_name="lines", on_delete=fields.CASCADE
    )
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="purchase_order_lines", on_delete=fields.RESTRICT
    )
    quantity = fields.IntField()
    quantity_received = fields.IntField(default=0)
    unit_cost = fields.DecimalField(max_digits=12, decimal_places=2, default=0)

    purchase_order_id: int
    product_id: int

    class Meta:
        table = "purchase_order_line"
        unique_together = (("purchase_order", "product"),)
        indexes = (("product_id",),)


class SupplierDelay(Model):
    """A supplier's delivery record as a histogram: how many of its purchase orders arrived
    ``delay_days`` ship days late (0: on time or early). One row per supplier and delay,
    counted up in the transaction of each purchase order's first receipt."""

    id = fields.IntField(primary_key=True)
    supplier: fields.ForeignKeyRelation[Supplier] = fields.ForeignKeyField(
        "models.Supplier", related_name="delays", on_delete=fields.CASCADE
    )
    delay_days = fields.IntField()
    deliveries = fields.IntField(default=0)

    supplier_id: int

    class Meta:
        table = "supplier_delay"
        unique_together = (("supplier", "delay_days"),)
