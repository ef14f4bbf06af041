"""Waitlist invitations hold real units: FIFO, never more invitations than units."""

from __future__ import annotations

import pytest
from tests.services.helpers import (
    SHOP,
    STAFF,
    assert_counters_consistent,
    clock_of,
    make_deps,
    order,
    product,
)

from bobot.domain.availability import Policy
from bobot.errors import Conflict
from bobot.models import Backorder, BackorderStatus, Product, WaitlistEntry, WaitlistStatus
from bobot.services import catalog, invitations, stock, waitlist

EMAILS = [f"c{n}@example.com" for n in range(1, 6)]


async def entries(deps, sku: str = "KETTLE-01") -> list[WaitlistEntry]:
    made = []
    for email in EMAILS:
        made.append(
            await waitlist.join_waitlist(sku=sku, email=email, quantity=1, actor=SHOP, deps=deps)
        )
    return made


async def statuses() -> list[str]:
    return [e.status.value for e in await WaitlistEntry.all().order_by("id")]


async def counters(sku: str = "KETTLE-01") -> tuple[int, int, int, int]:
    p = await Product.get(sku=sku)
    return p.on_hand, p.allocated, p.available, p.held


async def test_three_units_invite_exactly_the_first_three_of_five(db) -> None:
    deps = make_deps()
    await product(deps, "KETTLE-01", policy=Policy.DENY)
    await entries(deps)
    await stock.receive_stock(
        sku="KETTLE-01", quantity=3, purchase_order_id=None, actor=STAFF, deps=deps
    )
    assert await statuses() == ["INVITED"] * 3 + ["WAITING"] * 2
    assert await counters() == (3, 0, 0, 3)  # held, not available to anyone else
    await assert_counters_consistent()
    refused = await order_refused(deps)
    assert refused  # a new order cannot take held units


async def order_refused(deps) -> bool:
    from bobot.errors import BobotError

    try:
        await order(deps, "late@example.com", ("KETTLE-01", 1))
    except BobotError:
        return True
    return False


async def test_an_expired_invitation_passes_to_the_next_entry(db) -> None:
    deps = make_deps()
    await product(deps, "KETTLE-01", policy=Policy.DENY)
    made = await entries(deps)
    await stock.receive_stock(
        sku="KETTLE-01", quantity=3, purchase_order_id=None, actor=STAFF, deps=deps
    )
    await invitations.claim_invitation(entry_id=made[0].id, actor=SHOP, deps=deps)
    await waitlist.leave_waitlist(entry_id=made[1].id, actor=SHOP, deps=deps)  # declines
    assert await statuses() == ["CONVERTED", "LEFT", "INVITED", "INVITED", "WAITING"]
    clock_of(deps).advance(hours=deps.settings.invite_hold_hours, seconds=1)
    assert await invitations.expire_invitations(deps) == 2
    assert await statuses() == ["CONVERTED", "LEFT", "EXPIRED", "EXPIRED", "INVITED"]
    assert await counters() == (3, 1, 1, 1)
    await assert_counters_consistent()


async def test_a_claim_places_an_order_for_the_held_units_once(db) -> None:
    deps = make_deps()
    await product(deps, "KETTLE-01", policy=Policy.DENY)
    made = await entries(deps)
    await stock.receive_stock(
        sku="KETTLE-01", quantity=1, purchase_order_id=None, actor=STAFF, deps=deps
    )
    placed = await invitations.claim_invitation(entry_id=made[0].id, actor=SHOP, deps=deps)
    assert placed.customer_email == EMAILS[0]
    again = await invitations.claim_invitation(entry_id=made[0].id, actor=SHOP, deps=deps)
    assert again.id == placed.id
    assert await counters() == (1, 1, 0, 0)
    with pytest.raises(Conflict):
        await invitations.claim_invitation(entry_id=made[1].id, actor=SHOP, deps=deps)
    await assert_counters_consistent()


async def test_released_units_go_to_a_backorder_placed_meanwhile_before_the_next_entry(db):
    deps = make_deps()
    await product(deps, "KETTLE-01", policy=Policy.DENY)
    made = await entries(deps)
    await stock.receive_stock(
        sku="KETTLE-01", quantity=1, purchase_order_id=None, actor=STAFF, deps=deps
    )
    await catalog.set_backorder_policy(
        sku="KETTLE-01", policy=Policy.ALLOW, limit=None, ends_at=None, actor=STAFF, deps=deps
    )
    late = await order(deps, "late@example.com", ("KETTLE-01", 1))  # backordered: 1 is held
    await waitlist.leave_waitlist(entry_id=made[0].id, actor=SHOP, deps=deps)
    backorder = await Backorder.get(order_id=late.id)
    assert backorder.status is BackorderStatus.ALLOCATED
    assert await statuses() == ["LEFT", "WAITING", "WAITING", "WAITING", "WAITING"]
    await assert_counters_consistent()


async def test_leaving_while_waiting_holds_nothing(db) -> None:
    deps = make_deps()
    await product(deps, "KETTLE-01", policy=Policy.DENY)
    made = await entries(deps)
    await waitlist.leave_waitlist(entry_id=made[0].id, actor=SHOP, deps=deps)
    assert (await WaitlistEntry.get(id=made[0].id)).status is WaitlistStatus.LEFT
    assert await counters() == (0, 0, 0, 0)
