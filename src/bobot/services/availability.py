"""What a shopper sees of a product: one rule for every door.

GraphQL, the Slack bot, customer link pages and emails all show availability through
:func:`availability`, given a product's row and, when it has nothing in stock but takes
backorders, its supply (:func:`supply_by_product`, one statement for any number of
products). :func:`availabilities` does both for a door without a per-request loader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bobot.domain import availability as rules
from bobot.domain.availability import Policy
from bobot.domain.eta import Supply, covered_position, promise_for
from bobot.domain.reliability import Margins
from bobot.services.context import Deps
from bobot.services.products import terms_of
from bobot.services.reliability import margins_for
from bobot.services.supply import supply_facts


class StockRow(Protocol):
    """What availability reads of a product (a model or a :class:`ProductRow`)."""

    @property
    def id(self) -> int: ...
    @property
    def available(self) -> int: ...
    @property
    def backordered(self) -> int: ...
    @property
    def backorder_policy(self) -> Policy: ...
    @property
    def backorder_limit(self) -> int | None: ...
    @property
    def backorders_end_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class ProductSupply:
    """A product's unreceived units on ordered purchase orders (by expected date), the
    shortest lead time among its active supplier offers (None: no offer) and that offer's
    supplier, and the promise margins of the suppliers (None: the fixed margin)."""

    supply: list[Supply]
    lead_days: int | None
    lead_supplier_id: int | None = None
    margins: Margins | None = None


def needs_supply(row: StockRow, deps: Deps) -> bool:
    """Whether the product's availability shows a backorder date (and so needs its supply)."""
    if row.available > 0:
        return False
    room = rules.backorder_room(terms_of(row), row.backordered, deps.now())
    return room is None or room > 0


def availability(row: StockRow, supply: ProductSupply | None, deps: Deps) -> rules.Availability:
    """The shopper's view of a product. ``supply`` is needed only when :func:`needs_supply`
    says so (without it, a backorder shows no date)."""
    now = deps.now()
    calendar = deps.settings.calendar
    today = calendar.today(now)
    next_date, estimate = None, False
    if supply is not None:
        eta_rules = deps.eta_rules(supply.lead_days, today=today)
        eta, waits_for, covered = covered_position(row.backordered + 1, supply.supply, eta_rules)
        margins = supply.margins or Margins(deps.settings.promise_margin_days)
        next_date = promise_for(
            eta, waits_for, covered, eta_rules, margins, supply.lead_supplier_id
        )
        estimate = eta.is_estimate
    return rules.availability(
        available=row.available,
        backordered=row.backordered,
        terms=terms_of(row),
        now=now,
        in_stock_ship_date=calendar.add_ship_days(today, deps.settings.handling_days),
        next_ship_date=next_date,
        next_is_estimate=estimate,
    )


async def supply_by_product(product_ids: Sequence[int], *, deps: Deps) -> list[ProductSupply]:
    """Each product's supply and its suppliers' margins, in the order asked (a DataLoader's
    batch function). Two statements (one with learned margins off)."""
    facts = await supply_facts(product_ids)
    margins = await margins_for(facts.supplier_ids(), deps=deps)
    return [
        ProductSupply(
            facts.supply.get(i, []), facts.leads.get(i), facts.lead_suppliers.get(i), margins
        )
        for i in product_ids
    ]


async def availabilities(rows: Sequence[StockRow], deps: Deps) -> list[rules.Availability]:
    """The availability of each product, reading the supply of those that need it (at most
    two statements)."""
    wanted = [row.id for row in rows if needs_supply(row, deps)]
    found = {}
    if wanted:
        found = dict(zip(wanted, await supply_by_product(wanted, deps=deps), strict=True))
    return [availability(row, found.get(row.id), deps) for row in rows]
