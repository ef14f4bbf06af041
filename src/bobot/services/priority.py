"""Staff priority: a backorder moved ahead of (or behind) its place in the queue.

The queue is (priority, then placement), higher priority first: the fill, the ETA walk and
every listing follow it. Changing a priority re-dates the product's queue in the same
transaction.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from bobot.domain.events import BackorderPriorityChanged
from bobot.domain.statuses import WAITING
from bobot.errors import BobotError, Conflict, ErrorCode, NotFound
from bobot.models import Backorder
from bobot.services.context import Actor, Deps
from bobot.services.eta import recompute_etas
from bobot.services.history import record, typed_event
from bobot.services.locks import lock_products
from bobot.services.products import int_column

#: The default priority is the lowest; staff may raise a backorder up to the highest.
LOWEST_PRIORITY = 0
HIGHEST_PRIORITY = 100
_LARGEST_ID = 2**31 - 1  # an id beyond the database's integer range names nothing


async def set_backorder_priority(
    *, backorder_id: int, priority: int, actor: Actor, deps: Deps
) -> Backorder:
    """Set a waiting backorder's priority and re-date its product's queue."""
    if not LOWEST_PRIORITY <= priority <= HIGHEST_PRIORITY:
        raise BobotError(
            f"Priority must be between {LOWEST_PRIORITY} and {HIGHEST_PRIORITY}, got {priority}.",
            code=ErrorCode.INVALID_INPUT,
            field=["priority"],
        )
    missing = NotFound(f"No backorder has id {backorder_id}.", field=["id"])
    if not 0 < backorder_id <= _LARGEST_ID:
        raise missing
    async with in_transaction():
        product_ids = await int_column(
            Backorder.filter(id=backorder_id).values_list("product_id", flat=True)
        )
        if not product_ids:
            raise missing
        await lock_products([product_ids[0]])
        # Read what we change only now that its product is locked.
        backorder = await Backorder.get(id=backorder_id)
        if backorder.status not in WAITING:
            raise Conflict(
                f"Backorder {backorder_id} is {backorder.status.value}: only a waiting "
                "backorder has a place in the queue.",
                field=["id"],
            )
        previous = backorder.priority
        if previous == priority:
            return backorder
        now = deps.now()
        changed = await Backorder.filter(id=backorder_id, status__in=list(WAITING)).update(
            priority=priority, updated_at=now
        )
        if changed != 1:  # the product lock makes this impossible
            raise RuntimeError(f"backorder {backorder_id} changed under its product lock")
        await record(
            [
                typed_event(
                    BackorderPriorityChanged(
                        order_id=backorder.order_id, previous=previous, priority=priority
                    ),
                    actor=actor,
                    at=now,
                    subject_id=backorder_id,
                    product_id=backorder.product_id,
                )
            ]
        )
        await recompute_etas([backorder.product_id], actor=actor, deps=deps)
        await backorder.refresh_from_db()
    return backorder
