"""Placing an order: every line split into allocated and backordered parts, all or nothing."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bobot.domain.events import BackorderCreated, OrderPlaced, OrderRefused
from bobot.domain.order_plan import OrderPlan, ProductFacts, plan_order, skus_to_date
from bobot.domain.ordering import LineRequest, ShipPreference, StockView, validate_lines
from bobot.errors import BobotError, ErrorCode, InvalidInput
from bobot.models import (
    Backorder,
    BackorderStatus,
    Order,
    OrderLine,
    Product,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
)
from bobot.services.context import Actor, Deps
from bobot.services.history import record, typed_event
from bobot.services.locks import lock_products_by_sku
from bobot.services.products import adjust_product, int_column, terms_of
from bobot.services.reliability import margins_for
from bobot.services.supply import supply_facts
from bobot.services.validation import require_text

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class Customer:
    email: str
    name: str = ""


def new_order_number() -> str:
    return "BO-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))


def validate_email(email: str, field_name: str = "email") -> str:
    email = email.strip()
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidInput(f"{email!r} is not an email address.", field=[field_name])
    return email.lower()


async def place_order(
    *,
    customer: Customer,
    lines: Sequence[LineRequest],
    ship_preference: ShipPreference,
    idempotency_key: str | None,
    actor: Actor,
    deps: Deps,
) -> Order:
    """Place an order. The same idempotency key twice returns the first order unchanged.

    Gaps a new backorder may open are found by the worker, which follows the history
    (:func:`bobot.services.gap_follower.scan_recent_backorders`), off the storefront's path.
    """
    email = validate_email(customer.email, "customer.email")
    validate_lines(lines)
    if idempotency_key is not None:
        idempotency_key = require_text(idempotency_key, "idempotencyKey", max_length=128)
        existing = await Order.get_or_none(idempotency_key=idempotency_key)
        if existing is not None:
            return await _same_request(existing, email, lines, ship_preference)
    try:
        return await _place(
            email, customer.name.strip(), lines, ship_preference, idempotency_key, actor, deps
        )
    except BobotError as refusal:
        if refusal.code in LOST_SALE_CODES:
            await _record_refusal(refusal, lines, actor, deps)
        raise
    except IntegrityError:
        if idempotency_key is None:
            raise
        # A concurrent request with the same key won the race: answer with its order.
        existing = await Order.get_or_none(idempotency_key=idempotency_key)
        if existing is None:
            raise
        return await _same_request(existing, email, lines, ship_preference)


#: Refusals that are a lost sale: the product could not be sold, neither now nor later.
LOST_SALE_CODES = frozenset(
    {ErrorCode.BACKORDERS_DENIED, ErrorCode.BACKORDER_LIMIT_REACHED, ErrorCode.BACKORDERS_ENDED}
)


async def _record_refusal(
    refusal: BobotError, lines: Sequence[LineRequest], actor: Actor, deps: Deps
) -> None:
    """Record the line an order was refused for (the order itself left nothing behind):
    insights count these as lost demand. Its own transaction, after the order's rolled back."""
    field = refusal.field or []
    if len(field) < 2 or not field[1].isdigit() or int(field[1]) >= len(lines):
        return
    line = lines[int(field[1])]
    found = await int_column(Product.filter(sku=line.sku).values_list("id", flat=True))
    if not found:
        return
    async with in_transaction():
        await record(
            [
                typed_event(
                    OrderRefused(sku=line.sku, quantity=line.quantity, reason=refusal.code.value),
                    actor=actor,
                    at=deps.now(),
                    subject_id=found[0],
                    product_id=found[0],
                )
            ]
        )


async def _same_request(
    order: Order, email: str, lines: Sequence[LineRequest], preference: ShipPreference
) -> Order:
    stored = await OrderLine.filter(order_id=order.id).order_by("id").values_list("sku", "quantity")
    if (
        order.customer_email != email
        or order.ship_preference != preference
        or [tuple(r) for r in stored] != [(line.sku, line.quantity) for line in lines]
    ):
        raise BobotError(
            "This idempotency key was already used for a different order.",
            code=ErrorCode.IDEMPOTENCY_CONFLICT,
            field=["idempotencyKey"],
        )
    return order


