"""The outbox: deliveries, their attempts, webhook subscriptions (issue 11)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from bobot.outbox.types import AttemptOutcome, DeliveryStatus
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0009_invitations')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Delivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('channel', fields.CharField(max_length=16)),
                ('recipient', fields.CharField(max_length=254)),
                ('kind', fields.CharField(max_length=64)),
                ('aggregate', fields.CharField(max_length=64)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('idempotency_key', fields.CharField(unique=True, max_length=200)),
                ('status', fields.CharEnumField(default=DeliveryStatus.PENDING, description='PENDING: PENDING\nSUCCESS: SUCCESS\nFAILED: FAILED', enum_type=DeliveryStatus, max_length=7)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_status', fields.CharField(null=True, max_length=200)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('external_ref', fields.CharField(null=True, max_length=200)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'delivery', 'app': 'models', 'indexes': [Index(fields=['status', 'next_attempt_at']), Index(fields=['aggregate', 'channel', 'recipient', 'id'])], 'pk_attr': 'id', 'table_description': 'One message to send to one recipient over one channel, and where it stands.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DeliveryAttempt',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('delivery_id', fields.BigIntField()),
                ('attempt', fields.IntField()),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('outcome', fields.CharEnumField(description='SUCCESS: SUCCESS\nRETRY: RETRY\nFAILED: FAILED', enum_type=AttemptOutcome, max_length=7)),
                ('status', fields.CharField(null=True, max_length=200)),
                ('duration_ms', fields.FloatField()),
                ('error', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'delivery_attempt', 'app': 'models', 'indexes': [Index(fields=['delivery_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One try at sending a delivery: when, how it went, how long it took.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookSubscription',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('url', fields.CharField(max_length=2000)),
                ('description', fields.CharField(default='', max_length=200)),
                ('events', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('secret', fields.CharField(max_length=100)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_subscription', 'app': 'models', 'pk_attr': 'id', 'table_description': "An endpoint of the shop's systems and the public events it is sent."},
            bases=['Model'],
        ),
    ]
