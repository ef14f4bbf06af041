"""backorderInsights over HTTP, checked against figures worked out by hand on a history
built through the API (SQLite and PostgreSQL).

The history (day 0 is the fixture's start, a Thursday; the shop ships every day):

- day 0: PO-1 from Acme, 2 x SWIM expected day 5; orders A, B, C of 1 x SWIM each.
  One order of 2 x SHUT (backorders denied, nothing in stock) is refused.
- day 1: ada and bob join SHUT's waitlist.
- day 2: order D.     day 3: B is cancelled (after 3 days).
- day 7: PO-1 arrives, 2 days late: A and C are filled (7 days each).
- day 8: 1 x SHUT arrives: ada is invited, and claims it (one of two converted).
- day 10: order E.    day 20: PO-2 from Acme, 2 x SWIM expected day 25.
- day 24: PO-2 arrives, a day early: D (22 days) and E (14 days) are filled.
- day 40: order F.    day 75: F is cancelled (after 35 days).

Fill waits 7, 7, 14, 22: median 10.5, 90th percentile 14 + 0.7 x 8 = 19.6 days.
Ended by bucket: 0-7 three (B cancelled), 8-14 one, 15-30 one, 30+ one (F cancelled).
Promises kept: A and C (filled day 7, ready to ship on day 8), not D or E (promised from
Acme's 10-day lead time, filled on day 24). Receipts: one 2 days late, one on time:
on-time rate 0.5, mean delay 1 day.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.api.conftest import START
from tests.api.test_cancellations import CANCEL

from bobot.services.context import Actor, Deps
from bobot.services.invitations import claim_invitation

INSIGHTS = """
query($from: Date!, $to: Date!, $sku: String, $category: String) {
  backorderInsights(from: $from, to: $to, sku: $sku, category: $category) {
    start end
    totals { ...figures }
    weeks { start figures { ...figures } }
  }
}
fragment figures on InsightFigures {
  opened filled cancelled medianDaysToFill p90DaysToFill
  cancellationByWait { bucket ended cancelled rate }
  waitlistJoined waitlistConverted waitlistConversion
  promisesDue promisesKept promisesKeptShare
  receipts supplierOnTimeRate supplierMeanDelayDays
  suppliers { name receipts onTimeRate meanDelayDays }
  backorderedUnits refusedOrders refusedUnits
}
"""


async def _day(api, start: date, n: int) -> None:
    """Move the clock to day ``n`` of the history, at the fixture's time of day."""
    api.clock.set(START + timedelta(days=n))


async def _history(api) -> tuple[date, dict[str, dict]]:
    start = api.today()
    acme = await api.create_supplier("Acme")
    await api.create_product("SWIM", supplier_id=acme, lead_days=10)
    await api.create_product("SHUT", policy="DENY", supplier_id=acme)
    po1 = await api.create_po(acme, start + timedelta(days=5), ("SWIM", 2))
    orders = {}
    for name in "ABC":
        orders[name] = await api.order(f"{name.lower()}@example.com", ("SWIM", 1))
    refused = await api.place_order("zed@example.com", ("SHUT", 2))
    [error] = refused.data["placeOrder"]["userErrors"]
    assert error["code"] == "BACKORDERS_DENIED"

    await _day(api, start, 1)
    ada = await api.join_waitlist("SHUT", "ada@example.com")
    await api.join_waitlist("SHUT", "bob@example.com")
    await _day(api, start, 2)
    orders["D"] = await api.order("d@example.com", ("SWIM", 1))
    await _day(api, start, 3)
    await api.mutate("cancelBackorder", CANCEL, {"id": orders["B"]["backorders"][0]["id"]})
    await _day(api, start, 7)
    await receive_on(api, "SWIM", 2, po1)
    await _day(api, start, 8)
    await api.receive("SHUT", 1)
    deps = Deps(settings=api.settings, clock=api.clock)
    await claim_invitation(entry_id=int(ada), actor=Actor("customer", "ada", "link"), deps=deps)
    await _day(api, start, 10)
    orders["E"] = await api.order("e@example.com", ("SWIM", 1))
    await _day(api, start, 20)
    po2 = await api.create_po(acme, start + timedelta(days=25), ("SWIM", 2))
    await _day(api, start, 24)
    await receive_on(api, "SWIM", 2, po2)
    await _day(api, start, 40)
    orders["F"] = await api.order("f@example.com", ("SWIM", 1))
    await _day(api, start, 75)
    await api.mutate("cancelBackorder", CANCEL, {"id": orders["F"]["backorders"][0]["id"]})
    return start, orders


