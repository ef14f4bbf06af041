"""Staff API of insights: what the history says about backorders, waits, promises and supply."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from bobot.domain import insights as d
from bobot.errors import BobotError
from bobot.graphql.context import Info
from bobot.graphql.errors import bad_input
from bobot.graphql.permissions import STAFF
from bobot.services import insights


@strawberry.type(description="Backorders that ended after a wait in one bucket of days.")
class WaitBucketRate:
    bucket: str = strawberry.field(description="0-7, 8-14, 15-30 or 30+ days.")
    ended: int = strawberry.field(description="Backorders filled or cancelled after such a wait.")
    cancelled: int
    rate: float | None = strawberry.field(description="cancelled / ended (null: none ended).")


@strawberry.type(description="A supplier's receipts in the range, against its orders' dates.")
class SupplierInsight:
    supplier_id: strawberry.ID
    name: str
    receipts: int
    on_time_rate: float | None
    mean_delay_days: float | None = strawberry.field(description="Days late, 0 when on time.")


@strawberry.type(description="The figures of a range or of one week of it.")
class InsightFigures:
    opened: int = strawberry.field(description="Backorders created.")
    filled: int = strawberry.field(description="Backorders whose last unit was allocated.")
    cancelled: int = strawberry.field(description="Backorders cancelled to their last unit.")
    median_days_to_fill: float | None
    p90_days_to_fill: float | None
    cancellation_by_wait: list[WaitBucketRate]
    waitlist_joined: int
    waitlist_converted: int = strawberry.field(description="Of those joined, became an order.")
    waitlist_conversion: float | None
    promises_due: int = strawberry.field(description="Filled backorders (each had a promise).")
    promises_kept: int = strawberry.field(
        description="Filled in time to ship by the promised date (handling days included)."
    )
    promises_kept_share: float | None
    receipts: int = strawberry.field(description="Receipts against purchase orders.")
    supplier_on_time_rate: float | None
    supplier_mean_delay_days: float | None
    suppliers: list[SupplierInsight]
    backordered_units: int = strawberry.field(description="Units customers backordered.")
    refused_orders: int = strawberry.field(description="Orders refused: nothing could be sold.")
    refused_units: int = strawberry.field(description="Units of the refused lines (lost sales).")

    @classmethod
    def of(cls, f: d.Figures) -> InsightFigures:
        return cls(
            opened=f.opened,
            filled=f.filled,
            cancelled=f.cancelled,
            median_days_to_fill=f.median_days_to_fill,
            p90_days_to_fill=f.p90_days_to_fill,
            cancellation_by_wait=[
                WaitBucketRate(bucket=b.bucket, ended=b.ended, cancelled=b.cancelled, rate=b.rate)
                for b in f.cancellation_by_wait
            ],
            waitlist_joined=f.waitlist_joined,
            waitlist_converted=f.waitlist_converted,
            waitlist_conversion=f.waitlist_conversion,
            promises_due=f.promises_due,
            promises_kept=f.promises_kept,
            promises_kept_share=f.promises_kept_share,
            receipts=f.receipts,
            supplier_on_time_rate=f.supplier_on_time_rate,
            supplier_mean_delay_days=f.supplier_mean_delay_days,
            suppliers=[
                SupplierInsight(
                    supplier_id=strawberry.ID(str(s.supplier_id)),
                    name=s.name,
                    receipts=s.receipts,
                    on_time_rate=s.on_time_rate,
                    mean_delay_days=s.mean_delay_days,
                )
                for s in f.suppliers
            ],
            backordered_units=f.backordered_units,
            refused_orders=f.refused_orders,
            refused_units=f.refused_units,
        )


@strawberry.type
class InsightWeek:
    start: date = strawberry.field(description="The week's Monday, in the shop's calendar.")
    figures: InsightFigures


@strawberry.type(description="What the history says about a range of days.")
class BackorderInsights:
    start: date
    end: date
    totals: InsightFigures
    weeks: list[InsightWeek] = strawberry.field(description="One per week, oldest first.")


@strawberry.type
class InsightsQuery:
    @strawberry.field(
        permission_classes=STAFF,
        description="Insights of the days from..to (inclusive, at most 3 years), for one "
        "product (sku), one category, or the whole shop.",
    )
    async def backorder_insights(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        sku: str | None = None,
        category: str | None = None,
    ) -> BackorderInsights:
        try:
            result = await insights.backorder_insights(
                start=from_, end=to, sku=sku, category=category, deps=info.context.deps
            )
        except BobotError as error:
            raise bad_input(error) from None
        return BackorderInsights(
            start=result.start,
            end=result.end,
            totals=InsightFigures.of(result.figures),
            weeks=[
                InsightWeek(start=w.start, figures=InsightFigures.of(w.figures))
                for w in result.weeks
            ],
        )
