"""Small stores built through the GraphQL API, for the bot to talk about."""

from __future__ import annotations

from datetime import timedelta

from tests.api.client import Api

from bobot.services.context import Deps
from bobot.worker import JOBS


async def run_job(api: Api, job: str) -> int:
    return await JOBS[job](Deps(settings=api.settings, clock=api.clock))


async def late_po_store(api: Api, *, sku: str = "MUG") -> str:
    """A purchase order eight days late under five backorders, a faster second supplier,
    and the gap scan run: one PO_LATE alert proposing the switch. Returns the PO number."""
    acme = await api.create_supplier("Acme")
    speedy = await api.create_supplier("Speedy")
    await api.create_product(sku, supplier_id=acme, lead_days=30)
    await api.mutate(
        "setSupplierOffer",
        "mutation($input: SetSupplierOfferInput!) { setSupplierOffer(input: $input) {"
        " offer { id } userErrors { code field message } } }",
        {"supplierId": speedy, "sku": sku, "unitCost": "3.10", "leadTimeDays": 5, "rank": 2},
    )
    po = await api.create_po(acme, api.today() + timedelta(days=10), (sku, 20))
    for n in range(5):
        await api.order(f"c{n}@example.com", (sku, 4))
    api.clock.advance(days=18)
    await run_job(api, "refresh_etas")
    await run_job(api, "gap_scan")
    return po["number"]
