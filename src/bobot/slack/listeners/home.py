"""The App Home tab: the open alerts and the top shortages, for whoever opens it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bobot.slack.blocks import lookups
from bobot.slack.blocks.digest import home_view

if TYPE_CHECKING:
    from bobot.slack.app import SlackBot


def register(app: AsyncApp, bot: SlackBot) -> None:
    @app.event("app_home_opened")
    async def home_opened(event: dict[str, Any], client: Any) -> None:
        if event.get("tab", "home") != "home":
            return
        result = await bot.operations.run("SlackHome", await bot.viewer(event["user"]))
        if result.refused or result.data is None:
            view = home_view(None, refusal=lookups.refusal_reply(user_id=event["user"]).text)
        else:
            view = home_view(result.data)
        await client.views_publish(user_id=event["user"], view=view)
