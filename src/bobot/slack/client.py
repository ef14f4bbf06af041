"""The Web API client the bot and the transport share the settings of."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bobot.config import Settings


def web_client(settings: Settings, **options: Any) -> AsyncWebClient:
    """A client for ``SLACK_API_URL`` (Slack's, or a stand-in) with the bot's token."""
    base = settings.slack_api_url
    return AsyncWebClient(
        token=settings.slack_bot_token,
        base_url=base if base.endswith("/") else base + "/",
        **options,
    )
