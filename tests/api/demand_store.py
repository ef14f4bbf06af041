"""A store with two years and a bit of order history, built over HTTP: SWIM, swimwear-like
(5 a week, 40 a week in the 13 summer weeks of each year, with noise), and PENS, flat
(about 6 a week). The history ends in early May of the third year, four weeks before the
summer: SWIM has 60 units left, PENS plenty. Both come from Acme in 21 days."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from tests.api.client import Api
from tests.api.conftest import START

WEEKS = 104 + 18
LEAD_DAYS = 21
SUMMER = range(22, 35)  # weeks of the year


def weekly_units(seed: int = 7) -> tuple[list[int], list[int]]:
    rng = np.random.default_rng(seed)  # fixed: the same history every run
    weeks = np.arange(WEEKS) % 52
    swim = np.where(np.isin(weeks, list(SUMMER)), 40.0, 5.0) + rng.normal(0, 2, WEEKS)
    pens = 6.0 + rng.normal(0, 1.5, WEEKS)
    return [max(1, round(v)) for v in swim], [max(1, round(v)) for v in pens]


async def summer_store(api: Api) -> str:
    """Builds the store; the clock ends on the day after the history. Returns Acme's id."""
    acme = await api.create_supplier("Acme")
    swim, pens = weekly_units()
    await api.create_product("SWIM", supplier_id=acme, lead_days=LEAD_DAYS)
    await api.create_product("PENS", supplier_id=acme, lead_days=LEAD_DAYS)
    await api.receive("SWIM", sum(swim) + 60)
    await api.receive("PENS", sum(pens) + 400)
    for week in range(WEEKS):
        api.clock.set(START + timedelta(weeks=week))
        await api.order("shop@example.com", ("SWIM", swim[week]), ("PENS", pens[week]))
    api.clock.set(START + timedelta(weeks=WEEKS))
    return acme
