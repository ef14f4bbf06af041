"""Listeners, one module per feature; each acks first, runs one operation, and renders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp

from bobot.slack.listeners import actions, commands, home

if TYPE_CHECKING:
    from bobot.slack.app import SlackBot


def register(app: AsyncApp, bot: SlackBot) -> None:
    commands.register(app, bot)
    actions.register(app, bot)
    home.register(app, bot)
