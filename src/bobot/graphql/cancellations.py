"""Cancellations API (staff): cancel a backorder, in whole or in part, and list what was."""

from __future__ import annotations

import strawberry

from bobot import models as m
from bobot.graphql.context import Info
from bobot.graphql.errors import UserError, parse_id, returns_user_errors
from bobot.graphql.inputs import REASON, text
from bobot.graphql.pagination import Connection, paginate
from bobot.graphql.permissions import STAFF
from bobot.graphql.types import Backorder, Cancellation
from bobot.services import backorders


def _errors() -> list[UserError]:
    return []


@strawberry.input
class CancelBackorderInput:
    id: strawberry.ID
    quantity: int | None = strawberry.field(default=None, description="null: all remaining.")
    reason: str = text(REASON, default="")


@strawberry.type
class CancelBackorderPayload:
    backorder: Backorder | None = None
    cancellation: Cancellation | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=_errors)


@strawberry.type
class CancellationsQuery:
    @strawberry.field(permission_classes=STAFF, description="Cancellations, newest first.")
    async def cancellations(
        self, sku: str | None = None, first: int = 20, after: str | None = None
    ) -> Connection[Cancellation]:
        query = m.Cancellation.all()
        if sku is not None:
            query = query.filter(sku=sku)
        return await paginate(
            query, first=first, after=after, descending=True, node=Cancellation.of
        )


@strawberry.type
class CancellationsMutation:
    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(CancelBackorderPayload)
    async def cancel_backorder(
        self, info: Info, input: CancelBackorderInput
    ) -> CancelBackorderPayload:
        backorder, cancellation = await backorders.cancel_backorder(
            backorder_id=parse_id(input.id),
            quantity=input.quantity,
            reason=input.reason,
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return CancelBackorderPayload(
            backorder=Backorder.of(backorder), cancellation=Cancellation.of(cancellation)
        )
