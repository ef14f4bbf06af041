"""The web application: GraphQL at /graphql, customer link pages under /l/, a health check,
and (optionally) the worker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, cast

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.types import ExecutionResult
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
from bobot.outbox import routing
from bobot.services import tokens
from bobot.services.base import Actor, Deps
from bobot.web.dev_mail import DevMail
from bobot.web.pages import LinkPages

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
    )


class BobotGraphQL(GraphQL[Context, None]):
    def __init__(self, deps: Deps) -> None:
        settings = deps.settings
        super().__init__(
            create_schema(
                mask_errors=not settings.debug,
                introspection=not settings.production,
                write_rate=settings.write_rate,
            ),
            graphql_ide="graphiql" if settings.debug else None,
        )
        self.deps = deps

    async def get_context(self, request: Any, response: Any = None) -> Context:
        viewer = await viewer_for(request.headers.get("authorization"), self.deps)
        return Context(deps=self.deps, viewer=viewer, request=request, response=response)

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        """Every top-level error carries a code, the document's own errors included."""
        response = process_result(result)
        errors = cast(list[dict[str, Any]], response.get("errors") or [])
        for error in errors:
            extensions = error.setdefault("extensions", {})
            if "code" not in extensions:
                # Errors without a path are the document's (syntax, unknown fields, types).
                extensions["code"] = "INTERNAL" if error.get("path") else "BAD_REQUEST"
        return response


@contextlib.asynccontextmanager
async def _nothing() -> AsyncIterator[None]:
    yield


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


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
    graphql_app = BobotGraphQL(deps)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        config = tortoise_config(settings.database_url, pool_max=settings.db_pool_max)
        async with RegisterTortoise(app, config=config) if manage_db else _nothing():
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

    links = Links.from_settings(settings, deps.clock)
    pages = LinkPages(deps, links, settings.shop_name)
    dev_routes = []
    if settings.debug:  # the development mailbox: email the outbox holds, readable here
        mail = MailTransport.from_settings(settings, deps.clock)
        if mail is not None:
            dev_routes = DevMail(mail).routes()
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
    app = Starlette(
        middleware=middleware,
        routes=[
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            Route("/healthz", health),
            *pages.routes(),
            *dev_routes,
        ],
        lifespan=lifespan,
    )
    app.state.deps = deps
    app.state.links = links
    return app
