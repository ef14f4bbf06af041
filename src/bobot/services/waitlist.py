"""Waitlists: customers who wait for stock, first in first out per product."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from bobot.domain import events
from bobot.errors import BobotError, Conflict, ErrorCode, NotFound
from bobot.models import WaitlistEntry, WaitlistStatus
from bobot.models.waitlist import ACTIVE_WAITLIST_STATUSES
from bobot.services.context import Actor, Deps
from bobot.services.history import record, typed_event
from bobot.services.invitations import release_invitation
from bobot.services.locks import lock_products
from bobot.services.orders import validate_email
from bobot.services.products import int_column, product_by_sku
from bobot.services.validation import require_quantity


async def join_waitlist(
    *, sku: str, email: str, quantity: int, actor: Actor, deps: Deps
) -> WaitlistEntry:
    email = validate_email(email)
    require_quantity(quantity, maximum=10_000)
    now = deps.now()
    async with in_transaction():
        product = await product_by_sku(sku, lock=True)
        existing = await WaitlistEntry.filter(
            product_id=product.id, email=email, status__in=list(ACTIVE_WAITLIST_STATUSES)
        ).first()
        if existing is not None:
            raise BobotError(
                f"{email} is already on the waitlist for {sku}.",
                code=ErrorCode.ALREADY_ON_WAITLIST,
                field=["email"],
            )
        entry = await WaitlistEntry.create(
            product_id=product.id, email=email, quantity=quantity, created_at=now, updated_at=now
        )
        await record(
            [
                typed_event(
                    events.WaitlistJoined(email=email, quantity=quantity),
                    actor=actor,
                    at=now,
                    subject_id=entry.id,
                    product_id=product.id,
                )
            ]
        )
    return entry


async def leave_waitlist(*, entry_id: int, actor: Actor, deps: Deps) -> WaitlistEntry:
    now = deps.now()
    async with in_transaction():
        product_ids = await int_column(
            WaitlistEntry.filter(id=entry_id).values_list("product_id", flat=True)
        )
        await lock_products(product_ids)  # an invitation's units may go on
        entry = await WaitlistEntry.filter(id=entry_id).select_for_update().first()
        if entry is None:
            raise NotFound(f"No waitlist entry has id {entry_id}.", field=["id"])
        if entry.status not in ACTIVE_WAITLIST_STATUSES:
            raise Conflict(f"Waitlist entry {entry_id} is {entry.status.value}.", field=["id"])
        invited = entry.status is WaitlistStatus.INVITED
        entry.status = WaitlistStatus.LEFT
        entry.updated_at = now
        await entry.save(update_fields=["status", "updated_at"])
        if invited:  # a declined invitation: its units go on to the next in line
            await release_invitation(entry, actor=actor, deps=deps)
        await record(
            [
                typed_event(
                    events.WaitlistLeft(email=entry.email),
                    actor=actor,
                    at=now,
                    subject_id=entry.id,
                    product_id=entry.product_id,
                )
            ]
        )
    return entry
