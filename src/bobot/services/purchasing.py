"""Purchase orders: the supply that backorder dates are promised from."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tortoise.transactions import in_transaction

from bobot.domain import events as typed
from bobot.domain.lifecycle import (
    NEW_PO_STATUSES,
    require_changeable,
    require_manual_transition,
)
from bobot.errors import BobotError, ErrorCode, InvalidInput, NotFound
from bobot.models import Product, PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus, Supplier
from bobot.models.purchasing import OPEN_PO_STATUSES
from bobot.services.context import Actor, Deps
from bobot.services.eta import recompute_etas
from bobot.services.gap_scan import scan_after_change
from bobot.services.history import record, typed_event
from bobot.services.locks import lock_products
from bobot.services.products import adjust_product, int_column
from bobot.services.validation import require_quantity


@dataclass(frozen=True, slots=True)
class PoLineInput:
    sku: str
    quantity: int
    unit_cost: Decimal | None = None


def _due(line: PurchaseOrderLine) -> int:
    return max(line.quantity - line.quantity_received, 0)


def _check_date(expected: date, deps: Deps) -> None:
    if expected < deps.today():
        raise InvalidInput(
            f"expectedDate {expected.isoformat()} is in the past.", field=["expectedDate"]
        )


async def _products_for(lines: Sequence[PoLineInput]) -> dict[str, Product]:
    skus = [line.sku for line in lines]
    if len(set(skus)) != len(skus):
        raise BobotError(
            "Each SKU may appear once per purchase order.",
            code=ErrorCode.DUPLICATE_SKU,
            field=["lines"],
        )
    for index, line in enumerate(lines):
        require_quantity(line.quantity, field_name=f"lines.{index}.quantity")
    ids = await int_column(Product.filter(sku__in=skus).values_list("id", flat=True))
    products = {p.sku: p for p in (await lock_products(ids)).values()}
    for index, line in enumerate(lines):
        if line.sku not in products:
            raise BobotError(
                f"No product has SKU {line.sku!r}.",
                code=ErrorCode.UNKNOWN_SKU,
                field=["lines", str(index), "sku"],
            )
    return products


async def create_purchase_order(
    *,
    supplier_id: int,
    expected_date: date,
    lines: Sequence[PoLineInput],
    status: PurchaseOrderStatus = PurchaseOrderStatus.ORDERED,
    actor: Actor,
    deps: Deps,
) -> PurchaseOrder:
    if not lines:
        raise InvalidInput("A purchase order needs at least one line.", field=["lines"])
    if status not in NEW_PO_STATUSES:
        raise InvalidInput("A new purchase order is DRAFT or ORDERED.", field=["status"])
    _check_date(expected_date, deps)
    now = deps.now()
    async with in_transaction():
        if not await Supplier.exists(id=supplier_id):
            raise NotFound(f"No supplier has id {supplier_id}.", field=["supplierId"])
        products = await _products_for(lines)
        po = await PurchaseOrder.create(
            number=f"tmp-{uuid.uuid4().hex[:20]}",
            supplier_id=supplier_id,
            status=status,
            expected_date=expected_date,
            created_at=now,
            updated_at=now,
        )
        po.number = f"PO-{1000 + po.id}"
        await po.save(update_fields=["number"])
        await PurchaseOrderLine.bulk_create(
            [
                PurchaseOrderLine(
                    purchase_order_id=po.id,
                    product_id=products[line.sku].id,
                    quantity=line.quantity,
                    unit_cost=line.unit_cost or 0,
                )
                for line in lines
            ]
        )
        if status in OPEN_PO_STATUSES:
            for line in lines:
                await adjust_product(products[line.sku].id, now=now, incoming=line.quantity)
        await record(
            [
                typed_event(
                    typed.PoCreated(
                        number=po.number,
                        supplier_id=supplier_id,
                        status=status.value,
                        quantity=line.quantity,
                        expected_date=expected_date.isoformat(),
                    ),
                    actor=actor,
                    at=now,
                    subject_id=po.id,
                    product_id=products[line.sku].id,
                )
                for line in lines
            ]
        )
        if status in OPEN_PO_STATUSES:
            await recompute_etas([p.id for p in products.values()], actor=actor, deps=deps)
    await scan_after_change([p.id for p in products.values()], deps=deps)
    return po


async def update_purchase_order(
    *,
    purchase_order_id: int,
    expected_date: date | None = None,
    status: PurchaseOrderStatus | None = None,
    lines: Sequence[PoLineInput] | None = None,
    actor: Actor,
    deps: Deps,
) -> PurchaseOrder:
    """Change a purchase order's expected date, line quantities or status; dates follow."""
    if expected_date is not None:
        _check_date(expected_date, deps)
    now = deps.now()
    async with in_transaction():
        product_ids = await int_column(
            PurchaseOrderLine.filter(purchase_order_id=purchase_order_id).values_list(
                "product_id", flat=True
            )
        )
        extra = await _products_for(lines) if lines else {}
        await lock_products([*product_ids, *(p.id for p in extra.values())])
        po = await PurchaseOrder.filter(id=purchase_order_id).select_for_update().first()
        if po is None:
            raise NotFound(f"No purchase order has id {purchase_order_id}.", field=["id"])
        require_changeable(po.number, po.status)
        if status is not None:
            require_manual_transition(po.number, po.status, status)
        existing = {
            line.product_id: line
            for line in await PurchaseOrderLine.filter(purchase_order_id=po.id)
        }
        was_open = po.status in OPEN_PO_STATUSES
        due_before = {pid: _due(line) if was_open else 0 for pid, line in existing.items()}

        changed_lines: list[list[str | int]] = []
        for line_input in lines or ():
            product = extra[line_input.sku]
            line = existing.get(product.id)
            if line is None:
                line = await PurchaseOrderLine.create(
                    purchase_order_id=po.id,
                    product_id=product.id,
                    quantity=line_input.quantity,
                    unit_cost=line_input.unit_cost or 0,
                )
                existing[product.id] = line
            else:
                if line_input.quantity < line.quantity_received:
                    raise BobotError(
                        f"{line_input.sku}: {line.quantity_received} units were already "
                        "received; the quantity cannot go below that.",
                        code=ErrorCode.INVALID_QUANTITY,
                        field=["lines"],
                    )
                line.quantity = line_input.quantity
                if line_input.unit_cost is not None:
                    line.unit_cost = line_input.unit_cost
                await line.save(update_fields=["quantity", "unit_cost"])
            changed_lines.append([line_input.sku, line_input.quantity])
        date_change = status_change = None
        if expected_date is not None and expected_date != po.expected_date:
            date_change = [po.expected_date.isoformat(), expected_date.isoformat()]
            po.expected_date = expected_date
        if status is not None and status != po.status:
            status_change = [po.status.value, status.value]
            po.status = status
        changes = typed.PoChanged(
            number=po.number,
            lines=changed_lines or None,
            expected_date=date_change,
            status=status_change,
        )
        if not changed_lines and date_change is None and status_change is None:
            return po
        po.updated_at = now
        await po.save(update_fields=["expected_date", "status", "updated_at"])

        is_open = po.status in OPEN_PO_STATUSES
        deltas: dict[int, int] = defaultdict(int)
        for pid, line in existing.items():
            deltas[pid] = (_due(line) if is_open else 0) - due_before.get(pid, 0)
        for pid, delta in deltas.items():
            if delta:
                await adjust_product(pid, now=now, incoming=delta)
        await record(
            [
                typed_event(changes, actor=actor, at=now, subject_id=po.id, product_id=pid)
                for pid in existing
            ]
        )
        await recompute_etas(existing, actor=actor, deps=deps)
    await scan_after_change(existing, deps=deps)
    return po
