"""The demand outlook: each product's weekly forecast from its order history, the stock it
calls for, and how soon cover runs out against incoming purchase orders (the rules are
:mod:`bobot.domain.demand`). Four statements, whatever the number of products."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from bobot import sql
from bobot.domain import demand as rules
from bobot.domain.statuses import OPEN_PO_SQL
from bobot.errors import InvalidInput
from bobot.services.context import Deps

#: Weeks of order history a forecast reads (three years: two seasons and one held out).
HISTORY_WEEKS = 3 * 52
MAX_OUTLOOK_WEEKS = 52

_ORDERED = """
SELECT l.product_id, o.created_at, l.quantity
  FROM order_line l JOIN "order" o ON o.id = l.order_id
 WHERE o.created_at >= ? AND o.created_at < ?{ids}
"""
_PRODUCTS = "SELECT id, sku, name, available, backordered FROM product WHERE {ids}"
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
    for pid, created, units in await sql.fetch(_ORDERED.format(ids=where), params):
        ordered[pid].append((_instant(created).astimezone(zone).date(), int(units)))
    ids = sql.ids(sorted(ordered))
    products = await sql.fetch(_PRODUCTS.format(ids=sql.in_ids("id")), [ids])
    incoming: dict[int, list[rules.Incoming]] = defaultdict(list)
    for pid, expected, due in await sql.fetch(
        _INCOMING.format(ids=sql.in_ids("l.product_id")), [ids]
    ):
        incoming[pid].append(rules.Incoming(sql.as_date(expected), int(due)))
    leads = dict(await sql.fetch(_LEADS.format(ids=sql.in_ids("product_id")), [True, ids]))
    result = []
    for pid, sku, name, available, backordered in products:
        lead = int(leads.get(pid) or deps.settings.default_lead_days)
        history = _trimmed(rules.weekly_series(ordered[pid], first_week, this_week))
        horizon = weeks + -(-lead // 7)
        forecast = _forecast(tuple(history), horizon)
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


@lru_cache(maxsize=20_000)
def _forecast(history: tuple[float, ...], horizon: int) -> rules.Forecast:
    """A forecast rests on whole weeks only: the same weeks give the same forecast all week,
    so each process fits a product's model once a week (or when a late order changes a
    past week), not at every request."""
    return rules.forecast(history, horizon)


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
