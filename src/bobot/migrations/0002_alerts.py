from tortoise import migrations
from tortoise.migrations import operations as ops
from bobot.domain.gaps import GapKind, SuggestedAction
from bobot.models.alerts import AlertStatus, SwitchStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SupplierSwitch',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='supplier_switches', on_delete=OnDelete.CASCADE)),
                ('from_supplier', fields.ForeignKeyField('models.Supplier', source_field='from_supplier_id', null=True, db_constraint=True, to_field='id', related_name='switches_from', on_delete=OnDelete.RESTRICT)),
                ('to_supplier', fields.ForeignKeyField('models.Supplier', source_field='to_supplier_id', db_constraint=True, to_field='id', related_name='switches_to', on_delete=OnDelete.RESTRICT)),
                ('late_purchase_order', fields.ForeignKeyField('models.PurchaseOrder', source_field='late_purchase_order_id', null=True, db_constraint=True, to_field='id', related_name='switches_replacing', on_delete=OnDelete.SET_NULL)),
                ('new_purchase_order', fields.ForeignKeyField('models.PurchaseOrder', source_field='new_purchase_order_id', null=True, db_constraint=True, to_field='id', related_name='switches_created', on_delete=OnDelete.SET_NULL)),
                ('quantity', fields.IntField()),
                ('unit_cost', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('new_expected_date', fields.DateField()),
                ('cost_difference', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('backorders_improved', fields.IntField(default=0)),
                ('status', fields.CharEnumField(default=SwitchStatus.PROPOSED, description='PROPOSED: PROPOSED\nAPPROVED: APPROVED\nREJECTED: REJECTED\nEXPIRED: EXPIRED', enum_type=SwitchStatus, max_length=8)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('proposed_by', fields.CharField(max_length=280)),
                ('decided_by', fields.CharField(null=True, max_length=280)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'supplier_switch', 'app': 'models', 'indexes': [Index(fields=['status', 'id']), Index(fields=['product_id', 'status'])], 'pk_attr': 'id', 'table_description': 'A proposal to buy units from another supplier, and the decision taken on it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Alert',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='alerts', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='UNCOVERED_BACKORDERS: UNCOVERED_BACKORDERS\nPO_LATE: PO_LATE\nETA_SLIP: ETA_SLIP\nBELOW_SAFETY_STOCK: BELOW_SAFETY_STOCK\nBACKORDER_AGING: BACKORDER_AGING\nBACKORDER_LIMIT_REACHED: BACKORDER_LIMIT_REACHED', enum_type=GapKind, max_length=32)),
                ('cause', fields.CharField(max_length=1000)),
                ('suggested_action', fields.CharEnumField(description='REORDER: REORDER\nSWITCH_SUPPLIER: SWITCH_SUPPLIER\nNOTIFY_CUSTOMERS: NOTIFY_CUSTOMERS\nRAISE_LIMIT: RAISE_LIMIT', enum_type=SuggestedAction, max_length=20)),
                ('severity', fields.IntField()),
                ('status', fields.CharEnumField(default=AlertStatus.OPEN, description='OPEN: OPEN\nACKNOWLEDGED: ACKNOWLEDGED\nSNOOZED: SNOOZED\nRESOLVED: RESOLVED', enum_type=AlertStatus, max_length=12)),
                ('snoozed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('dedupe_key', fields.CharField(null=True, unique=True, max_length=64)),
                ('switch', fields.ForeignKeyField('models.SupplierSwitch', source_field='switch_id', null=True, db_constraint=True, to_field='id', related_name='alerts', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'alert', 'app': 'models', 'indexes': [Index(fields=['status', 'id']), Index(fields=['product_id', 'status'])], 'pk_attr': 'id', 'table_description': 'An inventory gap of one product: its cause, a suggested action, and its life cycle.'},
            bases=['Model'],
        ),
    ]
