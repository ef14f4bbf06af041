"""Per-request DataLoaders: nested lists cost a fixed number of statements, whatever their size.

Named ``<Thing>By<Key>``; created lazily by :class:`Loaders`, one set per request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property, partial
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from bobot import models as m
from bobot.domain.reliability import Reliability
from bobot.services import reads
from bobot.services.availability import ProductSupply, supply_by_product
from bobot.services.context import Deps
from bobot.services.reliability import reliabilities

__all__ = ["Loaders", "ProductSupply", "by_id", "many_by"]

M = TypeVar("M", bound=Model)


def by_id(model: type[M]) -> DataLoader[int, M | None]:
    async def load(ids: list[int]) -> Sequence[M | None]:
        rows = {row.pk: row for row in await model.filter(id__in=ids)}
        return [rows.get(i) for i in ids]

    return DataLoader(load_fn=load)


def many_by(model: type[M], key: str, order: str = "id") -> DataLoader[int, list[M]]:
    async def load(keys: list[int]) -> Sequence[list[M]]:
        groups: dict[Any, list[M]] = defaultdict(list)
        for row in await model.filter(**{f"{key}__in": keys}).order_by(order):
            groups[getattr(row, key)].append(row)
        return [groups.get(k, []) for k in keys]

    return DataLoader(load_fn=load)


class Loaders:
    def __init__(self, deps: Deps | None = None) -> None:
        self.deps = deps  # the request's settings (margins), set by the context

    def _deps(self) -> Deps:
        return self.deps if self.deps is not None else Deps()

    @cached_property
    def product_by_id(self) -> DataLoader[int, m.Product | None]:
        return by_id(m.Product)

    @cached_property
    def order_by_id(self) -> DataLoader[int, m.Order | None]:
        return by_id(m.Order)

    @cached_property
    def supplier_by_id(self) -> DataLoader[int, m.Supplier | None]:
        return by_id(m.Supplier)

    @cached_property
    def backorder_by_id(self) -> DataLoader[int, m.Backorder | None]:
        return by_id(m.Backorder)

    @cached_property
    def purchase_order_by_id(self) -> DataLoader[int, m.PurchaseOrder | None]:
        return by_id(m.PurchaseOrder)

    @cached_property
    def switch_by_id(self) -> DataLoader[int, m.SupplierSwitch | None]:
        return by_id(m.SupplierSwitch)

    @cached_property
    def supply_by_product(self) -> DataLoader[int, ProductSupply]:
        return DataLoader(load_fn=partial(supply_by_product, deps=self._deps()))

    @cached_property
    def reliability_by_supplier(self) -> DataLoader[int, Reliability]:
        async def load(ids: list[int]) -> Sequence[Reliability]:
            found = await reliabilities(ids, deps=self._deps())
            return [found[i] for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def open_backorders_by_product(self) -> DataLoader[int, list[m.Backorder]]:
        return DataLoader(load_fn=reads.queues)

    @cached_property
    def waitlist_by_product(self) -> DataLoader[int, list[m.WaitlistEntry]]:
        return DataLoader(load_fn=reads.waitlists)

    @cached_property
    def consent_by_backorder(self) -> DataLoader[int, list[m.BackorderConsent]]:
        return many_by(m.BackorderConsent, "backorder_id", "backorder_id")

    @cached_property
    def open_pos_by_product(self) -> DataLoader[int, list[m.PurchaseOrder]]:
        return DataLoader(load_fn=reads.open_purchase_orders)

    @cached_property
    def lines_by_order(self) -> DataLoader[int, list[m.OrderLine]]:
        return many_by(m.OrderLine, "order_id")

    @cached_property
    def shipments_by_order(self) -> DataLoader[int, list[m.Shipment]]:
        return many_by(m.Shipment, "order_id")

    @cached_property
    def shipment_lines_by_shipment(self) -> DataLoader[int, list[m.ShipmentLine]]:
        return many_by(m.ShipmentLine, "shipment_id")

    @cached_property
    def backorders_by_order(self) -> DataLoader[int, list[m.Backorder]]:
        return many_by(m.Backorder, "order_id")

    @cached_property
    def backorders_by_order_line(self) -> DataLoader[int, list[m.Backorder]]:
        return many_by(m.Backorder, "order_line_id")

    @cached_property
    def offers_by_product(self) -> DataLoader[int, list[m.SupplierOffer]]:
        return many_by(m.SupplierOffer, "product_id", "rank")

    @cached_property
    def offers_by_supplier(self) -> DataLoader[int, list[m.SupplierOffer]]:
        return many_by(m.SupplierOffer, "supplier_id")

    @cached_property
    def po_lines_by_po(self) -> DataLoader[int, list[m.PurchaseOrderLine]]:
        return many_by(m.PurchaseOrderLine, "purchase_order_id")
