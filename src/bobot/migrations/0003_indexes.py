from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_alerts')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Backorder',
            index=Index(fields=['sku', 'id']),
        ),
        ops.AddIndex(
            model_name='Backorder',
            index=Index(fields=['order_id']),
        ),
        ops.AddIndex(
            model_name='Backorder',
            index=Index(fields=['order_line_id']),
        ),
        ops.AddIndex(
            model_name='Cancellation',
            index=Index(fields=['backorder_id']),
        ),
        ops.AddIndex(
            model_name='Cancellation',
            index=Index(fields=['sku', 'id']),
        ),
        ops.AddIndex(
            model_name='Order',
            index=Index(fields=['created_at']),
        ),
        ops.AddIndex(
            model_name='OrderLine',
            index=Index(fields=['order_id']),
        ),
        ops.AddIndex(
            model_name='OrderLine',
            index=Index(fields=['product_id']),
        ),
        ops.AddIndex(
            model_name='PurchaseOrderLine',
            index=Index(fields=['product_id']),
        ),
        ops.AddIndex(
            model_name='Shipment',
            index=Index(fields=['order_id']),
        ),
        ops.AddIndex(
            model_name='ShipmentLine',
            index=Index(fields=['shipment_id']),
        ),
        ops.AddIndex(
            model_name='ShipmentLine',
            index=Index(fields=['backorder_id']),
        ),
        ops.AddIndex(
            model_name='SupplierOffer',
            index=Index(fields=['product_id', 'active']),
        ),
    ]
