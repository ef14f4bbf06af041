from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from bobot.domain.alerts import AlertStatus, SwitchStatus
from bobot.domain.gaps import GapKind as AlertKind
from bobot.domain.gaps import SuggestedAction
from bobot.models.catalog import Product, Supplier
from bobot.models.purchasing import PurchaseOrder

__all__ = ["Alert", "AlertKind", "AlertStatus", "SuggestedAction", "SupplierSwitch", "SwitchStatus"]


class SupplierSwitch(Model):
    """A proposal to buy units from another supplier, and the decision taken on it."""

    id = fields.IntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="supplier_switches", on_delete=fields.CASCADE
    )
    from_supplier: fields.ForeignKeyNullableRelation[Supplier] = fields.ForeignKeyField(
        "models.Supplier", related_name="switches_from", null=True, on_delete=fields.RESTRICT
    )
    to_supplier: fields.ForeignKeyRelation[Supplier] = fields.ForeignKeyField(
        "models.Supplier", related_name="switches_to", on_delete=fields.RESTRICT
    )
    late_purchase_order: fields.ForeignKeyNullableRelation[PurchaseOrder] = fields.ForeignKeyField(
        "models.PurchaseOrder",
        related_name="switches_replacing",
        null=True,
        on_delete=fields.SET_NULL,
    )
    new_purchase_order: fields.ForeignKeyNullableRelation[PurchaseOrder] = fields.ForeignKeyField(
        "models.PurchaseOrder",
        related_name="switches_created",
        null=True,
        on_delete=fields.SET_NULL,
    )
    quantity = fields.IntField()
    unit_cost = fields.DecimalField(max_digits=12, decimal_places=2)
    new_expected_date = fields.DateField()
    cost_difference = fields.DecimalField(max_digits=14, decimal_places=2)
    backorders_improved = fields.IntField(default=0)
    status = fields.CharEnumField(SwitchStatus, default=SwitchStatus.PROPOSED)
    reason = fields.CharField(max_length=500, default="")
    #: the facts it rests on (domain.gaps.switch_basis), so a decided offer is not proposed again
    basis = fields.CharField(max_length=200, default="", db_default="")
    proposed_by = fields.CharField(max_length=280)
    decided_by = fields.CharField(max_length=280, null=True)
    decided_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    product_id: int
    from_supplier_id: int | None
    to_supplier_id: int
    late_purchase_order_id: int | None
    new_purchase_order_id: int | None

    class Meta:
        table = "supplier_switch"
        indexes = (("status", "id"), ("product_id", "status"))


class Alert(Model):
    """An inventory gap of one product: its cause, a suggested action, and its life cycle.

    ``dedupe_key`` is "product_id:kind" while the alert is not resolved and NULL afterwards,
    so the unique index allows one unresolved alert per product and kind.
    """

    id = fields.IntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="alerts", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(AlertKind, max_length=32)
    cause = fields.CharField(max_length=1000)
    suggested_action = fields.CharEnumField(SuggestedAction, max_length=20)
    severity = fields.IntField()
    status = fields.CharEnumField(AlertStatus, default=AlertStatus.OPEN)
    snoozed_until = fields.DatetimeField(null=True)
    dedupe_key = fields.CharField(max_length=64, null=True, unique=True)
    switch: fields.ForeignKeyNullableRelation[SupplierSwitch] = fields.ForeignKeyField(
        "models.SupplierSwitch", related_name="alerts", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)

    product_id: int
    switch_id: int | None

    class Meta:
        table = "alert"
        indexes = (("status", "id"), ("product_id", "status"))
