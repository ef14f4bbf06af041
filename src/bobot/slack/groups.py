"""Staff and approvers given as Slack user groups (``SLACK_STAFF_GROUPS``,
``SLACK_APPROVER_GROUPS``): members read with ``usergroups.users.list`` and kept for
``SLACK_GROUP_CACHE_SECONDS``.

Who a user is gets decided on each request (a command, a click): the listed IDs first, then
the groups' members from the cache. A click that approves or rejects a supplier switch reads
the approver groups afresh, so someone just taken out of the group cannot decide. When Slack
cannot be asked, the last members read stay in use for at most the cache time; past it, a
group counts as empty (nobody gains a right because Slack is down).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bobot.clock import Clock
from bobot.config import Settings
from bobot.graphql.context import Viewer, slack_viewer

log = logging.getLogger("bobot.slack.groups")


@dataclass(frozen=True, slots=True)
class _Read:
    members: frozenset[str]
    at: datetime


class GroupMembers:
    """The members of Slack user groups, read through the Web API and cached with a TTL."""

    def __init__(self, client: AsyncWebClient, clock: Clock, *, ttl: float) -> None:
        self.client = client
        self.clock = clock
        self.ttl = timedelta(seconds=ttl)
        self._reads: dict[str, _Read] = {}

    async def members(self, group: str, *, fresh: bool = False) -> frozenset[str]:
        """The user IDs in ``group``: from the cache unless it is older than the TTL (or
        ``fresh``)."""
        now = self.clock.now()
        cached = self._reads.get(group)
        if cached is not None and not fresh and now - cached.at < self.ttl:
            return cached.members
        try:
            response = await self.client.usergroups_users_list(usergroup=group)
        except (SlackApiError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            if cached is not None and now - cached.at < self.ttl:
                log.warning("Slack user group %s not read (%s): using members from the cache",
                            group, exc)  # fmt: skip
                return cached.members
            log.warning("Slack user group %s not read (%s): counted as empty", group, exc)
            return frozenset()
        members = frozenset(str(user) for user in response.get("users") or ())
        self._reads[group] = _Read(members, now)
        return members

    async def any_has(self, groups: Iterable[str], user_id: str, *, fresh: bool = False) -> bool:
        for group in groups:
            if user_id in await self.members(group, fresh=fresh):
                return True
        return False


class Identities:
    """Who a Slack user is to the schema: the listed IDs, then the user groups."""

    def __init__(self, settings: Settings, client: AsyncWebClient, clock: Clock) -> None:
        self.settings = settings
        self.groups = GroupMembers(client, clock, ttl=settings.slack_group_cache_seconds)

    async def viewer(self, user_id: str, *, deciding: bool = False) -> Viewer:
        """The viewer of ``user_id``. ``deciding``: the user is about to approve or reject,
        so the approver groups are read afresh."""
        settings = self.settings
        approver = user_id in settings.slack_approver_ids or await self.groups.any_has(
            settings.slack_approver_groups, user_id, fresh=deciding
        )
        staff = (
            approver
            or user_id in settings.slack_staff_ids
            or await self.groups.any_has(settings.slack_staff_groups, user_id)
        )
        return slack_viewer(
            user_id,
            staff_ids=frozenset({user_id}) if staff else frozenset(),
            approver_ids=frozenset({user_id}) if approver else frozenset(),
        )
