"""A bounded load generator: N keep-alive connections, each sending one request at a time.

``python -m bench.load URL SCENARIO --concurrency N --duration S --warmup W --max-requests M
[--manifest FILE]`` runs for W seconds unmeasured, then until S seconds or M measured
requests have passed (whichever first), and prints one JSON object: requests, errors,
requests/s, latency percentiles and a few error samples.

HTTP/1.1 is spoken directly on asyncio streams (no client library), so that the driver costs
less CPU per request than the servers it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bench.scenarios import SCENARIOS, Scenario, prepare

TIMEOUT = 30.0


class HttpConnection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes, headers: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{headers}"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
        payload = await self.reader.readexactly(int(fields["content-length"]))
        if fields.get("connection") == "close":
            self.close()
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    samples: list[str] = field(default_factory=list)
    last_done: float = 0.0

    def error(self, text: str) -> None:
        self.errors += 1
        if len(self.samples) < 3:
            self.samples.append(text[:300])


@dataclass
class Run:
    url: str
    scenario: Scenario
    manifest: dict[str, Any]
    concurrency: int
    duration: float
    warmup: float
    max_requests: int
    seed: int = 1
    tally: Tally = field(default_factory=Tally)

    async def worker(self, index: int, measure_from: float, deadline: float) -> None:
        parts = urlsplit(self.url)
        conn = HttpConnection(parts.hostname or "127.0.0.1", parts.port or 80)
        rng = random.Random(self.seed * 1000 + index)
        headers = "Content-Type: application/json\r\n"
        token = self.scenario.bearer(self.manifest)
        if token is not None:
            headers += f"Authorization: Bearer {token}\r\n"
        method = "GET" if self.scenario.body(rng, self.manifest) is None else "POST"
        tally = self.tally
        while True:
            start = time.perf_counter()
            if start >= deadline or len(tally.latencies) + tally.errors >= self.max_requests:
                break
            body = self.scenario.body(rng, self.manifest)
            data = b"" if body is None else json.dumps(body).encode()
            try:
                status, payload = await asyncio.wait_for(
                    conn.request(method, self.scenario.path, data, headers), TIMEOUT
                )
                problem = None if status == 200 and self.correct(payload) else payload
            except Exception as exc:  # a broken connection, a timeout, a malformed answer
                conn.close()
                status, problem = 0, repr(exc).encode()
            done = time.perf_counter()
            if start < measure_from:
                continue
            tally.last_done = max(tally.last_done, done)
            if problem is None:
                tally.latencies.append(done - start)
            else:
                tally.error(f"HTTP {status}: {problem.decode(errors='replace')}")
        conn.close()

    def correct(self, payload: bytes) -> bool:
        try:
            return self.scenario.ok(json.loads(payload))
        except (ValueError, LookupError, TypeError):
            return False

    async def run(self) -> dict[str, Any]:
        begin = time.perf_counter()
        measure_from = begin + self.warmup
        deadline = measure_from + self.duration
        await asyncio.gather(
            *(self.worker(i, measure_from, deadline) for i in range(self.concurrency))
        )
        return self.summary(measure_from)

    def summary(self, measure_from: float) -> dict[str, Any]:
        tally = self.tally
        latencies = sorted(tally.latencies)
        seconds = max(tally.last_done - measure_from, 1e-9)
        return {
            "scenario": self.scenario.name,
            "concurrency": self.concurrency,
            "requests": len(latencies),
            "errors": tally.errors,
            "seconds": round(seconds, 3),
            "rps": round(len(latencies) / seconds, 1),
            "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
            "max_ms": round(latencies[-1] * 1000, 2) if latencies else 0.0,
            "error_samples": tally.samples,
        }


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not ordered:
        return 0.0
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("url", help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--manifest", help="the store's manifest (SKUs, tokens)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    manifest: dict[str, Any] = {}
    if args.manifest:
        with open(args.manifest) as source:
            manifest = prepare(json.load(source))
    run = Run(
        url=args.url,
        scenario=SCENARIOS[args.scenario],
        manifest=manifest,
        concurrency=args.concurrency,
        duration=args.duration,
        warmup=args.warmup,
        max_requests=args.max_requests,
        seed=args.seed,
    )
    print(json.dumps(asyncio.run(run.run())))


if __name__ == "__main__":
    main()
