"""What a customer sees and does through a signed link: read one backorder, order or
waitlist entry, and cancel or leave. The pages only render what these return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from tortoise.transactions import in_transaction

from bobot.domain.statuses import CANCELLABLE
from bobot.errors import NotFound
from bobot.models import (
    Backorder,
    BackorderStatus,
    Order,
    OrderLine,
    Product,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    ShipPreference,
    WaitlistEntry,
    WaitlistStatus,
)
from bobot.models.waitlist import ACTIVE_WAITLIST_STATUSES
from bobot.services import consent, invitations
from bobot.services.backorders import cancel_backorder
from bobot.services.context import Actor, Deps
from bobot.services.locks import lock_products
from bobot.services.products import int_column
from bobot.services.waitlist import leave_waitlist

CUSTOMER_REASON = "Cancelled by the customer"


@dataclass(frozen=True, slots=True)
class BackorderView:
    id: int
    order_number: str
    customer_email: str
    product_id: int
    sku: str
    product_name: str
    quantity: int  # still on the backorder (after cancellations)
    quantity_ordered: int
    status: BackorderStatus
    promised_date: date
    expected_date: date
    is_estimate: bool  # no purchase order covers it: the date comes from lead times

    @property
    def cancellable(self) -> bool:
        return self.status in CANCELLABLE and self.quantity > 0


@dataclass(frozen=True, slots=True)
class LineView:
    sku: str
    product_name: str
    quantity: int
    from_stock: int  # allocated when the order was placed; the rest was backordered


@dataclass(frozen=True, slots=True)
class ShipmentView:
    id: int
    status: ShipmentStatus
    cost: Decimal
    lines: tuple[tuple[str, int], ...]  # (product name, units)
    waits: bool  # some of its units are backordered


@dataclass(frozen=True, slots=True)
class OrderSummary:
    """An order as its customer is told of it: lines, shipments with their cost, backorders."""

    id: int
    number: str
    customer_email: str
    customer_name: str
    ship_preference: ShipPreference
    lines: tuple[LineView, ...]
    shipments: tuple[ShipmentView, ...]
    backorders: tuple[BackorderView, ...]

    @property
    def cancellable(self) -> tuple[BackorderView, ...]:
        return tuple(b for b in self.backorders if b.cancellable)


@dataclass(frozen=True, slots=True)
class WaitlistView:
    id: int
    email: str
    sku: str
    product_name: str
    quantity: int
    active: bool
    status: WaitlistStatus
    hold_until: datetime | None


def customer(email: str) -> Actor:
    return Actor("customer", email, "link")


def _backorder_view(b: Backorder, order: Order, names: dict[int, str]) -> BackorderView:
    return BackorderView(
        id=b.id,
        order_number=order.number,
        customer_email=order.customer_email,
        product_id=b.product_id,
        sku=b.sku,
        product_name=names.get(b.product_id, b.sku),
        quantity=b.quantity,
        quantity_ordered=b.quantity_ordered,
        status=b.status,
        promised_date=b.promised_date,
        expected_date=b.expected_date,
        is_estimate=b.eta_is_estimate,
    )


async def _names(product_ids: set[int]) -> dict[int, str]:
    rows = await Product.filter(id__in=product_ids).values_list("id", "name")
    return {int(pid): str(name) for pid, name in rows}


async def backorder_view(backorder_id: int) -> BackorderView:
    backorder = await Backorder.get_or_none(id=backorder_id)
    if backorder is None:
        raise NotFound(f"No backorder has id {backorder_id}.", field=["id"])
    order = await Order.get(id=backorder.order_id)
    return _backorder_view(backorder, order, await _names({backorder.product_id}))


async def order_summary(order_id: int) -> OrderSummary:
    """One order with its lines, shipments and backorders (five statements)."""
    order = await Order.get_or_none(id=order_id)
    if order is None:
        raise NotFound(f"No order has id {order_id}.", field=["id"])
    lines = await OrderLine.filter(order_id=order.id).order_by("id")
    names = await _names({line.product_id for line in lines})
    shipments = await Shipment.filter(order_id=order.id).order_by("id")
    parts = await ShipmentLine.filter(shipment_id__in=[s.id for s in shipments]).order_by("id")
    backorders = await Backorder.filter(order_id=order.id).order_by("id")
    return OrderSummary(
        id=order.id,
        number=order.number,
        customer_email=order.customer_email,
        customer_name=order.customer_name,
        ship_preference=order.ship_preference,
        lines=tuple(
            LineView(
                line.sku,
                names.get(line.product_id, line.sku),
                line.quantity,
                line.quantity_from_stock,
            )
            for line in lines
        ),
        shipments=tuple(
            ShipmentView(
                id=s.id,
                status=s.status,
                cost=s.cost,
                lines=tuple(
                    (names.get(p.product_id, p.sku), p.quantity)
                    for p in parts
                    if p.shipment_id == s.id and p.quantity > 0
                ),
                waits=any(p.backorder_id is not None for p in parts if p.shipment_id == s.id),
            )
            for s in shipments
        ),
        backorders=tuple(_backorder_view(b, order, names) for b in backorders),
    )


async def waitlist_view(entry_id: int) -> WaitlistView:
    entry = await WaitlistEntry.get_or_none(id=entry_id)
    if entry is None:
        raise NotFound(f"No waitlist entry has id {entry_id}.", field=["id"])
    product = await Product.get(id=entry.product_id)
    return WaitlistView(
        entry.id,
        entry.email,
        product.sku,
        product.name,
        entry.quantity,
        entry.status in ACTIVE_WAITLIST_STATUSES,
        entry.status,
        entry.hold_until,
    )


async def cancel_backorder_by_customer(*, backorder_id: int, deps: Deps) -> BackorderView:
    """Cancel what is left of one backorder; its allocated units go to the next in line."""
    view = await backorder_view(backorder_id)
    await cancel_backorder(
        backorder_id=backorder_id,
        quantity=None,
        reason=CUSTOMER_REASON,
        actor=customer(view.customer_email),
        deps=deps,
    )
    return await backorder_view(backorder_id)


async def cancel_order_by_customer(*, order_id: int, deps: Deps) -> OrderSummary:
    """Cancel every backorder of an order that can still be cancelled, all or nothing.

    What already ships (or shipped) is left alone: only backordered lines are cancelled.
    """
    view = await order_summary(order_id)
    async with in_transaction():
        # Every product first, in id order (the one lock order), then what is still open.
        await lock_products(b.product_id for b in view.backorders)
        still_open = await int_column(
            Backorder.filter(order_id=order_id, status__in=list(CANCELLABLE), quantity__gt=0)
            .order_by("id")
            .values_list("id", flat=True)
        )
        for backorder_id in still_open:
            await cancel_backorder(
                backorder_id=backorder_id,
                quantity=None,
                reason=CUSTOMER_REASON,
                actor=customer(view.customer_email),
                deps=deps,
            )
    return await order_summary(order_id)


async def consent_of(backorder_id: int) -> consent.ConsentView | None:
    """The backorder's consent record, once a delay notice was due."""
    return (await consent.consents([backorder_id])).get(backorder_id)


async def answer_delay_by_customer(
    *, backorder_id: int, accept: bool, deps: Deps
) -> consent.ConsentView:
    view = await backorder_view(backorder_id)
    return await consent.answer_delay(
        backorder_id=backorder_id, accept=accept, actor=customer(view.customer_email), deps=deps
    )


async def claim_invitation_by_customer(*, entry_id: int, deps: Deps) -> OrderSummary:
    view = await waitlist_view(entry_id)
    order = await invitations.claim_invitation(
        entry_id=entry_id, actor=customer(view.email), deps=deps
    )
    return await order_summary(order.id)


async def leave_waitlist_by_customer(*, entry_id: int, deps: Deps) -> WaitlistView:
    view = await waitlist_view(entry_id)
    await leave_waitlist(entry_id=entry_id, actor=customer(view.email), deps=deps)
    return await waitlist_view(entry_id)
