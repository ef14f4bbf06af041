"""Recomputing expected dates after anything that moves supply or the queue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bobot import sql
from bobot.domain import eta as rules
from bobot.domain.eta import Eta
from bobot.domain.events import BackorderDelayed, BackorderEtaChanged
from bobot.domain.order_plan import parcel_eta
from bobot.domain.ordering import ShipPreference
from bobot.domain.statuses import CANCELLABLE, sql_in
from bobot.domain.statuses import WAITING as WAITING  # importable from here, as before
from bobot.domain.statuses import WAITING_SQL as WAITING_SQL
from bobot.services.context import Actor, Deps
from bobot.services.history import PendingEvent, record, record_per_backorder, typed_event
from bobot.services.supply import supply_and_lead

FIFO_ORDER = ("-priority", "created_at", "id")
#: The same rule, for hand-written SQL.
FIFO_SQL = "priority DESC, created_at, id"


#: A waiting backorder as :func:`read_queues` reads it: id, product id, order id, units
#: still needed, expected date, whether that date is an estimate, promised date, delayed
#: flag (dates and flags as the driver returns them).
QueueRow = tuple[int, int, int, int, Any, Any, Any, Any]


async def read_queues(product_ids: Iterable[int]) -> dict[int, list[QueueRow]]:
    """Each product's waiting backorders in FIFO order (every product asked for has a list)."""
    ids = sorted(set(product_ids))
    queues: dict[int, list[QueueRow]] = {product_id: [] for product_id in ids}
    if not ids:
        return queues
    rows = await sql.fetch(
        "SELECT id, product_id, order_id, quantity - quantity_allocated, expected_date,"
        " eta_is_estimate, promised_date, is_delayed FROM backorder"
        f" WHERE product_id IN ({sql.placeholders(len(ids))}) AND status IN {WAITING_SQL}"
        f" ORDER BY product_id, {FIFO_SQL}",
        ids,
    )
    for row in rows:
        queues[row[1]].append(row)
    return queues


async def recompute_etas(product_ids: Iterable[int], *, actor: Actor, deps: Deps) -> int:
    """Walk each product's queue against its supply; store dates that moved, flag delays.

    Runs inside the caller's transaction. Returns how many backorders changed date.
    """
    return await redate(await read_queues(product_ids), actor=actor, deps=deps)


@dataclass(frozen=True, slots=True)
class Redating:
    """New dates decided for backorders, before any is written: each backorder's row as
    read (:data:`QueueRow`) and the ETA it is to be given."""

    rows: Mapping[int, QueueRow]
    target: Mapping[int, Eta]


async def redate(queues: Mapping[int, Sequence[QueueRow]], *, actor: Actor, deps: Deps) -> int:
    """Store the dates the ETA walk gives each queue (as read by :func:`read_queues`, less
    what has been filled since) where they moved, and flag delays: :func:`plan_dates`, then
    :func:`store_dates`. Returns how many backorders changed date."""
    return await store_dates(await plan_dates(queues, deps=deps), actor=actor, deps=deps)


async def plan_dates(queues: Mapping[int, Sequence[QueueRow]], *, deps: Deps) -> Redating:
    """The date each backorder of ``queues`` is to be given (reads, writes nothing).

    A backorder with nothing left to wait for (just filled completely) ships after
    handling. Every line of a ship-together order waits for the parcel, so each is dated on
    the parcel's day, its lines on other products included (:func:`_parcels`).
    """
    rows = {row[0]: row for product_rows in queues.values() for row in product_rows}
    if not rows:
        return Redating({}, {})
    today = deps.today()
    ready = Eta(deps.settings.calendar.add_ship_days(today, deps.settings.handling_days), False)
    own = await _own_etas(queues, ready, deps=deps, today=today)
    target = await _parcels(rows, own, ready, deps=deps, today=today)
    return Redating(rows, target)


async def store_dates(
    redating: Redating, *, actor: Actor, deps: Deps, written: Iterable[int] = ()
) -> int:
    """Store the dates that moved (all but those ``written`` already, by a fill), flag
    delays, and give each backorder whose date moves, earlier or later, a
    ``BACKORDER_ETA_CHANGED`` event (and ``BACKORDER_DELAYED`` once it passes the promise).

    Set-based however many: per distinct new date, one statement records the events and one
    stores the date. Returns how many backorders changed date.
    """
    skip = set(written)
    now = deps.now()
    groups: dict[tuple[date, bool, bool], list[int]] = defaultdict(list)
    delayed: list[PendingEvent] = []
    for backorder_id, eta in redating.target.items():
        row = redating.rows[backorder_id]
        _, product_id, order_id, _, stored, estimate, promised_at, was_delayed = row
        if backorder_id in skip or (
            eta.ship_date == sql.as_date(stored) and eta.is_estimate == bool(estimate)
        ):
            continue
        promised = sql.as_date(promised_at)
        now_delayed = eta.ship_date > promised
        groups[(eta.ship_date, eta.is_estimate, now_delayed)].append(backorder_id)
        if now_delayed and not was_delayed:
            payload = BackorderDelayed(
                order_id=order_id, promised=promised.isoformat(), expected=eta.ship_date.isoformat()
            )
            delayed.append(
                typed_event(
                    payload, actor=actor, at=now, subject_id=backorder_id, product_id=product_id
                )
            )
    for (ship_date, estimate, now_delayed), backorder_ids in sorted(groups.items()):
        backorder_ids.sort()
        await record_per_backorder(
            BackorderEtaChanged,
            backorder_ids,
            eta_changed(estimate),
            [ship_date, ship_date, ship_date],
            actor=actor,
            at=now,
            then=(
                "UPDATE backorder SET expected_date = ?, eta_is_estimate = ?, is_delayed = ?,"
                f" updated_at = ? WHERE {sql.in_ids('id')}",
                [ship_date, estimate, now_delayed, now, sql.ids(backorder_ids)],
            ),
        )
    await record(delayed)
    return sum(len(v) for v in groups.values())


