"""Alerts and proposals of one batch of products, read and written as sets.

The scan calls these under the batch's product locks: one statement reads the unresolved
alerts (with the state of their proposals), one the proposals the rules must know about,
and a plan from :func:`bobot.domain.alerts.diff` is written with one statement per kind of
change (opened, updated, resolved, expired) plus one batch of events, however many alerts
it touches.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bobot import sql
from bobot.domain import alerts
from bobot.domain import events as typed
from bobot.domain.gaps import GapKind, SuggestedAction
from bobot.services.context import Actor
from bobot.services.gap_facts import as_datetime
from bobot.services.history import PendingEvent, record, typed_event

_DECIDED = [status.value for status in alerts.DECIDED]


def dedupe_key(product_id: int, kind: GapKind) -> str:
    return f"{product_id}:{kind.value}"


async def load_alerts(product_ids: Sequence[int]) -> dict[alerts.AlertKey, alerts.ExistingAlert]:
    """The unresolved alerts of ``product_ids``, each with whether its proposal is live."""
    rows = await sql.fetch(
        "SELECT a.id, a.product_id, a.kind, a.cause, a.severity, a.suggested_action, a.status,"
        "       a.snoozed_until, a.switch_id, s.status"
        "  FROM alert a LEFT JOIN supplier_switch s ON s.id = a.switch_id"
        f" WHERE a.dedupe_key IS NOT NULL AND {sql.in_ids('a.product_id')}",
        [sql.ids(product_ids)],
    )
    found = {}
    for aid, pid, kind, cause, severity, action, status, snoozed, switch_id, switch in rows:
        alert = alerts.ExistingAlert(
            id=aid,
            product_id=pid,
            kind=GapKind(kind),
            cause=cause,
            severity=severity,
            suggested_action=SuggestedAction(action),
            status=alerts.AlertStatus(status),
            snoozed_until=as_datetime(snoozed) if snoozed is not None else None,
            switch_id=switch_id,
            switch_live=switch == alerts.SwitchStatus.PROPOSED.value,
        )
        found[alert.key] = alert
    return found


@dataclass(slots=True)
class KnownProposals:
    """What the scan must know of a batch's proposals before it proposes."""

    #: per product: basis -> id of a live proposal no alert carries (one staff asked for)
    loose: dict[int, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    #: per product: the bases of decided proposals, not to be proposed again
    decided: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))


async def load_proposals(product_ids: Sequence[int], carried: set[int | None]) -> KnownProposals:
    rows = await sql.fetch(
        "SELECT id, product_id, status, basis FROM supplier_switch"
        f" WHERE {sql.in_ids('product_id')}"
        f"   AND (status = ? OR (status IN ({sql.placeholders(len(_DECIDED))}) AND basis <> ''))",
        [sql.ids(product_ids), alerts.SwitchStatus.PROPOSED.value, *_DECIDED],
    )
    known = KnownProposals()
    for sid, pid, status, basis in rows:
        if status != alerts.SwitchStatus.PROPOSED.value:
            known.decided[pid].add(basis)
        elif sid not in carried and basis:
            known.loose[pid].setdefault(basis, sid)
    return known


@dataclass(slots=True)
class Written:
    opened: int = 0
    updated: int = 0
    resolved: int = 0


async def persist(plan: alerts.AlertPlan, *, actor: Actor, now: datetime) -> Written:
    """Write ``plan`` and one event per change, in the caller's transaction."""
    events: list[PendingEvent] = []
    if plan.open:
        events += await _open(plan.open, actor=actor, now=now)
    if plan.update:
        await _update(plan.update, now=now)
        for change in plan.update:
            events += _update_events(change, actor=actor, now=now)
    if plan.resolve:
        await sql.execute(
            "UPDATE alert SET status = ?, dedupe_key = NULL, switch_id = NULL,"
            f" resolved_at = ?, updated_at = ? WHERE {sql.in_ids('id')}",
            [alerts.AlertStatus.RESOLVED.value, now, now, sql.ids(a.id for a in plan.resolve)],
        )
        events += [
            _alert_event(
                typed.AlertResolved(alert_kind=a.kind.value, cause=a.cause, severity=a.severity),
                a.id,
                a.product_id,
                actor,
                now,
            )
            for a in plan.resolve
        ]
    if plan.expire:
        await sql.execute(
            "UPDATE supplier_switch SET status = ?, decided_at = ?, decided_by = ?"
            f" WHERE {sql.in_ids('id')} AND status = ?",
            [
                alerts.SwitchStatus.EXPIRED.value,
                now,
                "system",
                sql.ids(sid for sid, _ in plan.expire),
                alerts.SwitchStatus.PROPOSED.value,
            ],
        )  # the product locks keep every one of them PROPOSED until here
        events += [
            typed_event(typed.SwitchExpired(), actor=actor, at=now, subject_id=sid, product_id=pid)
            for sid, pid in plan.expire
        ]
    await record(events)
    return Written(len(plan.open), len(plan.update), len(plan.resolve))


