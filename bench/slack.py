"""Slash-command latency: signed ``/bobot shortages`` and ``/bobot sku <SKU>`` over HTTP.

``python -m bench.slack MANIFEST [--duration S] [--warmup W] [--max-requests M]`` serves a
Slack Web API stand-in in this process (the bot calls ``auth.test`` on it once), starts
``bobot serve`` on the manifest's store with the bot configured, and sends each command at
concurrency 1 (Slack sends one request per command), each signed as Slack signs it. It times
the reply: the ack's body, which carries the answer. For comparison it also sends the same
named operation to ``/graphql`` with the staff token (the bot's cost is the difference).
Prints one JSON object per command under ``"commands"``. Target: p99 under 300 ms (Slack
waits 3 s for the ack).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from pathlib import Path
from typing import Any

import httpx

from bench import server
from bench.load import percentile
from bench.scenarios import browsable
from bobot.slack import simulate
from bobot.slack.runner import documents
from bobot.slack.standin import running_standin

SECRET = "bench-signing-secret"
USER = "U0BENCH"
COMMANDS = ("shortages", "sku")
OPERATIONS = {"shortages": "SlackShortages", "sku": "SlackSku"}
TARGET_P99_MS = 300.0


def _text(command: str, rng: random.Random, skus: list[str]) -> str:
    return "shortages" if command == "shortages" else f"sku {rng.choice(skus)}"


async def _graphql(
    url: str, command: str, skus: list[str], token: str, *, duration: float, warmup: float,
    max_requests: int,
) -> dict[str, float]:  # fmt: skip
    """The same named operation over /graphql with the staff token: p50 and p99 (ms)."""
    rng = random.Random(7)
    name = OPERATIONS[command]
    latencies: list[float] = []
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=30) as http:
        begin = time.perf_counter()
        measure_from, deadline = begin + warmup, begin + warmup + duration
        while (start := time.perf_counter()) < deadline and len(latencies) < max_requests:
            variables = {"sku": rng.choice(skus)} if command == "sku" else {}
            body = {"query": documents()[name], "operationName": name, "variables": variables}
            response = await http.post(f"{url}/graphql", json=body, headers=headers)
            if response.status_code != 200 or response.json().get("errors"):
                raise RuntimeError(f"{name} over /graphql failed: {response.text[:300]}")
            if start >= measure_from:
                latencies.append(time.perf_counter() - start)
    latencies.sort()
    return {
        "graphql_p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "graphql_p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
    }


async def _drive(
    url: str, command: str, skus: list[str], response_url: str, *, duration: float,
    warmup: float, max_requests: int,
) -> dict[str, Any]:  # fmt: skip
    rng = random.Random(7)
    latencies: list[float] = []
    errors: list[str] = []
    late = 0
    async with httpx.AsyncClient(timeout=30) as http:
        begin = time.perf_counter()
        measure_from, deadline = begin + warmup, begin + warmup + duration
        while True:
            start = time.perf_counter()
            if start >= deadline or len(latencies) + len(errors) >= max_requests:
                break
            body = simulate.slash_command(
                _text(command, rng, skus), user_id=USER, response_url=response_url
            )
            headers = simulate.signed_headers(SECRET, body, content_type=simulate.FORM)
            try:
                response = await http.post(f"{url}/slack/events", content=body, headers=headers)
                reply = response.json() if response.status_code == 200 else {}
                answered = reply.get("blocks") or reply.get("text") == "Working on it…"
                problem = None if answered else response.text[:300]
            except httpx.HTTPError as exc:
                problem = repr(exc)
            done = time.perf_counter()
            if start < measure_from:
                continue
            if problem is not None:
                errors.append(problem)
            elif reply.get("text") == "Working on it…":
                late += 1  # answered later by response_url: counted, not timed
            else:
                latencies.append(done - start)
        seconds = max(time.perf_counter() - measure_from, 1e-9)
    latencies.sort()
    return {
        "command": f"/bobot {command}",
        "concurrency": 1,
        "requests": len(latencies),
        "errors": len(errors),
        "answered_later": late,
        "rps": round(len(latencies) / seconds, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "max_ms": round(latencies[-1] * 1000, 2) if latencies else 0.0,
        "target_p99_ms": TARGET_P99_MS,
        "error_samples": errors[:3],
    }


async def measure(
    manifest: dict[str, Any], *, duration: float, warmup: float, max_requests: int
) -> dict[str, Any]:
    skus = browsable(manifest)
    async with running_standin() as standin:
        target = server.bobot(manifest["url"])
        target.env.update(
            SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=standin.api_url, SLACK_STAFF_IDS=USER,
        )  # fmt: skip
        await asyncio.to_thread(target.start)
        try:
            bounds = {"duration": duration, "warmup": warmup, "max_requests": max_requests}
            commands = {}
            for command in COMMANDS:
                run = await _drive(
                    target.url, command, skus, standin.response_url("bench"), **bounds
                )
                token = str(manifest["staff_token"])
                run.update(await _graphql(target.url, command, skus, token, **bounds))
                commands[command] = run
        finally:
            await asyncio.to_thread(target.stop)
    return {"commands": commands}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.slack", description=__doc__)
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--max-requests", type=int, default=2000)
    args = parser.parse_args()
    manifest = json.loads(args.manifest.read_text())
    result = asyncio.run(
        measure(
            manifest, duration=args.duration, warmup=args.warmup, max_requests=args.max_requests
        )
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
