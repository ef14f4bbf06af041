"""The demand outlook over the bench store, in-process: before and after in one run.

- **before**: the forecasts fitted as before stored forecasts and shortcuts
  (``forecast(..., shortcuts=False)``: a statsmodels fit each), inline on the event loop,
  on the first ``--before-sample`` products (default 500) and scaled to all of them (the
  fits are independent; fitting all 6,000 took minutes and would double the bench);
- **first**: ``demand.outlooks`` with no stored forecast, fits in the process pool
  (``BOBOT_FORECAST_PROCESSES=1``), then again with none stored and fits in a thread;
- **cached**: ``demand.outlooks`` again, every forecast stored (its statements counted).

For each: its seconds and the event loop's worst stall meanwhile (a task that wakes every
10 ms measures how late it wakes). The bench store's products were last ordered weeks ago
(QUIET: nothing to fit), so **fits** times ``--fits`` shaped histories (20 weeks rising,
fixed seed: a Holt fit and a held-out one each) fitted inline, in the process pool and in
a thread, batch by batch: which keeps the loop free while statsmodels works.

The accuracy of the shortcuts: on up to ``--sample`` products with 12 weeks or more, the
last 4 weeks held out, the mean absolute error of the forecasts with and without them.
``python -m bench.outlook MANIFEST --url URL`` prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from bench.sqllog import capture_sql
from bobot import sql
from bobot.config import Settings
from bobot.db import connected
from bobot.domain import demand as rules
from bobot.services import demand
from bobot.services.context import Deps

WEEKS = 8
TICK = 0.01


async def _timed(work: Callable[[], Awaitable[Any]]) -> tuple[Any, float, float]:
    """(result, seconds, the event loop's worst stall in seconds) of ``work``."""
    stalls = [0.0]
    done = asyncio.Event()

    async def watch() -> None:
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            stalls[0] = max(stalls[0], time.perf_counter() - before - TICK)

    watcher = asyncio.create_task(watch())
    await asyncio.sleep(0)
    started = time.perf_counter()
    try:
        result = await work()
    finally:
        seconds = time.perf_counter() - started
        done.set()
        await watcher
    return result, seconds, stalls[0]


async def _histories(deps: Deps) -> dict[int, list[float]]:
    """Each product's weeks of orders, as the outlook reads them."""
    today = deps.today()
    this_week = today - timedelta(days=today.weekday())
    first_week = this_week - timedelta(weeks=demand.HISTORY_WEEKS)
    zone = deps.settings.calendar.zone
    ordered: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for pid, created, units in await sql.fetch(
        demand._ORDERED.format(ids=""), [sql.adapt(datetime(2000, 1, 1)), sql.adapt(deps.now())]
    ):
        ordered[pid].append((demand._instant(created).astimezone(zone).date(), int(units)))
    return {
        pid: demand._trimmed(rules.weekly_series(days, first_week, this_week))
        for pid, days in ordered.items()
    }


def _accuracy(histories: dict[int, list[float]], sample: int) -> dict[str, Any]:
    held = 4
    chosen = [h for h in histories.values() if len(h) >= 8 + held][:sample]
    errors: dict[str, list[float]] = {"with": [], "without": []}
    for history in chosen:
        train, actual = history[:-held], np.asarray(history[-held:])
        for name, shortcuts in (("with", True), ("without", False)):
            ahead = rules.forecast(train, held, shortcuts=shortcuts).weeks
            errors[name].append(float(np.mean(np.abs(np.asarray(ahead) - actual))))
    mae = {name: round(float(np.mean(v)), 4) if v else None for name, v in errors.items()}
    return {"products": len(chosen), "held_out_weeks": held, "mae_with_shortcuts": mae["with"],
            "mae_without": mae["without"]}  # fmt: skip


async def _fits(count: int) -> dict[str, Any]:
    rng = np.random.default_rng(20240501)
    jobs = [(n, [float(max(0, round(3 + (1 + n % 4) * w + rng.normal(0, 2)))) for w in range(20)],
             demand.MAX_OUTLOOK_WEEKS + 4) for n in range(count)]  # fmt: skip
    figures: dict[str, Any] = {"histories": count}

    async def inline() -> Any:
        return rules.forecast_many(jobs)

    for name, work in (
        ("inline", inline),
        ("pool", lambda: demand.fit(jobs, processes=1)),
        ("thread", lambda: demand.fit(jobs, processes=0)),
    ):
        made, seconds, stall = await _timed(work)
        assert len(made) == count
        figures[name] = {"seconds": round(seconds, 2), "stall_s": round(stall, 3)}
    return figures


async def measure(
    url: str, sample: int, fits: int = 200, before_sample: int = 500
) -> dict[str, Any]:
    settings = Settings(database_url=url)
    deps = Deps(settings=settings)
    results: dict[str, Any] = {}
    async with connected(url):
        await sql.execute("DELETE FROM demand_forecast")
        histories = await _histories(deps)
        horizon = WEEKS + -(-settings.default_lead_days // 7)

        picked = list(histories.values())[:before_sample]

        async def before() -> list[rules.Forecast]:
            return [rules.forecast(h, horizon, shortcuts=False) for h in picked]

        made, seconds, stall = await _timed(before)
        scale = len(histories) / max(len(picked), 1)
        results["before"] = {"seconds": round(seconds * scale, 2),
                             "stall_s": round(stall * scale, 3),
                             "measured": {"products": len(picked), "seconds": round(seconds, 2)},
                             "methods": dict(Counter(f.method for f in made))}  # fmt: skip
        for name, processes in (("first", 1), ("first_thread", 0)):
            await sql.execute("DELETE FROM demand_forecast")
            run = replace(deps, settings=replace(settings, forecast_processes=processes))
            found, seconds, stall = await _timed(
                lambda run=run: demand.outlooks(weeks=WEEKS, deps=run)
            )
            results[name] = {"seconds": round(seconds, 2), "stall_s": round(stall, 3),
                             "products": len(found)}  # fmt: skip
        results["methods"] = dict(Counter(o.forecast.method for o in found))
        with capture_sql() as statements:
            _, seconds, stall = await _timed(lambda: demand.outlooks(weeks=WEEKS, deps=deps))
        results["cached"] = {"seconds": round(seconds, 2), "stall_s": round(stall, 3),
                             "statements": len(statements)}  # fmt: skip
    results["accuracy"] = _accuracy(histories, sample)
    results["fits"] = await _fits(fits)
    before = results["before"]["seconds"]
    results["ratio_first"] = round(before / results["first"]["seconds"], 1)
    results["ratio_cached"] = round(before / max(results["cached"]["seconds"], 1e-3), 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.outlook")
    parser.add_argument("manifest")
    parser.add_argument("--url", required=True, help="a copy of the store (forecasts written)")
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--fits", type=int, default=200)
    parser.add_argument("--before-sample", type=int, default=500)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.url, args.sample, args.fits, args.before_sample))))


if __name__ == "__main__":
    main()
