"""The facts the gap rules read, gathered with a fixed number of set-based statements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bobot import sql
from bobot.domain import gaps as rules
from bobot.domain.reliability import Margins
from bobot.domain.statuses import OPEN_PO_SQL, WAITING_SQL
from bobot.services.context import Deps
from bobot.services.reliability import margins_for

DEMAND_WINDOW_DAYS = 28


def as_datetime(value: Any) -> datetime:
    """SQLite hands timestamps back as ISO strings."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _ids_clause(column: str, ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    """Restrict to ``ids``, given as one parameter however many."""
    if ids is None:
        return "", []
    return f" AND {sql.in_ids(column)}", [sql.ids(ids)]


#: Products that may have a gap (or have an alert that may resolve).
CANDIDATE_SQL = (
    "(backordered > 0 OR incoming > 0 OR safety_stock > 0 OR backorder_limit IS NOT NULL"
    " OR id IN (SELECT product_id FROM alert WHERE dedupe_key IS NOT NULL))"
)

_FACT_PRODUCTS = f"""
SELECT id, sku, available, backordered, incoming, safety_stock, backorder_limit,
       backorder_policy
  FROM product
 WHERE {CANDIDATE_SQL}{{ids}}
"""

_FACT_BACKORDERS = """
SELECT product_id, COUNT(*), MIN(created_at),
       SUM(CASE WHEN created_at < ? THEN 1 ELSE 0 END),
       SUM(CASE WHEN is_delayed = ? THEN 1 ELSE 0 END),
       SUM(CASE WHEN is_delayed = ? THEN quantity - quantity_allocated ELSE 0 END)
  FROM backorder
 WHERE status IN {waiting}{ids}
 GROUP BY product_id
"""

_FACT_LATE_POS = """
SELECT l.product_id, po.id, po.number, po.supplier_id, s.name, po.expected_date,
       l.quantity - l.quantity_received, l.unit_cost
  FROM purchase_order_line l
  JOIN purchase_order po ON po.id = l.purchase_order_id
  JOIN supplier s ON s.id = po.supplier_id
 WHERE po.status IN {open_po} AND po.expected_date < ? AND l.quantity > l.quantity_received{ids}
"""

_FACT_OFFERS = """
SELECT o.product_id, o.supplier_id, s.name, o.unit_cost, o.lead_time_days, o.rank
  FROM supplier_offer o JOIN supplier s ON s.id = o.supplier_id
 WHERE o.active = ?{ids}
"""

_FACT_DEMAND = """
SELECT l.product_id, SUM(l.quantity)
  FROM order_line l JOIN "order" o ON o.id = l.order_id
 WHERE o.created_at >= ?{ids}
 GROUP BY l.product_id
"""


@dataclass
class Facts:
    products: dict[int, rules.ProductFacts] = field(default_factory=dict)
    offers: dict[int, list[rules.Offer]] = field(default_factory=lambda: defaultdict(list))
    margins: Margins | None = None  # the offers' suppliers' learned delays (None: off)


async def gather_facts(product_ids: Sequence[int] | None, deps: Deps) -> Facts:
    """Everything the gap rules need about ``product_ids`` (None: every product), in five
    statements, and with learned margins on a sixth for the offers' suppliers' learned delays
    (switch proposals rank by reliable arrival). Read it under the products' locks: the scan
    acts on what it reads."""
    now = deps.now()
    today = deps.today()
    where, params = _ids_clause("id", product_ids)
    products = await sql.fetch(_FACT_PRODUCTS.format(ids=where), params)
    where, params = _ids_clause("product_id", product_ids)
    aged_before = now - timedelta(days=deps.settings.aging_days)
    backorders = {
        row[0]: row
        for row in await sql.fetch(
            _FACT_BACKORDERS.format(waiting=WAITING_SQL, ids=where),
            [aged_before, True, True, *params],
        )
    }
    where, params = _ids_clause("l.product_id", product_ids)
    late: dict[int, list[rules.LatePo]] = defaultdict(list)
    for pid, po_id, number, supplier_id, name, expected, due, cost in await sql.fetch(
        _FACT_LATE_POS.format(open_po=OPEN_PO_SQL, ids=where), [today, *params]
    ):
        late[pid].append(
            rules.LatePo(
                po_id, number, supplier_id, name, sql.as_date(expected), due, Decimal(cost)
            )
        )
    where, params = _ids_clause("o.product_id", product_ids)
    facts = Facts()
    for pid, supplier_id, name, cost, lead, rank in await sql.fetch(
        _FACT_OFFERS.format(ids=where), [True, *params]
    ):
        facts.offers[pid].append(rules.Offer(supplier_id, name, Decimal(cost), lead, rank))
    if facts.offers and deps.settings.learned_margins:
        suppliers = {o.supplier_id for offers in facts.offers.values() for o in offers}
        suppliers |= {po.supplier_id for pos in late.values() for po in pos}
        margins = facts.margins = await margins_for(suppliers, deps=deps)
        for offers in facts.offers.values():
            offers[:] = [replace(o, delay_days=margins.of(o.supplier_id)) for o in offers]
    where, params = _ids_clause("l.product_id", product_ids)
    demand = dict(
        await sql.fetch(
            _FACT_DEMAND.format(ids=where),
            [now - timedelta(days=DEMAND_WINDOW_DAYS), *params],
        )
    )
    for pid, sku, available, backordered, incoming, safety, limit, policy in products:
        b = backorders.get(pid)
        offers = facts.offers.get(pid, [])
        facts.products[pid] = rules.ProductFacts(
            product_id=pid,
            sku=sku,
            available=available,
            backordered=backordered,
            incoming=incoming,
            safety_stock=safety,
            backorder_limit=limit,
            allows_backorders=policy == "ALLOW",
            waiting_backorders=b[1] if b else 0,
            oldest_backorder=as_datetime(b[2]).date() if b else None,
            aged_backorders=int(b[3] or 0) if b else 0,
            delayed_backorders=int(b[4] or 0) if b else 0,
            delayed_units=int(b[5] or 0) if b else 0,
            late_pos=tuple(late.get(pid, ())),
            best_lead_days=min((o.lead_time_days for o in offers), default=None),
            demand_per_day=float(demand.get(pid) or 0) / DEMAND_WINDOW_DAYS,
        )
    return facts
