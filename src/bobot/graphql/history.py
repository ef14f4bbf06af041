"""History API (staff): the event history and the delay notices sent to customers."""

from __future__ import annotations

import strawberry

from bobot import models as m
from bobot.graphql.catalog import product_id_of
from bobot.graphql.pagination import Connection, paginate
from bobot.graphql.permissions import STAFF
from bobot.graphql.types import HistoryEvent
from bobot.services import consent


@strawberry.type
class DelayNotices:
    sent: int
    late: int


@strawberry.type
class HistoryQuery:
    @strawberry.field(
        permission_classes=STAFF,
        description="Delay notices sent to customers, and how many went out late (should be 0).",
    )
    async def delay_notices(self) -> DelayNotices:
        sent, late = await consent.notice_counts()
        return DelayNotices(sent=sent, late=late)

    @strawberry.field(permission_classes=STAFF, description="The history, newest first.")
    async def history(
        self, sku: str | None = None, first: int = 20, after: str | None = None
    ) -> Connection[HistoryEvent]:
        query = m.Event.all()
        product_id = await product_id_of(sku)
        if product_id is not None:
            query = query.filter(product_id=product_id)
        return await paginate(
            query, first=first, after=after, descending=True, node=lambda r: HistoryEvent(row=r)
        )
