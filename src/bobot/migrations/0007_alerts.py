"""Alerts: CHASE_SUPPLIER among the suggested actions, and the basis of each switch proposal.

Adding an enum member changes only the column's description (a comment in the DDL). On
SQLite, Tortoise's AlterField rebuilds the whole table for it and drops the table's indexes
on the way, so the description is altered in the migration state only there; PostgreSQL
gets its new column comment.
"""

from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from bobot.domain.gaps import SuggestedAction


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
    dependencies = [('models', '0006_restock_fillfactor')]

    initial = False

    operations = [
        AlterDescription(
            model_name='Alert',
            name='suggested_action',
            field=fields.CharEnumField(description='REORDER: REORDER\nSWITCH_SUPPLIER: SWITCH_SUPPLIER\nNOTIFY_CUSTOMERS: NOTIFY_CUSTOMERS\nRAISE_LIMIT: RAISE_LIMIT\nCHASE_SUPPLIER: CHASE_SUPPLIER', enum_type=SuggestedAction, max_length=20),
        ),
        ops.AddField(
            model_name='SupplierSwitch',
            name='basis',
            field=fields.CharField(default='', description='the facts it rests on (domain.gaps.switch_basis), so a decided offer is not proposed again', db_default='', max_length=200),
        ),
    ]
