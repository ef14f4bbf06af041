"""Development without Slack: the bot's messages are logged (and shown at /dev/slack)
instead of dropped; in production without Slack nothing is routed at all."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, date, datetime

from tests.slack.store import late_po_store, run_job

from bobot.config import Settings
from bobot.domain.events import AlertOpened
from bobot.models import Alert, AlertKind, Delivery, DeliveryStatus
from bobot.services.context import Actor
from bobot.services.history import typed_event
from bobot.slack.preview import PREVIEW_CHANNEL, summary
from bobot.slack.routing import digest_delivery, slack_alert_rule

AT = datetime(2026, 12, 14, 9, 5, tzinfo=UTC)
DEV = Settings()  # development, no Slack token


class Context:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings


def _opened():
    payload = AlertOpened(alert_kind="PO_LATE", cause="late", severity=80)
    return typed_event(payload, actor=Actor("system", "gap-scan", "worker"), at=AT,
                       subject_id=7, product_id=3)  # fmt: skip


def test_in_development_without_slack_the_messages_are_routed_for_the_log():
    [delivery] = slack_alert_rule(_opened(), Context(DEV))
    assert (delivery.recipient, delivery.kind) == (PREVIEW_CHANNEL, "alert.opened")
    [named] = slack_alert_rule(_opened(), Context(replace(DEV, slack_alert_channel="C0DEV")))
    assert named.recipient == "C0DEV"
    assert digest_delivery(date(2026, 12, 14), DEV) is not None


def test_in_production_without_slack_nothing_is_routed():
    production = replace(DEV, env="production")
    assert slack_alert_rule(_opened(), Context(production)) == []
    assert digest_delivery(date(2026, 12, 14), production) is None


def test_the_block_summary_names_the_blocks_and_the_buttons():
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Late"}},
        {"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "Approve switch"}},
            {"type": "static_select", "placeholder": {"type": "plain_text", "text": "Snooze"}},
        ]},
    ]  # fmt: skip
    assert summary(blocks) == "2 blocks: header, actions [Approve switch, Snooze v]"
    assert summary([]) == "no blocks"


async def test_the_worker_logs_what_the_bot_would_post_and_dev_slack_shows_it(api, caplog):
    number = await late_po_store(api)
    with caplog.at_level(logging.INFO, logger="bobot.slack.preview"):
        assert await run_job(api, "deliver")
    posted = [r.getMessage() for r in caplog.records if r.name == "bobot.slack.preview"]
    alerts = await Alert.all().count()
    assert len(posted) == alerts >= 1
    [late] = [line for line in posted if number in line]
    assert late.startswith(f"Slack is not configured; would post to {PREVIEW_CHANNEL}: ")
    assert "actions [Approve switch, Reject, Acknowledge, Snooze v, Pause backorders]" in late
    rows = await Delivery.filter(channel="SLACK")
    assert {(r.status, r.last_status) for r in rows} == {
        (DeliveryStatus.SUCCESS, "logged: Slack not configured")
    }

    alert = await Alert.get(kind=AlertKind.PO_LATE)
    await api.ok(f'mutation {{ acknowledgeAlert(id: "{alert.id}") {{ alert {{ id }} }} }}')
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bobot.slack.preview"):
        await run_job(api, "deliver")
    update, reply = [r.getMessage() for r in caplog.records if r.name == "bobot.slack.preview"]
    assert update.startswith("Slack is not configured; would update ")
    assert "actions [Approve switch, Reject, Snooze v, Pause backorders]" in update  # no Ack
    assert "(thread " in reply and "acknowledged this" in reply

    page = await api.http.get(api.url.removesuffix("/graphql") + "/dev/slack")
    assert page.status_code == 200
    assert f"{number} from Acme was due" in page.text and "[Approve switch]" in page.text
    assert "Reply in its thread:" in page.text and "acknowledged this" in page.text
    assert "logged: Slack not configured" in page.text


async def test_dev_slack_is_not_served_in_production(api_with):
    async with api_with(env="production", secret_key="s" * 32) as api:
        page = await api.http.get(api.url.removesuffix("/graphql") + "/dev/slack")
        assert page.status_code == 404
