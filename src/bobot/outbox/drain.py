"""Draining the outbox: claim, commit, send, record, never holding a transaction or a lock
across the network.

A claim is one ``UPDATE ... RETURNING`` (its own short transaction) that leases up to
``limit`` due rows: ``claimed_until`` keeps every other worker off them while they are sent
(on PostgreSQL the claim also skips rows another claim is locking, ``FOR UPDATE SKIP
LOCKED``). A row is due when it is PENDING, its next attempt has come, its lease (if any)
has run out, and no earlier delivery of its aggregate to the same recipient is still
PENDING: one aggregate's messages go out in order. A worker that dies mid-send leaves its
rows leased; once the lease runs out another worker sends them again with the same key,
so a crash costs at most one duplicate per row in flight, which the key lets the receiver
drop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bobot import sql
from bobot.outbox.types import (
    AttemptOutcome,
    Channel,
    DeliveryStatus,
    OutgoingDelivery,
    SendResult,
    Transport,
)

log = logging.getLogger("bobot.outbox")

_RETURNING = "id, channel, recipient, kind, aggregate, payload, idempotency_key, attempts"
_ORDERED = (
    " AND NOT EXISTS (SELECT 1 FROM delivery AS p WHERE p.aggregate = c.aggregate"
    " AND p.channel = c.channel AND p.recipient = c.recipient AND p.id < c.id"
    " AND p.status = 'PENDING')"
)


@dataclass(frozen=True, slots=True)
class DrainPolicy:
    """How the worker retries: settings ``BOBOT_OUTBOX_*``."""

    max_attempts: int = 8
    backoff_base: float = 2.0  # seconds before the second attempt, doubling after
    backoff_max: float = 3600.0
    lease: float = 120.0  # seconds a claim keeps other workers off a row
    concurrency: int = 16  # sends in flight at once


def backoff(attempt: int, policy: DrainPolicy, retry_after: float | None = None) -> float:
    """Seconds before the attempt after ``attempt``: exponential, with "full jitter" over
    its upper half, and never sooner than the receiver's Retry-After."""
    ceiling = min(policy.backoff_max, policy.backoff_base * 2 ** (attempt - 1))
    delay = ceiling * (0.5 + random.random() / 2)
    return max(delay, retry_after or 0.0)


async def claim(
    channels: Sequence[Channel],
    *,
    now: datetime,
    lease: float,
    limit: int,
    ordered: bool = True,
) -> list[OutgoingDelivery]:
    """Lease up to ``limit`` due deliveries of ``channels`` (oldest first) and return them."""
    if not channels or limit <= 0:
        return []
    until = now + timedelta(seconds=lease)
    postgres = sql.dialect() == "postgres"
    names = [c.value for c in channels]
    of_channels = "c.channel = ANY(?::text[])"
    if not postgres:
        of_channels = "c.channel IN (SELECT value FROM json_each(?))"
    condition = (
        "c.status = 'PENDING' AND c.next_attempt_at <= ?"
        f" AND (c.claimed_until IS NULL OR c.claimed_until <= ?) AND {of_channels}"
        f"{_ORDERED if ordered else ''}"
    )
    lock = " FOR UPDATE SKIP LOCKED" if postgres else ""
    statement = (
        "UPDATE delivery SET claimed_until = ?, attempts = attempts + 1, updated_at = ?"
        f" WHERE id IN (SELECT c.id FROM delivery AS c WHERE {condition}"
        f" ORDER BY c.id LIMIT ?{lock}) RETURNING {_RETURNING}"
    )
    if postgres:  # Tortoise's PostgreSQL client returns rows of statements read as queries
        statement = f"WITH claimed AS ({statement}) SELECT * FROM claimed"
    params = [until, now, now, now, names if postgres else json.dumps(names), limit]
    rows = await sql.fetch(statement, params)
    rows.sort(key=lambda r: r[0])
    refs = await _thread_refs([r for r in rows if r[1] == Channel.SLACK.value])
    return [
        OutgoingDelivery(
            id=r[0],
            channel=Channel(r[1]),
            recipient=r[2],
            kind=r[3],
            aggregate=r[4],
            payload=json.loads(r[5]) if isinstance(r[5], str) else r[5],
            idempotency_key=r[6],
            attempt=r[7],
            thread_ref=refs.get((r[4], r[1], r[2])),
        )
        for r in rows
    ]


async def _thread_refs(rows: Sequence[tuple[Any, ...]]) -> dict[tuple[str, str, str], str]:
    """The external_ref of the first sent delivery of each (aggregate, channel, recipient)."""
    if not rows:
        return {}
    aggregates = sorted({r[4] for r in rows})
    found = await sql.fetch(
        "SELECT aggregate, channel, recipient, external_ref FROM delivery"
        f" WHERE aggregate IN ({sql.placeholders(len(aggregates))})"
        " AND status = 'SUCCESS' AND external_ref IS NOT NULL ORDER BY id",
        aggregates,
    )
    refs: dict[tuple[str, str, str], str] = {}
    for aggregate, channel, recipient, ref in found:
        refs.setdefault((aggregate, channel, recipient), ref)
    return refs


