"""What the outbox and its channel adapters share (pure: no ORM, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol


class Channel(str, Enum):
    EMAIL = "EMAIL"
    SLACK = "SLACK"
    WEBHOOK = "WEBHOOK"
    #: Work for the worker itself (the gap scan after new backorders), drained the same way.
    JOB = "JOB"


class DeliveryStatus(str, Enum):
    PENDING = "PENDING"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"


class AttemptOutcome(str, Enum):
    SUCCESS = "SUCCESS"
    RETRY = "RETRY"  # failed, tried again later
    FAILED = "FAILED"  # failed for good: permanent, or the last attempt


@dataclass(frozen=True, slots=True)
class NewDelivery:
    """What a routing rule returns; :func:`bobot.outbox.enqueue` writes it."""

    channel: Channel
    recipient: str  # EMAIL: address; SLACK: channel id; WEBHOOK: str(subscription id)
    kind: str  # message kind ("alert.opened", "order.confirmation", a webhook event name)
    aggregate: str  # ordering key: "alert:12", "backorder:5", "order:7"
    payload: Mapping[str, Any]  # JSON-serialisable; what the transport needs
    idempotency_key: str  # stable and unique; becomes Message-ID / webhook-id / dedupe key


@dataclass(frozen=True, slots=True)
class RowDelivery:
    """A delivery per row of a table, built by the database (see
    :func:`bobot.outbox.enqueue.deliveries_from`): each part but the channel and kind is an
    SQL expression over the row, whatever alias the statement gives it (``{row}``)."""

    channel: Channel
    kind: str
    recipient: str
    aggregate: str
    payload: Mapping[str, str]  # key: SQL expression
    key: str  # after the caller's key prefix: "'.' || {row}.id || '.ready'"


@dataclass(frozen=True, slots=True)
class OutgoingDelivery:
    """What a transport is handed."""

    id: int
    channel: Channel
    recipient: str
    kind: str
    aggregate: str
    payload: Mapping[str, Any]
    idempotency_key: str
    attempt: int  # 1 for the first try
    #: external_ref of the first SUCCESS delivery with the same (aggregate, channel,
    #: recipient): Slack's message ts, so that an update edits that message.
    thread_ref: str | None


@dataclass(frozen=True, slots=True)
class SendResult:
    ok: bool
    permanent: bool = False  # not worth retrying (4xx other than 408/409/429; SMTP 5xx)
    status: str | None = None  # HTTP status code or SMTP reply, recorded on the attempt
    retry_after: float | None = None  # seconds, from a Retry-After header
    external_ref: str | None = None  # Slack ts, Message-ID, ... stored on the delivery
    error: str | None = None


class Transport(Protocol):
    """Sends one delivery. Never opens a database transaction. May raise: an exception
    counts as a retryable failure."""

    channel: Channel

    async def send(self, delivery: OutgoingDelivery) -> SendResult: ...


def http_result(status: int, retry_after: str | None = None) -> SendResult:
    """An HTTP answer classified: 2xx sent; 408, 409, 429 and 5xx retried; other 4xx (and
    anything else unexpected) permanent."""
    if 200 <= status < 300:
        return SendResult(ok=True, status=str(status))
    retryable = status >= 500 or status in (408, 409, 429)
    return SendResult(
        ok=False,
        permanent=not retryable,
        status=str(status),
        retry_after=parse_retry_after(retry_after),
        error=f"HTTP {status}",
    )


def smtp_result(code: int, message: str = "") -> SendResult:
    """An SMTP reply classified: 2xx sent, 4xx retried, 5xx permanent."""
    reply = f"{code} {message}".strip()
    if 200 <= code < 300:
        return SendResult(ok=True, status=reply)
    return SendResult(ok=False, permanent=code >= 500, status=reply, error=reply)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the HTTP-date form is not honoured: None)."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(seconds, 0.0)
