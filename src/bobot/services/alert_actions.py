"""Staff actions on alerts: acknowledge and snooze, each recorded in the history."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from bobot.domain import events as typed
from bobot.domain import gaps as rules
from bobot.errors import Conflict, InvalidInput, NotFound
from bobot.models import Alert, AlertStatus
from bobot.services.context import Actor, Deps
from bobot.services.history import PendingEvent, record, typed_event


def _alert_event(
    payload: typed.EventPayload, alert: Alert, actor: Actor, now: datetime
) -> PendingEvent:
    return typed_event(
        payload, actor=actor, at=now, subject_id=alert.id, product_id=alert.product_id
    )


async def _alert(alert_id: int) -> Alert:
    alert = await Alert.filter(id=alert_id).select_for_update().first()
    if alert is None:
        raise NotFound(f"No alert has id {alert_id}.", field=["id"])
    return alert


async def acknowledge_alert(*, alert_id: int, actor: Actor, deps: Deps) -> Alert:
    now = deps.now()
    async with in_transaction():
        alert = await _alert(alert_id)
        if alert.status is AlertStatus.RESOLVED:
            raise Conflict(f"Alert {alert_id} is already resolved.", field=["id"])
        alert.status, alert.snoozed_until, alert.updated_at = AlertStatus.ACKNOWLEDGED, None, now
        await alert.save(update_fields=["status", "snoozed_until", "updated_at"])
        payload = typed.AlertAcknowledged(
            alert_kind=rules.GapKind(alert.kind).value, cause=alert.cause, severity=alert.severity
        )
        await record([_alert_event(payload, alert, actor, now)])
    return alert


async def snooze_alert(*, alert_id: int, until: datetime, actor: Actor, deps: Deps) -> Alert:
    now = deps.now()
    if until <= now:
        raise InvalidInput("until must be in the future.", field=["until"])
    async with in_transaction():
        alert = await _alert(alert_id)
        if alert.status is AlertStatus.RESOLVED:
            raise Conflict(f"Alert {alert_id} is already resolved.", field=["id"])
        alert.status, alert.snoozed_until, alert.updated_at = AlertStatus.SNOOZED, until, now
        await alert.save(update_fields=["status", "snoozed_until", "updated_at"])
        snoozed = typed.AlertSnoozed(
            alert_kind=rules.GapKind(alert.kind).value,
            cause=alert.cause,
            severity=alert.severity,
            until=until.isoformat(),
        )
        await record([_alert_event(snoozed, alert, actor, now)])
    return alert
