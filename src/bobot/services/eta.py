"""Recomputing expected dates after anything that moves supply or the queue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from bobot.domain import eta as rules
from bobot.models import Backorder, BackorderStatus, Event
from bobot.services.base import Actor, Deps
from bobot.services.history import EventKind, event, record
from bobot.services.supply import best_lead_days, open_supply

WAITING = (BackorderStatus.OPEN, BackorderStatus.PARTIALLY_ALLOCATED)
FIFO_ORDER = ("-priority", "created_at", "id")


async def recompute_etas(product_ids: Iterable[int], *, actor: Actor, deps: Deps) -> int:
    """Walk each product's queue against its supply; store dates that moved, flag delays.

    Runs inside the caller's transaction. Returns how many backorders changed date.
    """
    ids = sorted(set(product_ids))
    if not ids:
        return 0
    queue = await (
        Backorder.filter(product_id__in=ids, status__in=list(WAITING))
        .order_by("product_id", *FIFO_ORDER)
        .values_list(
            "id",
            "product_id",
            "order_id",
            "quantity",
            "quantity_allocated",
            "expected_date",
            "eta_is_estimate",
            "promised_date",
            "is_delayed",
        )
    )
    if not queue:
        return 0
    supply = await open_supply(ids)
    leads = await best_lead_days(ids)
    by_product: dict[int, list[tuple]] = defaultdict(list)
    for row in queue:
        by_product[row[1]].append(row)

    now = deps.now()
    groups: dict[tuple[date, bool, bool], list[int]] = defaultdict(list)
    events: list[Event] = []
    for product_id, rows in by_product.items():
        etas = rules.walk(
            [quantity - allocated for _, _, _, quantity, allocated, *_ in rows],
            supply.get(product_id, []),
            deps.eta_rules(leads.get(product_id)),
        )
        for row, eta in zip(rows, etas, strict=True):
            backorder_id, _, order_id, _, _, expected, estimate, promised, delayed = row
            if eta.ship_date == expected and eta.is_estimate == estimate:
                continue
            now_delayed = eta.ship_date > promised
            groups[(eta.ship_date, eta.is_estimate, now_delayed)].append(backorder_id)
            events.append(
                event(
                    EventKind.BACKORDER_ETA_CHANGED,
                    actor=actor,
                    at=now,
                    subject_type="backorder",
                    subject_id=backorder_id,
                    product_id=product_id,
                    order_id=order_id,
                    previous=expected.isoformat(),
                    expected=eta.ship_date.isoformat(),
                    promised=promised.isoformat(),
                    is_estimate=eta.is_estimate,
                )
            )
            if now_delayed and not delayed:
                events.append(
                    event(
                        EventKind.BACKORDER_DELAYED,
                        actor=actor,
                        at=now,
                        subject_type="backorder",
                        subject_id=backorder_id,
                        product_id=product_id,
                        order_id=order_id,
                        promised=promised.isoformat(),
                        expected=eta.ship_date.isoformat(),
                    )
                )
    for (ship_date, estimate, now_delayed), backorder_ids in groups.items():
        for start in range(0, len(backorder_ids), 500):
            await Backorder.filter(id__in=backorder_ids[start : start + 500]).update(
                expected_date=ship_date,
                eta_is_estimate=estimate,
                is_delayed=now_delayed,
                updated_at=now,
            )
    await record(events)
    return sum(len(v) for v in groups.values())
