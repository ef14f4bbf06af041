"""The outbox's Slack transport: alerts posted once, then edited in place with thread replies.

- ``alert.opened`` (and any alert delivery whose message has no ``ts`` yet): ``chat.postMessage``
  to the alert channel; the message's ``ts`` becomes the delivery's ``external_ref``, which the
  outbox hands to the alert's later deliveries as ``thread_ref``.
- ``alert.updated`` / ``alert.resolved`` / ``switch.decided``: ``chat.update`` of that message
  (rendered from the alert as it is now, buttons only where they still apply), then a short
  reply in its thread.
- ``digest.daily``: the digest, posted to the channel.
- ``digest.weekly_insights``: the last :data:`INSIGHTS_WEEKS` weeks' insights, posted to the
  channel, with their chart (a PNG) uploaded into the message's thread through the Web API's
  two-step upload (``files.getUploadURLExternal``, the bytes, ``files.completeUploadExternal``).

Messages are rendered by running the bot's operations through the shared schema (read only,
no transaction of its own). Each post carries the delivery's idempotency key in its message
metadata; a retry first looks for a message with that key, so a post whose answer was lost is
not posted twice. 429 (with ``Retry-After``), 408, 409, 5xx and unreachable hosts are retryable;
any other Slack API error is permanent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from strawberry import Schema

from bobot.charts import weekly_chart, weeks_of_result
from bobot.clock import Clock, SystemClock
from bobot.config import Settings
from bobot.graphql.context import Viewer
from bobot.models import TokenRole
from bobot.outbox.types import Channel, OutgoingDelivery, SendResult
from bobot.services.context import Actor, Deps
from bobot.slack.blocks.alerts import alert_message, thread_reply
from bobot.slack.blocks.digest import digest_reply
from bobot.slack.blocks.insights import insights_blocks
from bobot.slack.blocks.text import Reply
from bobot.slack.client import web_client
from bobot.slack.runner import Operations

log = logging.getLogger("bobot.slack.transport")

ALERT_KINDS = frozenset({"alert.opened", "alert.updated", "alert.resolved", "switch.decided"})
DIGEST_KIND = "digest.daily"
INSIGHTS_KIND = "digest.weekly_insights"
INSIGHTS_WEEKS = 12
METADATA_TYPE = "bobot_delivery"
#: Slack error strings that mean "try again later" even without a 5xx status.
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "service_unavailable", "fatal_error", "internal_error", "request_timeout"}
)
RETRYABLE_STATUSES = frozenset({408, 409, 429})
#: What to do about the Slack errors an operator meets first, recorded with the failure.
HINTS = {
    "not_in_channel": "invite the bot to SLACK_ALERT_CHANNEL (/invite @bobot there)",
    "channel_not_found": "SLACK_ALERT_CHANNEL must be a channel ID (C...), of a channel the"
    " bot can see",
    "is_archived": "SLACK_ALERT_CHANNEL is archived: unarchive it or pick another",
    "invalid_auth": "SLACK_BOT_TOKEN is wrong or revoked",
    "not_authed": "SLACK_BOT_TOKEN is missing",
    "token_revoked": "SLACK_BOT_TOKEN was revoked: reinstall the app",
    "missing_scope": "the app lacks a scope: recreate it from slack/manifest.yml",
}

#: Who the transport reads as: staff, never an approver, recorded as the worker.
TRANSPORT_VIEWER = Viewer(role=TokenRole.STAFF, actor=Actor("system", "slack-transport", "worker"))


@dataclass(frozen=True, slots=True)
class Composed:
    """A delivery's message, and for a later change of an alert the reply in its thread."""

    message: Reply
    thread_reply: str | None = None
    chart: bytes | None = None  # a PNG uploaded into the message's thread


class Permanent(Exception):
    """A delivery that no retry can send (its alert is gone, an unknown kind)."""


def classify(error: SlackApiError) -> SendResult:
    """A Slack API failure as the outbox's result: retryable or permanent."""
    response = error.response
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    headers = getattr(response, "headers", None) or {}
    retry_after = None
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                retry_after = float(value)
            except ValueError:
                retry_after = None
    data = getattr(response, "data", None)
    code = data.get("error") if isinstance(data, dict) else None
    retryable = (
        status in RETRYABLE_STATUSES
        or (isinstance(status, int) and status >= 500)
        or code in TRANSIENT_ERRORS
    )
    return SendResult(
        ok=False,
        permanent=not retryable,
        status=str(status) if status is not None else None,
        retry_after=retry_after,
        error=f"{code}: {HINTS[code]}"
        if code in HINTS
        else code or str(error).splitlines()[0][:200],
    )


