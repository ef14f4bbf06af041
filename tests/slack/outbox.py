"""A stand-in for the outbox (built on another branch): routes recorded events with the
Slack rules and sends the deliveries in order through the real transport, handing each the
first message's ts (``thread_ref``) and retrying what failed on the next ``drain``."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from types import SimpleNamespace

from bobot.config import Settings
from bobot.models import Event
from bobot.outbox.types import NewDelivery, OutgoingDelivery, SendResult
from bobot.slack.routing import RULES
from bobot.slack.transport import SlackTransport

_FIELDS = ("at", "kind", "actor_kind", "actor_id", "channel", "product_id", "subject_type",
           "subject_id", "data")  # fmt: skip


@dataclass
class Pending:
    id: int
    delivery: NewDelivery
    attempts: int = 0


@dataclass
class MiniOutbox:
    transport: SlackTransport
    settings: Settings
    cursor: int = 0
    pending: list[Pending] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)
    results: list[SendResult] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    async def collect(self) -> int:
        context = SimpleNamespace(settings=self.settings)
        events = await Event.filter(id__gt=self.cursor).order_by("id")
        for event in events:
            routed = SimpleNamespace(**{f: getattr(event, f) for f in _FIELDS}, uid=f"e{event.id}")
            for rule in RULES:
                for delivery in rule(routed, context):
                    self.pending.append(Pending(next(self._ids), delivery))
            self.cursor = event.id
        return len(self.pending)

    async def drain(self) -> list[SendResult]:
        """Send what is pending, in order; stop at the first retryable failure."""
        await self.collect()
        sent = []
        while self.pending:
            item = self.pending[0]
            item.attempts += 1
            d = item.delivery
            result = await self.transport.send(
                OutgoingDelivery(
                    id=item.id, channel=d.channel, recipient=d.recipient, kind=d.kind,
                    aggregate=d.aggregate, payload=d.payload, idempotency_key=d.idempotency_key,
                    attempt=item.attempts, thread_ref=self.refs.get(d.aggregate),
                )
            )  # fmt: skip
            sent.append(result)
            self.results.append(result)
            if not result.ok and not result.permanent:
                break
            self.pending.pop(0)
            if result.ok and result.external_ref:
                self.refs.setdefault(d.aggregate, result.external_ref)
        return sent
