"""The weekly insights digest: enqueued once on Monday, posted through the outbox, with its
chart uploaded as a PNG through the Web API's two-step upload (recorded by the stand-in)."""

from __future__ import annotations

from datetime import timedelta

from tests.api.browser.conftest import ARTIFACTS
from tests.slack.conftest import ALERT_CHANNEL
from tests.slack.store import run_job
from tests.slack.test_insights_command import _history

from bobot.models import Delivery
from bobot.slack.blocks.plaintext import as_text

PNG = b"\x89PNG\r\n\x1a\n"


async def test_the_weekly_digest_posts_the_figures_and_uploads_their_chart_once(bot, db):
    await _history(bot.api)
    await bot.drain()
    assert await run_job(bot.api, "slack_insights_digest") == 0  # not a Monday

    now = bot.api.clock.now()
    monday = now + timedelta(days=(7 - now.weekday()) % 7 or 7)
    bot.api.clock.set(monday.replace(hour=9))
    assert await run_job(bot.api, "slack_insights_digest") == 1
    assert await run_job(bot.api, "slack_insights_digest") == 0  # once a week
    assert await bot.drain() >= 1  # the worker's delivery job, through the Slack transport
    assert await Delivery.filter(kind="digest.weekly_insights", status="SUCCESS").count() == 1
    [message] = [
        m for m in bot.standin.messages[ALERT_CHANNEL] if m["text"].startswith("Insights:")
    ]
    text = as_text(message["blocks"])
    assert "Insights: the last 12 weeks" in text
    assert "2 opened, 1 filled, 1 cancelled" in text
    [upload] = bot.standin.files
    assert (upload["channel"], upload["thread_ts"]) == (ALERT_CHANNEL, message["ts"])
    assert upload["title"] == message["text"]
    png = bot.standin.uploads[upload["id"]]
    assert png.startswith(PNG) and upload["size"] == len(png) > 5_000
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"insights-digest-chart-{db.backend}.png").write_bytes(png)
    assert [c.method for c in bot.standin.calls if c.method.startswith(("files.", "upload"))] == [
        "files.getUploadURLExternal", "upload", "files.completeUploadExternal",
    ]  # fmt: skip
