"""Waitlist invitations that hold real units (the rules: :mod:`bobot.domain.invitations`).

Units left after the backorders are filled invite waiting entries, first in first out, and
are held for them (``product.held``), not sold to anyone else. A claim places the order
through the order service with those units; a declined or expired invitation gives them
back, and they go first to any backorder that came meanwhile, then to the next entry.
Every function here runs with the product's lock held (inside the caller's transaction) or
takes it itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from tortoise.transactions import in_transaction

from bobot import sql
from bobot.domain import events as typed
from bobot.domain import invitations as rules
from bobot.domain.ordering import LineRequest, ShipPreference
from bobot.errors import Conflict, NotFound
from bobot.models import Order, Product, WaitlistEntry, WaitlistStatus
from bobot.services.context import SYSTEM, Actor, Deps
from bobot.services.history import PendingEvent, record, typed_event
from bobot.services.locks import lock_products
from bobot.services.products import adjust_product, int_column

#: Products that can invite: units available, nobody backordered ahead, somebody waiting.
_CAN_INVITE = """
SELECT w.id, w.product_id, w.quantity, p.available FROM waitlist_entry w
  JOIN product p ON p.id = w.product_id
 WHERE {products} AND p.available > 0 AND p.backordered = 0 AND w.status = 'WAITING'
 ORDER BY w.product_id, w.created_at, w.id
"""


def _event(
    payload: typed.EventPayload, entry: WaitlistEntry, actor: Actor, deps: Deps
) -> PendingEvent:
    return typed_event(
        payload, actor=actor, at=deps.now(), subject_id=entry.id, product_id=entry.product_id
    )


async def invite_waiting(product_ids: Iterable[int], *, actor: Actor, deps: Deps) -> int:
    """Invite, on (locked) products, the entries their available units can serve (one read
    when none can); returns how many were invited."""
    ids = sorted(set(product_ids))
    if not ids:
        return 0
    rows = await sql.fetch(_CAN_INVITE.format(products=sql.in_ids("p.id")), [sql.ids(ids)])
    if not rows:
        return 0
    now = deps.now()
    hold = timedelta(hours=deps.settings.invite_hold_hours)
    by_product: dict[int, list[tuple[int, int]]] = {}
    available: dict[int, int] = {}
    for entry_id, product_id, quantity, units in rows:
        by_product.setdefault(product_id, []).append((entry_id, quantity))
        available[product_id] = units
    events: list[PendingEvent] = []
    invited = 0
    for product_id, waiting in by_product.items():
        chosen = rules.invite(
            (rules.WaitingEntry(e, q) for e, q in waiting), available[product_id],
            now=now, hold=hold,
        )  # fmt: skip
        if not chosen:
            continue
        for invitation in chosen:
            await WaitlistEntry.filter(
                id=invitation.entry_id, status=WaitlistStatus.WAITING
            ).update(
                status=WaitlistStatus.INVITED, hold_until=invitation.hold_until, updated_at=now
            )
            payload = typed.WaitlistInvited(
                units=invitation.units, hold_until=invitation.hold_until.isoformat()
            )
            events.append(
                typed_event(
                    payload, actor=actor, at=now, subject_id=invitation.entry_id,
                    product_id=product_id,
                )
            )  # fmt: skip
        units = sum(i.units for i in chosen)
        await adjust_product(product_id, now=now, available=-units, held=units)
        invited += len(chosen)
    await record(events)
    return invited


async def _release(entry: WaitlistEntry, *, actor: Actor, deps: Deps) -> None:
    """Give an invitation's units back (product locked): to waiting backorders first, then
    to the next entries."""
    from bobot.services.fulfilment import settle

    await adjust_product(
        entry.product_id, now=deps.now(), held=-entry.quantity, available=entry.quantity
    )
    await settle({entry.product_id: entry.quantity}, actor=actor, deps=deps)


async def release_invitation(entry: WaitlistEntry, *, actor: Actor, deps: Deps) -> None:
    """An invited entry leaves (declines): its units go on (the product is locked)."""
    await _release(entry, actor=actor, deps=deps)


async def expire_invitations(deps: Deps) -> int:
    """The worker job: invitations whose hold ran out give their units on."""
    now = deps.now()
    expired_products = await int_column(
        WaitlistEntry.filter(status=WaitlistStatus.INVITED, hold_until__lte=now).values_list(
            "product_id", flat=True
        )
    )
    count = 0
    for product_id in sorted(set(expired_products)):
        async with in_transaction():
            await lock_products([product_id])
            entries = await WaitlistEntry.filter(
                product_id=product_id, status=WaitlistStatus.INVITED, hold_until__lte=now
            ).order_by("created_at", "id")
            for entry in entries:
                entry.status, entry.updated_at = WaitlistStatus.EXPIRED, now
                await entry.save(update_fields=["status", "updated_at"])
                await record([_event(typed.WaitlistInviteExpired(), entry, SYSTEM, deps)])
                await _release(entry, actor=SYSTEM, deps=deps)
                count += 1
    return count


async def claim_invitation(*, entry_id: int, actor: Actor, deps: Deps) -> Order:
    """Place the order an invitation holds units for (once: a second claim returns it)."""
    from bobot.services.orders import Customer, place_order

    key = f"waitlist-claim-{entry_id}"
    async with in_transaction():
        found = await int_column(
            WaitlistEntry.filter(id=entry_id).values_list("product_id", flat=True)
        )
        if not found:
            raise NotFound(f"No waitlist entry has id {entry_id}.", field=["id"])
        await lock_products(found)
        entry = await WaitlistEntry.get(id=entry_id)
        if entry.status is WaitlistStatus.CONVERTED:
            existing = await Order.get_or_none(idempotency_key=key)
            if existing is not None:
                return existing
        if entry.status is not WaitlistStatus.INVITED or (
            entry.hold_until is not None and entry.hold_until <= deps.now()
        ):
            raise Conflict(
                f"Waitlist entry {entry_id} has no invitation to claim "
                f"({entry.status.value.lower()}).",
                field=["id"],
            )
        product = await Product.get(id=entry.product_id)
        # The held units become available to this order alone: the product stays locked.
        await adjust_product(product.id, now=deps.now(), held=-entry.quantity,
                             available=entry.quantity)  # fmt: skip
        order = await place_order(
            customer=Customer(entry.email),
            lines=[LineRequest(product.sku, entry.quantity)],
            ship_preference=ShipPreference.SHIP_AVAILABLE_NOW,
            idempotency_key=key,
            actor=actor,
            deps=deps,
        )
        entry.status, entry.updated_at = WaitlistStatus.CONVERTED, deps.now()
        await entry.save(update_fields=["status", "updated_at"])
        claimed = typed.WaitlistClaimed(order_id=order.id, number=order.number)
        await record([_event(claimed, entry, actor, deps)])
    return order
