from tortoise import migrations
from tortoise.migrations import operations as ops
from bobot.domain.consent import ConsentState, NoticeKind
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_alerts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BackorderConsent',
            fields=[
                ('backorder_id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('state', fields.CharEnumField(default=ConsentState.NONE, description='NONE: NONE\nAWAITING: AWAITING\nACCEPTED: ACCEPTED\nACCEPTED_BY_SILENCE: ACCEPTED_BY_SILENCE\nACCEPTED_INDEFINITE: ACCEPTED_INDEFINITE\nCANCELLED: CANCELLED', enum_type=ConsentState, max_length=19)),
                ('original_promise', fields.DateField()),
                ('agreed_date', fields.DateField()),
                ('notices', fields.IntField(default=0)),
                ('late_notices', fields.IntField(default=0)),
                ('notified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('deadline', fields.DateField(null=True)),
                ('notice_kind', fields.CharEnumField(null=True, description='FIRST: FIRST\nEXPRESS: EXPRESS', enum_type=NoticeKind, max_length=7)),
                ('noticed_date', fields.DateField(null=True)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'backorder_consent', 'app': 'models', 'indexes': [Index(fields=['state', 'deadline'])], 'pk_attr': 'backorder_id', 'table_description': "A delayed backorder's consent record, written when its first delay notice is due."},
            bases=['Model'],
        ),
    ]
