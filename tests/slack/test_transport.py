"""The Slack transport against the stand-in: rate limits, outages and lost answers delay a
message, which then arrives exactly once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.slack.conftest import ALERT_CHANNEL, slack_settings
from tests.slack.store import late_po_store

from bobot.clock import ManualClock
from bobot.graphql.schema import create_schema
from bobot.models import Alert
from bobot.outbox.types import Channel, OutgoingDelivery, SendResult
from bobot.slack.routing import digest_delivery
from bobot.slack.standin import SlackStandIn, running_standin
from bobot.slack.transport import SlackTransport


def _top_level_posts(standin: SlackStandIn) -> list:
    return [c for c in standin.of("chat.postMessage") if not c.args.get("thread_ts")]


async def test_a_429_with_retry_after_and_a_503_delay_the_alert_which_then_arrives_once(bot):
    await late_po_store(bot.api)
    bot.standin.fail("chat.postMessage", 429, retry_after=7, error="ratelimited")
    bot.standin.fail("chat.postMessage", 503)

    [limited] = await bot.outbox.drain()
    assert (limited.ok, limited.permanent, limited.status, limited.retry_after) == (
        False, False, "429", 7.0,
    )  # fmt: skip
    [unavailable] = await bot.outbox.drain()
    assert (unavailable.ok, unavailable.permanent, unavailable.status) == (False, False, "503")
    assert bot.standin.messages == {}

    sent = await bot.outbox.drain()
    assert sent and all(r.ok for r in sent)
    stored = bot.standin.messages[ALERT_CHANNEL]
    keys = [m["metadata"]["event_payload"]["key"] for m in stored]
    assert len(stored) == len(set(keys)) == await Alert.all().count()  # each alert once
    assert len(bot.standin.of("chat.postMessage")) == 2 + len(stored)  # the refused two


async def test_a_retry_after_a_lost_answer_finds_the_message_instead_of_posting_again(
    bot,
):
    await late_po_store(bot.api)
    await bot.outbox.collect()
    first = bot.outbox.pending[0]
    await bot.outbox.drain()
    ok = bot.outbox.results[0]
    assert ok.ok
    # The same delivery tried again (its success was never recorded): nothing new is posted.
    again = await bot.outbox.transport.send(
        OutgoingDelivery(
            id=first.id, channel=Channel.SLACK, recipient=first.delivery.recipient,
            kind=first.delivery.kind, aggregate=first.delivery.aggregate,
            payload=first.delivery.payload, idempotency_key=first.delivery.idempotency_key,
            attempt=2, thread_ref=None,
        )
    )  # fmt: skip
    assert again.ok and again.external_ref == ok.external_ref
    assert len(_top_level_posts(bot.standin)) == len(bot.outbox.results)


def _digest(settings, *, attempt: int = 1) -> OutgoingDelivery:
    new = digest_delivery(datetime(2026, 11, 26).date(), settings)
    assert new is not None
    return OutgoingDelivery(
        id=1, channel=new.channel, recipient=new.recipient, kind=new.kind,
        aggregate=new.aggregate, payload=new.payload, idempotency_key=new.idempotency_key,
        attempt=attempt, thread_ref=None,
    )  # fmt: skip


@pytest.fixture
async def transport(db):
    async with running_standin() as standin:
        settings = slack_settings(db.url, standin.api_url)
        clock = ManualClock(datetime(2026, 11, 26, 9, tzinfo=UTC))
        yield SlackTransport(settings, create_schema(), clock=clock), standin, settings


async def test_other_slack_errors_are_permanent(transport):
    sender, standin, settings = transport
    standin.fail("chat.postMessage", 200, error="channel_not_found")
    result = await sender.send(_digest(settings))
    assert result == SendResult(ok=False, permanent=True, status="200", error="channel_not_found")
    standin.fail("chat.postMessage", 403, error="not_in_channel")
    assert (await sender.send(_digest(settings))).permanent


async def test_an_unreachable_web_api_is_a_retryable_failure(db):
    settings = slack_settings(db.url, "http://127.0.0.1:9/api/")  # nothing listens on port 9
    sender = SlackTransport(settings, create_schema())
    result = await sender.send(_digest(settings))
    assert not result.ok and not result.permanent and result.error


async def test_the_daily_digest_is_posted_to_the_alert_channel(transport):
    sender, standin, settings = transport
    result = await sender.send(_digest(settings))
    assert result.ok
    [post] = standin.of("chat.postMessage")
    assert post.args["channel"] == ALERT_CHANNEL
    assert post.args["text"].startswith("Daily digest: 0 shortages, 0 open alerts")


async def test_a_kind_the_transport_does_not_know_fails_for_good(transport):
    sender, _, settings = transport
    unknown = _digest(settings)
    result = await sender.send(
        OutgoingDelivery(**{**{f: getattr(unknown, f) for f in unknown.__slots__},
                            "kind": "order.confirmation"})
    )  # fmt: skip
    assert result.permanent and "order.confirmation" in (result.error or "")
