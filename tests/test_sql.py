"""The hand-written SQL helpers behave alike on SQLite and PostgreSQL, at any size."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from bobot import sql
from bobot.models import Event


async def test_an_id_list_is_one_parameter_however_long(db):
    # Far past SQLite's 32,766 variables and PostgreSQL's 65,535 parameters.
    wanted = range(1, 100_001)
    rows = await sql.fetch(
        f"SELECT COUNT(*) FROM (SELECT 1 AS id UNION ALL SELECT 100000 UNION ALL SELECT 100001)"
        f" AS t WHERE {sql.in_ids('id')}",
        [sql.ids(wanted)],
    )
    assert rows == [(2,)]
    assert await sql.fetch(f"SELECT 1 WHERE {sql.in_ids('1')}", [sql.ids([])]) == []


async def test_inserted_rows_read_back_through_the_orm_and_roll_back_with_their_transaction(db):
    at = datetime(2026, 11, 27, 12, 30, tzinfo=UTC)
    columns = ("at", "kind", "actor_kind", "actor_id", "channel", "product_id", "subject_type",
               "subject_id", "data")  # fmt: skip
    rows = [(at, "TEST", "staff", "t", "api", None, "thing", n, f'{{"n":{n}}}') for n in range(3)]

    await sql.insert_rows("event", columns, rows)
    stored = await Event.filter(kind="TEST").order_by("id")
    assert [(e.at, e.subject_id, e.data, e.product_id) for e in stored] == [
        (at, n, {"n": n}, None) for n in range(3)
    ]

    try:
        async with in_transaction():
            await sql.insert_rows("event", columns, rows)
            assert await Event.filter(kind="TEST").count() == 6
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert await Event.filter(kind="TEST").count() == 3


async def test_rows_by_id_come_in_the_order_of_the_list_and_json_objects_alike(db):
    at = datetime(2026, 11, 27, 12, 30, tzinfo=UTC)
    columns = ("at", "kind", "actor_kind", "actor_id", "channel", "product_id", "subject_type",
               "subject_id", "data")  # fmt: skip
    await sql.insert_rows(
        "event", columns, [(at, "TEST", "staff", "t", "api", n, "thing", n, "{}") for n in range(6)]
    )
    stored = {e.subject_id: e.id for e in await Event.filter(kind="TEST")}
    wanted = [stored[4], stored[1], 999_999, stored[5], stored[0]]  # 999,999 is no event

    data = sql.json_object({"n": "e.subject_id", "twice": "e.product_id * 2", "t": sql.json_true()})
    rows = await sql.fetch(
        f"SELECT e.subject_id, {data} FROM {sql.rows_by_id('event', 'e')} ORDER BY j.key",
        [sql.ids(wanted)],
    )

    assert [row[0] for row in rows] == [4, 1, 5, 0]
    decoded = [json.loads(row[1]) if isinstance(row[1], str) else row[1] for row in rows]
    assert decoded == [{"n": n, "twice": 2 * n, "t": True} for n in (4, 1, 5, 0)]
