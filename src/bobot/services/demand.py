"""The demand outlook: each product's weekly forecast from its order history, the stock it
calls for, and how soon cover runs out against incoming purchase orders (the rules are
:mod:`bobot.domain.demand`). Four statements, whatever the number of products, once the
week's forecasts are stored.

Forecasts rest on whole weeks, so a product's forecast holds all week: each is stored
(``demand_forecast``) with the fingerprint of the weeks it rests on, and every process and
restart reuses it; only the missing or stale ones (a new week, a late order changing a past
week) are made again. Fitting is CPU work of up to tens of milliseconds a product: it runs
in batches in a process pool (``BOBOT_FORECAST_PROCESSES``; 0: a thread), never on the event
loop, so the API and the worker's other jobs go on while a large outlook is computed. Each
batch is stored as it comes back."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bobot import sql
from bobot.domain import demand as rules
from bobot.domain.statuses import OPEN_PO_SQL
from bobot.errors import InvalidInput
from bobot.services.context import Deps

#: Weeks of order history a forecast reads (three years: two seasons and one held out).
HISTORY_WEEKS = 3 * 52
MAX_OUTLOOK_WEEKS = 52
#: Products a batch of fits holds (a process pool's task; a thread's turn).
FIT_BATCH = 50
#: Products whose rows are built between two yields to the event loop.
YIELD_EVERY = 500

_ORDERED = """
SELECT l.product_id, o.created_at, l.quantity
  FROM order_line l JOIN "order" o ON o.id = l.order_id
 WHERE o.created_at >= ? AND o.created_at < ?{ids}
"""
_PRODUCTS = """
SELECT p.id, p.sku, p.name, p.available, p.backordered, f.week, f.history_key, f.horizon,
       f.method, f.weeks, f.sigma, f.heldout_weeks, f.error, f.naive_error
  FROM product p LEFT JOIN demand_forecast f ON f.product_id = p.id
 WHERE {ids}
