"""SQL statements per request, counted in-process on the generated store.

The real app (``create_app``, its lifespan and token check included) answers each request
through httpx's ASGI transport while a DEBUG handler on ``tortoise.db_client`` counts the
statements (one record per statement; BEGIN/COMMIT are not logged). Each request is sent once
unmeasured first. ``python -m bench.statements MANIFEST`` prints the counts as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
from collections.abc import Callable
from typing import Any

import httpx

from bench.scenarios import (
    SCENARIOS,
    Body,
    Manifest,
    order_body,
    prepare,
    products_body,
    shortages_body,
    token_of,
)
from bench.sqllog import capture_sql
from bobot.app import create_app
from bobot.config import Settings


class Counter:
    def __init__(self, client: httpx.AsyncClient, manifest: Manifest) -> None:
        self.client = client
        self.manifest = manifest

    async def count(
        self, make: Callable[[], Body], *, token: str | None = None
    ) -> tuple[int, list[str]]:
        """Statements of the second of two requests made by ``make`` (a new body each), sent
        with the manifest's ``token`` ("storefront", "staff" or None: anonymous)."""
        bearer = token_of(token, self.manifest)
        headers = {"Authorization": f"Bearer {bearer}"} if bearer is not None else {}
        (await self.client.post("/graphql", json=make(), headers=headers)).raise_for_status()
        body = make()
        with capture_sql() as statements:
            answer = await self.client.post("/graphql", json=body, headers=headers)
        result = answer.json()
        if result.get("errors") or not answer.is_success:
            raise RuntimeError(f"{body and body['query'][:60]}...: {result}")
        return len(statements), statements


async def count_all(manifest: dict[str, Any]) -> dict[str, Any]:
    manifest = prepare(manifest)
    settings = Settings(database_url=manifest["url"], env="production", secret_key="x")
    app = create_app(settings)
    rng = random.Random(5)
    product = SCENARIOS["product"].body
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http,
    ):
        counter = Counter(http, manifest)
        by_kind = {}
        samples = {}
        for kind, skus in sorted(manifest["skus"].items()):
            pool = {"_browsable": skus[:1]}
            by_kind[kind], samples[f"product:{kind}"] = await counter.count(
                lambda pool=pool: product(rng, pool)
            )
        pages = {}
        for first in (1, 50, 100):
            page = products_body(first)
            pages[str(first)], samples[f"products:{first}"] = await counter.count(
                lambda page=page: page(rng, manifest)
            )
        orders: dict[str, dict[str, int]] = {}
        for kind in ("in_stock", "backorder"):
            of_kind = set(manifest["skus"][kind])
            pool = {"_purchasable": [s for s in manifest["_purchasable"] if s in of_kind]}
            orders[kind] = {}
            for lines in (1, 2, 3):
                orders[kind][str(lines)], samples[f"order:{kind}:{lines}"] = await counter.count(
                    lambda pool=pool, lines=lines: order_body(rng, pool, lines),
                    token=SCENARIOS["place_order"].token,
                )
        shortage_pages = {}
        for first in (1, 50, 100):
            page = shortages_body(first)
            shortage_pages[str(first)], samples[f"shortages:{first}"] = await counter.count(
                lambda page=page: page(rng, manifest), token=SCENARIOS["shortages"].token
            )
    return {
        "product": {"by_kind": by_kind, "max": max(by_kind.values())},
        "products": {"by_page_size": pages, "max": max(pages.values())},
        "place_order": {"by_lines": orders, "per_line": _per_line(orders)},
        "shortages": {"by_page_size": shortage_pages, "max": max(shortage_pages.values())},
        "samples": samples,
    }


def _per_line(orders: dict[str, dict[str, int]]) -> dict[str, list[int]]:
    """The statements each extra line adds, per kind of line (all equal: fixed per line)."""
    return {
        kind: [counts["2"] - counts["1"], counts["3"] - counts["2"]]
        for kind, counts in orders.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.statements")
    parser.add_argument("manifest")
    args = parser.parse_args()
    with open(args.manifest) as source:
        manifest = json.load(source)
    print(json.dumps(asyncio.run(count_all(manifest))))


if __name__ == "__main__":
    main()
