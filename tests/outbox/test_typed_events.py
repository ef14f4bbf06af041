"""Every event kind has one payload type, and every recorded event carries its payload
type's fields (a sparse one: the required ones, and of the others only those set), whether
written from a typed payload or built by the database."""

from __future__ import annotations

from dataclasses import MISSING, fields
from datetime import timedelta

from tests.services.helpers import STAFF, clock_of, make_deps, order, product, purchase_order
from tests.test_switches import late_po_store

from bobot.domain.alerts import REPORTED
from bobot.domain.events import PAYLOADS, AlertUpdated, PoChanged
from bobot.models import (
    Alert,
    Backorder,
    Event,
    PurchaseOrder,
    Shipment,
    ShipmentStatus,
    SupplierSwitch,
    TokenRole,
)
from bobot.services import (
    alert_actions,
    backorders,
    gap_scan,
    priority,
    purchasing,
    stock,
    switches,
    tokens,
    waitlist,
)
from bobot.services.history import EventKind


def test_every_event_kind_has_a_payload_type():
    assert {k.value for k in EventKind} == set(PAYLOADS)
    for kind, payload in PAYLOADS.items():
        assert kind == payload.KIND and payload.SUBJECT, kind


def test_a_changed_alert_names_each_field_the_scan_reports():
    assert {f.name for f in fields(AlertUpdated)} == {"alert_kind", *REPORTED}


def test_a_sparse_payload_stores_what_it_was_given():
    changed = PoChanged(number="PO-1001", status=["ORDERED", "CANCELLED"])
    assert changed.as_data() == {"number": "PO-1001", "status": ["ORDERED", "CANCELLED"]}


async def _assert_typed() -> set[str]:
    """Check every recorded event against its payload type; the kinds seen."""
    seen = set()
    for row in await Event.all():
        payload = PAYLOADS[row.kind]
        seen.add(row.kind)
        every = {f.name for f in fields(payload)}
        if payload.SPARSE:
            required = {f.name for f in fields(payload) if f.default is MISSING}
            assert required <= set(row.data) <= every, (row.kind, row.data)
        else:
            assert set(row.data) == every, (row.kind, row.data)
        assert row.subject_type == payload.SUBJECT, row.kind
    return seen


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

    seen = await _assert_typed()
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

    seen = await _assert_typed()
    assert {"DELAY_NOTICE_SENT", "DELAY_ANSWERED", "WAITLIST_INVITED", "WAITLIST_CLAIMED",
            "WAITLIST_INVITE_EXPIRED"} <= seen  # fmt: skip


async def test_supply_alert_switch_shipping_and_token_events_match_their_payload_types(db):
    deps = make_deps()
    late_po, _ = await late_po_store(deps)
    await gap_scan.scan(deps=deps)
    alert = await Alert.get(switch_id__not_isnull=True)
    await alert_actions.acknowledge_alert(alert_id=alert.id, actor=STAFF, deps=deps)
    await alert_actions.snooze_alert(
        alert_id=alert.id, until=deps.now() + timedelta(hours=1), actor=STAFF, deps=deps
    )
    last = (await Backorder.all().order_by("-id").first()).id  # type: ignore[union-attr]
    await priority.set_backorder_priority(backorder_id=last, priority=5, actor=STAFF, deps=deps)
    clock_of(deps).advance(hours=2)
    await gap_scan.scan(deps=deps)  # the snooze is over: open again
    switch = await SupplierSwitch.get(id=alert.switch_id)
    _, new_po = await switches.approve_supplier_switch(
        switch_id=switch.id, cancel_late_po=True, actor=STAFF, deps=deps
    )
    await stock.receive_stock(
        sku="MUG", quantity=40, purchase_order_id=new_po.id, actor=STAFF, deps=deps
    )
    await gap_scan.scan(deps=deps)
    ready = await Shipment.filter(status=ShipmentStatus.READY).order_by("id").first()
    assert ready is not None
    await stock.mark_shipment_shipped(shipment_id=ready.id, actor=STAFF, deps=deps)
    other = await Backorder.filter(order_id__not=ready.order_id).order_by("id").first()
    assert other is not None
    await backorders.cancel_backorder(
        backorder_id=other.id, quantity=None, reason="changed mind", actor=STAFF, deps=deps
    )
    token, _ = await tokens.create_token(name="ci", role=TokenRole.STAFF, deps=deps)
    await tokens.revoke_token(token_id=token.id, actor=STAFF, deps=deps)
    assert (await PurchaseOrder.get(id=late_po.id)).status.value == "CANCELLED"

    seen = await _assert_typed()
    assert {"PO_CREATED", "PO_CHANGED", "PO_RECEIVED", "STOCK_RECEIVED", "ALERT_OPENED",
            "ALERT_ACKNOWLEDGED", "ALERT_SNOOZED", "ALERT_REOPENED", "ALERT_RESOLVED",
            "SWITCH_PROPOSED", "SWITCH_APPROVED", "BACKORDER_PRIORITY_CHANGED",
            "BACKORDER_ETA_CHANGED", "SHIPMENT_SHIPPED", "BACKORDER_SHIPPED",
            "SHIPMENT_CANCELLED", "TOKEN_REVOKED"} <= seen  # fmt: skip
