"""Staff API of the queue's order: a backorder's priority."""

from __future__ import annotations

import strawberry

from bobot.graphql.context import Info
from bobot.graphql.errors import UserError, parse_id, returns_user_errors
from bobot.graphql.permissions import STAFF
from bobot.graphql.types import Backorder
from bobot.services.priority import HIGHEST_PRIORITY, LOWEST_PRIORITY, set_backorder_priority


def _errors() -> list[UserError]:
    return []


@strawberry.input
class SetBackorderPriorityInput:
    id: strawberry.ID
    priority: int = strawberry.field(
        description=(
            f"{LOWEST_PRIORITY} (the default) to {HIGHEST_PRIORITY}: a higher priority is"
            " served first, placement order within a priority."
        )
    )


@strawberry.type
class SetBackorderPriorityPayload:
    backorder: Backorder | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=_errors)


@strawberry.type
class PriorityMutation:
    @strawberry.mutation(
        permission_classes=STAFF,
        description=(
            "Move a waiting backorder in its product's queue; the fill, the ETA walk and"
            " the listings follow (priority, then placement), and the queue is re-dated."
        ),
    )
    @returns_user_errors(SetBackorderPriorityPayload)
    async def set_backorder_priority(
        self, info: Info, input: SetBackorderPriorityInput
    ) -> SetBackorderPriorityPayload:
        backorder = await set_backorder_priority(
            backorder_id=parse_id(input.id),
            priority=input.priority,
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return SetBackorderPriorityPayload(backorder=Backorder.of(backorder))
