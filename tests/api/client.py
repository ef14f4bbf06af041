"""A small GraphQL client for the end-to-end API tests, and a snapshot of the database.

The app under test is the real one (``create_app``) served by uvicorn on 127.0.0.1 in the
test's own event loop; :class:`Api` talks to it over HTTP with httpx.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from tortoise import Tortoise

from bobot.clock import ManualClock
from bobot.config import Settings
from bobot.models import Backorder, Event, Product, Shipment

STAFF = object()  # the default ``token=``: the staff token


class Reply(dict):
    """A GraphQL response body (``data``, ``errors``) with the HTTP status beside it."""

    status_code: int

    @property
    def data(self) -> Any:
        return self.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.get("errors") or []

    @property
    def error_codes(self) -> list[str | None]:
        return [(e.get("extensions") or {}).get("code") for e in self.errors]


@dataclass
class Api:
    """The running app: its clock, URL and tokens, and ways to call it."""

    http: httpx.AsyncClient
    url: str
    clock: ManualClock
    settings: Settings
    staff_token: str
    storefront_token: str

    # ------------------------------------------------------------------ raw calls

    def headers(self, token: Any) -> dict[str, str]:
        if token is STAFF:
            token = self.staff_token
        return {"Authorization": f"Bearer {token}"} if token else {}

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, *, token: Any = STAFF
    ) -> Reply:
        """POST ``query`` to /graphql; the parsed body, whatever the status."""
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        # json.dumps escapes what UTF-8 cannot carry (a lone surrogate), as a hostile
        # client may send it.
        response = await self.http.post(
            self.url,
            content=json.dumps(body),
            headers={"Content-Type": "application/json", **self.headers(token)},
        )
        reply = Reply(response.json())
        reply.status_code = response.status_code
        return reply

    async def ok(
        self, query: str, variables: dict[str, Any] | None = None, *, token: Any = STAFF
    ) -> dict[str, Any]:
        """``data`` of a request that must succeed (HTTP 200, no top-level errors)."""
        reply = await self.gql(query, variables, token=token)
        assert reply.status_code == 200 and not reply.errors, reply
        return reply.data

    async def mutate(
        self, field: str, query: str, input: dict[str, Any], *, token: Any = STAFF
    ) -> dict[str, Any]:
        """The payload of mutation ``field``, which must answer with no userErrors."""
        payload = (await self.ok(query, {"input": input}, token=token))[field]
        assert payload["userErrors"] == [], payload["userErrors"]
        return payload

    async def user_errors(
        self, field: str, query: str, input: dict[str, Any], *, token: Any = STAFF
    ) -> list[dict[str, Any]]:
        """The userErrors of mutation ``field`` (the request itself must succeed)."""
        return (await self.ok(query, {"input": input}, token=token))[field]["userErrors"]

    # ------------------------------------------------------------------ building a store

    async def create_supplier(self, name: str = "Acme") -> str:
        payload = await self.mutate(
            "upsertSupplier",
            "mutation($input: UpsertSupplierInput!) { upsertSupplier(input: $input) {"
            " supplier { id } userErrors { code field message } } }",
            {"name": name, "email": f"{name.lower()}@example.com"},
        )
        return payload["supplier"]["id"]

    async def create_product(
        self,
        sku: str,
        *,
        on_hand: int = 0,
        policy: str = "ALLOW",
        limit: int | None = None,
        supplier_id: str | None = None,
        lead_days: int = 20,
        price: str = "10.00",
    ) -> None:
        """A product with a policy, an offer from ``supplier_id`` (if any) and stock."""
        await self.mutate(
            "upsertProduct",
            "mutation($input: UpsertProductInput!) { upsertProduct(input: $input) {"
            " created userErrors { code field message } } }",
            {"sku": sku, "name": sku.title(), "price": price},
        )
        await self.mutate(
            "setBackorderPolicy",
            "mutation($input: SetBackorderPolicyInput!) { setBackorderPolicy(input: $input) {"
            " product { sku } userErrors { code field message } } }",
            {"sku": sku, "policy": policy, "backorderLimit": limit},
        )
        if supplier_id is not None:
            await self.mutate(
                "setSupplierOffer",
                "mutation($input: SetSupplierOfferInput!) { setSupplierOffer(input: $input) {"
                " offer { id } userErrors { code field message } } }",
                {"supplierId": supplier_id, "sku": sku, "unitCost": "2.50",
                 "leadTimeDays": lead_days},
            )  # fmt: skip
        if on_hand:
            await self.receive(sku, on_hand)

    async def receive(self, sku: str, quantity: int) -> dict[str, Any]:
        return await self.mutate(
            "receiveStock",
            "mutation($input: ReceiveStockInput!) { receiveStock(input: $input) {"
            " product { onHand allocated available backordered }"
            " filledBackorders { id status quantityAllocated order { number } }"
            " userErrors { code field message } } }",
            {"sku": sku, "quantity": quantity},
        )

    async def create_po(
        self, supplier_id: str, expected: date, *lines: tuple[str, int], status: str = "ORDERED"
    ) -> dict[str, Any]:
        payload = await self.mutate(
            "createPurchaseOrder",
            "mutation($input: CreatePurchaseOrderInput!) { createPurchaseOrder(input: $input) {"
            " purchaseOrder { id number status expectedDate } userErrors { code field message }"
            " } }",
            {
                "supplierId": supplier_id,
                "expectedDate": expected.isoformat(),
                "lines": [{"sku": s, "quantity": q} for s, q in lines],
                "status": status,
            },
        )
        return payload["purchaseOrder"]

    async def place_order(
        self,
        email: str,
        *lines: tuple[str, int],
        ship_preference: str = "SHIP_AVAILABLE_NOW",
        idempotency_key: str | None = None,
        token: Any = None,
    ) -> Reply:
        """placeOrder with the storefront token (unless told otherwise); the whole reply."""
        return await self.gql(
            PLACE_ORDER,
            {"input": order_input(email, *lines, ship_preference=ship_preference,
                                  idempotency_key=idempotency_key)},
            token=self.storefront_token if token is None else token,
        )  # fmt: skip

    async def order(self, email: str, *lines: tuple[str, int], **options: Any) -> dict[str, Any]:
        """Place an order that must be accepted; returns ``order``."""
        reply = await self.place_order(email, *lines, **options)
        assert reply.status_code == 200 and not reply.errors, reply
        payload = reply.data["placeOrder"]
        assert payload["userErrors"] == [], payload["userErrors"]
        return payload["order"]

    async def join_waitlist(self, sku: str, email: str, quantity: int = 1) -> str:
        """A storefront's joinWaitlist that must succeed; returns the entry's id."""
        payload = await self.mutate(
            "joinWaitlist",
            "mutation($input: JoinWaitlistInput!) { joinWaitlist(input: $input) {"
            " entry { id } userErrors { code field message } } }",
            {"sku": sku, "email": email, "quantity": quantity},
            token=self.storefront_token,
        )
        return payload["entry"]["id"]

    def today(self) -> date:
        return self.clock.now().date()


ORDER_FIELDS = """
    id number status shipPreference customer { email name }
    lines { sku quantity quantityAllocated quantityBackordered quantityCancelled }
    shipments { id status cost estimatedShipDate lines { sku quantity } }
    backorders { id sku quantity quantityOrdered quantityAllocated status promisedDate
                 expectedDate isEstimate isDelayed }
