"""The demo store loads through the services and tells the story it promises."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

from bobot.clock import ManualClock
from bobot.demo import DemoSummary, is_empty, load_demo
from bobot.domain.availability import OutOfStockReason, Policy, StockStatus, availability
from bobot.models import (
    Backorder,
    BackorderStatus,
    Cancellation,
    Event,
    Order,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    ShipPreference,
    Supplier,
    SupplierOffer,
    WaitlistEntry,
)
from bobot.models.purchasing import OPEN_PO_STATUSES
from bobot.services.context import Deps
from bobot.services.eta import WAITING
from bobot.services.products import terms_of

PRESENT = datetime(2026, 3, 16, 15, 30, tzinfo=UTC)


async def _load() -> DemoSummary:
    assert await is_empty()
    summary = await load_demo(deps=Deps(clock=ManualClock(PRESENT)))
    assert not await is_empty()
    return summary


def _status(product: Product, now: datetime):
    return availability(
        available=product.available,
        backordered=product.backordered,
        terms=terms_of(product),
        now=now,
        in_stock_ship_date=now.date(),  # only the status matters here
        next_ship_date=None,
        next_is_estimate=False,
    )


async def test_catalog_has_products_in_every_stock_status(db):
    summary = await _load()
    products = await Product.all()
    assert summary.products == len(products) >= 30
    assert 3 <= len({p.category for p in products}) <= 4
    assert all(p.price > 0 for p in products)
    assert await Supplier.all().count() == summary.suppliers == 3

    offers = defaultdict(list)
    for offer in await SupplierOffer.all():
        offers[offer.product_id].append(offer)
    for product in products:
        ranks = sorted(o.rank for o in offers[product.id])
        assert ranks in ([1, 2], [1, 2, 3]), (product.sku, ranks)

    views = {p.sku: _status(p, PRESENT) for p in products}
    statuses = Counter(v.status for v in views.values())
    assert all(statuses[s] >= 1 for s in StockStatus), statuses
    assert OutOfStockReason.BACKORDERS_DENIED in {v.reason for v in views.values()}
    denied_empty = [p for p in products if p.backorder_policy is Policy.DENY and p.on_hand == 0]
    assert denied_empty

    limited = [p for p in products if p.backorder_limit is not None]
    assert any(0 < p.backorder_limit - p.backordered <= 3 for p in limited), [
        (p.sku, p.backorder_limit, p.backordered) for p in limited
    ]
    ending = [p for p in products if p.backorders_end_at is not None]
    assert any(
        PRESENT < p.backorders_end_at <= PRESENT + timedelta(days=7)
        and views[p.sku].status is StockStatus.BACKORDER
        for p in ending
    )


async def test_backorders_purchase_orders_and_waitlists_tell_the_story(db):
    summary = await _load()
    today = PRESENT.date()
    backorders = await Backorder.all()
    assert summary.backorders == sum(b.status is not BackorderStatus.CANCELLED for b in backorders)
    statuses = Counter(b.status for b in backorders)
    assert statuses[BackorderStatus.PARTIALLY_ALLOCATED] >= 1
    assert statuses[BackorderStatus.OPEN] >= 1
    assert statuses[BackorderStatus.SHIPPED] + statuses[BackorderStatus.ALLOCATED] >= 1
    assert statuses[BackorderStatus.CANCELLED] >= 1
    assert all(b.promised_date is not None for b in backorders)
    waiting = [b for b in backorders if b.status in WAITING]
    # Dates come from supply: nothing still waiting is expected in the past, and the late
    # purchase order has pushed some past their promise.
    assert all(b.expected_date >= today for b in waiting), [
        (b.sku, b.expected_date) for b in waiting if b.expected_date < today
    ]
    assert any(b.is_delayed for b in waiting)
    assert 1 <= await Cancellation.all().count() <= 3

    pos = await PurchaseOrder.all()
    assert summary.purchase_orders == len(pos)
    late = [p for p in pos if p.status is PurchaseOrderStatus.ORDERED and p.expected_date < today]
    assert late
    on_the_way = [p for p in pos if p.status is PurchaseOrderStatus.ORDERED and p not in late]
    assert all(7 <= (p.expected_date - today).days <= 28 for p in on_the_way)
    assert {PurchaseOrderStatus.RECEIVED, PurchaseOrderStatus.PARTIALLY_RECEIVED} <= {
        p.status for p in pos
    }

    entries = await WaitlistEntry.all()
    assert summary.waitlist_entries == len(entries) >= 8
    products = {p.id: p for p in await Product.all()}
    for entry in entries:
        assert _status(products[entry.product_id], PRESENT).status is StockStatus.OUT_OF_STOCK


async def test_orders_split_into_shipments_as_customers_chose(db):
    summary = await _load()
    orders = await Order.all()
    assert summary.orders == len(orders) >= 24
    assert len({o.customer_email for o in orders}) >= 15
    assert all(o.customer_email.endswith("@example.com") for o in orders)

    shipments = defaultdict(list)
    for shipment in await Shipment.all():
        shipments[shipment.order_id].append(shipment)
    lines = defaultdict(list)
    for line in await ShipmentLine.all():
        lines[line.shipment_id].append(line)

    def kinds(shipment: Shipment) -> set[bool]:  # True: backordered units, False: from stock
        return {line.backorder_id is not None for line in lines[shipment.id]}

    mixed = [  # one shipment leaves now, another waits for the backordered units
        o
        for o in orders
        if o.ship_preference is ShipPreference.SHIP_AVAILABLE_NOW
        and sorted(tuple(kinds(s)) for s in shipments[o.id]) == [(False,), (True,)]
    ]
    assert len(mixed) >= 2
    together = [o for o in orders if o.ship_preference is ShipPreference.SHIP_TOGETHER]
    assert together
    assert any(len(shipments[o.id]) == 1 and kinds(shipments[o.id][0]) == {True, False}
               for o in together)  # fmt: skip
    shipped = [
        s for group in shipments.values() for s in group if s.status is ShipmentStatus.SHIPPED
    ]
    assert summary.shipments_shipped == len(shipped) >= 1
    assert any(kinds(s) == {True} for s in shipped)  # a filled backorder went out


async def test_product_counters_agree_with_the_records(db):
    await _load()
    backordered = Counter()
    allocated = Counter()
    for b in await Backorder.filter(status__in=list(WAITING)):
        backordered[b.product_id] += b.quantity - b.quantity_allocated
    for b in await Backorder.filter(
        status__in=[BackorderStatus.PARTIALLY_ALLOCATED, BackorderStatus.ALLOCATED]
    ):
        allocated[b.product_id] += b.quantity_allocated
    unshipped = [ShipmentStatus.PENDING, ShipmentStatus.READY]
    for line in await ShipmentLine.filter(shipment__status__in=unshipped, backorder_id=None):
        allocated[line.product_id] += line.quantity
    incoming = Counter()
    for line in await PurchaseOrderLine.filter(purchase_order__status__in=list(OPEN_PO_STATUSES)):
        incoming[line.product_id] += max(line.quantity - line.quantity_received, 0)
    on_hand = Counter()
    for e in await Event.filter(kind="STOCK_RECEIVED"):
        on_hand[e.product_id] += e.data["quantity"]
    for line in await ShipmentLine.filter(shipment__status=ShipmentStatus.SHIPPED):
        on_hand[line.product_id] -= line.quantity

    for p in await Product.all():
        counters = (p.on_hand, p.allocated, p.available, p.backordered, p.incoming)
        assert 0 <= p.allocated <= p.on_hand, (p.sku, counters)
        assert p.available == p.on_hand - p.allocated - p.held, (p.sku, counters)
        assert p.backordered == backordered[p.id], (p.sku, counters, backordered[p.id])
        assert p.incoming == incoming[p.id], (p.sku, counters, incoming[p.id])
        assert p.allocated == allocated[p.id], (p.sku, counters, allocated[p.id])
        assert p.on_hand == on_hand[p.id], (p.sku, counters, on_hand[p.id])


async def test_history_spreads_over_ten_days_and_ends_at_the_present(db):
    await _load()
    first = await Event.all().order_by("at", "id").first()
    last = await Event.all().order_by("-at", "-id").first()
    assert first is not None and last is not None
    assert first.at == PRESENT - timedelta(days=10)
    assert PRESENT - timedelta(days=1) < last.at <= PRESENT
    # The demo acts as one actor; alerts and switch proposals are the gap scanner's own.
    actors = {
        (e.actor_kind, e.actor_id, e.channel)
        for e in await Event.all()
        if not e.kind.startswith(("ALERT_", "SWITCH_"))
    }
    assert actors == {("system", "demo", "cli")}
    days = {o.created_at.date() for o in await Order.all()}
    assert len(days) >= 8


async def test_loads_on_the_system_clock(db):
    summary = await load_demo(deps=Deps())
    assert summary.products >= 30
    late = await PurchaseOrder.filter(
        status=PurchaseOrderStatus.ORDERED, expected_date__lt=datetime.now(UTC).date()
    ).count()
    assert late == 1
