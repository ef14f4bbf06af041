from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from bobot.domain.availability import Policy
from bobot.domain.ordering import ShipPreference
from bobot.models.events import TokenRole
from bobot.models.orders import BackorderStatus, OrderStatus, ShipmentStatus
from bobot.models.purchasing import PurchaseOrderStatus
from bobot.models.waitlist import WaitlistStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=120)),
                ('role', fields.CharEnumField(description='STAFF: STAFF\nSTOREFRONT: STOREFRONT', enum_type=TokenRole, max_length=10)),
                ('digest', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_token', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An API token, stored as its SHA-256 digest only.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Event',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('kind', fields.CharField(max_length=64)),
                ('actor_kind', fields.CharField(max_length=20)),
                ('actor_id', fields.CharField(max_length=254)),
                ('channel', fields.CharField(max_length=20)),
                ('product_id', fields.IntField(null=True)),
                ('subject_type', fields.CharField(max_length=40)),
                ('subject_id', fields.IntField()),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'event', 'app': 'models', 'indexes': [Index(fields=['product_id', 'id']), Index(fields=['subject_type', 'subject_id'])], 'pk_attr': 'id', 'table_description': 'An append-only record of one state change: what, when, who and through which channel.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Order',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('idempotency_key', fields.CharField(null=True, unique=True, max_length=128)),
                ('customer_email', fields.CharField(max_length=254)),
                ('customer_name', fields.CharField(default='', max_length=200)),
                ('ship_preference', fields.CharEnumField(description='SHIP_AVAILABLE_NOW: SHIP_AVAILABLE_NOW\nSHIP_TOGETHER: SHIP_TOGETHER', enum_type=ShipPreference, max_length=18)),
                ('status', fields.CharEnumField(default=OrderStatus.OPEN, description='OPEN: OPEN\nPARTIALLY_SHIPPED: PARTIALLY_SHIPPED\nSHIPPED: SHIPPED\nCANCELLED: CANCELLED', enum_type=OrderStatus, max_length=17)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'order', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Product',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('sku', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=200)),
                ('category', fields.CharField(default='', max_length=80)),
                ('price', fields.DecimalField(default=0, max_digits=12, decimal_places=2)),
                ('backorder_policy', fields.CharEnumField(default=Policy.DENY, description='DENY: DENY\nALLOW: ALLOW', enum_type=Policy, max_length=5)),
                ('backorder_limit', fields.IntField(null=True)),
                ('backorders_end_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('safety_stock', fields.IntField(default=0)),
                ('on_hand', fields.IntField(default=0)),
                ('allocated', fields.IntField(default=0)),
                ('available', fields.IntField(default=0)),
                ('backordered', fields.IntField(default=0)),
                ('incoming', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'product', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A sellable item and its stock counters.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OrderLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='order_lines', on_delete=OnDelete.RESTRICT)),
                ('sku', fields.CharField(max_length=64)),
                ('quantity', fields.IntField()),
                ('quantity_from_stock', fields.IntField()),
            ],
            options={'table': 'order_line', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One line of an order.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Backorder',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='backorders', on_delete=OnDelete.CASCADE)),
                ('order_line', fields.ForeignKeyField('models.OrderLine', source_field='order_line_id', db_constraint=True, to_field='id', related_name='backorders', on_delete=OnDelete.CASCADE)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='backorders', on_delete=OnDelete.RESTRICT)),
                ('sku', fields.CharField(max_length=64)),
                ('quantity_ordered', fields.IntField()),
                ('quantity', fields.IntField()),
                ('quantity_allocated', fields.IntField(default=0)),
                ('status', fields.CharEnumField(default=BackorderStatus.OPEN, description='OPEN: OPEN\nPARTIALLY_ALLOCATED: PARTIALLY_ALLOCATED\nALLOCATED: ALLOCATED\nSHIPPED: SHIPPED\nCANCELLED: CANCELLED', enum_type=BackorderStatus, max_length=19)),
                ('priority', fields.IntField(default=0)),
                ('promised_date', fields.DateField()),
                ('expected_date', fields.DateField()),
                ('eta_is_estimate', fields.BooleanField(default=False)),
                ('is_delayed', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'backorder', 'app': 'models', 'indexes': [Index(fields=['product_id', 'status', 'priority', 'created_at', 'id']), Index(fields=['status', 'id'])], 'pk_attr': 'id', 'table_description': 'The backordered part of one order line, filled first-come-first-served.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Cancellation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('backorder', fields.ForeignKeyField('models.Backorder', source_field='backorder_id', db_constraint=True, to_field='id', related_name='cancellations', on_delete=OnDelete.CASCADE)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='cancellations', on_delete=OnDelete.CASCADE)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='cancellations', on_delete=OnDelete.RESTRICT)),
                ('sku', fields.CharField(max_length=64)),
                ('quantity', fields.IntField()),
                ('quantity_released', fields.IntField(default=0)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('actor_kind', fields.CharField(max_length=20)),
                ('actor_id', fields.CharField(max_length=254)),
                ('channel', fields.CharField(max_length=20)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'cancellation', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Who cancelled how many units of which backorder, when and why.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Shipment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='shipments', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(description='PENDING: PENDING\nREADY: READY\nSHIPPED: SHIPPED\nCANCELLED: CANCELLED', enum_type=ShipmentStatus, max_length=9)),
                ('cost', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('shipped_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'shipment', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ShipmentLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('shipment', fields.ForeignKeyField('models.Shipment', source_field='shipment_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('order_line', fields.ForeignKeyField('models.OrderLine', source_field='order_line_id', db_constraint=True, to_field='id', related_name='shipment_lines', on_delete=OnDelete.CASCADE)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='shipment_lines', on_delete=OnDelete.RESTRICT)),
                ('backorder', fields.ForeignKeyField('models.Backorder', source_field='backorder_id', null=True, db_constraint=True, to_field='id', related_name='shipment_lines', on_delete=OnDelete.CASCADE)),
                ('sku', fields.CharField(max_length=64)),
                ('quantity', fields.IntField()),
            ],
            options={'table': 'shipment_line', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Supplier',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=120)),
                ('email', fields.CharField(default='', max_length=254)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'supplier', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PurchaseOrder',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('supplier', fields.ForeignKeyField('models.Supplier', source_field='supplier_id', db_constraint=True, to_field='id', related_name='purchase_orders', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=PurchaseOrderStatus.DRAFT, description='DRAFT: DRAFT\nORDERED: ORDERED\nPARTIALLY_RECEIVED: PARTIALLY_RECEIVED\nRECEIVED: RECEIVED\nCANCELLED: CANCELLED', enum_type=PurchaseOrderStatus, max_length=18)),
                ('expected_date', fields.DateField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'purchase_order', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PurchaseOrderLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('purchase_order', fields.ForeignKeyField('models.PurchaseOrder', source_field='purchase_order_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='purchase_order_lines', on_delete=OnDelete.RESTRICT)),
                ('quantity', fields.IntField()),
                ('quantity_received', fields.IntField(default=0)),
                ('unit_cost', fields.DecimalField(default=0, max_digits=12, decimal_places=2)),
            ],
            options={'table': 'purchase_order_line', 'app': 'models', 'unique_together': (('purchase_order', 'product'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SupplierOffer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('supplier', fields.ForeignKeyField('models.Supplier', source_field='supplier_id', db_constraint=True, to_field='id', related_name='offers', on_delete=OnDelete.RESTRICT)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='offers', on_delete=OnDelete.CASCADE)),
                ('unit_cost', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('lead_time_days', fields.IntField()),
                ('rank', fields.IntField(default=1)),
                ('active', fields.BooleanField(default=True)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'supplier_offer', 'app': 'models', 'unique_together': (('supplier', 'product'),), 'pk_attr': 'id', 'table_description': 'An offer of one supplier for one product: cost, lead time and rank (1 = preferred).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WaitlistEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='waitlist', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(max_length=254)),
                ('quantity', fields.IntField(default=1)),
                ('status', fields.CharEnumField(default=WaitlistStatus.WAITING, description='WAITING: WAITING\nINVITED: INVITED\nCONVERTED: CONVERTED\nEXPIRED: EXPIRED\nLEFT: LEFT', enum_type=WaitlistStatus, max_length=9)),
                ('hold_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'waitlist_entry', 'app': 'models', 'indexes': [Index(fields=['product_id', 'status', 'created_at', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
