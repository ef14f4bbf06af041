"""The bot: a slack-bolt ``AsyncApp`` behind ``POST /slack/events`` (or Socket Mode).

One endpoint takes the Events API, slash commands and interactivity. Signatures are checked
by bolt (bad, missing or stale -> 401, and nothing runs). Slack's retries and repeated
``event_id``s are acknowledged and dropped before any listener runs.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from starlette.requests import Request
from starlette.responses import Response
from strawberry import Schema

from bobot.graphql.context import Viewer
from bobot.services.context import Deps
from bobot.slack.client import web_client
from bobot.slack.groups import Identities
from bobot.slack.runner import Operations

log = logging.getLogger("bobot.slack")


class RecentIds:
    """The last ``size`` ids seen (in this process): a repeated ``event_id`` is dropped."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def seen(self, key: str) -> bool:
        """True if ``key`` was seen before; remembers it either way."""
        if key in self._ids:
            self._ids.move_to_end(key)
            return True
        self._ids[key] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return False


class SlackBot:
    """The Slack door: who the user is, the operations they may run, and the bolt app."""

    #: Seconds a command may take to be answered in its ack; a slower answer follows by
    #: ``response_url`` (Slack waits 3 s for the ack).
    answer_in_ack_within: float = 2.0

    def __init__(self, *, schema: Schema, deps: Deps) -> None:
        from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler

        from bobot.slack.listeners import register

        settings = deps.settings
        self.deps = deps
        self.settings = settings
        self.operations = Operations(schema, deps)
        self.client = web_client(settings)
        self.identities = Identities(settings, self.client, deps.clock)
        self.app = AsyncApp(
            client=self.client,
            signing_secret=settings.slack_signing_secret,
            logger=log,
        )
        self.handler = AsyncSlackRequestHandler(self.app)
        self.recent_events = RecentIds()
        self._socket_mode: Any = None
        recent = self.recent_events

        async def drop_repeats(
            req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[None]]
        ) -> BoltResponse:
            retry = req.headers.get("x-slack-retry-num")
            event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
            if retry:
                log.info("Slack retry %s of event %s dropped: it was handled", retry[0], event_id)
                return BoltResponse(status=200, body="")
            if isinstance(event_id, str) and recent.seen(event_id):
                log.info("repeated Slack event %s dropped", event_id)
                return BoltResponse(status=200, body="")
            await next()
            return resp

        async def on_error(error: Exception, body: dict[str, Any]) -> None:
            log.error("Slack listener failed on a %s request", body.get("type"), exc_info=error)

        self.app.use(drop_repeats)
        self.app.error(on_error)
        register(self.app, self)

    async def viewer(self, user_id: str, *, deciding: bool = False) -> Viewer:
        """Who ``user_id`` is now (listed IDs, then user groups); ``deciding``: about to
        approve or reject, so approver groups are read afresh."""
        return await self.identities.viewer(user_id, deciding=deciding)

    async def endpoint(self, request: Request) -> Response:
        return await self.handler.handle(request)

    async def start(self) -> None:
        """Socket Mode when an app-level token is set (HTTP needs nothing more)."""
        if not self.settings.slack_alert_channel:
            log.warning("SLACK_ALERT_CHANNEL is not set: commands work, but alerts and the"
                        " daily digest are not posted anywhere")  # fmt: skip
        if not (
            self.settings.slack_staff_ids
            or self.settings.slack_staff_groups
            or self.settings.slack_approver_ids
            or self.settings.slack_approver_groups
        ):
            log.warning("No Slack staff set (SLACK_STAFF_IDS, SLACK_STAFF_GROUPS, ...): the bot"
                        " refuses everyone")  # fmt: skip
        if not self.settings.slack_app_token:
            log.info("Slack bot on: requests at POST /slack/events")
            return
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        self._socket_mode = AsyncSocketModeHandler(self.app, self.settings.slack_app_token)
        await self._socket_mode.connect_async()
        log.info("Slack bot on: connected by Socket Mode")

    async def stop(self) -> None:
        if self._socket_mode is not None:
            await self._socket_mode.close_async()
            self._socket_mode = None
