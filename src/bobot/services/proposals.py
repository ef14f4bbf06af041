"""Supplier-switch proposals: the best alternative offer for a gap, priced and dated."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bobot import sql
from bobot.domain import gaps as rules
from bobot.domain.events import SwitchProposed
from bobot.domain.reliability import Margins, reliable_arrival
from bobot.domain.statuses import WAITING_SQL
from bobot.models import SupplierSwitch, SwitchStatus
from bobot.services.context import Actor, Deps
from bobot.services.history import record, typed_event


def actor_label(actor: Actor) -> str:
    return f"{actor.kind}:{actor.id} via {actor.channel}"


@dataclass(frozen=True, slots=True)
class Proposal:
    product_id: int
    from_supplier_id: int | None
    to_supplier_id: int
    late_purchase_order_id: int | None
    quantity: int
    unit_cost: Decimal
    new_expected_date: date
    cost_difference: Decimal
    backorders_improved: int
    basis: str = ""  # the facts it rests on: :func:`bobot.domain.gaps.switch_basis`


async def _current_dates(product_id: int, limit: int) -> list[date]:
    rows = await sql.fetch(
        f"SELECT expected_date FROM backorder WHERE product_id = ? AND status IN {WAITING_SQL}"
        " ORDER BY priority DESC, created_at, id LIMIT ?",
        [product_id, limit],
    )
    return [sql.as_date(r[0]) for r in rows]


async def build_proposal(
    facts: rules.ProductFacts,
    offers: Sequence[rules.Offer],
    *,
    late_po: rules.LatePo | None,
    quantity: int | None,
    deps: Deps,
    unless_basis_in: Collection[str] = (),
    margins: Margins | None = None,
) -> Proposal | None:
    """The best alternative to the late PO's supplier (or to the preferred offer).

    None when no offer helps, or when the best one rests on a basis in ``unless_basis_in``
    (decided already: then the backorders' dates are not even read).

    Offers are ranked by their reliable arrival: the lead time plus the supplier's learned
    delay that :func:`bobot.services.gap_facts.gather_facts` gave each offer; a late
    purchase order's projected arrival plus its supplier's (``margins``: None, no delay)."""
    today = deps.today()
    calendar = deps.settings.calendar
    eta_rules = deps.eta_rules(None, today=today)
    ranked = sorted(offers, key=lambda o: (o.rank, o.lead_time_days))
    if late_po is not None:
        from_id: int | None = late_po.supplier_id
        from_cost = late_po.unit_cost
        preferred: rules.Offer | None = None
        needed = quantity or late_po.due
        beat: date | None = reliable_arrival(
            rules.projected_arrival_of_late_po(late_po, today),
            margins.of(late_po.supplier_id) if margins is not None else 0,
            calendar,
        )
    else:
        preferred = ranked[0] if ranked else None
        from_id = preferred.supplier_id if preferred else None
        from_cost = preferred.unit_cost if preferred else Decimal(0)
        needed = quantity or max(facts.backordered - facts.incoming, 0)
        beat = rules.reliable_arrival_of(preferred, today, calendar) if preferred else None
    choice = rules.choose_switch(
        offers,
        from_supplier_id=from_id,
        quantity=needed,
        today=today,
        from_unit_cost=from_cost,
        beat=beat if quantity is None else None,
        calendar=calendar,
    )
    if choice is None:
        return None
    basis = rules.switch_basis(choice.offer, late_po=late_po, replaced=preferred)
    if basis in unless_basis_in:
        return None
    # Counted on the reliable arrival, as the choice was made.
    new_ship = eta_rules.ship_after(choice.reliable_arrival or choice.arrival)
    current = await _current_dates(facts.product_id, max(facts.waiting_backorders, 1))
    if beat is not None:
        # Backorders waiting on a late PO or on a reorder from the preferred supplier would
        # ship after ``beat`` at the earliest, whatever their stored (optimistic) date says.
        beat_ship = eta_rules.ship_after(beat)
        current = [max(d, beat_ship) for d in current]
    return Proposal(
        product_id=facts.product_id,
        from_supplier_id=from_id,
        to_supplier_id=choice.offer.supplier_id,
        late_purchase_order_id=late_po.purchase_order_id if late_po else None,
        quantity=needed,
        unit_cost=choice.offer.unit_cost,
        new_expected_date=choice.arrival,
        cost_difference=choice.cost_difference,
        backorders_improved=rules.backorders_improved(current, new_ship),
        basis=basis,
    )


async def save_proposal(proposal: Proposal, *, actor: Actor, deps: Deps) -> SupplierSwitch:
    now = deps.now()
    switch = await SupplierSwitch.create(
        product_id=proposal.product_id,
        from_supplier_id=proposal.from_supplier_id,
        to_supplier_id=proposal.to_supplier_id,
        late_purchase_order_id=proposal.late_purchase_order_id,
        quantity=proposal.quantity,
        unit_cost=proposal.unit_cost,
        new_expected_date=proposal.new_expected_date,
        cost_difference=proposal.cost_difference,
        backorders_improved=proposal.backorders_improved,
        basis=proposal.basis,
        status=SwitchStatus.PROPOSED,
        proposed_by=actor_label(actor),
        created_at=now,
    )
    await record(
        [
            typed_event(
                SwitchProposed(
                    from_supplier_id=proposal.from_supplier_id,
                    to_supplier_id=proposal.to_supplier_id,
                    quantity=proposal.quantity,
                    new_expected_date=proposal.new_expected_date.isoformat(),
                    cost_difference=str(proposal.cost_difference),
                    backorders_improved=proposal.backorders_improved,
                ),
                actor=actor,
                at=now,
                subject_id=switch.id,
                product_id=proposal.product_id,
            )
        ]
    )
    return switch
