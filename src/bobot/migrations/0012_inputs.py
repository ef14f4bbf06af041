"""API tokens may expire: ``api_token.expires_at`` (null: never)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0011_shortages")]

    initial = False

    operations = [
        ops.AddField(
            model_name="ApiToken",
            name="expires_at",
            field=fields.DatetimeField(null=True),
        ),
    ]
