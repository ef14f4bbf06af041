"""Room on PostgreSQL pages for the rows updated all day.

A backorder is re-dated whenever supply or its queue moves, a shipment changes status and a
product's counters change with every order. With free space on the page PostgreSQL can
write the new row version beside the old one without touching any index (a HOT update); on
full pages every such update also writes every index of the table. SQLite has no such
setting.
"""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

FILLFACTOR = {"backorder": 70, "shipment": 80, "product": 70}


async def set_fillfactor(apps: Any, schema_editor: Any) -> None:
    if schema_editor.client.capabilities.dialect != "postgres":
        return
    for table, percent in FILLFACTOR.items():
        await schema_editor.client.execute_script(
            f'ALTER TABLE "{table}" SET (fillfactor = {percent})'
        )


async def reset_fillfactor(apps: Any, schema_editor: Any) -> None:
    if schema_editor.client.capabilities.dialect != "postgres":
        return
    for table in FILLFACTOR:
        await schema_editor.client.execute_script(f'ALTER TABLE "{table}" RESET (fillfactor)')


class Migration(migrations.Migration):
    dependencies = [("models", "0004_worker_cursor")]

    initial = False

    operations = [ops.RunPython(set_fillfactor, reset_fillfactor)]
