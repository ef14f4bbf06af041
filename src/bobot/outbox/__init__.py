"""The outbox: every email, Slack message, webhook (and the worker's own jobs) as a
delivery row written in the transaction of the change that causes it, drained by the
worker. See ``docs/events/`` for the public webhook payloads.

- :mod:`bobot.outbox.types`: the interface shared with the channel adapters.
- :mod:`bobot.outbox.routing`: who is told of an event (pure rules, ``RULES``).
- :mod:`bobot.outbox.enqueue`: writing deliveries (one statement).
- :mod:`bobot.outbox.drain`: claiming, sending, recording attempts, retrying.
- :mod:`bobot.outbox.webhooks`: the webhook transport (email's is :mod:`bobot.mail.transport`).
"""

from __future__ import annotations

from typing import Any

from bobot.clock import Clock, SystemClock
from bobot.config import Settings
from bobot.outbox.drain import DrainPolicy, claim, drain
from bobot.outbox.enqueue import enqueue
from bobot.outbox.types import (
    Channel,
    DeliveryStatus,
    NewDelivery,
    OutgoingDelivery,
    SendResult,
    Transport,
)

__all__ = [
    "Channel",
    "DeliveryStatus",
    "DrainPolicy",
    "NewDelivery",
    "OutgoingDelivery",
    "SendResult",
    "Transport",
    "claim",
    "drain",
    "enqueue",
    "transports",
]


def transports(
    settings: Settings, schema: Any = None, clock: Clock | None = None
) -> dict[Channel, Transport]:
    """The transports the worker sends with: webhooks always, email unless in production
    without SMTP (:mod:`bobot.mail.transport`), Slack when configured
    (:class:`bobot.slack.transport.SlackTransport`, rendering through ``schema``)."""
    from bobot.mail.transport import MailTransport
    from bobot.outbox.webhooks import WebhookTransport

    built: dict[Channel, Transport] = {
        Channel.WEBHOOK: WebhookTransport(
            timeout=settings.webhook_timeout,
            production=not settings.debug,
            allow_private=settings.webhook_allow_private,
        )
    }
    mail = MailTransport.from_settings(settings, clock or SystemClock())
    if mail is not None:
        built[Channel.EMAIL] = mail
    if settings.slack_enabled:
        from bobot.graphql.schema import create_schema
        from bobot.slack.transport import SlackTransport

        built[Channel.SLACK] = SlackTransport(
            settings, schema if schema is not None else create_schema(), clock=clock
        )
    return built
