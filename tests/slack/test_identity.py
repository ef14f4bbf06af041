"""Who a Slack user is to the schema, and what the settings say."""

from __future__ import annotations

import logging
from datetime import time

import httpx
import pytest

from bobot.app import create_app
from bobot.config import ConfigError, Settings
from bobot.graphql.context import slack_viewer
from bobot.slack.listeners.commands import parse


def test_slack_settings_are_read_from_the_environment():
    settings = Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3", "SLACK_ALERT_CHANNEL": "C1",
        "SLACK_STAFF_IDS": "U1, U2,,", "SLACK_APPROVER_IDS": "U3", "SLACK_DIGEST_AT": "07:30",
    })  # fmt: skip
    assert settings.slack_enabled and settings.slack_alert_channel == "C1"
    assert settings.slack_staff_ids == {"U1", "U2"} and settings.slack_approver_ids == {"U3"}
    assert settings.slack_digest_at == time(7, 30)
    assert not Settings.from_env({}).slack_enabled
    with pytest.raises(ConfigError):
        Settings.from_env({"SLACK_DIGEST_AT": "7 o'clock"})


def test_approvers_are_staff_and_staff_are_not_approvers():
    ids = {"staff_ids": frozenset({"U1"}), "approver_ids": frozenset({"U2"})}
    staff, approver, stranger = (slack_viewer(u, **ids) for u in ("U1", "U2", "U9"))
    assert staff.is_staff and not staff.is_approver
    assert approver.is_staff and approver.is_approver
    assert not stranger.is_staff and not stranger.is_approver
    assert approver.actor.kind == "slack" and approver.actor.channel == "slack"


def test_commands_are_parsed_leniently_and_anything_else_is_help():
    assert parse("  SKU   MUG-01 ") == ("sku", "MUG-01")
    assert parse("<@U0BOT> backorders MUG") == ("backorders", "MUG")
    assert parse("order #1001") == ("order", "#1001")
    for text in ("", "help", "shortages now", "sku", "what is up"):
        assert parse(text) == ("help", ""), text


async def test_without_slack_settings_the_app_runs_and_says_the_bot_is_off(caplog):
    app = create_app(Settings(), manage_db=False)
    with caplog.at_level(logging.INFO, logger="bobot.app"):
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
                assert (await http.get("/healthz")).status_code == 200
                assert (await http.post("/slack/events", content="{}")).status_code == 404
    assert "Slack bot is off" in caplog.text


def test_a_staff_token_approves_and_a_storefront_token_does_not():
    from bobot.graphql.context import Viewer
    from bobot.models import TokenRole
    from bobot.services.context import Actor

    assert Viewer(role=TokenRole.STAFF, actor=Actor("staff", "Ana", "api")).is_approver
    assert not Viewer(role=TokenRole.STOREFRONT, actor=Actor("storefront", "s", "api")).is_approver


async def test_approving_without_a_staff_token_is_refused_with_the_usual_code():
    from bobot.graphql.context import ANONYMOUS, Context, Viewer
    from bobot.graphql.schema import create_schema
    from bobot.models import TokenRole
    from bobot.services.context import Actor, Deps

    schema = create_schema()
    approve = 'mutation { approveSupplierSwitch(input: { id: "1" }) { userErrors { code } } }'
    shop = Viewer(role=TokenRole.STOREFRONT, actor=Actor("storefront", "shop", "api"))
    for viewer, code in ((ANONYMOUS, "UNAUTHENTICATED"), (shop, "FORBIDDEN")):
        result = await schema.execute(approve, context_value=Context(deps=Deps(), viewer=viewer))
        [error] = result.errors or []
        assert error.extensions == {"code": code} and "needs a staff token" in error.message


async def test_a_bot_without_alert_channel_or_staff_says_so_at_start(caplog):
    from dataclasses import replace

    from tests.slack.conftest import slack_settings

    bare = replace(slack_settings("sqlite://:memory:", "http://127.0.0.1:9/api/"),
                   slack_alert_channel="",
                   slack_staff_ids=frozenset(), slack_approver_ids=frozenset())  # fmt: skip
    app = create_app(bare, manage_db=False)
    with caplog.at_level(logging.WARNING, logger="bobot.slack"):
        async with app.router.lifespan_context(app):
            pass
    assert "SLACK_ALERT_CHANNEL is not set: commands work, but alerts" in caplog.text
    assert "No Slack staff set" in caplog.text and "refuses everyone" in caplog.text
