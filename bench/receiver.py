"""A webhook receiver on 127.0.0.1 for tests and the bench: records every request, and can
be told to answer with other statuses first."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class Received:
    headers: dict[str, str]
    body: str


@dataclass
class Receiver:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    #: statuses to answer with, in order, before answering 200 (e.g. [503, 503, 503])
    script: list[int] = field(default_factory=list)
    retry_after: str | None = None

    def bodies(self) -> list[str]:
        return [r.body for r in self.received]


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def receiver_app(receiver: Receiver) -> Starlette:

    async def hook(request: Request) -> Response:
        body = (await request.body()).decode()
        receiver.received.append(Received(dict(request.headers), body))
        if receiver.script:
            headers = {"retry-after": receiver.retry_after} if receiver.retry_after else {}
            return Response(status_code=receiver.script.pop(0), headers=headers)
        return Response(status_code=200)

    async def count(request: Request) -> Response:
        ids = {r.headers.get("webhook-id") for r in receiver.received}
        return JSONResponse({"received": len(receiver.received), "distinct": len(ids)})

    async def reset(request: Request) -> Response:
        receiver.received.clear()
        return JSONResponse({"received": 0})

    return Starlette(
        routes=[
            Route("/hook", hook, methods=["POST"]),
            Route("/count", count),
            Route("/reset", reset, methods=["POST"]),
        ]
    )


@contextlib.asynccontextmanager
async def serve_receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = receiver_app(receiver)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", log_config=None, access_log=False,
        lifespan="off", ws="none",
    )  # fmt: skip
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.005)
        host, port = server.servers[0].sockets[0].getsockname()[:2]
        receiver.url = f"http://{host}:{port}/hook"
        yield receiver
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


if __name__ == "__main__":  # python -m bench.receiver PORT: a receiver in its own process
    import sys

    uvicorn.run(
        receiver_app(Receiver()),
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="warning",
        access_log=False,
        lifespan="off",
        ws="none",
    )
