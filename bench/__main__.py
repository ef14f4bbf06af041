"""``python -m bench``: the whole benchmark (``make bench``), or ``--smoke`` for a tiny one.

1. The HTTP floors (Starlette JSON, bare strawberry ``{ hello }``), each served by uvicorn.
2. For each database: generate the store, serve it with ``bobot serve`` and drive it from a
   separate process at each concurrency and under the mixed load (``bench.mixed``), read
   the server's peak memory, then count SQL statements per request, time the restock and
   the shortage report against their SQL floors (in-process), drain 10,000 webhook
   deliveries against a signed-POST floor, time the insights of a year of history and the
   demand outlook (fitted as before, first with nothing stored, then stored).
3. Write ``latest.json`` and ``latest.md`` (ratios to the floors, targets met or missed).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from bench import report, server
from bench.mixed import STOREFRONT_CONCURRENCY as MIXED_CONCURRENCY
from bench.pg import PostgresServer
from bench.plan import FULL, SMOKE, Plan
from bench.restock import summary as restock_summary

ROOT = Path(__file__).resolve().parent.parent
APP_SCENARIOS = ("product", "products", "place_order", "shortages")
FLOORS = {"strawberry": "hello", "starlette": "json"}  # app -> scenario


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run_json(module: str, *args: str, timeout: float = 600) -> Any:
    """Run ``python -m module args`` from the repository root; its last stdout line is JSON."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{result.stdout[-2000:]}{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def load(
    target: server.Server, scenario: str, concurrency: int, plan: Plan, manifest: Path | None = None
) -> dict[str, Any]:
    args = [
        target.url,
        scenario,
        f"--concurrency={concurrency}",
        f"--duration={plan.duration}",
        f"--warmup={plan.warmup}",
        f"--max-requests={plan.max_requests}",
    ]
    if manifest is not None:
        args += ["--manifest", str(manifest)]
    result = run_json("bench.load", *args)
    log(
        f"  {scenario:<12} c={concurrency:<3} {result['rps']:>8.1f} req/s  "
        f"p50 {result['p50_ms']:.1f} ms  p99 {result['p99_ms']:.1f} ms  errors {result['errors']}"
    )
    return result


def measure_mixed(
    target: server.Server, plan: Plan, manifest: Path, http: dict[str, Any]
) -> dict[str, Any]:
    """Scenario (a) at concurrency 16 while staff ask for shortages and receive a restock,
    against (a) alone at the same concurrency (run just before, on the same server)."""
    mixed: dict[str, Any] = run_json(
        "bench.mixed",
        target.url,
        "--manifest",
        str(manifest),
        f"--duration={plan.duration}",
        f"--warmup={plan.warmup}",
        f"--max-requests={plan.max_requests}",
    )
    solo = http["product"][str(MIXED_CONCURRENCY)]
    mixed["solo_p99_ms"] = solo["p99_ms"]
    storefront = mixed["storefront"]
    mixed["ratio"] = round(storefront["p99_ms"] / solo["p99_ms"], 2) if solo["p99_ms"] else 0.0
    log(
        f"  mixed        c={MIXED_CONCURRENCY:<3} {storefront['rps']:>8.1f} req/s  "
        f"p99 {storefront['p99_ms']:.1f} ms ({mixed['ratio']}x solo)  "
        f"restock {mixed['restock']['seconds']} s  shortages max {mixed['shortages']['max_ms']} ms"
    )
    return mixed


def measure_floors(plan: Plan) -> dict[str, Any]:
    floors = {}
    for app, scenario in FLOORS.items():
        log(f"floor: {app}")
        target = server.floor(app).start()
        try:
            runs = {str(c): load(target, scenario, c, plan) for c in plan.concurrencies}
            floors[app] = {"scenario": scenario, "runs": runs, "peak_rss_mb": target.peak_rss_mb()}
        finally:
            target.stop()
    return floors


@contextlib.contextmanager
def database(backend: str, workdir: Path) -> Iterator[tuple[str, Callable[[str], str]]]:
    """The database's URL, and a function that copies it under a new name (a new URL)."""
    if backend == "sqlite":
        path = workdir / "bench.sqlite3"

        def clone(name: str) -> str:
            copy = workdir / f"{name}.sqlite3"
            source, target = sqlite3.connect(path), sqlite3.connect(copy)
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
            return f"sqlite://{copy}"

        yield f"sqlite://{path}", clone
        return
    pg = PostgresServer().start()
    try:
        yield pg.url, pg.clone
    finally:
        pg.stop()


def measure_slack(backend: str, manifest: Path, plan: Plan) -> dict[str, Any]:
    slack = run_json(
        "bench.slack", str(manifest), f"--duration={plan.duration}", f"--warmup={plan.warmup}",
        f"--max-requests={plan.max_requests}",
    )  # fmt: skip
    for run in slack["commands"].values():
        log(
            f"{backend}: {run['command']:<16} p50 {run['p50_ms']:.1f} ms  "
            f"p99 {run['p99_ms']:.1f} ms  errors {run['errors']}"
        )
    return slack


