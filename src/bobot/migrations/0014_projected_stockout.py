"""Alerts: PROJECTED_STOCKOUT among the kinds (the demand outlook's alerts).

Adding an enum member changes only the column's description: as in 0007, the description is
altered in the migration state only on SQLite (whose AlterField would rebuild the table and
drop its indexes); PostgreSQL gets its new column comment.
"""

from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from bobot.domain.gaps import GapKind


class AlterDescription(ops.AlterField):
    """An AlterField that changes nothing but the description: skipped on SQLite."""

    async def database_forward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if state_editor is None or state_editor.client.capabilities.dialect == "sqlite":
            return
        await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if state_editor is None or state_editor.client.capabilities.dialect == "sqlite":
            return
        await super().database_backward(app_label, old_state, new_state, state_editor)


class Migration(migrations.Migration):
    dependencies = [("models", "0013_reliability")]

    initial = False

    operations = [
        AlterDescription(
            model_name="Alert",
            name="kind",
            field=fields.CharEnumField(
                description="UNCOVERED_BACKORDERS: UNCOVERED_BACKORDERS\nPO_LATE: PO_LATE\n"
                "ETA_SLIP: ETA_SLIP\nBELOW_SAFETY_STOCK: BELOW_SAFETY_STOCK\n"
                "BACKORDER_AGING: BACKORDER_AGING\n"
                "BACKORDER_LIMIT_REACHED: BACKORDER_LIMIT_REACHED\n"
                "PROJECTED_STOCKOUT: PROJECTED_STOCKOUT",
                enum_type=GapKind,
                max_length=32,
            ),
        ),
    ]