async def receive_on(api, sku: str, units: int, po: dict) -> None:
    """Receive ``units`` of ``sku`` against purchase order ``po``."""
    await api.mutate(
        "receiveStock",
        "mutation($input: ReceiveStockInput!) { receiveStock(input: $input) {"
        " userErrors { code field message } } }",
        {"sku": sku, "quantity": units, "purchaseOrderId": po["id"]},
    )


def _kept(orders: dict[str, dict], start: date) -> int:
    """Filled in time to ship by the date promised at order time, a ship date: the fill day
    plus the shop's one handling day (A, C filled on day 7; D, E on 24)."""
    filled_on = {"A": 7, "C": 7, "D": 24, "E": 24}
    promised = {n: date.fromisoformat(orders[n]["backorders"][0]["promisedDate"]) for n in orders}
    return sum(start + timedelta(days=day + 1) <= promised[n] for n, day in filled_on.items())


async def test_the_figures_of_a_constructed_history_are_the_ones_worked_out_by_hand(api):
    start, orders = await _history(api)
    end = start + timedelta(days=80)

    data = await api.ok(INSIGHTS, {"from": start.isoformat(), "to": end.isoformat()})
    result = data["backorderInsights"]
    totals = result["totals"]

    assert (totals["opened"], totals["filled"], totals["cancelled"]) == (6, 4, 2)
    assert totals["medianDaysToFill"] == 10.5
    assert totals["p90DaysToFill"] == pytest.approx(19.6)
    assert totals["cancellationByWait"] == [
        {"bucket": "0-7", "ended": 3, "cancelled": 1, "rate": pytest.approx(1 / 3)},
        {"bucket": "8-14", "ended": 1, "cancelled": 0, "rate": 0.0},
        {"bucket": "15-30", "ended": 1, "cancelled": 0, "rate": 0.0},
        {"bucket": "30+", "ended": 1, "cancelled": 1, "rate": 1.0},
    ]
    assert (totals["waitlistJoined"], totals["waitlistConverted"]) == (2, 1)
    assert totals["waitlistConversion"] == 0.5
    kept = _kept(orders, start)
    # A and C were promised by day 13 at the latest and filled on day 7; D and E, promised
    # from the 10-day lead time (days 15 and 23, with handling and margin), waited for PO-2.
    assert kept == 2
    assert (totals["promisesDue"], totals["promisesKept"]) == (4, kept)
    assert totals["promisesKeptShare"] == kept / 4
    assert (totals["receipts"], totals["supplierOnTimeRate"]) == (2, 0.5)
    assert totals["supplierMeanDelayDays"] == 1.0
    assert totals["suppliers"] == [
        {"name": "Acme", "receipts": 2, "onTimeRate": 0.5, "meanDelayDays": 1.0}
    ]
    # Lost demand: 6 units backordered (claimed units came from stock), 2 refused.
    assert (totals["backorderedUnits"], totals["refusedOrders"], totals["refusedUnits"]) == (
        6, 1, 2,
    )  # fmt: skip

    weeks = result["weeks"]
    monday = start - timedelta(days=start.weekday())
    assert [w["start"] for w in weeks] == [
        (monday + timedelta(weeks=n)).isoformat() for n in range(len(weeks))
    ]
    assert (
        weeks[-1]["start"]
        <= end.isoformat()
        < (date.fromisoformat(weeks[-1]["start"]) + timedelta(days=7)).isoformat()
    )
    for figure in ("opened", "filled", "cancelled", "receipts", "refusedUnits", "waitlistJoined"):
        assert sum(w["figures"][figure] for w in weeks) == totals[figure], figure
    first = weeks[0]["figures"]  # days 0-3 (Thursday to Sunday)
    assert (first["opened"], first["cancelled"], first["refusedUnits"]) == (4, 1, 2)
    assert first["cancellationByWait"][0] == {"bucket": "0-7", "ended": 1, "cancelled": 1,
                                              "rate": 1.0}  # fmt: skip


