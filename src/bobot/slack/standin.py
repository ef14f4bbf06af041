"""A stand-in for the Slack Web API and ``response_url``s, served on 127.0.0.1.

It records every call and answers as Slack would (``auth.test``, ``chat.postMessage`` with a
``ts``, ``chat.update``, ``chat.postEphemeral``, ``views.publish``, ``conversations.history``
and ``conversations.replies`` over what was posted, ``usergroups.users.list`` over ``groups``,
and the two steps of a file upload, ``files.getUploadURLExternal`` and
``files.completeUploadExternal``, with the file's bytes posted to the upload URL in between:
``uploads`` keeps them by file id). Failures can be queued per method
(``fail("chat.postMessage", 429, retry_after=7)``). ``bobot slack-shell`` runs the bot against
it, and the tests do.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

BOT_USER = "UBOBOT"


@dataclass(frozen=True, slots=True)
class Call:
    method: str  # "chat.postMessage", ..., or "response_url"
    args: dict[str, Any]
    path: str = ""


@dataclass
class _Failure:
    status: int
    retry_after: float | None
    error: str
    times: int


@dataclass
class SlackStandIn:
    calls: list[Call] = field(default_factory=list)
    url: str = ""  # set once served: http://127.0.0.1:PORT
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by channel
    groups: dict[str, list[str]] = field(default_factory=dict)  # user group ID -> user IDs
    uploads: dict[str, bytes] = field(default_factory=dict)  # file id -> bytes received
    files: list[dict[str, Any]] = field(default_factory=list)  # completed uploads, in order
    _failures: dict[str, list[_Failure]] = field(default_factory=dict)
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Condition | None = None

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "1") -> str:
        return f"{self.url}/response/{name}"

    def fail(
        self, method: str, status: int, *, retry_after: float | None = None,
        error: str = "", times: int = 1,
    ) -> None:  # fmt: skip
        """The next ``times`` calls of ``method`` answer ``status`` (429 with Retry-After)."""
        self._failures.setdefault(method, []).append(
            _Failure(status, retry_after, error or f"http_{status}", times)
        )

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(
        self, predicate: Callable[[list[Call]], bool], *, within: float = 15.0
    ) -> list[Call]:
        """Wait until ``predicate(calls)`` holds (the bot works after its ack)."""
        condition = self._condition()
        async with asyncio.timeout(within), condition:
            await condition.wait_for(lambda: predicate(self.calls))
        return self.calls

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        condition = self._condition()
        async with condition:
            condition.notify_all()

    # ----------------------------------------------------------------- the endpoints

    async def _args(self, request: Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query_params)
        body = await request.body()
        if not body:
            return args
        if request.headers.get("content-type", "").startswith("application/json"):
            args.update(json.loads(body))
        else:
            form = await request.form()
            for key, value in form.items():
                text: str = value if isinstance(value, str) else ""
                try:
                    args[key] = json.loads(text) if text[:1] in "[{" else text
                except ValueError:
                    args[key] = text
        return args

    async def api(self, request: Request) -> Response:
        method = request.path_params["method"]
        args = await self._args(request)
        await self._record(Call(method, args, request.url.path))
        queued = self._failures.get(method)
        if queued:
            failure = queued[0]
            failure.times -= 1
            if failure.times <= 0:
                queued.pop(0)
            headers = {}
            if failure.retry_after is not None:
                headers["Retry-After"] = str(int(failure.retry_after))
            if failure.status >= 500:
                return PlainTextResponse("upstream unavailable", failure.status, headers=headers)
            return JSONResponse({"ok": False, "error": failure.error}, failure.status, headers)
        return JSONResponse(self._answer(method, args))

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        if method == "auth.test":
            return {"ok": True, "url": "https://standin.slack.test/", "team": "Stand-in",
                    "user": "bobot", "team_id": "T0STANDIN", "user_id": BOT_USER,
                    "bot_id": "B0BOBOT"}  # fmt: skip
        if method == "chat.postMessage":
            ts = f"1700000000.{next(self._ts):06d}"
            message = {**args, "ts": ts, "user": BOT_USER}
            self.messages.setdefault(channel, []).append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.update":
            for message in self.messages.get(channel, []):
                if message["ts"] == args.get("ts"):
                    message.update(args)
                    return {"ok": True, "channel": channel, "ts": message["ts"]}
            return {"ok": False, "error": "message_not_found"}
        if method == "usergroups.users.list":
            members = self.groups.get(str(args.get("usergroup", "")))
            if members is None:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": list(members)}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            listed = args.get("files") or []
            if isinstance(listed, str):
                listed = json.loads(listed)
            done = [
                {**f, "name": f.get("title"), "size": len(self.uploads.get(f["id"], b""))}
                for f in listed
            ]
            for f in done:
                self.files.append({**f, "channel": args.get("channel_id"),
                                   "thread_ts": args.get("thread_ts"),
                                   "initial_comment": args.get("initial_comment")})  # fmt: skip
            return {"ok": True, "files": done}
        if method == "conversations.history":
            top = [m for m in self.messages.get(channel, []) if not m.get("thread_ts")]
            return {"ok": True, "messages": list(reversed(top)), "has_more": False}
        if method == "conversations.replies":
            parent = args.get("ts")
            thread = [
                m for m in self.messages.get(channel, [])
                if m["ts"] == parent or m.get("thread_ts") == parent
            ]  # fmt: skip
            return {"ok": True, "messages": thread, "has_more": False}
        return {"ok": True}

    async def upload(self, request: Request) -> Response:
        file_id = request.path_params["file_id"]
        self.uploads[file_id] = await request.body()
        await self._record(Call("upload", {"file_id": file_id}, request.url.path))
        return PlainTextResponse(f"OK - {len(self.uploads[file_id])}")

    async def response(self, request: Request) -> Response:
        args = await self._args(request)
        await self._record(Call("response_url", args, request.url.path))
        return PlainTextResponse("ok")

    def asgi(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/{method}", self.api, methods=["GET", "POST"]),
                Route("/response/{name}", self.response, methods=["POST"]),
                Route("/upload/{file_id}", self.upload, methods=["POST"]),
            ]
        )


class _QuietServer(uvicorn.Server):
    """uvicorn without its signal handlers (the caller keeps Ctrl-C)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serve(app: Any, *, lifespan: Literal["on", "off"] = "off") -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 (a free port) in this event loop; yields
    its base URL."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, lifespan=lifespan, log_level="warning",
        log_config=None, access_log=False, ws="none",
    )  # fmt: skip
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError("uvicorn stopped before it started")
                await asyncio.sleep(0.005)
        host, port = server.servers[0].sockets[0].getsockname()[:2]
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


@contextlib.asynccontextmanager
async def running_standin() -> AsyncIterator[SlackStandIn]:
    standin = SlackStandIn()
    async with serve(standin.asgi()) as url:
        standin.url = url
        yield standin
