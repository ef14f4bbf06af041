"""Suppliers' delivery records and the promise margins learned from them.

Each purchase order's first receipt counts one delivery into ``supplier_delay`` (a histogram
per supplier), in the receipt's transaction: one small read of the date the supplier first
gave and one upsert, whatever the size of the order. Reading margins or records for any
number of suppliers is one statement (their histograms and the shop's, together).
The rules are in :mod:`bobot.domain.reliability`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from tortoise.transactions import in_transaction

from bobot import sql
from bobot.domain import reliability as rules
from bobot.models import Event, PurchaseOrder
from bobot.services.context import Deps
from bobot.services.history import EventKind

_COUNT_DELIVERY = """
INSERT INTO supplier_delay (supplier_id, delay_days, deliveries) VALUES (?, ?, 1)
ON CONFLICT (supplier_id, delay_days) DO UPDATE SET deliveries = supplier_delay.deliveries + 1
"""

_SHOP = "SELECT NULL, delay_days, SUM(deliveries) FROM supplier_delay GROUP BY delay_days"


async def _first_expected_date(po: PurchaseOrder) -> date:
    """The date the supplier first gave: the purchase order's expected date when created
    (later moves are the supplier's slips too). Its current date if the history lacks it."""
    data = (
        await Event.filter(
            subject_type="purchase_order", subject_id=po.id, kind=EventKind.PO_CREATED.value
        )
        .order_by("id")
        .first()
        .values_list("data", flat=True)
    )
    if isinstance(data, dict) and isinstance(data.get("expected_date"), str):
        return date.fromisoformat(data["expected_date"])
    return po.expected_date


async def count_delivery(po: PurchaseOrder, *, deps: Deps) -> int:
    """Count the first receipt of ``po`` (today) into its supplier's record; the delay in
    ship days. Call once per purchase order, in the receipt's transaction."""
    expected = await _first_expected_date(po)
    delay = rules.ship_days_late(expected, deps.today(), deps.settings.calendar)
    await sql.execute(_COUNT_DELIVERY, [po.supplier_id, delay])
    return delay


async def recount_deliveries(*, deps: Deps) -> int:
    """Count every supplier's deliveries again from the history: each purchase order's first
    ``STOCK_RECEIVED`` against the expected date of its ``PO_CREATED`` (for a store whose
    receipts predate the records, or to check them). Four statements; returns the number
    of deliveries counted."""
    calendar = deps.settings.calendar
    async with in_transaction():
        orders = {
            int(po_id): (int(supplier_id), expected)
            for po_id, supplier_id, expected in await PurchaseOrder.all().values_list(
                "id", "supplier_id", "expected_date"
            )
        }
        first_date: dict[int, date] = {}
        first_receipt: dict[int, datetime] = {}
        rows: list[Any] = (
            await Event.filter(
                kind__in=[EventKind.PO_CREATED.value, EventKind.STOCK_RECEIVED.value]
            )
            .order_by("id")
            .values_list("kind", "subject_id", "at", "data")
        )
        for kind, subject_id, at, data in rows:
            if kind == EventKind.PO_CREATED.value:
                given = (data or {}).get("expected_date")
                if isinstance(given, str):
                    first_date.setdefault(int(subject_id), date.fromisoformat(given))
            elif (po_id := (data or {}).get("purchase_order_id")) is not None:
                first_receipt.setdefault(int(po_id), at)
        counts: Counter[tuple[int, int]] = Counter()
        for po_id, at in first_receipt.items():
            if po_id not in orders:
                continue
            supplier_id, current = orders[po_id]
            expected = first_date.get(po_id, current)
            counts[supplier_id, rules.ship_days_late(expected, calendar.today(at), calendar)] += 1
        await sql.execute("DELETE FROM supplier_delay")
        await sql.insert_rows(
            "supplier_delay",
            ["supplier_id", "delay_days", "deliveries"],
            [[supplier, delay, count] for (supplier, delay), count in sorted(counts.items())],
        )
    return sum(counts.values())


async def _histograms(
    supplier_ids: Iterable[int],
) -> tuple[dict[int, dict[int, int]], dict[int, int]]:
    """Each supplier's delays (of those asked) and the whole shop's. One statement."""
    ids = sorted(set(supplier_ids))
    if ids:
        query = (
            "SELECT supplier_id, delay_days, deliveries FROM supplier_delay"
            f" WHERE {sql.in_ids('supplier_id')} UNION ALL {_SHOP}"
        )
        rows = await sql.fetch(query, [sql.ids(ids)])
    else:
        rows = await sql.fetch(_SHOP)
    own: dict[int, dict[int, int]] = defaultdict(dict)
    shop: dict[int, int] = {}
    for supplier_id, delay, count in rows:
        if supplier_id is None:
            shop[int(delay)] = int(count)
        else:
            own[int(supplier_id)][int(delay)] = int(count)
    return own, shop


def _fixed(deps: Deps) -> rules.Margins:
    return rules.Margins(deps.settings.promise_margin_days)


async def margins_for(supplier_ids: Iterable[int], *, deps: Deps) -> rules.Margins:
    """The promise margin of each supplier, and the shop's for any other. With learned
    margins off, the fixed margin for all, read from nowhere."""
    if not deps.settings.learned_margins:
        return _fixed(deps)
    own, shop = await _histograms(supplier_ids)
    fixed, quantile = deps.settings.promise_margin_days, deps.settings.promise_quantile
    prior = rules.shop_prior(shop, fixed_margin=fixed)
    beliefs = {
        supplier_id: rules.Belief(
            delays, rules.shop_prior(rules.without(shop, delays), fixed_margin=fixed)
        )
        for supplier_id, delays in own.items()
    }
    return rules.Margins(
        prior.quantile(quantile),
        {supplier_id: belief.quantile(quantile) for supplier_id, belief in beliefs.items()},
        beliefs,
        prior,
        quantile,
    )


def _record(delays: rules.Delays, shop: rules.Delays, deps: Deps) -> rules.Reliability:
    settings = deps.settings
    prior = rules.shop_prior(rules.without(shop, delays), fixed_margin=settings.promise_margin_days)
    return rules.reliability(delays, prior, quantile=settings.promise_quantile)


async def reliabilities(supplier_ids: Iterable[int], *, deps: Deps) -> dict[int, rules.Reliability]:
    """Each supplier's record and the margin its dates are promised with (the fixed one when
    learned margins are off). One statement."""
    ids = sorted(set(supplier_ids))
    own, shop = await _histograms(ids)
    settings = deps.settings
    found = {}
    for supplier_id in ids:
        record = _record(own.get(supplier_id, {}), shop, deps)
        if not settings.learned_margins:
            record = replace(record, margin_days=settings.promise_margin_days)
        found[supplier_id] = record
    return found
