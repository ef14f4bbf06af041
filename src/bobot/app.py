"""The web application: GraphQL at /graphql, customer link pages under /l/, the Slack bot
at /slack/events, a health check, and (optionally) the worker. The schema is built once here
and shared by GraphQL and Slack."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry import Schema
from strawberry.asgi import GraphQL
from tortoise.contrib.starlette import RegisterTortoise

from bobot.body_limit import BodyLimit
from bobot.clock import Clock, SystemClock
from bobot.config import Settings
from bobot.db import tortoise_config
from bobot.graphql.context import ANONYMOUS, Context, Viewer
from bobot.graphql.schema import create_schema
from bobot.links import Links
from bobot.mail.transport import MailTransport
from bobot.models import TokenRole
from bobot.outage import DatabaseOutage
from bobot.outbox import routing
from bobot.services import tokens
from bobot.services.context import Actor, Deps
from bobot.web.dev_mail import DevMail
from bobot.web.pages import LinkPages
from bobot.web.staff import StaffPages

log = logging.getLogger("bobot.app")

_ACTOR_KIND = {TokenRole.STAFF: "staff", TokenRole.STOREFRONT: "storefront"}


async def viewer_for(authorization: str | None, deps: Deps) -> Viewer:
    if not authorization:
        return ANONYMOUS
    scheme, _, token = authorization.partition(" ")
    record = (
        await tokens.authenticate(token.strip(), now=deps.now())
        if scheme.lower() == "bearer"
        else None
    )
    if record is None:
        return Viewer(role=None, actor=ANONYMOUS.actor, token_invalid=True)
    return Viewer(
        role=record.role,
        actor=Actor(_ACTOR_KIND[record.role], record.name, "api"),
        token_id=record.id,
        approver=record.role is TokenRole.STAFF,
    )


class BobotGraphQL(GraphQL[Context, None]):
    """GraphQL over HTTP; top-level error codes are stamped by the schema's extension."""

    def __init__(self, schema: Schema, deps: Deps) -> None:
        super().__init__(schema, graphql_ide="graphiql" if deps.settings.debug else None)
        self.deps = deps

    async def get_context(self, request: Any, response: Any = None) -> Context:
        viewer = await viewer_for(request.headers.get("authorization"), self.deps)
        return Context(deps=self.deps, viewer=viewer, request=request, response=response)


@contextlib.asynccontextmanager
async def _nothing() -> AsyncIterator[None]:
    yield


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def _dev_slack(settings: Settings, schema: Schema, clock: Clock) -> list[Route]:
    """``/dev/slack`` (development): the bot's messages, rendered as they are (or would be)
    posted."""
    from bobot.slack.preview import PreviewClient
    from bobot.slack.transport import SlackTransport
    from bobot.web.dev_slack import DevSlack

    return DevSlack(SlackTransport(settings, schema, clock=clock, client=PreviewClient())).routes()


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    run_worker: bool = False,
    manage_db: bool = True,
) -> Starlette:
    """The ASGI app. ``manage_db=False`` leaves the ORM's connections to the caller (tests
    that share one initialised database between the app and the test code)."""
    deps = Deps(settings=settings, clock=clock or SystemClock())
    routing.configure(settings)
    schema = create_schema(
        mask_errors=not settings.debug,
        introspection=not settings.production,
        write_rate=settings.write_rate,
    )
    graphql_app = BobotGraphQL(schema, deps)
    routes = [
        Route("/graphql", graphql_app, methods=["GET", "POST"]),
        Route("/healthz", health),
    ]
    bot = None
    if settings.slack_enabled:
        from bobot.slack.app import SlackBot

        bot = SlackBot(schema=schema, deps=deps)
        routes.append(Route("/slack/events", bot.endpoint, methods=["POST"]))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        config = tortoise_config(settings.database_url, pool_max=settings.db_pool_max)
        async with RegisterTortoise(app, config=config) if manage_db else _nothing():
            if bot is None:
                log.info("Slack bot is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET")
                if settings.slack_preview:
                    log.info("Slack messages the bot would post are logged by the worker"
                             " and shown at /dev/slack")  # fmt: skip
            else:
                await bot.start()
            task = None
            if run_worker:
                from bobot.worker import run_forever

                task = asyncio.create_task(run_forever(deps))
            try:
                yield
            finally:
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                if bot is not None:
                    await bot.stop()

    links = Links.from_settings(settings, deps.clock)
    pages = LinkPages(deps, links, settings.shop_name)
    routes.extend(pages.routes())
    staff = StaffPages(deps, settings.secret_key, settings.shop_name, secure=not settings.debug)
    routes.extend(staff.routes())
    if settings.debug:  # the development mailbox: email the outbox holds, readable here
        mail = MailTransport.from_settings(settings, deps.clock)
        if mail is not None:
            routes.extend(DevMail(mail).routes())
        routes.extend(_dev_slack(settings, schema, deps.clock))
    # CORS outermost, so that a refusal (413) carries its headers too.
    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
                max_age=600,
            )
        )
    middleware.append(Middleware(BodyLimit, max_bytes=settings.max_body_bytes))
    middleware.append(Middleware(DatabaseOutage))  # 503, not a bare 500, while the DB is out
    app = Starlette(middleware=middleware, routes=routes, lifespan=lifespan)
    app.state.deps = deps
    app.state.links = links
    app.state.schema = schema
    app.state.slack = bot
    return app
