"""What Slack sends twice happens once; what Slack did not sign does nothing."""

from __future__ import annotations

import time

from tests.api.client import db_snapshot
from tests.slack.conftest import APPROVER, STAFF

from bobot.slack import simulate


def _mention_body(event_id: str, ts: str = "1700000200.000001") -> str:
    return simulate.event_callback(
        simulate.mention("help", user_id=STAFF, ts=ts), event_id=event_id
    )


async def test_a_slack_retry_is_acknowledged_and_ignored(bot):
    first = await bot.post(_mention_body("Ev100"), simulate.JSON)
    assert first.status_code == 200
    await bot.standin.wait_for(lambda calls: bool(bot.standin.of("chat.postMessage")))
    retry = await bot.post(
        _mention_body("Ev100"), simulate.JSON,
        headers={"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"},
    )  # fmt: skip
    assert retry.status_code == 200
    # A later, different event is answered: had the retry been handled, its reply would
    # come before this one's.
    await bot.post(_mention_body("Ev101", ts="1700000200.000002"), simulate.JSON)
    await bot.standin.wait_for(lambda calls: len(bot.standin.of("chat.postMessage")) >= 2)
    replies = [c.args["thread_ts"] for c in bot.standin.of("chat.postMessage")]
    assert replies == ["1700000200.000001", "1700000200.000002"]


async def test_a_repeated_event_id_is_handled_once(bot):
    for _ in range(3):
        assert (await bot.post(_mention_body("Ev200"), simulate.JSON)).status_code == 200
    await bot.post(_mention_body("Ev201", ts="1700000200.000009"), simulate.JSON)
    await bot.standin.wait_for(lambda calls: len(bot.standin.of("chat.postMessage")) >= 2)
    replies = [c.args["thread_ts"] for c in bot.standin.of("chat.postMessage")]
    assert replies == ["1700000200.000001", "1700000200.000009"]


def _approve_body() -> str:
    return simulate.block_action(
        simulate.button("switch_approve", "1:1"), user_id=APPROVER,
        response_url="http://127.0.0.1:9/unused",
    )  # fmt: skip


async def test_bad_missing_and_stale_signatures_get_401_and_change_nothing(bot):
    await bot.api.create_product("MUG")
    before = await db_snapshot()
    body = _approve_body()
    bad = await bot.post(body, simulate.FORM, signature="v0=" + "0" * 64)
    stale = await bot.post(body, simulate.FORM, timestamp=int(time.time()) - 10 * 60)
    missing = await bot.http.post(bot.url, content=body, headers={"content-type": simulate.FORM})
    command = simulate.slash_command("shortages", user_id=STAFF, response_url="http://x/")
    tampered = simulate.signed_headers("not-the-secret", command, content_type=simulate.FORM)
    forged = await bot.http.post(bot.url, content=command, headers=tampered)
    assert [r.status_code for r in (bad, stale, missing, forged)] == [401, 401, 401, 401]
    assert await db_snapshot() == before
    assert [c.method for c in bot.standin.calls if c.method != "auth.test"] == []


async def test_a_quick_command_is_answered_in_the_ack_itself(bot):
    reply = await bot.command("shortages")
    assert "No shortages" in reply["text"]
    assert bot.standin.of("response_url") == []  # nothing had to follow the ack
