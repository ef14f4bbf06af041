"""The Slack routing rules: which recorded events become Slack deliveries (pure).

The outbox's router (``bobot.outbox.routing.RULES``) calls :func:`slack_alert_rule`.
An alert's deliveries share the aggregate ``alert:<id>`` and go to ``SLACK_ALERT_CHANNEL``:
the outbox sends them in order and hands each the ``ts`` of the first (``thread_ref``), so
the first posts the message and every later one edits it and replies in its thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from bobot.config import Settings
from bobot.outbox.types import Channel, NewDelivery
from bobot.slack.preview import PREVIEW_CHANNEL

if TYPE_CHECKING:
    from bobot.outbox.routing import RoutedEvent, RoutingContext

#: Event kind -> delivery kind, for events whose subject is an alert.
ALERT_EVENTS: Mapping[str, str] = {
    "ALERT_OPENED": "alert.opened",
    "ALERT_UPDATED": "alert.updated",
    "ALERT_ACKNOWLEDGED": "alert.updated",
    "ALERT_SNOOZED": "alert.updated",
    "ALERT_REOPENED": "alert.updated",
    "ALERT_RESOLVED": "alert.resolved",
}
#: Decisions on a supplier switch; their data names the alert that proposed it.
SWITCH_EVENTS = frozenset({"SWITCH_APPROVED", "SWITCH_REJECTED"})


def _alert_ids(event: RoutedEvent) -> list[int]:
    if event.subject_type == "alert" and event.kind in ALERT_EVENTS:
        return [event.subject_id]
    if event.subject_type == "supplier_switch" and event.kind in SWITCH_EVENTS:
        return [int(i) for i in event.data.get("alert_ids") or ()]
    return []


def alert_channel(settings: Settings) -> str | None:
    """Where the bot's own messages go: ``SLACK_ALERT_CHANNEL`` when Slack is configured; in
    development without Slack, that channel or a stand-in name (they are only logged, see
    :mod:`bobot.slack.preview`); otherwise nowhere."""
    if settings.slack_enabled:
        return settings.slack_alert_channel or None
    if settings.slack_preview:
        return settings.slack_alert_channel or PREVIEW_CHANNEL
    return None


def slack_alert_rule(event: RoutedEvent, context: RoutingContext) -> list[NewDelivery]:
    """Alert opened / updated / resolved and switch decided -> a SLACK delivery per alert."""
    channel = alert_channel(context.settings)
    if channel is None:
        return []
    kind = ALERT_EVENTS.get(event.kind, "switch.decided")
    deliveries = []
    for alert_id in _alert_ids(event):
        payload: dict[str, Any] = {
            **event.data,
            "alert_id": alert_id,
            "event": event.kind,
            "subject": f"{event.subject_type}:{event.subject_id}",
            "at": event.at.isoformat(),
            "actor": f"{event.actor_kind}:{event.actor_id} via {event.channel}",
        }
        deliveries.append(
            NewDelivery(
                channel=Channel.SLACK,
                recipient=channel,
                kind=kind,
                aggregate=f"alert:{alert_id}",
                payload=payload,
                idempotency_key=f"slack:{kind}:{alert_id}:{event.uid}",
            )
        )
    return deliveries


def _digest(kind: str, aggregate: str, day: date, settings: Settings) -> NewDelivery | None:
    channel = alert_channel(settings)
    if channel is None:
        return None
    return NewDelivery(
        channel=Channel.SLACK,
        recipient=channel,
        kind=kind,
        aggregate=f"{aggregate}:{day.isoformat()}",
        payload={"date": day.isoformat()},
        idempotency_key=f"slack:{kind}:{channel}:{day.isoformat()}",
    )


def digest_delivery(day: date, settings: Settings) -> NewDelivery | None:
    """The daily digest of ``day`` for the alert channel (None when Slack is off).

    The worker enqueues it at ``SLACK_DIGEST_AT``; its key makes a second
    enqueue of the same day (another worker) the same delivery.
    """
    return _digest("digest.daily", "digest", day, settings)


def insights_digest_delivery(monday: date, settings: Settings) -> NewDelivery | None:
    """The weekly insights digest (the weeks before ``monday``, with a chart) for the alert
    channel (None when Slack is off); one per week, by its key."""
    return _digest("digest.weekly_insights", "insights", monday, settings)


#: The rules this package adds to the outbox's router.
RULES = (slack_alert_rule,)
