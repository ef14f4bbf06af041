"""Demand forecasts: ``demand_forecast``, each product's forecast of the week, kept for every
process and restart."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0014_projected_stockout')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DemandForecast',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('product', fields.OneToOneField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='forecast', on_delete=OnDelete.CASCADE)),
                ('week', fields.DateField()),
                ('history_key', fields.CharField(max_length=32)),
                ('horizon', fields.IntField()),
                ('method', fields.CharField(max_length=16)),
                ('weeks', fields.TextField(unique=False)),
                ('sigma', fields.FloatField()),
                ('heldout_weeks', fields.IntField()),
                ('error', fields.FloatField(null=True)),
                ('naive_error', fields.FloatField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'demand_forecast', 'app': 'models', 'pk_attr': 'id', 'table_description': "A product's demand forecast of the week, kept for every process and restart."},
            bases=['Model'],
        ),
    ]