@dataclass(slots=True)
class _Sent:
    delivery: OutgoingDelivery
    result: SendResult
    at: datetime
    duration_ms: float


async def _send(
    transport: Transport | None,
    delivery: OutgoingDelivery,
    gate: asyncio.Semaphore,
    deps: Any,
    deadline: float,
) -> _Sent | None:
    """One send; None when the lease is (nearly) over before its turn comes: another worker
    may have taken the row over, so it is left to that one, unsent and unrecorded."""
    async with gate:
        if time.monotonic() >= deadline:
            return None
        at = deps.now()
        started = time.perf_counter()
        if transport is None:
            result = SendResult(ok=False, error=f"no transport for {delivery.channel.value}")
        else:
            try:
                result = await transport.send(delivery)
            except Exception as exc:  # a retryable failure, whatever it is
                result = SendResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
        return _Sent(delivery, result, at, (time.perf_counter() - started) * 1000)


async def drain(
    transports: Mapping[Channel, Transport],
    *,
    deps: Any,
    limit: int = 100,
    policy: DrainPolicy | None = None,
) -> int:
    """Claim up to ``limit`` due deliveries for ``transports``, send them (concurrently: a
    batch holds at most one row per aggregate and recipient), record each attempt. Returns
    how many were attempted."""
    policy = policy or policy_of(deps.settings)
    # A send starts only while the lease has a fifth of its time left to run.
    deadline = time.monotonic() + policy.lease * 0.8
    batch = await claim(list(transports), now=deps.now(), lease=policy.lease, limit=limit)
    if not batch:
        return 0
    for transport in {id(t): t for t in transports.values()}.values():
        prepare = getattr(transport, "prepare", None)
        if prepare is not None:
            await prepare(batch)
    gate = asyncio.Semaphore(policy.concurrency)
    outcomes = await asyncio.gather(
        *(_send(transports.get(d.channel), d, gate, deps, deadline) for d in batch)
    )
    sent = [s for s in outcomes if s is not None]
    if len(sent) < len(batch):
        log.warning("lease ran out: %d deliveries left for another worker", len(batch) - len(sent))
    await record_results(sent, policy=policy, now=deps.now())
    return len(batch)


async def record_results(sent: Sequence[_Sent], *, policy: DrainPolicy, now: datetime) -> None:
    """Write each outcome in one short transaction. Every update is guarded by the attempt
    number claimed: a worker whose lease ran out (someone else took the row over) records
    its attempt but leaves the row to the other."""
    from tortoise.transactions import in_transaction

    attempts: list[tuple[Any, ...]] = []
    successes: dict[tuple[str | None, str | None], list[tuple[int, int]]] = {}
    async with in_transaction():
        for s in sent:
            d, r = s.delivery, s.result
            if r.ok:
                outcome = AttemptOutcome.SUCCESS
                successes.setdefault((r.status, r.external_ref), []).append((d.id, d.attempt))
            else:
                final = r.permanent or d.attempt >= policy.max_attempts
                outcome = AttemptOutcome.FAILED if final else AttemptOutcome.RETRY
                delay = 0.0 if final else backoff(d.attempt, policy, r.retry_after)
                await sql.execute(
                    "UPDATE delivery SET status = ?, claimed_until = NULL, next_attempt_at = ?,"
                    " last_status = ?, last_error = ?, updated_at = ?"
                    " WHERE id = ? AND attempts = ? AND status = 'PENDING'",
                    [
                        (DeliveryStatus.FAILED if final else DeliveryStatus.PENDING).value,
                        now + timedelta(seconds=delay),
                        r.status,
                        (r.error or "failed")[:2000],
                        now,
                        d.id,
                        d.attempt,
                    ],
                )
            attempts.append(
                (d.id, d.attempt, s.at, outcome.value, r.status, s.duration_ms, r.error)
            )
        for (status, ref), rows in successes.items():
            await _mark_sent(rows, status, ref, now)
        await sql.insert_rows(
            "delivery_attempt",
            ("delivery_id", "attempt", "at", "outcome", "status", "duration_ms", "error"),
            attempts,
        )


async def _mark_sent(
    rows: list[tuple[int, int]], status: str | None, ref: str | None, now: datetime
) -> None:
    by_attempt: dict[int, list[int]] = {}
    for delivery_id, attempt in rows:
        by_attempt.setdefault(attempt, []).append(delivery_id)
    for attempt, ids in by_attempt.items():
        await sql.execute(
            "UPDATE delivery SET status = 'SUCCESS', claimed_until = NULL, sent_at = ?,"
            " last_status = ?, last_error = NULL, external_ref = ?, updated_at = ?"
            f" WHERE {sql.in_ids('id')} AND attempts = ? AND status = 'PENDING'",
            [now, status, ref, now, sql.ids(ids), attempt],
        )


def policy_of(settings: Any) -> DrainPolicy:
    return DrainPolicy(
        max_attempts=settings.outbox_max_attempts,
        backoff_base=settings.outbox_backoff,
        lease=settings.outbox_lease,
        concurrency=settings.outbox_concurrency,
    )
