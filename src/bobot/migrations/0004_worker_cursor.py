from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WorkerCursor',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('position', fields.BigIntField(default=0)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'worker_cursor', 'app': 'models', 'pk_attr': 'name', 'table_description': 'How far a worker job has read the event history (one row per job).'},
            bases=['Model'],
        ),
    ]
