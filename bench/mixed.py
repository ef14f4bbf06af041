"""The mixed load: shoppers, staff and a restock on one server at once.

The storefront asks for ``product(sku)`` at concurrency 16 (scenario (a)) while a staff
client asks for ``shortages(first: 50)`` once a second and, early in the measured window,
staff receive a 10,000-unit restock of the product with the long queue (``receiveStock``).
The storefront's latencies are measured as in :mod:`bench.load`; the report sets its p99
against the p99 of scenario (a) alone at the same concurrency, measured in the same run.

``python -m bench.mixed URL --manifest FILE --duration S --warmup W --max-requests M`` prints
one JSON object: the storefront run, the staff requests and the restock.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from typing import Any
from urllib.parse import urlsplit

from bench.load import TIMEOUT, HttpConnection, Run, percentile
from bench.scenarios import SCENARIOS, prepare, shortages_body, shortages_ok

STOREFRONT_CONCURRENCY = 16
SHORTAGES_EVERY = 1.0  # seconds between the staff client's requests
RESTOCK_AFTER = 2.0  # seconds into the measured window
RESTOCK = (
    "mutation Restock($input: ReceiveStockInput!) { receiveStock(input: $input) {"
    " product { sku } userErrors { code message } } }"
)


class StaffClient:
    """One keep-alive connection sending staff requests, one at a time."""

    def __init__(self, url: str, token: str) -> None:
        parts = urlsplit(url)
        self.conn = HttpConnection(parts.hostname or "127.0.0.1", parts.port or 80)
        self.headers = f"Content-Type: application/json\r\nAuthorization: Bearer {token}\r\n"

    async def post(self, body: dict[str, Any]) -> tuple[float, Any]:
        """Seconds taken and the decoded answer (None when the request failed)."""
        started = time.perf_counter()
        try:
            status, payload = await asyncio.wait_for(
                self.conn.request("POST", "/graphql", json.dumps(body).encode(), self.headers),
                TIMEOUT * 4,
            )
            answer = json.loads(payload) if status == 200 else None
        except Exception:  # a broken connection or a timeout counts as an error
            self.conn.close()
            answer = None
        return time.perf_counter() - started, answer


async def _shortages(client: StaffClient, manifest: dict[str, Any], until: float) -> list[Any]:
    """Ask once a second until ``until``; each result is (seconds, ok)."""
    body = shortages_body(50)(random.Random(0), manifest)
    assert body is not None
    results = []
    next_at = time.perf_counter()
    while next_at < until:
        await asyncio.sleep(max(next_at - time.perf_counter(), 0))
        seconds, answer = await client.post(body)
        results.append((seconds, answer is not None and shortages_ok(answer)))
        next_at += SHORTAGES_EVERY
    return results


async def _restock(client: StaffClient, manifest: dict[str, Any], at: float) -> dict[str, Any]:
    await asyncio.sleep(max(at - time.perf_counter(), 0))
    restock = manifest["restock"]
    variables = {"input": {"sku": restock["service"], "quantity": restock["units"]}}
    seconds, answer = await client.post({"query": RESTOCK, "variables": variables})
    payload = (answer or {}).get("data", {}) or {}
    done = payload.get("receiveStock") or {}
    ok = bool(done.get("product")) and not done.get("userErrors") and not answer.get("errors")
    return {"seconds": round(seconds, 3), "units": restock["units"], "ok": ok}


async def measure(
    url: str, manifest: dict[str, Any], *, duration: float, warmup: float, max_requests: int
) -> dict[str, Any]:
    run = Run(
        url=url,
        scenario=SCENARIOS["product"],
        manifest=manifest,
        concurrency=STOREFRONT_CONCURRENCY,
        duration=duration,
        warmup=warmup,
        max_requests=max_requests,
    )
    begin = time.perf_counter()
    measure_from, deadline = begin + warmup, begin + warmup + duration
    staff = str(manifest["staff_token"])
    restock_at = measure_from + min(RESTOCK_AFTER, duration / 4)
    _, shortages, restock = await asyncio.gather(
        asyncio.gather(
            *(run.worker(i, measure_from, deadline) for i in range(STOREFRONT_CONCURRENCY))
        ),
        _shortages(StaffClient(url, staff), manifest, deadline),
        _restock(StaffClient(url, staff), manifest, restock_at),
    )
    seconds = sorted(s for s, _ in shortages)
    return {
        "storefront": run.summary(measure_from),
        "shortages": {
            "requests": len(shortages),
            "errors": sum(1 for _, ok in shortages if not ok),
            "p50_ms": round(percentile(seconds, 0.50) * 1000, 2),
            "max_ms": round(seconds[-1] * 1000, 2) if seconds else 0.0,
        },
        "restock": restock,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.mixed")
    parser.add_argument("url", help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--manifest", required=True, help="the store's manifest")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--max-requests", type=int, default=100_000)
    args = parser.parse_args()
    with open(args.manifest) as source:
        manifest = prepare(json.load(source))
    result = measure(
        args.url,
        manifest,
        duration=args.duration,
        warmup=args.warmup,
        max_requests=args.max_requests,
    )
    print(json.dumps(asyncio.run(result)))


if __name__ == "__main__":
    main()