async def _place(
    email: str,
    name: str,
    lines: Sequence[LineRequest],
    preference: ShipPreference,
    idempotency_key: str | None,
    actor: Actor,
    deps: Deps,
) -> Order:
    async with in_transaction():
        products = await lock_products_by_sku({line.sku for line in lines})
        # The order's place in each queue is its placement time: read under the locks, so
        # that an order that waited for them never sorts ahead of one that committed first.
        now = deps.now()
        today = deps.settings.calendar.today(now)
        plan = plan_order(
            lines,
            await _facts(lines, products, deps, today),
            preference,
            now=now,
            today=today,
            handling_days=deps.settings.handling_days,
            margin_days=deps.settings.promise_margin_days,
            calendar=deps.settings.calendar,
        )
        return await _persist(
            plan, products, email, name, preference, idempotency_key, actor, deps, now
        )


async def _facts(
    lines: Sequence[LineRequest], products: dict[str, Product], deps: Deps, today: date
) -> dict[str, ProductFacts]:
    """What :func:`plan_order` needs of each (locked) product; supply only where the order
    asks more than is available."""
    short = skus_to_date(lines, {sku: p.available for sku, p in products.items()}) & set(products)
    supply = await supply_facts(products[sku].id for sku in short)
    margins = await margins_for(supply.supplier_ids(), deps=deps) if short else None
    facts = {}
    for sku, p in products.items():
        stock = StockView(p.available, p.backordered, terms_of(p))
        if sku in short:
            rules = deps.eta_rules(supply.leads.get(p.id), today=today)
            facts[sku] = ProductFacts(
                stock,
                supply.supply.get(p.id, []),
                rules,
                supply.lead_suppliers.get(p.id),
                margins,
            )
        else:
            facts[sku] = ProductFacts(stock)
    return facts


async def _persist(
    plan: OrderPlan,
    products: dict[str, Product],
    email: str,
    name: str,
    preference: ShipPreference,
    idempotency_key: str | None,
    actor: Actor,
    deps: Deps,
    now: datetime,
) -> Order:
    """Write what ``plan`` says: the order, its lines and backorders, the products'
    counters, the shipments and the events."""
    order = await Order.create(
        number=new_order_number(),
        idempotency_key=idempotency_key,
        customer_email=email,
        customer_name=name,
        ship_preference=preference,
        created_at=now,
        updated_at=now,
    )
    events = [
        typed_event(
            OrderPlaced(
                number=order.number,
                lines=[[s.sku, s.quantity, s.from_stock, s.backordered] for s in plan.splits],
            ),
            actor=actor,
            at=now,
            subject_id=order.id,
        )
    ]
    order_lines: dict[int, OrderLine] = {}
    backorders: dict[int, Backorder] = {}
    for split in plan.splits:
        product = products[split.sku]
        order_lines[split.index] = await OrderLine.create(
            order_id=order.id,
            product_id=product.id,
            sku=split.sku,
            quantity=split.quantity,
            quantity_from_stock=split.from_stock,
        )
        planned = plan.backorders.get(split.index)
        if planned is not None:
            backorder = await Backorder.create(
                order_id=order.id,
                order_line_id=order_lines[split.index].id,
                product_id=product.id,
                sku=split.sku,
                quantity_ordered=planned.quantity,
                quantity=planned.quantity,
                status=BackorderStatus.OPEN,
                promised_date=planned.promised,
                expected_date=planned.expected.ship_date,
                eta_is_estimate=planned.expected.is_estimate,
                created_at=now,
                updated_at=now,
            )
            backorders[split.index] = backorder
            events.append(
                typed_event(
                    BackorderCreated(
                        order_id=order.id,
                        quantity=planned.quantity,
                        promised=planned.promised.isoformat(),
                        expected=planned.expected.ship_date.isoformat(),
                        is_estimate=planned.expected.is_estimate,
                    ),
                    actor=actor,
                    at=now,
                    subject_id=backorder.id,
                    product_id=product.id,
                )
            )
        await adjust_product(
            product.id,
            now=now,
            allocated=split.from_stock,
            available=-split.from_stock,
            backordered=split.backordered,
        )

    shipment_lines: list[ShipmentLine] = []
    for shipment_plan in plan.shipments:
        shipment = await Shipment.create(
            order_id=order.id,
            status=ShipmentStatus.PENDING if shipment_plan.waits else ShipmentStatus.READY,
            cost=deps.settings.shipping_cost,
            created_at=now,
        )
        for index, units, waits in shipment_plan.parts:
            line = order_lines[index]
            shipment_lines.append(
                ShipmentLine(
                    shipment_id=shipment.id,
                    order_line_id=line.id,
                    product_id=line.product_id,
                    sku=line.sku,
                    quantity=units,
                    backorder_id=backorders[index].id if waits else None,
                )
            )
    await ShipmentLine.bulk_create(shipment_lines)
    await record(events)
    return order
