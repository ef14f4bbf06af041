"""Supplier switches: propose by hand, approve once (one conditional UPDATE), reject."""

from __future__ import annotations

from datetime import timedelta

from tortoise.transactions import in_transaction

from bobot.domain import gaps as rules
from bobot.domain.events import SwitchApproved, SwitchRejected
from bobot.errors import BobotError, Conflict, ErrorCode, InvalidInput, NotFound
from bobot.models import (
    Alert,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    SupplierSwitch,
    SwitchStatus,
)
from bobot.models.purchasing import OPEN_PO_STATUSES
from bobot.services import purchasing
from bobot.services.context import Actor, Deps
from bobot.services.gap_facts import gather_facts
from bobot.services.gap_scan import scan
from bobot.services.history import record, typed_event
from bobot.services.locks import lock_products
from bobot.services.products import int_column, product_by_sku
from bobot.services.proposals import actor_label, build_proposal, save_proposal
from bobot.services.validation import require_text


async def propose_supplier_switch(
    *,
    sku: str,
    quantity: int | None = None,
    purchase_order_id: int | None = None,
    actor: Actor,
    deps: Deps,
) -> SupplierSwitch:
    """Staff ask for a proposal: the best alternative to the late PO's (or preferred) supplier."""
    if quantity is not None and quantity <= 0:
        raise BobotError(
            "quantity must be positive.", code=ErrorCode.INVALID_QUANTITY, field=["quantity"]
        )
    async with in_transaction():
        product = await product_by_sku(sku)
        await lock_products([product.id])
        facts = await gather_facts([product.id], deps)
        product_facts = facts.products.get(product.id) or rules.ProductFacts(
            product.id, product.sku
        )
        late_po = None
        if purchase_order_id is not None:
            late_po = next(
                (p for p in product_facts.late_pos if p.purchase_order_id == purchase_order_id),
                None,
            )
            if late_po is None:
                late_po = await _po_as_late(purchase_order_id, product.id)
        elif product_facts.late_pos:
            late_po = max(product_facts.late_pos, key=lambda p: -p.expected_date.toordinal())
        if quantity is None and late_po is None and product_facts.backordered <= 0:
            raise InvalidInput(
                f"{sku} has no late purchase order and no backorders: give a quantity.",
                field=["quantity"],
            )
        proposal = await build_proposal(
            product_facts,
            facts.offers.get(product.id, []),
            late_po=late_po,
            quantity=quantity,
            deps=deps,
            margins=facts.margins,
        )
        if proposal is None or proposal.quantity <= 0:
            raise BobotError(
                f"No other active supplier offer for {sku} can help.",
                code=ErrorCode.NO_ALTERNATIVE_SUPPLIER,
                field=["sku"],
            )
        switch = await save_proposal(proposal, actor=actor, deps=deps)
        # The alert of the gap it fixes carries it, unless that alert has a live proposal.
        kind = rules.GapKind.PO_LATE if late_po is not None else rules.GapKind.UNCOVERED_BACKORDERS
        await Alert.filter(
            product_id=product.id, dedupe_key__isnull=False, kind=kind, switch_id=None
        ).update(switch_id=switch.id, suggested_action=rules.SuggestedAction.SWITCH_SUPPLIER)
    return switch


async def _po_as_late(purchase_order_id: int, product_id: int) -> rules.LatePo:
    line = (
        await PurchaseOrderLine.filter(purchase_order_id=purchase_order_id, product_id=product_id)
        .select_related("purchase_order__supplier")
        .first()
    )
    if line is None or line.purchase_order.status not in OPEN_PO_STATUSES:
        raise NotFound(
            f"No open purchase order {purchase_order_id} brings this product.",
            field=["purchaseOrderId"],
        )
    po = line.purchase_order
    return rules.LatePo(
        po.id,
        po.number,
        po.supplier_id,
        po.supplier.name,
        po.expected_date,
        max(line.quantity - line.quantity_received, 0),
        line.unit_cost,
    )


async def _decided_error(switch_id: int) -> BobotError:
    switch = await SupplierSwitch.get_or_none(id=switch_id)
    if switch is None:
        return NotFound(f"No supplier switch has id {switch_id}.", field=["id"])
    when = switch.decided_at.isoformat(timespec="minutes") if switch.decided_at else "earlier"
    return BobotError(
        f"Switch {switch_id} was already {switch.status.value.lower()} "
        f"by {switch.decided_by or 'someone'} at {when}.",
        code=ErrorCode.ALREADY_DECIDED,
        field=["id"],
    )


async def _alert_ids(switch_id: int) -> list[int]:
    """The alerts that show this switch (their Slack messages follow its decision)."""
    return sorted(await int_column(Alert.filter(switch_id=switch_id).values_list("id", flat=True)))