async def test_a_range_a_product_and_a_category_narrow_the_figures(api):
    start, _ = await _history(api)

    first_week = await api.ok(
        INSIGHTS, {"from": start.isoformat(), "to": (start + timedelta(days=6)).isoformat()}
    )
    totals = first_week["backorderInsights"]["totals"]
    assert (totals["opened"], totals["filled"], totals["cancelled"]) == (4, 0, 1)
    assert len(first_week["backorderInsights"]["weeks"]) == 2  # Thursday to Wednesday

    end = (start + timedelta(days=80)).isoformat()
    shut = await api.ok(INSIGHTS, {"from": start.isoformat(), "to": end, "sku": "SHUT"})
    totals = shut["backorderInsights"]["totals"]
    assert (totals["opened"], totals["waitlistJoined"], totals["refusedUnits"]) == (0, 2, 2)
    assert totals["receipts"] == 0  # SHUT's receipt was on no purchase order

    none = await api.ok(INSIGHTS, {"from": start.isoformat(), "to": end, "category": "garden"})
    assert none["backorderInsights"]["totals"]["opened"] == 0


async def test_a_backorder_filled_and_then_cancelled_ends_once_cancelled(api):
    """A backorder can be cancelled after its last unit was allocated (the customer changed
    their mind, or gave no consent to a delay): it ended cancelled, not filled as well."""
    start = api.today()
    acme = await api.create_supplier("Acme")
    await api.create_product("SWIM", supplier_id=acme, lead_days=10)
    po = await api.create_po(acme, start + timedelta(days=5), ("SWIM", 2))
    await api.order("k@example.com", ("SWIM", 1))
    gone = await api.order("g@example.com", ("SWIM", 1))
    await _day(api, start, 4)
    await receive_on(api, "SWIM", 2, po)  # both filled on day 4
    await _day(api, start, 5)
    reply = await api.mutate("cancelBackorder", CANCEL, {"id": gone["backorders"][0]["id"]})
    assert reply["cancellation"]["quantityReleased"] == 1  # it had been filled

    data = await api.ok(
        INSIGHTS, {"from": start.isoformat(), "to": (start + timedelta(days=6)).isoformat()}
    )
    totals = data["backorderInsights"]["totals"]
    assert (totals["opened"], totals["filled"], totals["cancelled"]) == (2, 1, 1)
    assert totals["cancellationByWait"][0] == {
        "bucket": "0-7", "ended": 2, "cancelled": 1, "rate": 0.5,
    }  # fmt: skip
    assert (totals["promisesDue"], totals["medianDaysToFill"]) == (1, 4.0)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"from": "2026-12-10", "to": "2026-12-01"}, "ends before it starts"),
        ({"from": "2020-01-01", "to": "2026-12-01"}, "at most"),
        ({"from": "2026-12-01", "to": "2026-12-10", "sku": "NOPE"}, "No product"),
        ({"from": "9999-12-31", "to": "9999-12-31"}, "between the years"),
    ],
)
async def test_a_bad_range_or_an_unknown_sku_is_a_coded_error(api, variables, message):
    reply = await api.gql(INSIGHTS, variables)

    assert reply.status_code == 200 and reply.data is None
    [error] = reply.errors
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]


async def test_insights_are_for_staff_only(api):
    reply = await api.gql(
        INSIGHTS, {"from": "2026-12-01", "to": "2026-12-10"}, token=api.storefront_token
    )
    assert reply.data is None and reply.error_codes == ["FORBIDDEN"]


async def test_insights_run_the_same_statements_for_a_week_or_three_years(api, sql_log):
    start, _ = await _history(api)

    async def count(days: int, **filters: str) -> int:
        variables = {"from": start.isoformat(), "to": (start + timedelta(days=days)).isoformat()}
        with sql_log() as statements:
            await api.ok(INSIGHTS, {**variables, **filters})
        return len([s for s in statements if "api_token" not in s])

    assert await count(6) == await count(80) == await count(3 * 365) == 2
    assert await count(6, sku="SWIM") == await count(3 * 365, sku="SWIM") == 3
    assert await count(80, category="") == 2