def measure_backend(
    backend: str, plan: Plan, workdir: Path, smoke: bool, *, only_slack: bool = False
) -> dict[str, Any]:
    with database(backend, workdir) as (url, clone):
        manifest = workdir / f"manifest-{backend}.json"
        log(f"{backend}: generating the store")
        generated = run_json("bench.generate", url, str(manifest), *(["--smoke"] if smoke else []))
        log(f"{backend}: {generated['rows']['backorder']} backorders in {generated['seconds']} s")
        if only_slack:
            return {"generate": generated, "slack": measure_slack(backend, manifest, plan)}
        # Each restock changes the store: each round gets its own copy, taken before the load.
        fresh = [clone(f"restock{n}") for n in range(1, plan.restock_rounds + 1)]
        target = server.bobot(url).start()
        try:
            http = {}
            for scenario in APP_SCENARIOS:
                runs = {
                    str(c): load(target, scenario, c, plan, manifest) for c in plan.concurrencies
                }
                http[scenario] = runs
            mixed = measure_mixed(target, plan, manifest, http)
            peak = target.peak_rss_mb()
        finally:
            target.stop()
        slack = measure_slack(backend, manifest, plan)
        log(f"{backend}: server peak RSS {peak} MiB; counting statements")
        statements = run_json("bench.statements", str(manifest))
        rounds = []
        for copy in fresh:
            rounds.append(run_json("bench.restock", str(manifest), "--url", copy))
            log(
                f"{backend}: restock {rounds[-1]['service_s']} s, "
                f"floor {rounds[-1]['floor_s']} s ({rounds[-1]['ratio']}x)"
            )
        restock = restock_summary(rounds)
        log(f"{backend}: outbox drain")
        outbox = run_json("bench.outbox", fresh[0], *(["--count", "500"] if smoke else []))
        log(
            f"{backend}: drained {outbox['sent']} webhook deliveries in {outbox['service_s']} s,"
            f" floor {outbox['floor_s']} s ({outbox['ratio']}x)"
        )
        log(f"{backend}: shortages")
        shortages = run_json("bench.shortages", str(manifest))
        log(
            f"{backend}: shortages of {shortages['products']} products "
            f"{shortages['service_s']} s, floor {shortages['floor_s']} s"
        )
        log(f"{backend}: insights")
        insights = run_json("bench.insights", str(manifest), "--url", fresh[-1])
        log(
            f"{backend}: insights of a year, {insights['events']} events: shop "
            f"{insights['shop']['seconds']} s ({insights['shop']['statements']} statements), "
            f"sku {insights['sku']['seconds']} s, category {insights['category']['seconds']} s"
        )
        log(f"{backend}: demand outlook")
        outlook = run_json("bench.outlook", str(manifest), "--url", fresh[0], timeout=1800)
        log(
            f"{backend}: outlook of {outlook['first']['products']} products: before "
            f"{outlook['before']['seconds']} s (loop stalled {outlook['before']['stall_s']} s), "
            f"first {outlook['first']['seconds']} s (stall {outlook['first']['stall_s']} s), "
            f"cached {outlook['cached']['seconds']} s"
        )
    return {
        "generate": generated,
        "http": http,
        "insights": insights,
        "outlook": outlook,
        "slack": slack,
        "peak_rss_mb": peak,
        "statements": statements,
        "mixed": mixed,
        "restock": restock,
        "outbox": outbox,
        "shortages": shortages,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny store, 1-2 s per scenario")
    parser.add_argument("--backends", help="comma-separated: sqlite,postgres")
    parser.add_argument("--duration", type=float, help="measured seconds per scenario")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument(
        "--simulate", action="store_true",
        help="also time `bobot simulate`'s default season (about 2 minutes more)",
    )  # fmt: skip
    parser.add_argument(
        "--only-slack", action="store_true",
        help="measure only the Slack slash commands; prints their table, writes no results",
    )  # fmt: skip
    args = parser.parse_args()
    plan = SMOKE if args.smoke else FULL
    if args.backends:
        plan = plan.with_backends(tuple(args.backends.split(",")))
    if args.duration:
        plan = replace(plan, duration=args.duration)

    started = time.perf_counter()
    if args.only_slack:
        workdir = Path(tempfile.mkdtemp(prefix="bobot-bench-", dir="/tmp"))
        try:
            backends = {
                b: measure_backend(b, plan, workdir, args.smoke, only_slack=True)
                for b in plan.backends
            }
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        print("\n".join(report.slack_lines(backends)))
        return
    workdir = Path(tempfile.mkdtemp(prefix="bobot-bench-", dir="/tmp"))
    try:
        results: dict[str, Any] = {"machine": report.machine(), "plan": asdict(plan)}
        results["floors"] = measure_floors(plan)
        results["backends"] = {
            backend: measure_backend(backend, plan, workdir, args.smoke)
            for backend in plan.backends
        }
        if args.simulate:
            log("simulate: the season, every policy")
            results["simulation"] = run_json(
                "bench.simulate", *(["--smoke"] if args.smoke else []), timeout=900
            )
            log(f"  season in {results['simulation']['seconds']} s")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results["seconds"] = round(time.perf_counter() - started, 1)
    markdown = report.write(results, args.out)
    print(markdown)
    log(f"done in {results['seconds']} s; wrote {args.out / 'latest.json'} and latest.md")


if __name__ == "__main__":
    main()
