"""The Slack routing rules, pure: recorded events in, deliveries out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from bobot.config import Settings
from bobot.outbox.types import Channel
from bobot.services.base import Actor
from bobot.services.history import EventKind, event
from bobot.slack.routing import digest_delivery, slack_alert_rule

AT = datetime(2026, 12, 14, 9, 5, tzinfo=UTC)
ON = Settings(slack_bot_token="xoxb-1", slack_signing_secret="s", slack_alert_channel="C0ALERTS")


class Context:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings


def _alert_event(kind: EventKind, alert_id: int = 12, **data):
    return event(kind, actor=Actor("slack", "U0ANA", "slack"), at=AT, subject_type="alert",
                 subject_id=alert_id, product_id=3, cause="late", severity=80, **data)  # fmt: skip


def test_an_opened_alert_becomes_one_slack_post_keyed_by_the_alert():
    [delivery] = slack_alert_rule(_alert_event(EventKind.ALERT_OPENED), Context(ON))
    assert (delivery.channel, delivery.recipient, delivery.kind, delivery.aggregate) == (
        Channel.SLACK, "C0ALERTS", "alert.opened", "alert:12",
    )  # fmt: skip
    assert delivery.payload["alert_id"] == 12 and delivery.payload["cause"] == "late"
    assert delivery.payload["actor"] == "slack:U0ANA via slack"


def test_later_changes_of_the_alert_share_its_aggregate():
    kinds = {
        EventKind.ALERT_ACKNOWLEDGED: "alert.updated",
        EventKind.ALERT_SNOOZED: "alert.updated",
        EventKind.ALERT_REOPENED: "alert.updated",
        EventKind.ALERT_RESOLVED: "alert.resolved",
    }
    for kind, delivery_kind in kinds.items():
        [delivery] = slack_alert_rule(_alert_event(kind), Context(ON))
        assert (delivery.kind, delivery.aggregate) == (delivery_kind, "alert:12"), kind


def test_a_switch_decision_goes_to_each_alert_that_shows_the_switch():
    decided = event(EventKind.SWITCH_APPROVED, actor=Actor("slack", "U0ANA", "slack"), at=AT,
                    subject_type="supplier_switch", subject_id=4, product_id=3,
                    purchase_order="PO-1002", alert_ids=[12, 13])  # fmt: skip
    deliveries = slack_alert_rule(decided, Context(ON))
    assert [(d.kind, d.aggregate) for d in deliveries] == [
        ("switch.decided", "alert:12"), ("switch.decided", "alert:13"),
    ]  # fmt: skip
    assert deliveries[0].idempotency_key != deliveries[1].idempotency_key


def test_keys_are_stable_for_one_event_and_differ_for_another():
    snoozed = _alert_event(EventKind.ALERT_SNOOZED, until="x")
    [one] = slack_alert_rule(snoozed, Context(ON))
    [same] = slack_alert_rule(snoozed, Context(ON))
    [other] = slack_alert_rule(_alert_event(EventKind.ALERT_SNOOZED, until="x"), Context(ON))
    assert one.idempotency_key == same.idempotency_key != other.idempotency_key


def test_other_events_and_an_unconfigured_slack_route_nothing():
    placed = event(EventKind.ORDER_PLACED, actor=Actor("storefront", "shop", "api"), at=AT,
                   subject_type="order", subject_id=1)  # fmt: skip
    assert slack_alert_rule(placed, Context(ON)) == []
    opened = _alert_event(EventKind.ALERT_OPENED)
    assert slack_alert_rule(opened, Context(replace(ON, slack_alert_channel=""))) == []
    off = replace(ON, slack_bot_token="", env="production")  # (development: see test_preview)
    assert slack_alert_rule(opened, Context(off)) == []


def test_the_daily_digest_is_one_delivery_a_day():
    first = digest_delivery(date(2026, 12, 14), ON)
    again = digest_delivery(date(2026, 12, 14), ON)
    assert first is not None and again is not None
    assert first.kind == "digest.daily" and first.idempotency_key == again.idempotency_key
    assert digest_delivery(date(2026, 12, 14), Settings(env="production")) is None
