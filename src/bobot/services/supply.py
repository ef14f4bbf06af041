"""Reads of supply that several services share: open purchase-order lines and lead times."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from bobot import sql
from bobot.domain.eta import Supply
from bobot.domain.statuses import OPEN_PO_SQL

_SUPPLY_AND_LEAD = """
SELECT l.product_id, po.expected_date, l.quantity - l.quantity_received, po.supplier_id,
       NULL AS rank
  FROM purchase_order_line l JOIN purchase_order po ON po.id = l.purchase_order_id
 WHERE l.product_id IN ({ids}) AND po.status IN {open_po}
   AND l.quantity > l.quantity_received
UNION ALL
SELECT product_id, NULL, lead_time_days, supplier_id, rank
  FROM supplier_offer WHERE product_id IN ({ids}) AND active = ?
"""


@dataclass
class SupplyFacts:
    """Per product: unreceived units on ordered purchase orders (by expected date, each with
    its supplier), the shortest lead time among its active supplier offers, and the supplier
    of that offer (the one an estimate beyond all purchase orders is dated from)."""

    supply: dict[int, list[Supply]] = field(default_factory=lambda: defaultdict(list))
    leads: dict[int, int] = field(default_factory=dict)
    lead_suppliers: dict[int, int] = field(default_factory=dict)

    def supplier_ids(self) -> set[int]:
        """Every supplier these dates rest on."""
        found = set(self.lead_suppliers.values())
        for supplies in self.supply.values():
            found.update(s.supplier_id for s in supplies if s.supplier_id is not None)
        return found


async def supply_facts(product_ids: Iterable[int]) -> SupplyFacts:
    """:class:`SupplyFacts` of the products. One statement."""
    ids = sorted(set(product_ids))
    facts = SupplyFacts()
    if not ids:
        return facts
    marks = sql.placeholders(len(ids))
    rows = await sql.fetch(
        _SUPPLY_AND_LEAD.format(ids=marks, open_po=OPEN_PO_SQL), [*ids, *ids, True]
    )
    best: dict[int, tuple[int, int, int]] = {}
    for product_id, expected, quantity, supplier_id, rank in rows:
        if expected is None:
            offer = (quantity, rank, supplier_id)
            if product_id not in best or offer < best[product_id]:
                best[product_id] = offer
        else:
            facts.supply[product_id].append(Supply(sql.as_date(expected), quantity, supplier_id))
    for product_id, (lead, _, supplier_id) in best.items():
        facts.leads[product_id] = lead
        facts.lead_suppliers[product_id] = supplier_id
    for supplies in facts.supply.values():
        supplies.sort(key=lambda s: s.expected_date)
    return facts


async def supply_and_lead(
    product_ids: Iterable[int],
) -> tuple[dict[int, list[Supply]], dict[int, int]]:
    """Per product: unreceived units on ordered purchase orders (by expected date), and the
    shortest lead time among its active supplier offers. One statement."""
    facts = await supply_facts(product_ids)
    return facts.supply, facts.leads
