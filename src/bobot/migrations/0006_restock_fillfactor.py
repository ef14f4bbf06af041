"""Half of each backorder and shipment page left free on PostgreSQL.

Backorders waiting for the same product were mostly created together, so they fill whole
pages, and so do their shipments. A restock then rewrites most rows of those pages at once:
the fill, the dates of the rest of the queue, the shipments made ready. With the room left
by migration 0005 (70% and 80% full) only a minority of those rewrites fit on their page;
the others went to other pages, each with a write to every index of the table. At 50% they
fit. Measured on the bench store (10,000 waiting backorders, 4,980 filled): re-dating the
other 5,020 took 18-34 ms against 59-111 ms, and readying 4,980 shipments was 4,980 of 4,980
in place against 1,268. Both tables take more room in exchange (about 1.4 and 1.6 times the
pages).

Only pages written from now on get the new room; existing pages get it when a table is
rewritten (``VACUUM FULL``, which locks it while it runs).
"""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

FILLFACTOR = {"backorder": (50, 70), "shipment": (50, 80)}  # table: (new, before)


async def set_fillfactor(apps: Any, schema_editor: Any) -> None:
    await _set(schema_editor, 0)


async def reset_fillfactor(apps: Any, schema_editor: Any) -> None:
    await _set(schema_editor, 1)


async def _set(schema_editor: Any, which: int) -> None:
    if schema_editor.client.capabilities.dialect != "postgres":
        return
    for table, percents in FILLFACTOR.items():
        await schema_editor.client.execute_script(
            f'ALTER TABLE "{table}" SET (fillfactor = {percents[which]})'
        )


class Migration(migrations.Migration):
    dependencies = [("models", "0005_fillfactor")]

    initial = False

    operations = [ops.RunPython(set_fillfactor, reset_fillfactor)]
