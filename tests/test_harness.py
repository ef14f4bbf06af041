"""The database fixtures work on both backends and isolate tests from each other."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from tortoise import Tortoise

from bobot.models import Product


def _product(sku: str = "SKU-1") -> Product:
    now = datetime.now(UTC)
    return Product(sku=sku, name="Widget", price=Decimal("9.50"), on_hand=3, available=3,
                   created_at=now, updated_at=now)  # fmt: skip


async def test_create_and_read_back(db):
    assert db.backend in ("sqlite", "postgres")
    product = _product()
    await product.save()
    assert product.id == 1  # identities restart for every test

    loaded = await Product.get(sku="SKU-1")
    assert (loaded.name, loaded.price, loaded.on_hand, loaded.available) == (
        "Widget", Decimal("9.50"), 3, 3,
    )  # fmt: skip
    dialect = Tortoise.get_connection("default").capabilities.dialect
    assert dialect == ("postgres" if db.is_postgres else "sqlite")


async def test_tables_are_empty_again(db):
    assert await Product.all().count() == 0
    product = _product("SKU-2")
    await product.save()
    assert product.id == 1
    await product.delete()  # empty, but the identity sequence has moved on


async def test_identities_restart_after_delete(db):
    product = _product("SKU-3")
    await product.save()
    assert product.id == 1


async def test_pg_db_is_postgres(pg_db):
    assert pg_db.is_postgres
    assert await Product.all().count() == 0
    await _product().save()
    assert await Product.all().count() == 1


async def test_sql_log_counts_statements(db, sql_log):
    await _product().save()
    with sql_log() as statements:
        await Product.get(sku="SKU-1")
        await Product.filter(sku="SKU-1").update(on_hand=4)
    assert len(statements) == 2
    assert statements[0].lstrip().upper().startswith("SELECT")
    assert statements[1].lstrip().upper().startswith("UPDATE")
    with sql_log() as statements:
        pass
    assert statements == []
