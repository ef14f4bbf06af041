"""Supplier reliability: ``supplier_delay``, each supplier's delivery delays as a histogram."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0012_inputs")]

    initial = False

    operations = [
        ops.CreateModel(
            name="SupplierDelay",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "supplier",
                    fields.ForeignKeyField(
                        "models.Supplier",
                        source_field="supplier_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="delays",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("delay_days", fields.IntField()),
                ("deliveries", fields.IntField(default=0)),
            ],
            options={
                "table": "supplier_delay",
                "app": "models",
                "unique_together": (("supplier", "delay_days"),),
                "pk_attr": "id",
                "table_description": (
                    "A supplier's delivery record as a histogram: how many of its purchase "
                    "orders arrived"
                ),
            },
            bases=["Model"],
        ),
    ]
