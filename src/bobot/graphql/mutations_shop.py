"""Mutations a storefront makes: orders and waitlists (storefront or staff token)."""

from __future__ import annotations

import strawberry

from bobot.domain.ordering import LineRequest
from bobot.domain.ordering import ShipPreference as DomainShipPreference
from bobot.graphql.context import Info
from bobot.graphql.enums import ShipPreference
from bobot.graphql.errors import UserError, parse_id, returns_user_errors
from bobot.graphql.inputs import EMAIL, NAME, SKU, text
from bobot.graphql.permissions import SHOP
from bobot.graphql.types import Order, WaitlistEntry
from bobot.services import orders, waitlist


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
    ship_preference: ShipPreference = DomainShipPreference.SHIP_AVAILABLE_NOW  # type: ignore[valid-type]
    idempotency_key: str | None = text(
        128, default=None, description="Retrying with the same key returns the first order."
    )


@strawberry.type
class PlaceOrderPayload:
    order: Order | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class JoinWaitlistInput:
    sku: str = text(SKU)
    email: str = text(EMAIL)
    quantity: int = 1


@strawberry.input
class LeaveWaitlistInput:
    id: strawberry.ID


@strawberry.type
class WaitlistPayload:
    entry: WaitlistEntry | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ShopMutation:
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

    @strawberry.mutation(permission_classes=SHOP)
    @returns_user_errors(WaitlistPayload)
    async def join_waitlist(self, info: Info, input: JoinWaitlistInput) -> WaitlistPayload:
        entry = await waitlist.join_waitlist(
            sku=input.sku,
            email=input.email,
            quantity=input.quantity,
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return WaitlistPayload(entry=WaitlistEntry.of(entry))

    @strawberry.mutation(permission_classes=SHOP)
    @returns_user_errors(WaitlistPayload)
    async def leave_waitlist(self, info: Info, input: LeaveWaitlistInput) -> WaitlistPayload:
        entry = await waitlist.leave_waitlist(
            entry_id=parse_id(input.id), actor=info.context.viewer.actor, deps=info.context.deps
        )
        return WaitlistPayload(entry=WaitlistEntry.of(entry))