async def _open(
    opened: Sequence[alerts.WantedAlert], *, actor: Actor, now: datetime
) -> list[PendingEvent]:
    at = sql.adapt(now)
    columns = (
        "product_id", "kind", "cause", "suggested_action", "severity", "status", "dedupe_key",
        "switch_id", "created_at", "updated_at",
    )  # fmt: skip
    rows = [
        (w.product_id, w.kind.value, w.cause, w.suggested_action.value, w.severity,
         alerts.AlertStatus.OPEN.value, dedupe_key(w.product_id, w.kind), w.switch_id, at, at)
        for w in opened
    ]  # fmt: skip
    await sql.insert_rows("alert", columns, rows, adapted=True)
    keys = {dedupe_key(w.product_id, w.kind): w for w in opened}
    rows_back = await sql.fetch(
        f"SELECT id, dedupe_key FROM alert WHERE {sql.in_ids('product_id')}"
        " AND dedupe_key IS NOT NULL",
        [sql.ids({w.product_id for w in opened})],
    )
    return [
        _alert_event(
            typed.AlertOpened(
                alert_kind=keys[key].kind.value, cause=keys[key].cause, severity=keys[key].severity
            ),
            aid,
            keys[key].product_id,
            actor,
            now,
        )
        for aid, key in sorted(rows_back)
        if key in keys
    ]


_UPDATE_COLUMNS = (
    ("id", "bigint"),
    ("cause", "text"),
    ("severity", "int"),
    ("action", "text"),
    ("switch_id", "bigint"),
    ("status", "text"),
    ("reopen", "bool"),
)


async def _update(updates: Sequence[alerts.AlertUpdate], *, now: datetime) -> None:
    rows = []
    for u in updates:
        status = alerts.AlertStatus.OPEN if u.reopen else u.alert.status
        w = u.wanted
        rows.append(
            (u.alert.id, w.cause, w.severity, w.suggested_action.value, w.switch_id,
             status.value, u.reopen)
        )  # fmt: skip
    values, params = _values_table(_UPDATE_COLUMNS, rows)
    await sql.execute(
        "UPDATE alert AS a SET cause = v.cause, severity = v.severity,"
        " suggested_action = v.action, switch_id = v.switch_id, status = v.status,"
        " snoozed_until = CASE WHEN v.reopen THEN NULL ELSE a.snoozed_until END,"
        f" updated_at = ? FROM {values} WHERE a.id = v.id",
        [now, *params],
    )


def _values_table(
    columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]
) -> tuple[str, list[Any]]:
    """A FROM item ``v`` with the given columns and rows, whatever their number: one array
    parameter per column on PostgreSQL, one JSON parameter on SQLite."""
    names = ", ".join(name for name, _ in columns)
    if sql.dialect() == "postgres":
        arrays = ", ".join(f"?::{kind}[]" for _, kind in columns)
        return f"unnest({arrays}) AS v({names})", [list(c) for c in zip(*rows, strict=True)]
    picks = ", ".join(f"json_extract(value, '$[{i}]') AS {n}" for i, (n, _) in enumerate(columns))
    return f"(SELECT {picks} FROM json_each(?)) AS v", [json.dumps([list(r) for r in rows])]


def _update_events(
    change: alerts.AlertUpdate, *, actor: Actor, now: datetime
) -> list[PendingEvent]:
    a, w = change.alert, change.wanted
    found = []
    if change.changes:
        changed = {
            name: {"from": _plain(old), "to": _plain(new)}
            for name, (old, new) in change.changes.items()
        }
        updated = typed.AlertUpdated(
            alert_kind=a.kind.value,
            cause=changed.get("cause"),
            severity=changed.get("severity"),
            suggested_action=changed.get("suggested_action"),
            switch_id=changed.get("switch_id"),
        )
        found.append(_alert_event(updated, a.id, a.product_id, actor, now))
    if change.reopen:
        reopened = typed.AlertReopened(alert_kind=a.kind.value, cause=w.cause, severity=w.severity)
        found.append(_alert_event(reopened, a.id, a.product_id, actor, now))
    return found


def _plain(value: object) -> object:
    return value.value if isinstance(value, SuggestedAction) else value


def _alert_event(
    payload: typed.EventPayload, alert_id: int, product_id: int, actor: Actor, now: datetime
) -> PendingEvent:
    return typed_event(payload, actor=actor, at=now, subject_id=alert_id, product_id=product_id)
