"""A PROJECTED_STOCKOUT alert reaches Slack through the outbox, like the other kinds."""

from __future__ import annotations

from tests.api.demand_store import summer_store
from tests.slack.conftest import ALERT_CHANNEL
from tests.slack.store import run_job

from bobot.slack.blocks.plaintext import as_text


async def test_a_projected_stockout_is_posted_to_the_alert_channel_once(bot):
    await summer_store(bot.api)
    await bot.drain()  # whatever building the store sent
    before = len(bot.standin.messages.get(ALERT_CHANNEL, []))

    assert await run_job(bot.api, "outlook_scan") == 1
    assert await run_job(bot.api, "outlook_scan") == 0  # once a day
    assert await bot.drain() >= 1
    [delivery] = [d for d in await bot.slack_deliveries() if d.kind == "alert.opened"][-1:]
    assert delivery.status == "SUCCESS", delivery.last_error
    [message] = bot.standin.messages[ALERT_CHANNEL][before:]
    text = as_text(message["blocks"])
    assert "Projected stockout" in text and "SWIM" in text
    assert "heading into its peak" in text and "reorder" in text
