"""Waitlist API: a storefront joins and leaves waitlists; staff list them."""

from __future__ import annotations

import strawberry

from bobot import models as m
from bobot.graphql.catalog import product_id_of
from bobot.graphql.context import Info
from bobot.graphql.errors import UserError, parse_id, returns_user_errors
from bobot.graphql.inputs import EMAIL, SKU, text
from bobot.graphql.pagination import Connection, paginate
from bobot.graphql.permissions import SHOP, STAFF
from bobot.graphql.types import WaitlistEntry
from bobot.services import waitlist


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
class WaitlistQuery:
    @strawberry.field(permission_classes=STAFF, description="Active waitlist entries in order.")
    async def waitlist(
        self, sku: str | None = None, first: int = 20, after: str | None = None
    ) -> Connection[WaitlistEntry]:
        query = m.WaitlistEntry.filter(status__in=list(m.waitlist.ACTIVE_WAITLIST_STATUSES))
        product_id = await product_id_of(sku)
        if product_id is not None:
            query = query.filter(product_id=product_id)
        return await paginate(query, first=first, after=after, node=WaitlistEntry.of)


@strawberry.type
class WaitlistMutation:
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