async def approve_supplier_switch(
    *, switch_id: int, cancel_late_po: bool = False, actor: Actor, deps: Deps
) -> tuple[SupplierSwitch, PurchaseOrder]:
    """Approve once: the conditional UPDATE decides; the loser gets ALREADY_DECIDED."""
    now = deps.now()
    async with in_transaction():
        found = await SupplierSwitch.filter(id=switch_id).values_list(
            "product_id", "late_purchase_order_id"
        )
        if not found:
            raise NotFound(f"No supplier switch has id {switch_id}.", field=["id"])
        product_id, late_po_id = found[0]
        # The project's lock order: every product this may touch (the late order's too, as
        # it may be reduced), in id order, before any other row.
        late_po_products = await int_column(
            PurchaseOrderLine.filter(purchase_order_id=late_po_id).values_list(
                "product_id", flat=True
            )
        )
        await lock_products([product_id, *late_po_products])
        changed = await SupplierSwitch.filter(id=switch_id, status=SwitchStatus.PROPOSED).update(
            status=SwitchStatus.APPROVED, decided_by=actor_label(actor), decided_at=now
        )
        if changed != 1:
            raise await _decided_error(switch_id)
        alert_ids = await _alert_ids(switch_id)  # before changes below let go of the switch
        switch = await SupplierSwitch.get(id=switch_id)
        product = await Product.get(id=switch.product_id)
        proposed_on = deps.settings.calendar.today(switch.created_at)
        supplier_offer_lead = (switch.new_expected_date - proposed_on).days
        expected = max(switch.new_expected_date, deps.today() + timedelta(days=supplier_offer_lead))
        po = await purchasing.create_purchase_order(
            supplier_id=switch.to_supplier_id,
            expected_date=expected,
            lines=[purchasing.PoLineInput(product.sku, switch.quantity, switch.unit_cost)],
            actor=actor,
            deps=deps,
        )
        late_change = None
        if cancel_late_po and switch.late_purchase_order_id is not None:
            late_change = await _reduce_late_po(switch, product.sku, actor=actor, deps=deps)
        switch.new_purchase_order_id = po.id
        await switch.save(update_fields=["new_purchase_order_id"])
        await record(
            [
                typed_event(
                    SwitchApproved(
                        purchase_order=po.number,
                        quantity=switch.quantity,
                        expected_date=expected.isoformat(),
                        late_purchase_order=late_change,
                        alert_ids=alert_ids,
                    ),
                    actor=actor,
                    at=now,
                    subject_id=switch.id,
                    product_id=switch.product_id,
                )
            ]
        )
        # Under the same locks: the decided switch leaves its alert, which resolves or
        # says what it needs now.
        await scan([switch.product_id], deps=deps, actor=actor)
    return switch, po


async def _reduce_late_po(
    switch: SupplierSwitch, sku: str, *, actor: Actor, deps: Deps
) -> str | None:
    """Cancel the late PO when the switch replaces all of it, else reduce its line."""
    po = await PurchaseOrder.get_or_none(id=switch.late_purchase_order_id)
    if po is None or po.status not in OPEN_PO_STATUSES:
        return None
    lines = await PurchaseOrderLine.filter(purchase_order_id=po.id)
    line = next((x for x in lines if x.product_id == switch.product_id), None)
    if line is None:
        return None
    remaining = line.quantity - switch.quantity
    if remaining <= line.quantity_received:
        if len(lines) == 1:
            await purchasing.update_purchase_order(
                purchase_order_id=po.id,
                status=PurchaseOrderStatus.CANCELLED,
                actor=actor,
                deps=deps,
            )
            return f"{po.number} cancelled"
        if line.quantity_received == 0:
            raise Conflict(
                f"{po.number} has other lines: the whole line cannot be removed here.",
                field=["cancelLatePurchaseOrder"],
            )
        remaining = line.quantity_received
    await purchasing.update_purchase_order(
        purchase_order_id=po.id,
        lines=[purchasing.PoLineInput(sku, remaining)],
        actor=actor,
        deps=deps,
    )
    return f"{po.number} reduced to {remaining}"


async def reject_supplier_switch(
    *, switch_id: int, reason: str, actor: Actor, deps: Deps
) -> SupplierSwitch:
    reason = require_text(reason, "reason", max_length=500)
    now = deps.now()
    async with in_transaction():
        found = await int_column(
            SupplierSwitch.filter(id=switch_id).values_list("product_id", flat=True)
        )
        if not found:
            raise NotFound(f"No supplier switch has id {switch_id}.", field=["id"])
        await lock_products(found)  # the scan's lock: its alert is settled under it
        changed = await SupplierSwitch.filter(id=switch_id, status=SwitchStatus.PROPOSED).update(
            status=SwitchStatus.REJECTED,
            decided_by=actor_label(actor),
            decided_at=now,
            reason=reason,
        )
        if changed != 1:
            raise await _decided_error(switch_id)
        switch = await SupplierSwitch.get(id=switch_id)
        await record(
            [
                typed_event(
                    SwitchRejected(reason=reason, alert_ids=await _alert_ids(switch.id)),
                    actor=actor,
                    at=now,
                    subject_id=switch.id,
                    product_id=switch.product_id,
                )
            ]
        )
        # The rejected switch leaves its alert; the same offer on the same facts is not
        # proposed again (its basis is remembered), a different one may be.
        await scan([switch.product_id], deps=deps, actor=actor)
    return switch
