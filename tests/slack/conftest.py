"""``bot``: the real app with Slack configured, served over HTTP on 127.0.0.1, talking to a
Slack Web API stand-in (also uvicorn on 127.0.0.1) that records every call.

Requests are signed as Slack signs them (:mod:`bobot.slack.simulate`). The app keeps bolt's
default mode: the HTTP reply leaves at the ack and the listener goes on, so tests wait on the
stand-in for what the bot sends afterwards.

What the bot posts on its own leaves through the real outbox: the routing rules write
delivery rows with the events, and ``bot.drain()`` runs the worker's delivery job with the
transports the worker builds (``outbox.transports``), which send to the stand-in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from tests.api.client import Api
from tests.api.conftest import START, api, api_settings, api_with  # noqa: F401 (fixtures)

from bobot import outbox
from bobot.app import create_app
from bobot.clock import ManualClock
from bobot.config import Settings
from bobot.models import Delivery, TokenRole
from bobot.outbox.types import Channel, Transport
from bobot.services.context import Deps
from bobot.services.tokens import create_token
from bobot.slack import simulate
from bobot.slack.standin import Call, SlackStandIn, running_standin, serve
from bobot.slack.transport import SlackTransport
from bobot.worker import deliver

SECRET = "test-signing-secret"
STAFF = "U0STAFF"
APPROVER = "U0APPROVER"
APPROVER_2 = "U0APPROVER2"
STRANGER = "U0STRANGER"
ALERT_CHANNEL = "C0ALERTS"


def slack_settings(database_url: str, api_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_api_url=api_url,
        slack_alert_channel=ALERT_CHANNEL,
        slack_staff_ids=frozenset({STAFF}),
        slack_approver_ids=frozenset({APPROVER, APPROVER_2}),
    )


@dataclass
class Bot:
    api: Api
    url: str
    http: httpx.AsyncClient
    standin: SlackStandIn
    settings: Settings
    deps: Deps
    transports: dict[Channel, Transport]
    app: Starlette

    @property
    def transport(self) -> SlackTransport:
        slack = self.transports[Channel.SLACK]
        assert isinstance(slack, SlackTransport)
        return slack

    async def drain(self) -> int:
        """The worker's delivery job: every delivery due now, sent; how many were tried."""
        return await deliver(self.deps, self.transports)

    async def slack_deliveries(self) -> list[Delivery]:
        return await Delivery.filter(channel=Channel.SLACK.value).order_by("id")

    async def post(
        self, body: str, content_type: str, *, timestamp: int | None = None,
        signature: str | None = None, headers: dict[str, str] | None = None,
    ) -> httpx.Response:  # fmt: skip
        signed = simulate.signed_headers(
            SECRET, body, timestamp=timestamp, content_type=content_type
        )
        if signature is not None:
            signed["x-slack-signature"] = signature
        return await self.http.post(self.url, content=body, headers={**signed, **(headers or {})})

    async def command(self, text: str, *, user: str = STAFF) -> dict[str, Any]:
        """``/bobot <text>``; the reply (the ack's body)."""
        body = simulate.slash_command(
            text, user_id=user, response_url=self.standin.response_url("command")
        )
        response = await self.post(body, simulate.FORM)
        assert response.status_code == 200, response.text
        return response.json()

    async def click(
        self, action: dict[str, Any], *, user: str, message_ts: str, name: str = "click"
    ) -> httpx.Response:
        body = simulate.block_action(
            action, user_id=user, response_url=self.standin.response_url(name),
            channel_id=ALERT_CHANNEL, message_ts=message_ts,
        )  # fmt: skip
        response = await self.post(body, simulate.FORM)
        assert response.status_code == 200, response.text
        return response

    async def responses(self, name: str, count: int = 1) -> list[dict[str, Any]]:
        """The first ``count`` posts to response_url ``name`` (waiting for them)."""
        path = f"/response/{name}"

        def posted(calls: list[Call]) -> list[dict[str, Any]]:
            return [c.args for c in calls if c.method == "response_url" and c.path == path]

        await self.standin.wait_for(lambda calls: len(posted(calls)) >= count)
        return posted(self.standin.calls)[:count]


@pytest.fixture
async def standin() -> AsyncIterator[SlackStandIn]:
    async with running_standin() as running:
        yield running


@pytest.fixture
def slack_overrides() -> dict[str, Any]:
    """Settings the ``bot`` fixture's app gets on top of :func:`slack_settings` (a test
    module overrides this fixture)."""
    return {}


@pytest.fixture
async def bot(db, standin: SlackStandIn, slack_overrides: dict[str, Any]) -> AsyncIterator[Bot]:
    settings = replace(slack_settings(db.url, standin.api_url), **slack_overrides)
    clock = ManualClock(START)
    deps = Deps(settings=settings, clock=clock)
    _, staff_token = await create_token(name="staff-tester", role=TokenRole.STAFF, deps=deps)
    _, shop_token = await create_token(name="storefront", role=TokenRole.STOREFRONT, deps=deps)
    app = create_app(settings, clock=clock, manage_db=False)
    transports = outbox.transports(settings, app.state.schema, clock)
    async with serve(app, lifespan="on") as url, httpx.AsyncClient(timeout=30) as http:
        api = Api(
            http=http, url=f"{url}/graphql", clock=clock, settings=settings,
            staff_token=staff_token, storefront_token=shop_token,
        )  # fmt: skip
        yield Bot(
            api=api, url=f"{url}/slack/events", http=http, standin=standin, settings=settings,
            deps=deps, transports=transports, app=app,
        )  # fmt: skip