class SlackTransport:
    channel = Channel.SLACK

    def __init__(
        self,
        settings: Settings,
        schema: Schema,
        *,
        clock: Clock | None = None,
        client: Any = None,
    ) -> None:
        """``client``: the Web API (``SLACK_API_URL`` by default), or anything answering the
        same calls (:class:`bobot.slack.preview.PreviewClient`)."""
        # No in-process retries: the outbox retries, with backoff, and never loses a message.
        self.client = client or web_client(settings, retry_handlers=[], timeout=10)
        self.operations = Operations(schema, Deps(settings=settings, clock=clock or SystemClock()))

    async def send(self, delivery: OutgoingDelivery) -> SendResult:
        try:
            ref = await self._send(delivery)
        except SlackApiError as exc:
            result = classify(exc)
            log.warning("Slack delivery %s: %s (%s)", delivery.id, result.error, result.status)
            return result
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return SendResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:200])
        except Permanent as exc:
            return SendResult(ok=False, permanent=True, error=str(exc))
        status = getattr(self.client, "SENT_STATUS", "200")
        return SendResult(ok=True, status=status, external_ref=ref)

    async def _send(self, delivery: OutgoingDelivery) -> str:
        if delivery.kind in ALERT_KINDS:
            return await self._send_alert(delivery)
        if delivery.kind == DIGEST_KIND:
            return await self._send_digest(delivery)
        if delivery.kind == INSIGHTS_KIND:
            return await self._send_insights(delivery)
        raise Permanent(f"no Slack message for kind {delivery.kind!r}")

    async def _render(self, name: str, **variables: Any) -> dict[str, Any]:
        result = await self.operations.run(name, TRANSPORT_VIEWER, **variables)
        if result.codes or result.data is None:
            # A bug or a database hiccup: worth another try (the outbox gives up in the end).
            raise RuntimeError(f"{name}: {result.codes} {result.messages}")
        return result.data

    async def compose(self, delivery: OutgoingDelivery) -> Composed:
        """The message of ``delivery`` as it would be sent now (raises :class:`Permanent`
        for a kind it has no message for, or an alert that is gone)."""
        if delivery.kind == DIGEST_KIND:
            day = date.fromisoformat(str(delivery.payload["date"]))
            return Composed(digest_reply(await self._render("SlackDigest"), day))
        if delivery.kind == INSIGHTS_KIND:
            return await self._compose_insights(date.fromisoformat(str(delivery.payload["date"])))
        if delivery.kind not in ALERT_KINDS:
            raise Permanent(f"no Slack message for kind {delivery.kind!r}")
        alert_id = str(delivery.payload["alert_id"])
        alert = (await self._render("SlackAlert", id=alert_id))["alert"]
        if alert is None:
            raise Permanent(f"alert {alert_id} no longer exists")
        reply = (
            None
            if delivery.kind == "alert.opened"
            else thread_reply(delivery.kind, delivery.payload)
        )
        return Composed(alert_message(alert), reply)

    async def _compose_insights(self, monday: date) -> Composed:
        start = monday - timedelta(weeks=INSIGHTS_WEEKS)
        data = await self._render(
            "SlackInsights",
            **{"from": start.isoformat(), "to": (monday - timedelta(days=1)).isoformat()},
        )
        message = insights_blocks(data, f"the last {INSIGHTS_WEEKS} weeks")
        chart = weekly_chart(weeks_of_result(data["backorderInsights"]["weeks"]), message.text)
        return Composed(message, chart=chart)

    async def _send_alert(self, delivery: OutgoingDelivery) -> str:
        composed = await self.compose(delivery)
        message = composed.message
        if delivery.thread_ref is None:
            return await self._post_once(delivery, text=message.text, blocks=message.blocks)
        await self.client.chat_update(
            channel=delivery.recipient, ts=delivery.thread_ref, text=message.text,
            blocks=message.blocks,
        )  # fmt: skip
        reply = composed.thread_reply or thread_reply(delivery.kind, delivery.payload)
        return await self._post_once(delivery, text=reply, thread_ts=delivery.thread_ref)

    async def _send_digest(self, delivery: OutgoingDelivery) -> str:
        message = (await self.compose(delivery)).message
        return await self._post_once(delivery, text=message.text, blocks=message.blocks)

    async def _send_insights(self, delivery: OutgoingDelivery) -> str:
        composed = await self.compose(delivery)
        message = composed.message
        ts = await self._post_once(delivery, text=message.text, blocks=message.blocks)
        await self.client.files_upload_v2(
            channel=delivery.recipient,
            thread_ts=ts,
            content=composed.chart,
            filename=f"insights-{delivery.payload['date']}.png",
            title=message.text,
        )
        return ts

    async def _post_once(
        self, delivery: OutgoingDelivery, *, text: str, thread_ts: str | None = None, **extra: Any
    ) -> str:
        """``chat.postMessage``, unless an earlier attempt already posted it."""
        if delivery.attempt > 1:
            found = await self._posted(delivery.recipient, delivery.idempotency_key, thread_ts)
            if found is not None:
                return found
        response = await self.client.chat_postMessage(
            channel=delivery.recipient,
            text=text,
            thread_ts=thread_ts,
            metadata={
                "event_type": METADATA_TYPE,
                "event_payload": {"key": delivery.idempotency_key},
            },
            unfurl_links=False,
            unfurl_media=False,
            **extra,
        )
        return str(response["ts"])

    async def _posted(self, channel: str, key: str, thread_ts: str | None) -> str | None:
        """The ts of a recent message (or thread reply) carrying idempotency key ``key``."""
        if thread_ts is None:
            response = await self.client.conversations_history(
                channel=channel, limit=100, include_all_metadata=True
            )
        else:
            response = await self.client.conversations_replies(
                channel=channel, ts=thread_ts, limit=200, include_all_metadata=True
            )
        for message in response.get("messages") or []:
            metadata: Mapping[str, Any] = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == METADATA_TYPE and payload.get("key") == key:
                return str(message["ts"])
        return None
