"""Orders API: a storefront places orders and reads them; staff list the backorders."""

from __future__ import annotations

import strawberry

from bobot import models as m
from bobot.domain.ordering import LineRequest
from bobot.domain.ordering import ShipPreference as DomainShipPreference
from bobot.graphql.context import Info
from bobot.graphql.enums import BackorderStatus, ShipPreference
from bobot.graphql.errors import UserError, returns_user_errors
from bobot.graphql.inputs import EMAIL, NAME, SKU, text
from bobot.graphql.pagination import Connection, paginate
from bobot.graphql.permissions import SHOP, STAFF
from bobot.graphql.types import Backorder, Order
from bobot.services import orders, reads


@strawberry.input
class CustomerInput:
    email: str = text(EMAIL)
    name: str = text(NAME, default="")


@strawberry.input
class OrderLineInput:
    sku: str = text(SKU)
    quantity: int


@strawberry.input
class PlaceOrderInput:
    customer: CustomerInput
    lines: list[OrderLineInput]
    ship_preference: ShipPreference = DomainShipPreference.SHIP_AVAILABLE_NOW
    idempotency_key: str | None = text(
        128, default=None, description="Retrying with the same key returns the first order."
    )


@strawberry.type
class PlaceOrderPayload:
    order: Order | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OrdersQuery:
    @strawberry.field(permission_classes=SHOP)
    async def order(self, number: str) -> Order | None:
        row = await reads.order_by_number(number)
        return Order.of(row) if row else None

    @strawberry.field(permission_classes=STAFF, description="Backorders, oldest first.")
    async def backorders(
        self,
        sku: str | None = None,
        status: BackorderStatus | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[Backorder]:
        query = m.Backorder.all()
        if sku is not None:
            query = query.filter(sku=sku)
        if status is not None:
            query = query.filter(status=status)
        return await paginate(query, first=first, after=after, node=Backorder.of)


@strawberry.type
class OrdersMutation:
    @strawberry.mutation(permission_classes=SHOP)
    @returns_user_errors(PlaceOrderPayload)
    async def place_order(self, info: Info, input: PlaceOrderInput) -> PlaceOrderPayload:
        order = await orders.place_order(
            customer=orders.Customer(input.customer.email, input.customer.name),
            lines=[LineRequest(line.sku, line.quantity) for line in input.lines],
            ship_preference=DomainShipPreference(input.ship_preference),
            idempotency_key=input.idempotency_key,
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return PlaceOrderPayload(order=Order.of(order))