"""

PLACE_ORDER = f"""
mutation($input: PlaceOrderInput!) {{
  placeOrder(input: $input) {{
    order {{ {ORDER_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""


def order_input(
    email: str,
    *lines: tuple[str, int],
    ship_preference: str = "SHIP_AVAILABLE_NOW",
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    return {
        "customer": {"email": email, "name": email.split("@")[0].title()},
        "lines": [{"sku": s, "quantity": q} for s, q in lines],
        "shipPreference": ship_preference,
        "idempotencyKey": idempotency_key,
    }


# ---------------------------------------------------------------------- the database


async def db_snapshot() -> dict[str, Any]:
    """What a refused request must leave alone: the row count of every table, every
    product's counters, and every backorder's and shipment's state. An order refused for
    stock leaves one trace, its ``ORDER_REFUSED`` event (lost demand), left out here."""
    counts = {
        model._meta.db_table: await model.all().count()
        for model in Tortoise.apps["models"].values()
    }
    counts["event"] = await Event.exclude(kind="ORDER_REFUSED").count()
    products = await Product.all().order_by("sku").values_list(
        "sku", "on_hand", "allocated", "available", "backordered", "incoming",
        "backorder_policy", "backorder_limit",
    )  # fmt: skip
    backorders = (
        await Backorder.all()
        .order_by("id")
        .values_list(
            "id", "quantity", "quantity_allocated", "status", "expected_date", "is_delayed"
        )
    )
    shipments = await Shipment.all().order_by("id").values_list("id", "status")
    return {
        "counts": counts,
        "products": [tuple(p) for p in products],
        "backorders": [tuple(b) for b in backorders],
        "shipments": [tuple(s) for s in shipments],
    }


def money(value: str) -> Decimal:
    return Decimal(value)
