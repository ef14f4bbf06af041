"""The HTTP floors: the least a request can cost on this stack, served like bobot is.

- ``starlette``: a Starlette app answering ``GET /json`` with a small JSON document.
- ``strawberry``: a bare strawberry schema (``{ hello }``, strawberry's defaults) mounted at
  ``/graphql`` on Starlette exactly as bobot mounts its schema.

Both also answer ``GET /healthz``. ``python -m bench.floors NAME --host H --port P`` serves one
with the same ``uvicorn.run`` call as ``bobot serve`` (one process, access log off).
"""

from __future__ import annotations

import argparse

import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def hello_json(request: Request) -> Response:
    return JSONResponse({"data": {"hello": "world"}})


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"


def starlette_app() -> Starlette:
    return Starlette(routes=[Route("/json", hello_json), Route("/healthz", health)])


def strawberry_app() -> Starlette:
    graphql = GraphQL(strawberry.Schema(query=Query))
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", health),
        ]
    )


APPS = {"starlette": starlette_app, "strawberry": strawberry_app}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.floors")
    parser.add_argument("name", choices=sorted(APPS))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(
        APPS[args.name](), host=args.host, port=args.port, log_level="info", access_log=False
    )


if __name__ == "__main__":
    main()
