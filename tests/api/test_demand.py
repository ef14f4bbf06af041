"""demandOutlook over HTTP on a store with a summer peak, and the PROJECTED_STOCKOUT alert
it feeds: opened before the peak, deduplicated, resolved when stock covers the demand."""

from __future__ import annotations

from datetime import date, timedelta

from tests.api.demand_store import LEAD_DAYS, summer_store

from bobot.models import Alert, AlertKind, AlertStatus
from bobot.services.context import Deps
from bobot.services.outlook_scan import scan_outlook

OUTLOOK = """
query($weeks: Int, $first: Int, $after: String) {
  demandOutlook(weeks: $weeks, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { sku method forecast heldOutWeeks forecastError naiveError leadTimeDays
            safetyStock reorderPoint headingIntoPeak available backordered incoming
            runsOutOn weeksOfCover reorderBy reorderQuantity }
  }
}
"""


async def test_the_outlook_flags_swimwear_before_its_peak_with_a_reorder_date_that_covers_lead_time(
    api, sql_log
):
    await summer_store(api)
    today = api.today()

    data = await api.ok(OUTLOOK, {"weeks": 8})
    swim, pens = data["demandOutlook"]["nodes"]

    assert data["demandOutlook"]["totalCount"] == 2
    assert swim["sku"] == "SWIM" and swim["method"] == "HOLT_WINTERS"
    assert swim["headingIntoPeak"] is True
    assert max(swim["forecast"][4:8]) > 25 > max(swim["forecast"][:3])  # summer in 4 weeks
    # The error on the held-out year, and better than "as many as last week".
    assert swim["heldOutWeeks"] == 52
    assert swim["forecastError"] < swim["naiveError"]
    runs_out, reorder_by = (
        date.fromisoformat(swim["runsOutOn"]),
        date.fromisoformat(swim["reorderBy"]),
    )
    assert today < runs_out <= today + timedelta(weeks=6)  # in the first summer weeks
    assert today <= reorder_by and reorder_by + timedelta(days=LEAD_DAYS) <= runs_out
    assert swim["reorderQuantity"] > 100  # the summer's weeks beyond the 60 left
    assert swim["safetyStock"] > 0 and swim["reorderPoint"] > swim["safetyStock"]
    assert (swim["available"], swim["backordered"], swim["incoming"]) == (60, 0, 0)

    assert pens["sku"] == "PENS" and pens["headingIntoPeak"] is False
    assert pens["runsOutOn"] is None and pens["reorderBy"] is None
    assert pens["forecastError"] < pens["naiveError"]

    page = await api.ok(OUTLOOK, {"weeks": 8, "first": 1})
    assert [n["sku"] for n in page["demandOutlook"]["nodes"]] == ["SWIM"]
    after = page["demandOutlook"]["pageInfo"]["endCursor"]
    rest = await api.ok(OUTLOOK, {"weeks": 8, "first": 1, "after": after})
    assert [n["sku"] for n in rest["demandOutlook"]["nodes"]] == ["PENS"]
    assert rest["demandOutlook"]["pageInfo"]["hasNextPage"] is False

    # Four statements, however many weeks or products (a staff request also reads its token).
    for weeks in (1, 26):
        with sql_log() as statements:
            await api.ok(OUTLOOK, {"weeks": weeks})
        assert len([s for s in statements if "api_token" not in s]) == 4


async def test_bad_outlook_arguments_are_coded_errors(api):
    for variables in ({"weeks": 0}, {"weeks": 53}, {"first": 0}, {"after": "nonsense"}):
        reply = await api.gql(OUTLOOK, variables)
        assert reply.data is None and reply.error_codes == ["BAD_USER_INPUT"], variables


async def test_a_projected_stockout_opens_once_and_resolves_when_a_purchase_order_covers_it(api):
    acme = await summer_store(api)
    deps = Deps(settings=api.settings, clock=api.clock)

    first = await scan_outlook(deps=deps)
    again = await scan_outlook(deps=deps)

    [alert] = await Alert.filter(kind=AlertKind.PROJECTED_STOCKOUT)
    assert first.opened == 1 and again.opened == 0 and again.resolved == 0
    assert alert.status is AlertStatus.OPEN and alert.suggested_action.value == "REORDER"
    assert "heading into its peak" in alert.cause and "reorder" in alert.cause
    assert f"({LEAD_DAYS} days lead time)" in alert.cause

    # The change-driven scan leaves the outlook's alerts alone.
    from bobot.services.gap_scan import scan

    await scan(deps=deps)
    assert (await Alert.get(id=alert.id)).status is AlertStatus.OPEN

    await api.create_po(acme, api.today() + timedelta(days=7), ("SWIM", 2000))
    resolved = await scan_outlook(deps=deps)
    assert resolved.resolved == 1
    assert (await Alert.get(id=alert.id)).status is AlertStatus.RESOLVED
