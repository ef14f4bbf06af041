"""The demand outlook's fits run off the event loop and its forecasts are stored: a
storefront request is answered while a large outlook is being fitted; a stored forecast is
what the next outlook (any process's) reads, until a new week makes it stale."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import numpy as np
from tests.api.conftest import START

from bobot import sql
from bobot.models import DemandForecast
from bobot.services import demand

OUTLOOK = """
query($weeks: Int) {
  demandOutlook(weeks: $weeks, first: 100) {
    totalCount
    nodes { sku method forecast }
  }
}
"""
PRODUCT = "query($sku: String!) { product(sku: $sku) { sku availability { status } } }"
WEEKS = 20


async def shaped_store(api, products: int) -> list[str]:
    """``products`` products, each ordered every week for ``WEEKS`` weeks with a rising
    trend (a model to fit, with held-out weeks: statsmodels' work); the clock ends a week
    after the last orders."""
    rng = np.random.default_rng(17)
    skus = [f"RISE-{n:02d}" for n in range(products)]
    for sku in skus:
        await api.create_product(sku, on_hand=100_000)
    for week in range(WEEKS):
        api.clock.set(START + timedelta(weeks=week))
        lines = [(sku, max(1, round(3 + (2 + n % 3) * week + rng.normal(0, 2))))
                 for n, sku in enumerate(skus)]  # fmt: skip
        await api.order("shop@example.com", *lines)
    api.clock.set(START + timedelta(weeks=WEEKS))
    return skus


async def test_a_storefront_request_is_answered_while_a_large_outlook_is_being_fitted(
    api, monkeypatch
):
    monkeypatch.setattr(demand, "FIT_BATCH", 3)  # many small batches, stored as they come
    skus = await shaped_store(api, 30)

    outlook = asyncio.create_task(api.ok(OUTLOOK, {"weeks": 8}))
    while not await DemandForecast.exists():  # the first batch is fitted and stored
        assert not outlook.done()
        await asyncio.sleep(0.01)
    fitted_before = await DemandForecast.all().count()
    reply = await api.gql(PRODUCT, {"sku": skus[0]}, token=None)
    answered_while_fitting = not outlook.done()
    data = await outlook

    assert reply.data["product"]["sku"] == skus[0]
    assert answered_while_fitting  # the request did not wait for the fits
    assert fitted_before < len(skus)
    assert data["demandOutlook"]["totalCount"] == len(skus)
    assert {n["method"] for n in data["demandOutlook"]["nodes"]} == {"HOLT"}
    assert await DemandForecast.all().count() == len(skus)


async def test_stored_forecasts_are_read_back_until_a_new_week_makes_them_stale(api, sql_log):
    skus = await shaped_store(api, 3)
    first = await api.ok(OUTLOOK, {"weeks": 4})
    stored = await DemandForecast.all()
    monday = api.today() - timedelta(days=api.today().weekday())
    assert len(stored) == 3 and {f.week for f in stored} == {monday}

    # What the next outlook shows is the stored forecast (as another process would read it).
    await sql.execute(
        "UPDATE demand_forecast SET weeks = ? WHERE product_id = ?",
        [json.dumps([999.0] * 60), stored[0].product_id],
    )
    with sql_log() as statements:
        again = await api.ok(OUTLOOK, {"weeks": 4})
    assert [s for s in statements if "api_token" not in s and "demand_forecast (" in s] == []
    shown = {n["sku"]: n["forecast"] for n in again["demandOutlook"]["nodes"]}
    assert [999.0] * 4 in shown.values()
    before = {n["sku"]: n["forecast"] for n in first["demandOutlook"]["nodes"]}
    assert sum(shown[s] == before[s] for s in skus) == 2

    # A week later the weeks of orders have changed: every forecast is made again.
    api.clock.set(api.clock.now() + timedelta(weeks=1))
    later = await api.ok(OUTLOOK, {"weeks": 4})
    assert all(max(n["forecast"]) < 999 for n in later["demandOutlook"]["nodes"])
    assert {f.week for f in await DemandForecast.all()} == {monday + timedelta(weeks=1)}
