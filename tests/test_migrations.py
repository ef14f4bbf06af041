"""The committed migrations match the models, and apply cleanly to a fresh database."""

from __future__ import annotations

import importlib
import sqlite3
from pathlib import Path

from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.models import Model

from bobot import sql
from bobot.db import migrate, tortoise_config
from bobot.models import MODEL_MODULES

REGENERATE = (
    "rm src/bobot/migrations/0001_initial.py && .venv/bin/tortoise makemigrations --name initial"
)


async def test_models_match_migrations():
    config = tortoise_config("sqlite://:memory:")
    # As `tortoise makemigrations` does (tortoise/cli/cli.py), without writing anything.
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        autodetector = MigrationAutodetector(ctx.apps, config["apps"])
        writers = await autodetector.changes()
    pending = {w.name: [type(op).__name__ for op in w.operations] for w in writers}
    assert not pending, f"models and migrations disagree ({pending}); regenerate: {REGENERATE}"


async def test_migrate_creates_tables(tmp_path: Path):
    path = tmp_path / "fresh" / "bobot.sqlite3"
    url = f"sqlite://{path}"
    with TortoiseContext():  # keep migrate()'s Tortoise.init away from the harness's context
        await migrate(url)
        await migrate(url)  # idempotent: nothing left to apply
    with sqlite3.connect(path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert {"product", "backorder", "tortoise_migrations"} <= tables
    assert "worker_cursor" not in tables  # created by 0004, dropped by 0013


def _models() -> list[type[Model]]:
    found = []
    for module_name in MODEL_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Model)
                and value.__module__ == module_name
                and not value._meta.abstract
            ):
                found.append(value)
    return found


def test_no_semicolons_in_model_descriptions():
    # Tortoise 1.x runs SQLite migrations statement by statement, splitting the DDL on ";"
    # (tortoise/migrations/schema_editor/sqlite.py, _run_sql). The first line of a model's
    # docstring and each field's description (or `#:` comment) go into that DDL as comments,
    # so a ";" in one of them breaks `migrate` on SQLite with a syntax error.
    offenders = []
    for model in _models():
        if ";" in (model._meta.table_description or ""):
            offenders.append(f"{model.__name__} (first line of its docstring)")
        for name, field in model._meta.fields_map.items():
            if ";" in (field.description or ""):
                offenders.append(f"{model.__name__}.{name} (description)")
    assert not offenders, f"';' in these breaks SQLite migrations: {offenders}"


async def test_frequently_updated_tables_leave_room_for_hot_updates_on_postgres(pg_db):
    rows = await sql.fetch(
        "SELECT relname, reloptions FROM pg_class"
        " WHERE relname IN ('backorder', 'shipment', 'product') AND relkind = 'r'"
    )
    assert {name: options for name, options in rows} == {
        "backorder": ["fillfactor=50"],
        "shipment": ["fillfactor=50"],
        "product": ["fillfactor=70"],
    }
