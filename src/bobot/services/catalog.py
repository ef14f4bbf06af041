"""Products, their backorder policy, suppliers and supplier offers (staff), and the reads of
products every door shares."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from tortoise.expressions import F, Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from bobot.domain import events
from bobot.domain.availability import Policy, StockStatus
from bobot.errors import InvalidInput, NotFound
from bobot.models import Product, Supplier, SupplierOffer
from bobot.services.context import Actor, Deps
from bobot.services.eta import recompute_etas
from bobot.services.history import record, typed_event
from bobot.services.products import product_by_sku
from bobot.services.validation import require_text

_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _money(value: Decimal, field_name: str) -> Decimal:
    if value < 0 or value > Decimal("9999999999"):
        raise InvalidInput(f"{field_name} must be between 0 and 9999999999.", field=[field_name])
    return value.quantize(Decimal("0.01"))


async def upsert_product(
    *,
    sku: str,
    name: str,
    category: str | None = None,
    price: Decimal | None = None,
    safety_stock: int | None = None,
    actor: Actor,
    deps: Deps,
) -> tuple[Product, bool]:
    """Create a product or update its descriptive fields. Returns (product, created)."""
    if not _SKU.match(sku):
        raise InvalidInput(
            "A SKU is 1-64 letters, digits, dots, dashes or underscores.", field=["sku"]
        )
    name = require_text(name, "name")
    if safety_stock is not None and safety_stock < 0:
        raise InvalidInput("safetyStock must not be negative.", field=["safetyStock"])
    now = deps.now()
    values: dict[str, Any] = {"name": name, "updated_at": now}
    if category is not None:
        values["category"] = category.strip()[:80]
    if price is not None:
        values["price"] = _money(price, "price")
    if safety_stock is not None:
        values["safety_stock"] = safety_stock
    async with in_transaction():
        product = await Product.filter(sku=sku).select_for_update().first()
        created = product is None
        if product is None:
            product = await Product.create(sku=sku, created_at=now, **values)
        else:
            product.update_from_dict(values)
            await product.save()
        kind = events.ProductCreated if created else events.ProductUpdated
        await record(
            [
                typed_event(
                    kind(sku=sku, name=name),
                    actor=actor,
                    at=now,
                    subject_id=product.id,
                    product_id=product.id,
                )
            ]
        )
    return product, created


async def set_backorder_policy(
    *,
    sku: str,
    policy: Policy,
    limit: int | None,
    ends_at: datetime | None,
    actor: Actor,
    deps: Deps,
) -> Product:
    if limit is not None and limit < 0:
        raise InvalidInput(
            "backorderLimit must be 0 or more (null: unlimited).", field=["backorderLimit"]
        )
    if ends_at is not None:  # stored in UTC; an offset-less time is the shop's wall time
        ends_at = deps.settings.calendar.to_utc(ends_at)
    now = deps.now()
    async with in_transaction():
        product = await product_by_sku(sku, lock=True)
        before = (
            product.backorder_policy.value,
            product.backorder_limit,
            product.backorders_end_at,
        )
        product.backorder_policy = policy
        product.backorder_limit = limit
        product.backorders_end_at = ends_at
        product.updated_at = now
        await product.save(
            update_fields=["backorder_policy", "backorder_limit", "backorders_end_at", "updated_at"]
        )
        await record(
            [
                typed_event(
                    events.PolicyChanged(
                        previous={
                            "policy": before[0],
                            "limit": before[1],
                            "endsAt": before[2].isoformat() if before[2] else None,
                        },
                        policy=policy.value,
                        limit=limit,
                        endsAt=ends_at.isoformat() if ends_at else None,
                    ),
                    actor=actor,
                    at=now,
                    subject_id=product.id,
                    product_id=product.id,
                )
            ]
        )
    return product


async def upsert_supplier(
    *, name: str, email: str = "", supplier_id: int | None = None, actor: Actor, deps: Deps
) -> tuple[Supplier, bool]:
    name = require_text(name, "name", max_length=120)
    now = deps.now()
    async with in_transaction():
        if supplier_id is None:
            supplier = await Supplier.filter(name=name).select_for_update().first()
        else:
            supplier = await Supplier.filter(id=supplier_id).select_for_update().first()
            if supplier is None:
                raise NotFound(f"No supplier has id {supplier_id}.", field=["id"])
        created = supplier is None
        if supplier is None:
            supplier = await Supplier.create(name=name, email=email.strip(), created_at=now)
        else:
            supplier.name = name
            supplier.email = email.strip()
            await supplier.save()
        kind = events.SupplierCreated if created else events.SupplierUpdated
        await record([typed_event(kind(name=name), actor=actor, at=now, subject_id=supplier.id)])
    return supplier, created


async def set_supplier_offer(
    *,
    supplier_id: int,
    sku: str,
    unit_cost: Decimal,
    lead_time_days: int,
    rank: int = 1,
    active: bool = True,
    actor: Actor,
    deps: Deps,
) -> SupplierOffer:
    if lead_time_days < 0 or lead_time_days > 365:
        raise InvalidInput("leadTimeDays must be between 0 and 365.", field=["leadTimeDays"])
    if rank < 1:
        raise InvalidInput("rank must be 1 or more (1 is preferred).", field=["rank"])
    cost = _money(unit_cost, "unitCost")
    now = deps.now()
    async with in_transaction():
        product = await product_by_sku(sku, lock=True)
        if not await Supplier.exists(id=supplier_id):
            raise NotFound(f"No supplier has id {supplier_id}.", field=["supplierId"])
        offer = await SupplierOffer.filter(supplier_id=supplier_id, product_id=product.id).first()
        values: dict[str, Any] = {
            "unit_cost": cost,
            "lead_time_days": lead_time_days,
            "rank": rank,
            "active": active,
            "updated_at": now,
        }
        if offer is None:
            offer = await SupplierOffer.create(
                supplier_id=supplier_id, product_id=product.id, **values
            )
        else:
            offer.update_from_dict(values)
            await offer.save()
        await record(
            [
                typed_event(
                    events.SupplierOfferSet(
                        supplier_id=supplier_id,
                        unit_cost=str(cost),
                        lead_time_days=lead_time_days,
                        rank=rank,
                        active=active,
                    ),
                    actor=actor,
                    at=now,
                    subject_id=offer.id,
                    product_id=product.id,
                )
            ]
        )
        # The fallback estimate depends on the best lead time.
        await recompute_etas([product.id], actor=actor, deps=deps)
    return offer


# --------------------------------------------------------------------------- reads


@dataclass(frozen=True, slots=True)
class ProductRow:
    """What product reads need of a row, read without building a model object (lists)."""

    id: int
    sku: str
    name: str
    category: str
    price: Decimal
    backorder_policy: Policy
    backorder_limit: int | None
    backorders_end_at: datetime | None
    safety_stock: int
    on_hand: int
    allocated: int
    available: int
    held: int
    backordered: int
    incoming: int


PRODUCT_COLUMNS = tuple(f.name for f in fields(ProductRow))


async def product_row(sku: str) -> ProductRow | None:
    """A product by SKU, or None. One statement."""
    found = await Product.filter(sku=sku).limit(1).values(*PRODUCT_COLUMNS)
    return ProductRow(**found[0]) if found else None


def _backorder_open(now: datetime) -> Q:
    """SQL twin of :func:`bobot.domain.availability.backorder_room` > 0."""
    return (
        Q(backorder_policy=Policy.ALLOW)
        & (Q(backorder_limit__isnull=True) | Q(backorder_limit__gt=F("backordered")))
        & (Q(backorders_end_at__isnull=True) | Q(backorders_end_at__gt=now))
    )


def _status_filter(status: StockStatus, now: datetime) -> Q:
    if status is StockStatus.IN_STOCK:
        return Q(available__gt=0)
    if status is StockStatus.BACKORDER:
        return Q(available=0) & _backorder_open(now)
    return Q(available=0) & ~_backorder_open(now)


def products_query(
    *, status: StockStatus | None, search: str | None, now: datetime
) -> QuerySet[Product]:
    """Products showing ``status`` now, whose SKU or name contains ``search`` (unordered:
    the caller pages it)."""
    query = Product.all()
    if status is not None:
        query = query.filter(_status_filter(StockStatus(status), now))
    if search:
        term = search.strip()[:100]
        query = query.filter(Q(sku__icontains=term) | Q(name__icontains=term))
    return query
