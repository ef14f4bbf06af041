"""The worker no longer follows the history with a cursor (the outbox delivers every
event): ``worker_cursor`` goes."""

from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0012_inputs")]

    initial = False

    operations = [ops.DeleteModel(name="WorkerCursor")]
