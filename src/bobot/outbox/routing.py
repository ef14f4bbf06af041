"""Who is told of an event: pure rules over the event, the settings and the subscriptions.

``RULES`` holds one callable per channel's rule, ``rule(event, context) -> Iterable[
NewDelivery]``; adapters append theirs (Slack: alerts and switches). Webhooks are the one
channel whose recipients live in the database: :func:`webhook_event` decides whether and
what an event publishes, and :func:`bobot.outbox.enqueue` fans it out to the matching
subscriptions in the same statement as the other deliveries, so that recording an event
never costs a read of the subscriptions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bobot.config import Settings
from bobot.domain.events import PAYLOADS, public_data
from bobot.outbox.types import Channel, NewDelivery


class RoutedEvent(Protocol):
    """The typed event being recorded (``bobot.services.history.PendingEvent``)."""

    @property
    def uid(self) -> str: ...  # unique per event: the root of its deliveries' keys
    @property
    def at(self) -> datetime: ...
    @property
    def kind(self) -> str: ...
    @property
    def actor_kind(self) -> str: ...
    @property
    def actor_id(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def product_id(self) -> int | None: ...
    @property
    def subject_type(self) -> str: ...
    @property
    def subject_id(self) -> int: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class WebhookSubscriptionView:
    id: int
    events: frozenset[str]
    active: bool = True


@dataclass(frozen=True, slots=True)
class RoutingContext:
    settings: Settings = field(default_factory=Settings)
    #: The subscriptions, when the caller has them (tests, previews). ``record()`` leaves
    #: this None: the database matches subscriptions (see the module's docstring).
    webhook_subscriptions: tuple[WebhookSubscriptionView, ...] | None = None


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """An event as published to every subscription to ``name``."""

    name: str
    aggregate: str
    body: Mapping[str, Any]  # {"type", "version", "timestamp", "data"}
    key_prefix: str  # a delivery's webhook-id is f"{key_prefix}_{subscription id}"

    def key(self, subscription_id: int) -> str:
        return f"{self.key_prefix}_{subscription_id}"


_current = RoutingContext()


def configure(settings: Settings) -> None:
    """Set the context :func:`bobot.services.history.record` routes with (called once by
    the entry points: the web app, the worker, the command line)."""
    global _current
    _current = RoutingContext(settings=settings)


def current() -> RoutingContext:
    return _current


Rule = Callable[[RoutedEvent, RoutingContext], Iterable[NewDelivery]]

#: The history kinds whose product the gap scan looks at soon after they happen.
GAP_SCAN_KINDS = frozenset({"BACKORDER_CREATED"})
GAP_SCAN = "gap_scan"


def gap_scan_rule(event: RoutedEvent, context: RoutingContext) -> Iterable[NewDelivery]:
    """A new backorder may open a gap: a job row for the worker's follower
    (:mod:`bobot.services.gap_follower`), committed with the backorder itself."""
    if event.kind not in GAP_SCAN_KINDS or event.product_id is None:
        return ()
    return (
        NewDelivery(
            channel=Channel.JOB,
            recipient=GAP_SCAN,
            kind=GAP_SCAN,
            aggregate=f"product:{event.product_id}",
            payload={"product_id": event.product_id},
            idempotency_key=f"{event.uid}.{GAP_SCAN}",
        ),
    )


def webhook_rule(event: RoutedEvent, context: RoutingContext) -> Iterable[NewDelivery]:
    """WEBHOOK deliveries, when the context carries the subscriptions."""
    published = webhook_event(event)
    if published is None or context.webhook_subscriptions is None:
        return ()
    return [
        NewDelivery(
            channel=Channel.WEBHOOK,
            recipient=str(s.id),
            kind=published.name,
            aggregate=published.aggregate,
            payload=published.body,
            idempotency_key=published.key(s.id),
        )
        for s in context.webhook_subscriptions
        if s.active and published.name in s.events
    ]


def email_rule(event: RoutedEvent, context: RoutingContext) -> Iterable[NewDelivery]:
    """Customer email (:func:`bobot.mail.routing.email_rule`; imported when first used, as
    the mail package builds on this one)."""
    from bobot.mail.routing import email_rule as rule

    return rule(event, context)


def slack_rule(event: RoutedEvent, context: RoutingContext) -> Iterable[NewDelivery]:
    """Alerts and switch decisions in the alert channel (:mod:`bobot.slack.routing`; imported
    when first used, as the Slack package builds on this one)."""
    from bobot.slack.routing import slack_alert_rule

    return slack_alert_rule(event, context)


RULES: list[Rule] = [gap_scan_rule, webhook_rule, email_rule, slack_rule]


def route(event: RoutedEvent, context: RoutingContext) -> list[NewDelivery]:
    return [delivery for rule in RULES for delivery in rule(event, context)]


def webhook_event(event: RoutedEvent) -> WebhookEvent | None:
    published = public_data(event.kind, event.subject_id, event.product_id, dict(event.data))
    if published is None:
        return None
    name, data = published
    return WebhookEvent(
        name=name,
        aggregate=f"{event.subject_type}:{event.subject_id}",
        body={
            "type": name,
            "version": PAYLOADS[event.kind].VERSION,
            "timestamp": event.at.isoformat(),
            "data": data,
        },
        key_prefix=f"msg_{event.uid}",
    )
