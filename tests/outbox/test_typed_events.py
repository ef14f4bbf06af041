"""Every recorded event of a typed kind carries exactly its payload type's fields, whether
written through the typed path or (for now) through ``event(**data)`` or SQL."""

from __future__ import annotations

from dataclasses import fields
from datetime import timedelta

from tests.services.helpers import STAFF, clock_of, make_deps, order, product, purchase_order

from bobot.domain.events import PAYLOADS
from bobot.models import Backorder, Event
from bobot.services import backorders, purchasing, stock, waitlist


async def test_recorded_events_match_their_payload_types(db):
    deps = make_deps()
    await product(deps, "MUG")
    po = await purchase_order(deps, "MUG", 3, in_days=5)
    await order(deps, "a@example.com", ("MUG", 2))
    await order(deps, "b@example.com", ("MUG", 2))
    await purchasing.update_purchase_order(
        purchase_order_id=po,
        expected_date=deps.today() + timedelta(days=40),
        status=None,
        lines=None,
        actor=STAFF,
        deps=deps,
    )
    await stock.receive_stock(sku="MUG", quantity=3, purchase_order_id=None, actor=STAFF, deps=deps)
    waiting = await Backorder.filter(quantity_allocated__lt=2).first()
    assert waiting is not None
    await backorders.cancel_backorder(
        backorder_id=waiting.id, quantity=None, reason="changed mind", actor=STAFF, deps=deps
    )
    entry = await waitlist.join_waitlist(
        sku="MUG", email="c@example.com", quantity=1, actor=STAFF, deps=deps
    )
    await waitlist.leave_waitlist(entry_id=entry.id, actor=STAFF, deps=deps)
    clock_of(deps).advance(days=1)

    seen = set()
    for row in await Event.all():
        payload = PAYLOADS.get(row.kind)
        if payload is None:
            continue
        seen.add(row.kind)
        assert set(row.data) == {f.name for f in fields(payload)}, row.kind
        assert row.subject_type == payload.SUBJECT, row.kind
    assert {"ORDER_PLACED", "BACKORDER_CREATED", "BACKORDER_ALLOCATED", "BACKORDER_CANCELLED",
            "BACKORDER_DELAYED", "WAITLIST_JOINED", "WAITLIST_LEFT"} <= seen  # fmt: skip


async def test_consent_and_invitation_events_match_their_payload_types(db):
    from bobot.domain.availability import Policy
    from bobot.services import consent, invitations
    from bobot.services.self_service import customer

    deps = make_deps()
    await product(deps, "MUG", lead_days=60)
    po = await purchase_order(deps, "MUG", 3, in_days=5)
    await order(deps, "a@example.com", ("MUG", 2))
    await purchasing.update_purchase_order(
        purchase_order_id=po, expected_date=deps.today() + timedelta(days=50), actor=STAFF,
        deps=deps,
    )  # fmt: skip
    await consent.review_delays(deps)
    waiting = await Backorder.get(sku="MUG")
    await consent.answer_delay(
        backorder_id=waiting.id, accept=True, actor=customer("a@example.com"), deps=deps
    )
    await product(deps, "CUP", policy=Policy.DENY)
    first = await waitlist.join_waitlist(
        sku="CUP", email="b@example.com", quantity=1, actor=STAFF, deps=deps
    )
    await waitlist.join_waitlist(sku="CUP", email="c@example.com", quantity=1, actor=STAFF,
                                 deps=deps)  # fmt: skip
    await stock.receive_stock(sku="CUP", quantity=2, purchase_order_id=None, actor=STAFF, deps=deps)
    await invitations.claim_invitation(entry_id=first.id, actor=STAFF, deps=deps)
    clock_of(deps).advance(days=3)
    await invitations.expire_invitations(deps)

    seen = set()
    for row in await Event.all():
        payload = PAYLOADS.get(row.kind)
        if payload is None:
            continue
        seen.add(row.kind)
        assert set(row.data) == {f.name for f in fields(payload)}, row.kind
        assert row.subject_type == payload.SUBJECT, row.kind
    assert {"DELAY_NOTICE_SENT", "DELAY_ANSWERED", "WAITLIST_INVITED", "WAITLIST_CLAIMED",
            "WAITLIST_INVITE_EXPIRED"} <= seen  # fmt: skip