"""
_STORE = """
INSERT INTO demand_forecast (product_id, week, history_key, horizon, method, weeks, sigma,
                             heldout_weeks, error, naive_error, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (product_id) DO UPDATE SET
  week = excluded.week, history_key = excluded.history_key, horizon = excluded.horizon,
  method = excluded.method, weeks = excluded.weeks, sigma = excluded.sigma,
  heldout_weeks = excluded.heldout_weeks, error = excluded.error,
  naive_error = excluded.naive_error, created_at = excluded.created_at
"""
_INCOMING = f"""
SELECT l.product_id, po.expected_date, l.quantity - l.quantity_received
  FROM purchase_order_line l JOIN purchase_order po ON po.id = l.purchase_order_id
 WHERE po.status IN {OPEN_PO_SQL} AND l.quantity > l.quantity_received AND {{ids}}
"""
_LEADS = (
    "SELECT product_id, MIN(lead_time_days) FROM supplier_offer"
    " WHERE active = ? AND {ids} GROUP BY product_id"
)


@dataclass(frozen=True, slots=True)
class Outlook:
    product_id: int
    sku: str
    name: str
    forecast: rules.Forecast  # its weeks cover the outlook and the lead time after it
    weeks: int  # the outlook's length
    history_weeks: int  # weeks of orders the forecast rests on
    lead_days: int
    available: int
    backordered: int
    incoming: int
    safety_stock: int
    reorder_point: int
    heading_into_peak: bool
    cover: rules.Cover


def check_weeks(weeks: int) -> None:
    if not 1 <= weeks <= MAX_OUTLOOK_WEEKS:
        raise InvalidInput(f"weeks must be between 1 and {MAX_OUTLOOK_WEEKS}.", field=["weeks"])


def _instant(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def outlooks(
    *, weeks: int, deps: Deps, product_ids: Sequence[int] | None = None
) -> list[Outlook]:
    """The outlook of every product ordered in the last :data:`HISTORY_WEEKS` weeks (or of
    ``product_ids``), soonest to run out first (those that do not run out last, by SKU)."""
    check_weeks(weeks)
    zone = deps.settings.calendar.zone
    today = deps.today()
    this_week = today - timedelta(days=today.weekday())
    first_week = this_week - timedelta(weeks=HISTORY_WEEKS)
    low = datetime.combine(first_week, time(), zone).astimezone(UTC)
    high = datetime.combine(this_week, time(), zone).astimezone(UTC)
    where = f" AND {sql.in_ids('l.product_id')}" if product_ids is not None else ""
    params: list[Any] = [sql.adapt(low), sql.adapt(high)]
    if product_ids is not None:
        params.append(sql.ids(product_ids))
    ordered: dict[int, list[tuple[date, int]]] = defaultdict(list)
    lines = await sql.fetch(_ORDERED.format(ids=where), params)
    for n, (pid, created, units) in enumerate(lines):
        if n and not n % (20 * YIELD_EVERY):
            await asyncio.sleep(0)
        ordered[pid].append((_instant(created).astimezone(zone).date(), int(units)))
    ids = sql.ids(sorted(ordered))
    products = await sql.fetch(_PRODUCTS.format(ids=sql.in_ids("p.id")), [ids])
    incoming: dict[int, list[rules.Incoming]] = defaultdict(list)
    for pid, expected, due in await sql.fetch(
        _INCOMING.format(ids=sql.in_ids("l.product_id")), [ids]
    ):
        incoming[pid].append(rules.Incoming(sql.as_date(expected), int(due)))
    leads = dict(await sql.fetch(_LEADS.format(ids=sql.in_ids("product_id")), [True, ids]))
    rows, missing = [], []
    for n, (pid, sku, name, available, backordered, *stored) in enumerate(products):
        if n and not n % YIELD_EVERY:
            await asyncio.sleep(0)  # a large catalog: let requests in between
        lead = int(leads.get(pid) or deps.settings.default_lead_days)
        history = _trimmed(rules.weekly_series(ordered[pid], first_week, this_week))
        horizon = weeks + -(-lead // 7)
        key = rules.history_key(history)
        kept = _stored(stored, this_week, key, horizon)
        if kept is None:
            missing.append((pid, history, MAX_OUTLOOK_WEEKS + -(-lead // 7)))
        rows.append((pid, sku, name, available, backordered, lead, history, horizon, kept))
    made = await _fit_and_store(missing, this_week, deps)
    result = []
    for n, (pid, sku, name, available, backordered, lead, history, horizon, kept) in enumerate(
        rows
    ):
        if n and not n % YIELD_EVERY:
            await asyncio.sleep(0)
        made_or_kept = kept or made[pid]
        forecast = replace(made_or_kept, weeks=made_or_kept.weeks[:horizon])
        safety = rules.safety_stock(forecast.sigma, lead, deps.settings.service_level)
        lead_demand = rules.lead_time_demand(forecast.weeks, lead)
        result.append(
            Outlook(
                product_id=pid,
                sku=sku,
                name=name,
                forecast=forecast,
                weeks=weeks,
                history_weeks=len(history),
                lead_days=lead,
                available=available,
                backordered=backordered,
                incoming=sum(i.units for i in incoming[pid]),
                safety_stock=safety,
                reorder_point=round(lead_demand + safety),
                heading_into_peak=rules.heading_into_peak(history, forecast.weeks, weeks),
                cover=rules.cover(
                    today=today,
                    available=available,
                    backordered=backordered,
                    incoming=incoming[pid],
                    weeks=forecast.weeks,
                    safety=safety,
                    lead_days=lead,
                ),
            )
        )
    return sorted(result, key=rank_of)


def _stored(
    stored: Sequence[Any], this_week: date, key: str, horizon: int
) -> rules.Forecast | None:
    """The stored forecast of a product's row, if it is this week's, rests on the same
    weeks and reaches ``horizon`` weeks."""
    week, kept_key, kept_horizon, method, weeks, sigma, held, error, naive = stored
    if week is None or sql.as_date(week) != this_week or kept_key != key:
        return None
    if kept_horizon < horizon:
        return None
    return rules.Forecast(method, [float(v) for v in json.loads(weeks)], sigma, held, error, naive)


_pools: dict[int, ProcessPoolExecutor] = {}


def _pool(processes: int) -> ProcessPoolExecutor:
    """The process's pool of ``processes`` fitting processes, started on first use (spawned:
    a fresh interpreter that imports the rules only, never a fork of the event loop)."""
    pool = _pools.get(processes)
    if pool is None:
        pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
        _pools[processes] = pool
    return pool


async def fit(
    jobs: Sequence[tuple[int, Sequence[float], int]], *, processes: int
) -> dict[int, rules.Forecast]:
    """The forecasts of ``jobs`` (key, history, horizon), fitted off the event loop."""
    made: dict[int, rules.Forecast] = {}
    async for batch in _fitted(jobs, processes):
        made.update(batch)
    return made


async def _fitted(jobs: Sequence[tuple[int, Sequence[float], int]], processes: int) -> Any:
    """Batches of fitted forecasts as they come back: from a process pool when
    ``processes`` > 0, else from a thread, one batch at a time."""
    batches = [list(jobs[n : n + FIT_BATCH]) for n in range(0, len(jobs), FIT_BATCH)]
    if not processes:
        for batch in batches:
            yield dict(await asyncio.to_thread(rules.forecast_many, batch))
        return
    loop = asyncio.get_running_loop()
    pool = _pool(processes)
    try:
        futures = [loop.run_in_executor(pool, rules.forecast_many, b) for b in batches]
        for done in asyncio.as_completed(futures):
            yield dict(await done)
    except BrokenProcessPool:  # a fitting process died: the next outlook starts a new pool
        _pools.pop(processes, None)
        raise


async def _fit_and_store(
    jobs: Sequence[tuple[int, Sequence[float], int]], week: date, deps: Deps
) -> dict[int, rules.Forecast]:
    """Fit ``jobs`` and store each batch as it comes back (an interrupted outlook keeps
    what it made)."""
    made: dict[int, rules.Forecast] = {}
    keys = {pid: rules.history_key(history) for pid, history, _ in jobs}
    horizons = {pid: horizon for pid, _, horizon in jobs}
    async for batch in _fitted(jobs, deps.settings.forecast_processes):
        made.update(batch)
        now = deps.now()
        stored = [
            (pid, week, keys[pid], horizons[pid], f.method, json.dumps(f.weeks), f.sigma,
             f.heldout_weeks, f.error, f.naive_error, now)
            for pid, f in batch.items()
        ]  # fmt: skip
        await sql.execute_many(_STORE, stored)
    return made


def rank_of(outlook: Outlook) -> tuple[int, str, str]:
    """Soonest to run out first; then by SKU."""
    runs_out = outlook.cover.runs_out
    return (0 if runs_out else 1, runs_out.isoformat() if runs_out else "", outlook.sku)


def _trimmed(series: list[float]) -> list[float]:
    """The weeks from the first with an order on: a product sold for ten weeks has ten
    weeks of history, not three years of zeros before them."""
    for index, units in enumerate(series):
        if units:
            return series[index:]
    return []
