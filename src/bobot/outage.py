"""An ASGI middleware that answers 503 when the database cannot serve a request.

Inside a GraphQL operation a resolver's failure is coded by the schema's extension
(:mod:`bobot.graphql.top_level_errors`). Outside one (the API token looked up before the
operation starts, a customer link page) the exception would reach the server as a bare 500:
here, when :func:`bobot.db.unavailable` recognises it and no response has started, the client
gets HTTP 503 with ``Retry-After`` and a plain message instead (GraphQL-shaped JSON with the
code ``DATABASE_UNAVAILABLE`` on /graphql, text elsewhere). Anything else passes through.
"""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bobot.db import UNAVAILABLE_MESSAGES, unavailable
from bobot.graphql.top_level_errors import RETRY_AFTER_UNAVAILABLE, TopLevelErrorCode

log = logging.getLogger("bobot.app")


class DatabaseOutage:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            reason = unavailable(exc)
            if reason is None or started:
                raise
            log.warning("database unavailable (%s) for %s: %s", reason, scope["path"], exc)
            await _answer(scope, reason)(scope, receive, send)


def _answer(scope: Scope, reason: str) -> Response:
    message = UNAVAILABLE_MESSAGES[reason]
    headers = {"Retry-After": str(RETRY_AFTER_UNAVAILABLE)}
    if scope["path"].rstrip("/").endswith("/graphql"):
        code = TopLevelErrorCode.DATABASE_UNAVAILABLE.value
        body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
        return JSONResponse(body, status_code=503, headers=headers)
    return PlainTextResponse(message, status_code=503, headers=headers)
