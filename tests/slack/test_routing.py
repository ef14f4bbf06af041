"""The Slack routing rules, pure: recorded events in, deliveries out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from bobot.config import Settings
from bobot.domain import events as typed
from bobot.outbox.types import Channel
from bobot.services.context import Actor
from bobot.services.history import typed_event
from bobot.slack.routing import digest_delivery, slack_alert_rule

AT = datetime(2026, 12, 14, 9, 5, tzinfo=UTC)
ON = Settings(slack_bot_token="xoxb-1", slack_signing_secret="s", slack_alert_channel="C0ALERTS")


class Context:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings


def _alert_event(kind: type[typed.AlertOpened], alert_id: int = 12, **data):
    payload = kind(alert_kind="PO_LATE", cause="late", severity=80, **data)
    return typed_event(payload, actor=Actor("slack", "U0ANA", "slack"), at=AT,
                       subject_id=alert_id, product_id=3)  # fmt: skip


def test_an_opened_alert_becomes_one_slack_post_keyed_by_the_alert():
    [delivery] = slack_alert_rule(_alert_event(typed.AlertOpened), Context(ON))
    assert (delivery.channel, delivery.recipient, delivery.kind, delivery.aggregate) == (
        Channel.SLACK, "C0ALERTS", "alert.opened", "alert:12",
    )  # fmt: skip
    assert delivery.payload["alert_id"] == 12 and delivery.payload["cause"] == "late"
    assert delivery.payload["actor"] == "slack:U0ANA via slack"


def test_later_changes_of_the_alert_share_its_aggregate():
    kinds = {
        typed.AlertAcknowledged: ("alert.updated", {}),
        typed.AlertSnoozed: ("alert.updated", {"until": "2026-12-15T09:00:00+00:00"}),
        typed.AlertReopened: ("alert.updated", {}),
        typed.AlertResolved: ("alert.resolved", {}),
    }
    for kind, (delivery_kind, extra) in kinds.items():
        [delivery] = slack_alert_rule(_alert_event(kind, **extra), Context(ON))
        assert (delivery.kind, delivery.aggregate) == (delivery_kind, "alert:12"), kind


def test_a_switch_decision_goes_to_each_alert_that_shows_the_switch():
    approved = typed.SwitchApproved(purchase_order="PO-1002", quantity=5,
                                    expected_date="2026-12-20", late_purchase_order=None,
                                    alert_ids=[12, 13])  # fmt: skip
    decided = typed_event(approved, actor=Actor("slack", "U0ANA", "slack"), at=AT, subject_id=4,
                          product_id=3)  # fmt: skip
    deliveries = slack_alert_rule(decided, Context(ON))
    assert [(d.kind, d.aggregate) for d in deliveries] == [
        ("switch.decided", "alert:12"), ("switch.decided", "alert:13"),
    ]  # fmt: skip
    assert deliveries[0].idempotency_key != deliveries[1].idempotency_key


def test_keys_are_stable_for_one_event_and_differ_for_another():
    snoozed = _alert_event(typed.AlertSnoozed, until="x")
    [one] = slack_alert_rule(snoozed, Context(ON))
    [same] = slack_alert_rule(snoozed, Context(ON))
    [other] = slack_alert_rule(_alert_event(typed.AlertSnoozed, until="x"), Context(ON))
    assert one.idempotency_key == same.idempotency_key != other.idempotency_key


def test_other_events_and_an_unconfigured_slack_route_nothing():
    placed = typed_event(typed.OrderPlaced(number="BO-1", lines=[]),
                         actor=Actor("storefront", "shop", "api"), at=AT, subject_id=1)  # fmt: skip
    assert slack_alert_rule(placed, Context(ON)) == []
    opened = _alert_event(typed.AlertOpened)
    assert slack_alert_rule(opened, Context(replace(ON, slack_alert_channel=""))) == []
    off = replace(ON, slack_bot_token="", env="production")  # (development: see test_preview)
    assert slack_alert_rule(opened, Context(off)) == []


def test_the_daily_digest_is_one_delivery_a_day():
    first = digest_delivery(date(2026, 12, 14), ON)
    again = digest_delivery(date(2026, 12, 14), ON)
    assert first is not None and again is not None
    assert first.kind == "digest.daily" and first.idempotency_key == again.idempotency_key
    assert digest_delivery(date(2026, 12, 14), Settings(env="production")) is None
