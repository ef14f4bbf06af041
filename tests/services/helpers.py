"""Shared set-up for service tests: a store built through the services themselves."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from bobot.clock import ManualClock
from bobot.config import Settings
from bobot.domain.availability import Policy
from bobot.domain.calendar import EVERY_DAY
from bobot.domain.ordering import LineRequest, ShipPreference
from bobot.models import Backorder, BackorderStatus, Product, PurchaseOrderLine
from bobot.models.purchasing import OPEN_PO_STATUSES
from bobot.services import catalog, orders, purchasing, stock
from bobot.services.context import Actor, Deps

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
STAFF = Actor("staff", "tester", "api")
SHOP = Actor("storefront", "shop", "api")


def make_deps(settings: Settings | None = None) -> Deps:
    """Deps on a manual clock at START. The shop ships every day unless ``settings`` say
    otherwise, so that a test's dates are plain day counts."""
    return Deps(settings=settings or Settings(calendar=EVERY_DAY), clock=ManualClock(START))


def clock_of(deps: Deps) -> ManualClock:
    assert isinstance(deps.clock, ManualClock)
    return deps.clock


async def product(
    deps: Deps,
    sku: str,
    *,
    on_hand: int = 0,
    policy: Policy = Policy.ALLOW,
    limit: int | None = None,
    lead_days: int = 20,
) -> int:
    created, _ = await catalog.upsert_product(sku=sku, name=sku.title(), actor=STAFF, deps=deps)
    await catalog.set_backorder_policy(
        sku=sku, policy=policy, limit=limit, ends_at=None, actor=STAFF, deps=deps
    )
    supplier, _ = await catalog.upsert_supplier(name="Acme", actor=STAFF, deps=deps)
    await catalog.set_supplier_offer(
        supplier_id=supplier.id,
        sku=sku,
        unit_cost=Decimal("2.00"),
        lead_time_days=lead_days,
        actor=STAFF,
        deps=deps,
    )
    if on_hand:
        await stock.receive_stock(
            sku=sku, quantity=on_hand, purchase_order_id=None, actor=STAFF, deps=deps
        )
    return created.id


async def purchase_order(deps: Deps, sku: str, quantity: int, in_days: int) -> int:
    supplier, _ = await catalog.upsert_supplier(name="Acme", actor=STAFF, deps=deps)
    po = await purchasing.create_purchase_order(
        supplier_id=supplier.id,
        expected_date=deps.today() + timedelta(days=in_days),
        lines=[purchasing.PoLineInput(sku, quantity)],
        actor=STAFF,
        deps=deps,
    )
    return po.id


async def order(
    deps: Deps,
    email: str,
    *lines: tuple[str, int],
    preference: ShipPreference = ShipPreference.SHIP_AVAILABLE_NOW,
):
    return await orders.place_order(
        customer=orders.Customer(email),
        lines=[LineRequest(s, q) for s, q in lines],
        ship_preference=preference,
        idempotency_key=None,
        actor=SHOP,
        deps=deps,
    )


async def backorders_of(sku: str) -> list[Backorder]:
    return await Backorder.filter(sku=sku).order_by("id")


async def assert_counters_consistent() -> None:
    """Every product's counters agree with the rows they summarise."""
    waiting: dict[int, int] = defaultdict(int)
    for b in await Backorder.filter(
        status__in=[BackorderStatus.OPEN, BackorderStatus.PARTIALLY_ALLOCATED]
    ):
        waiting[b.product_id] += b.quantity - b.quantity_allocated
    due: dict[int, int] = defaultdict(int)
    for line in await PurchaseOrderLine.filter(purchase_order__status__in=list(OPEN_PO_STATUSES)):
        due[line.product_id] += max(line.quantity - line.quantity_received, 0)
    for p in await Product.all():
        assert p.available == p.on_hand - p.allocated - p.held, p.sku
        assert 0 <= p.allocated <= p.on_hand, p.sku
        assert p.backordered == waiting[p.id], p.sku
        assert p.incoming == due[p.id], p.sku
        if p.backordered:
            assert p.available == 0, f"{p.sku} has stock while backorders wait"


def days(n: int) -> date:
    return START.date() + timedelta(days=n)
