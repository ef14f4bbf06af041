"""Staff API of the demand outlook: products by how soon their cover runs out."""

from __future__ import annotations

from datetime import date

import strawberry
from graphql import GraphQLError

from bobot.errors import BobotError
from bobot.graphql.context import Info
from bobot.graphql.errors import bad_input
from bobot.graphql.pagination import (
    Connection,
    Edge,
    PageInfo,
    check_first,
    decode_cursor,
    encode_cursor,
)
from bobot.graphql.permissions import STAFF
from bobot.services import demand


def _cursor(outlook: demand.Outlook) -> str:
    return encode_cursor("|".join(str(part) for part in demand.rank_of(outlook)))


@strawberry.type(description="A product's demand forecast, the stock it calls for, and its cover.")
class ProductOutlook:
    data: strawberry.Private[demand.Outlook]

    @strawberry.field
    def sku(self) -> str:
        return self.data.sku

    @strawberry.field
    def name(self) -> str:
        return self.data.name

    @strawberry.field(
        description="HOLT_WINTERS (a yearly season), HOLT, SIMPLE or MEAN; QUIET: no order in"
        " the last 8 weeks of less than a year of them, no demand forecast."
    )
    def method(self) -> str:
        return self.data.forecast.method

    @strawberry.field(description="Units forecast for each of the outlook's weeks, this one first.")
    def forecast(self) -> list[float]:
        return self.data.forecast.weeks[: self.data.weeks]

    @strawberry.field(description="Weeks held out to measure the error (0: too little history).")
    def held_out_weeks(self) -> int:
        return self.data.forecast.heldout_weeks

    @strawberry.field(description="Mean absolute error on the held-out weeks (units a week).")
    def forecast_error(self) -> float | None:
        return self.data.forecast.error

    @strawberry.field(description='The same for a naive forecast: "as many as last week".')
    def naive_error(self) -> float | None:
        return self.data.forecast.naive_error

    @strawberry.field
    def lead_time_days(self) -> int:
        return self.data.lead_days

    @strawberry.field(description="At the service level of BOBOT_SERVICE_LEVEL.")
    def safety_stock(self) -> int:
        return self.data.safety_stock

    @strawberry.field(description="Forecast demand over the lead time plus the safety stock.")
    def reorder_point(self) -> int:
        return self.data.reorder_point

    @strawberry.field(description="Its peak week is within the outlook.")
    def heading_into_peak(self) -> bool:
        return self.data.heading_into_peak

    @strawberry.field
    def available(self) -> int:
        return self.data.available

    @strawberry.field
    def backordered(self) -> int:
        return self.data.backordered

    @strawberry.field(description="Units on open purchase orders.")
    def incoming(self) -> int:
        return self.data.incoming

    @strawberry.field(description="When stock falls below the safety stock (null: not ahead).")
    def runs_out_on(self) -> date | None:
        return self.data.cover.runs_out

    @strawberry.field
    def weeks_of_cover(self) -> float:
        return self.data.cover.weeks_of_cover

    @strawberry.field(description="The last day to order that arrives in time (lead time).")
    def reorder_by(self) -> date | None:
        return self.data.cover.reorder_date

    @strawberry.field(description="Units that keep stock above the safety stock throughout.")
    def reorder_quantity(self) -> int:
        return self.data.cover.reorder_quantity


@strawberry.type
class DemandQuery:
    @strawberry.field(
        permission_classes=STAFF,
        description="Products ordered in the last three years, soonest to run out first, "
        "looking `weeks` ahead (1-52) beyond each product's lead time.",
    )
    async def demand_outlook(
        self, info: Info, weeks: int = 8, first: int = 20, after: str | None = None
    ) -> Connection[ProductOutlook]:
        check_first(first)
        try:
            found = await demand.outlooks(weeks=weeks, deps=info.context.deps)
        except BobotError as error:
            raise bad_input(error) from None
        start = 0
        if after is not None:
            key = decode_cursor(after)
            start = next((n + 1 for n, o in enumerate(found) if _cursor(o) == after), -1)
            if start < 0 or not key:
                raise GraphQLError("Invalid cursor.", extensions={"code": "BAD_USER_INPUT"})
        page = found[start : start + first]
        edges = [Edge(cursor=_cursor(o), node=ProductOutlook(data=o)) for o in page]
        total = len(found)

        async def count() -> int:
            return total

        return Connection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=start + first < total,
                has_previous_page=start > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            _count=count,
        )
