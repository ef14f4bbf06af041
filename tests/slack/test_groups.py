"""Staff and approvers given as Slack user groups: members read through the Web API
(``usergroups.users.list`` on the stand-in), cached for a while, read afresh on approval."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from tests.api.client import db_snapshot
from tests.slack.conftest import STRANGER
from tests.slack.test_alerts import _button, _posted_alert
from tests.slack.test_commands import text_of

from bobot.clock import ManualClock
from bobot.config import Settings
from bobot.models import SupplierSwitch, SwitchStatus
from bobot.slack import simulate
from bobot.slack.blocks import alerts as blocks
from bobot.slack.groups import GroupMembers
from bobot.slack.standin import SlackStandIn

STAFF_GROUP = "S0STAFF"
APPROVER_GROUP = "S0APPROVERS"
GROUPIE = "U0GROUPIE"  # staff through STAFF_GROUP only
BOSS = "U0BOSS"  # approver through APPROVER_GROUP only
TTL = 300


@pytest.fixture
def slack_overrides() -> dict[str, Any]:
    return {
        "slack_staff_groups": frozenset({STAFF_GROUP}),
        "slack_approver_groups": frozenset({APPROVER_GROUP}),
        "slack_group_cache_seconds": float(TTL),
    }


@pytest.fixture
def groups(standin: SlackStandIn) -> dict[str, list[str]]:
    standin.groups.update({STAFF_GROUP: [GROUPIE], APPROVER_GROUP: [BOSS]})
    return standin.groups


def _lookups(standin: SlackStandIn) -> list[str]:
    return [c.args["usergroup"] for c in standin.of("usergroups.users.list")]


# ------------------------------------------------------------------ the cache, on its own


@pytest.fixture
async def members(standin: SlackStandIn) -> AsyncIterator[tuple[GroupMembers, ManualClock]]:
    clock = ManualClock(datetime(2026, 12, 1, 9, tzinfo=UTC))
    client = AsyncWebClient(token="xoxb-test", base_url=standin.api_url)
    yield GroupMembers(client, clock, ttl=TTL), clock


async def test_members_are_read_once_and_again_after_the_cache_time(members, standin):
    cache, clock = members
    standin.groups[STAFF_GROUP] = ["U1", "U2"]
    assert await cache.members(STAFF_GROUP) == {"U1", "U2"}
    standin.groups[STAFF_GROUP] = ["U1"]
    clock.advance(seconds=TTL - 1)
    assert await cache.members(STAFF_GROUP) == {"U1", "U2"}  # still the cached read
    clock.advance(seconds=1)
    assert await cache.members(STAFF_GROUP) == {"U1"}
    assert _lookups(standin) == [STAFF_GROUP, STAFF_GROUP]


async def test_a_fresh_read_skips_the_cache(members, standin):
    cache, _ = members
    standin.groups[APPROVER_GROUP] = ["U1"]
    assert await cache.members(APPROVER_GROUP) == {"U1"}
    standin.groups[APPROVER_GROUP] = []
    assert await cache.members(APPROVER_GROUP, fresh=True) == frozenset()
    assert len(_lookups(standin)) == 2


async def test_when_slack_cannot_be_asked_the_cache_serves_until_it_expires(members, standin):
    cache, clock = members
    standin.groups[STAFF_GROUP] = ["U1"]
    await cache.members(STAFF_GROUP)
    standin.fail("usergroups.users.list", 503, times=3)
    assert await cache.members(STAFF_GROUP, fresh=True) == {"U1"}
    clock.advance(seconds=TTL)
    assert await cache.members(STAFF_GROUP) == frozenset()  # never a right from a stale read
    standin.fail("usergroups.users.list", 200, error="no_such_subteam")
    assert await cache.members("S0GONE") == frozenset()


def test_the_groups_are_read_from_the_environment():
    settings = Settings.from_env({
        "SLACK_STAFF_GROUPS": "S1, S2", "SLACK_APPROVER_GROUPS": "S3",
        "SLACK_GROUP_CACHE_SECONDS": "60",
    })  # fmt: skip
    assert settings.slack_staff_groups == {"S1", "S2"} and settings.slack_approver_groups == {"S3"}
    assert settings.slack_group_cache_seconds == 60.0
    assert Settings.from_env({}).slack_group_cache_seconds == 300.0


# ------------------------------------------------------------------ through the bot


async def test_a_staff_group_member_is_answered_and_a_stranger_still_refused(bot, groups):
    await bot.api.create_product("MUG", on_hand=2)
    assert "On hand: 2" in text_of(await bot.command("sku MUG", user=GROUPIE))
    assert "shortages" in text_of(await bot.command("shortages", user=GROUPIE)).lower()
    refused = await bot.command("shortages", user=STRANGER)
    assert "only answers the shop's staff" in text_of(refused)
    # GROUPIE's second command came from the cache: one read per group for each user seen
    # (the stranger is looked up in both groups, from the cache too).
    assert sorted(_lookups(bot.standin)) == [APPROVER_GROUP, STAFF_GROUP]


async def test_an_approver_group_member_approves_the_switch(bot, groups):
    message = await _posted_alert(bot)
    value = _button(message, blocks.APPROVE)["value"]
    await bot.click(simulate.button(blocks.APPROVE, value), user=BOSS, message_ts=message["ts"])
    [update] = await bot.responses("click")
    assert update["replace_original"] is True
    switch = await SupplierSwitch.get()
    assert switch.status is SwitchStatus.APPROVED and BOSS in switch.decided_by


async def test_someone_taken_out_of_the_approver_group_is_refused_at_once(bot, groups):
    message = await _posted_alert(bot)
    assert "shortages" in text_of(await bot.command("shortages", user=BOSS)).lower()  # cached
    groups[APPROVER_GROUP] = []  # taken out of the group, well inside the cache time
    before = await db_snapshot()
    value = _button(message, blocks.APPROVE)["value"]
    await bot.click(simulate.button(blocks.APPROVE, value), user=BOSS, message_ts=message["ts"])
    [refusal] = await bot.responses("click")
    assert refusal["response_type"] == "ephemeral"
    assert "Nothing was changed" in refusal["text"]  # (out of the group, no longer staff)
    assert await db_snapshot() == before
    assert (await SupplierSwitch.get()).status is SwitchStatus.PROPOSED
