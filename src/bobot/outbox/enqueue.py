"""Writing deliveries inside the caller's transaction: one statement, however many.

The rows routed in Python and the webhook fan-out (each published event times the active
subscriptions to its name) are one ``INSERT ... SELECT ... UNION ALL SELECT``: with no
subscription it inserts nothing, and it never needs a read first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from bobot import sql
from bobot.outbox.routing import WebhookEvent
from bobot.outbox.types import NewDelivery, RowDelivery

_ENCODE = json.JSONEncoder(separators=(",", ":"), default=str).encode
_COLUMNS = (
    "created_at, updated_at, next_attempt_at, status, attempts, channel, recipient, kind,"
    " aggregate, payload, idempotency_key"
)

_SQLITE = f"""INSERT INTO delivery ({_COLUMNS})
SELECT ?, ?, ?, 'PENDING', 0, d.value ->> '$[0]', d.value ->> '$[1]', d.value ->> '$[2]',
    d.value ->> '$[3]', d.value -> '$[4]', d.value ->> '$[5]'
FROM json_each(?) AS d
UNION ALL
SELECT ?, ?, ?, 'PENDING', 0, 'WEBHOOK', CAST(s.id AS TEXT), e.value ->> '$[0]',
    e.value ->> '$[1]', e.value -> '$[2]', (e.value ->> '$[3]') || '_' || s.id
FROM json_each(?) AS e JOIN webhook_subscription AS s ON s.active
    AND EXISTS (SELECT 1 FROM json_each(s.events) AS n WHERE n.value = e.value ->> '$[0]')"""

_POSTGRES = f"""INSERT INTO delivery ({_COLUMNS})
SELECT ?::timestamptz, ?::timestamptz, ?::timestamptz, 'PENDING', 0, d ->> 0, d ->> 1,
    d ->> 2, d ->> 3, d -> 4, d ->> 5
FROM jsonb_array_elements(?::text::jsonb) AS d
UNION ALL
SELECT ?::timestamptz, ?::timestamptz, ?::timestamptz, 'PENDING', 0, 'WEBHOOK', s.id::text,
    e ->> 0, e ->> 1, e -> 2, (e ->> 3) || '_' || s.id
FROM jsonb_array_elements(?::text::jsonb) AS e JOIN webhook_subscription AS s ON s.active
    AND s.events @> jsonb_build_array(e ->> 0)"""


async def enqueue(
    deliveries: Sequence[NewDelivery],
    webhooks: Sequence[WebhookEvent] = (),
    *,
    now: datetime | None = None,
) -> None:
    """Write ``deliveries``, and one WEBHOOK delivery per active subscription to each of
    ``webhooks``, in the caller's transaction (one statement). ``now``: their creation
    and first attempt time (the caller's clock; the wall clock when None)."""
    if not deliveries and not webhooks:
        return
    at = sql.adapt(now or datetime.now(UTC))
    routed = _ENCODE(
        [
            [d.channel.value, d.recipient, d.kind, d.aggregate, d.payload, d.idempotency_key]
            for d in deliveries
        ]
    )
    published = _ENCODE([[w.name, w.aggregate, w.body, w.key_prefix] for w in webhooks])
    statement = _POSTGRES if sql.dialect() == "postgres" else _SQLITE
    await sql.execute(statement, [at, at, at, routed, at, at, at, published])


def deliveries_from(delivery: RowDelivery, rows: str, alias: str) -> str:
    """``INSERT INTO delivery ... SELECT`` one ``delivery`` per row of ``rows`` (FROM items
    naming the row ``alias``, with any ORDER BY): the database builds each, Python never
    holds them. Its parameters, before those of ``rows``: the time three times, then the
    key prefix (:func:`delivery_parameters`)."""
    postgres = sql.dialect() == "postgres"
    stamps = "?::timestamptz, ?::timestamptz, ?::timestamptz" if postgres else "?, ?, ?"
    row = {"row": alias}
    payload = sql.json_object({k: v.format(**row) for k, v in delivery.payload.items()})
    return (
        f"INSERT INTO delivery ({_COLUMNS})"
        f" SELECT {stamps}, 'PENDING', 0, '{delivery.channel.value}',"
        f" {delivery.recipient.format(**row)}, '{delivery.kind}',"
        f" {delivery.aggregate.format(**row)}, {payload},"
        f" CAST(? AS TEXT) || {delivery.key.format(**row)} FROM {rows}"
    )


def delivery_parameters(*, at: datetime, key_prefix: str) -> list[Any]:
    """The parameters of :func:`deliveries_from`'s own part, in order."""
    stamp = sql.adapt(at)
    return [stamp, stamp, stamp, key_prefix]


def per_backorder_deliveries(
    name: str,
    backorder_ids: Sequence[int],
    data: Mapping[str, str],
    values: Sequence[Any] = (),
    *,
    version: int,
    key_prefix: str,
    at: datetime,
) -> tuple[str, list[Any]]:
    """The statement of :func:`enqueue_per_backorder`, and its parameters."""
    stamp = sql.adapt(at)
    body = sql.json_object(
        {
            "type": "CAST(? AS TEXT)",
            "version": str(int(version)),
            "timestamp": "CAST(? AS TEXT)",
            "data": sql.json_object({"backorder_id": "b.id", "product_id": "b.product_id", **data}),
        }
    )
    postgres = sql.dialect() == "postgres"
    if postgres:
        matches = "s.events @> jsonb_build_array(?::text)"
        stamps = "?::timestamptz, ?::timestamptz, ?::timestamptz"
        cast_id = "s.id::text"
    else:
        matches = "EXISTS (SELECT 1 FROM json_each(s.events) AS n WHERE n.value = ?)"
        stamps = "?, ?, ?"
        cast_id = "CAST(s.id AS TEXT)"
    key = "(CAST(? AS TEXT) || '_' || b.id || '_' || s.id)"
    statement = (
        f"INSERT INTO delivery ({_COLUMNS})"
        f" SELECT {stamps}, 'PENDING', 0, 'WEBHOOK', {cast_id}, CAST(? AS TEXT),"
        f" 'backorder:' || b.id, {body}, {key}"
        f" FROM {sql.rows_by_id('backorder', 'b')}"
        f" JOIN webhook_subscription AS s ON s.active AND {matches} ORDER BY j.key, s.id"
    )
    iso = at.isoformat()
    params = [stamp, stamp, stamp, name, name, iso, *values, key_prefix, sql.ids(backorder_ids)]
    params.append(name)
    return statement, params


async def enqueue_per_backorder(
    name: str,
    backorder_ids: Sequence[int],
    data: Mapping[str, str],
    values: Sequence[Any] = (),
    *,
    version: int,
    key_prefix: str,
    at: datetime,
) -> None:
    """The webhook fan-out of events the database builds, one per backorder (see
    :func:`bobot.services.history.record_per_backorder`): ``data`` maps each key to an SQL
    expression over ``b``, the backorder (``values``: the parameters they name, in order).
    One statement; nothing without a subscription."""
    if not backorder_ids:
        return
    statement, params = per_backorder_deliveries(
        name, backorder_ids, data, values, version=version, key_prefix=key_prefix, at=at
    )
    await sql.execute(statement, params)