def eta_changed(is_estimate: bool) -> dict[str, str]:
    """The data of a date change (``BACKORDER_ETA_CHANGED``) for
    :func:`bobot.services.history.record_per_backorder`, built from the backorder's row
    before it changes (parameters: the new date, three times)."""
    return {
        "order_id": "b.order_id",
        "previous": "b.expected_date",
        "expected": sql.date_parameter(),
        "promised": "b.promised_date",
        "is_estimate": sql.json_bool(is_estimate),
        "direction": "CASE WHEN b.expected_date < ? THEN 'LATER'"
        " WHEN b.expected_date > ? THEN 'EARLIER' ELSE 'SAME' END",
    }


async def _own_etas(
    queues: Mapping[int, Sequence[QueueRow]], ready: Eta, *, deps: Deps, today: date
) -> dict[int, Eta]:
    """Each backorder's own ETA: its place in its product's queue against the supply; one
    with nothing left to wait for ships after handling."""
    queued = [product_id for product_id, rows in queues.items() if rows]
    supply, leads = await supply_and_lead(queued)
    own: dict[int, Eta] = {}
    for product_id in queued:
        waiting = [row for row in queues[product_id] if row[3] > 0]
        etas = rules.walk(
            [row[3] for row in waiting],
            supply.get(product_id, []),
            deps.eta_rules(leads.get(product_id), today=today),
        )
        own.update(zip((row[0] for row in waiting), etas, strict=True))
        own.update((row[0], ready) for row in queues[product_id] if row[3] <= 0)
    return own


#: The unshipped backorders of the ship-together orders among those listed
#: (``{orders}``: :func:`bobot.sql.rows_by_id`): each order looked up by its id, then its
#: backorders by theirs, however many orders are listed and few ship together.
_PARCELS = f"""
SELECT b.id, b.product_id, b.order_id, b.quantity - b.quantity_allocated, b.expected_date,
       b.eta_is_estimate, b.promised_date, b.is_delayed
  FROM {{orders}} {{join}} backorder b ON b.order_id = o.id
 WHERE o.ship_preference = '{ShipPreference.SHIP_TOGETHER.value}'
   AND b.status IN {sql_in(CANCELLABLE)}
"""


def _parcels_sql() -> str:
    # SQLite's CROSS JOIN keeps the loops in the order written; PostgreSQL's has no ON.
    join = "JOIN" if sql.dialect() == "postgres" else "CROSS JOIN"
    return _PARCELS.format(orders=sql.rows_by_id('"order"', "o"), join=join)


async def redate_orders(order_ids: Iterable[int], *, actor: Actor, deps: Deps) -> int:
    """Re-date the ship-together orders among ``order_ids`` after one of their lines changed
    (a line cancelled: the parcel may leave earlier). Runs inside the caller's transaction."""
    orders = sorted(set(order_ids))
    if not orders:
        return 0
    found = await sql.fetch(_parcels_sql(), [sql.ids(orders)])
    queues = await read_queues({row[1] for row in found if row[3] > 0})
    for row in found:
        if row[3] <= 0:  # filled: waits for the parcel's other lines
            queues.setdefault(row[1], []).append(row)
    return await redate(queues, actor=actor, deps=deps)


async def _parcels(
    rows: dict[int, QueueRow], own: dict[int, Eta], ready: Eta, *, deps: Deps, today: date
) -> dict[int, Eta]:
    """The date each backorder is to be given: its own, or, for a line of a ship-together
    order with several backorders, the parcel's (:func:`bobot.domain.order_plan.parcel_eta`
    over its lines still waiting).

    Adds to ``rows`` the order's other backorders (waiting on other products, or filled),
    whose own dates come from walking their products' queues too. One statement, and two
    more when a parcel has lines waiting on products not walked yet.
    """
    orders = sorted({row[2] for row in rows.values()})
    found = await sql.fetch(_parcels_sql(), [sql.ids(orders)])
    by_order: dict[int, list[int]] = defaultdict(list)
    for row in found:
        by_order[row[2]].append(row[0])
        rows.setdefault(row[0], row)
    parcels = {order: ids for order, ids in by_order.items() if len(ids) > 1}
    elsewhere = {
        backorder_id
        for ids in parcels.values()
        for backorder_id in ids
        if backorder_id not in own and rows[backorder_id][3] > 0
    }
    if elsewhere:
        products = {rows[backorder_id][1] for backorder_id in elsewhere}
        theirs = await _own_etas(await read_queues(products), ready, deps=deps, today=today)
        own.update((backorder_id, theirs[backorder_id]) for backorder_id in elsewhere)
    target = {backorder_id: own[backorder_id] for backorder_id in own if backorder_id in rows}
    for ids in parcels.values():
        waiting = [own[i] for i in ids if rows[i][3] > 0]
        parcel = parcel_eta(waiting, ready.ship_date)
        target.update(dict.fromkeys(ids, parcel))
    return target
