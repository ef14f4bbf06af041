"""The Slack transport against the stand-in, drained by the real outbox: rate limits, outages
and lost answers delay a message, which then arrives exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.slack.conftest import ALERT_CHANNEL, slack_settings
from tests.slack.store import late_po_store

from bobot import outbox
from bobot.clock import ManualClock
from bobot.graphql.schema import create_schema
from bobot.models import Alert, Delivery, DeliveryAttempt, DeliveryStatus
from bobot.outbox.drain import policy_of
from bobot.outbox.types import Channel, OutgoingDelivery, SendResult
from bobot.slack.routing import digest_delivery
from bobot.slack.standin import SlackStandIn, running_standin
from bobot.slack.transport import HINTS, SlackTransport


def _top_level_posts(standin: SlackStandIn) -> list:
    return [c for c in standin.of("chat.postMessage") if not c.args.get("thread_ts")]


async def test_a_429_with_retry_after_and_a_503_delay_the_alert_which_then_arrives_once(bot):
    await late_po_store(bot.api)
    alerts = await Alert.all().count()
    bot.standin.fail("chat.postMessage", 429, retry_after=7, error="ratelimited")
    bot.standin.fail("chat.postMessage", 503)
    started = bot.api.clock.now()

    await bot.drain()
    rows = {r.last_status: r for r in await bot.slack_deliveries()}
    limited, unavailable = rows["429"], rows["503"]
    for row in (limited, unavailable):
        assert (row.status, row.attempts, row.external_ref) == (DeliveryStatus.PENDING, 1, None)
    assert limited.next_attempt_at == started + timedelta(seconds=7)  # Retry-After honoured
    assert started < unavailable.next_attempt_at <= started + timedelta(seconds=2)  # backoff
    assert len(bot.standin.messages[ALERT_CHANNEL]) == alerts - 2

    bot.api.clock.advance(seconds=2)  # the 503's backoff is over, not the Retry-After
    await bot.drain()
    limited = await Delivery.get(id=limited.id)
    assert (limited.status, limited.attempts) == (DeliveryStatus.PENDING, 1)
    assert (await Delivery.get(id=unavailable.id)).status is DeliveryStatus.SUCCESS

    bot.api.clock.advance(seconds=5)
    await bot.drain()
    rows = await bot.slack_deliveries()
    assert all(r.status is DeliveryStatus.SUCCESS for r in rows)
    stored = bot.standin.messages[ALERT_CHANNEL]
    keys = [m["metadata"]["event_payload"]["key"] for m in stored]
    assert len(stored) == len(set(keys)) == alerts == len(rows)  # each alert once
    assert sorted(keys) == sorted(r.idempotency_key for r in rows)
    assert len(bot.standin.of("chat.postMessage")) == 2 + alerts  # the refused two
    outcomes = await DeliveryAttempt.filter(delivery_id=limited.id).order_by("attempt")
    assert [(a.outcome.value, a.status) for a in outcomes] == [("RETRY", "429"), ("SUCCESS", "200")]


async def test_a_retry_after_a_lost_answer_finds_the_message_instead_of_posting_again(bot):
    """A worker posts the message and dies before recording it: once its lease runs out,
    the next worker's attempt finds the message by its key instead of posting it again."""
    await late_po_store(bot.api)
    policy = policy_of(bot.settings)
    [first] = await outbox.claim([Channel.SLACK], now=bot.api.clock.now(), lease=policy.lease,
                                 limit=1)  # fmt: skip
    lost = await bot.transport.send(first)  # sent, never recorded
    assert lost.ok and len(_top_level_posts(bot.standin)) == 1

    bot.api.clock.advance(seconds=policy.lease)
    await bot.drain()
    row = await Delivery.get(id=first.id)
    assert (row.status, row.attempts, row.external_ref) == (
        DeliveryStatus.SUCCESS, 2, lost.external_ref,
    )  # fmt: skip
    posts = _top_level_posts(bot.standin)
    assert len(posts) == len(await bot.slack_deliveries())  # one post per delivery
    assert [p.args["metadata"]["event_payload"]["key"] for p in posts].count(
        first.idempotency_key
    ) == 1


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
    assert result == SendResult(
        ok=False,
        permanent=True,
        status="200",
        error=f"channel_not_found: {HINTS['channel_not_found']}",
    )
    standin.fail("chat.postMessage", 403, error="not_in_channel")
    refused = await sender.send(_digest(settings))
    assert refused.permanent and refused.error == (
        "not_in_channel: invite the bot to SLACK_ALERT_CHANNEL (/invite @bobot there)"
    )
    standin.fail("chat.postMessage", 200, error="some_new_error")
    assert (await sender.send(_digest(settings))).error == "some_new_error"


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
