"""What each load scenario sends, and what counts as a correct answer.

A scenario builds one request body from a random generator and the store's manifest, and
checks the decoded answer; ``token`` says which of the manifest's tokens it sends (``TOKENS``:
storefront or staff), if any. To add one, add a :class:`Scenario` to ``SCENARIOS`` and its
name to ``bench.__main__.APP_SCENARIOS``: the driver and the report pick it up from there (the
statement counter and the report's SQL columns name each scenario).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

AVAILABILITY = "availability { status quantityAvailable canPurchase estimatedShipDate label }"
PRODUCT = "query Product($sku: String!) { product(sku: $sku) { " + AVAILABILITY + " } }"
PRODUCTS = (
    "query Products($first: Int!) { products(first: $first) { nodes { sku "
    + AVAILABILITY
    + " } } }"
)
PLACE_ORDER = (
    "mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) {"
    " order { number status } userErrors { code message } } }"
)
SHORTAGES = (
    "query Shortages($first: Int!) { shortages(first: $first) { nodes { sku backordered"
    " available uncovered oldestBackorderAgeDays nextPurchaseOrderDate etaForNewOrder severity"
    " incoming { date quantity } } } }"
)
HELLO = "{ hello }"

Body = dict[str, Any] | None
Manifest = dict[str, Any]
TOKENS = {"storefront": "token", "staff": "staff_token"}  # a scenario's token -> manifest key


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    path: str
    body: Callable[[random.Random, Manifest], Body]  # None: a GET
    ok: Callable[[Any], bool]
    token: str | None = None  # a key of TOKENS: the token it sends (None: anonymous)

    def bearer(self, manifest: Manifest) -> str | None:
        """The token this scenario sends, read from the manifest."""
        return token_of(self.token, manifest)


def token_of(role: str | None, manifest: Manifest) -> str | None:
    """The manifest's ``role`` token ("storefront" or "staff"); None for no role."""
    return None if role is None else str(manifest[TOKENS[role]])


def _restock(manifest: Manifest) -> set[str]:
    return {manifest["restock"]["service"], manifest["restock"]["floor"]}


def browsable(manifest: Manifest) -> list[str]:
    """Every SKU but the two restock products."""
    skus = [sku for group in manifest["skus"].values() for sku in group]
    return [sku for sku in skus if sku not in _restock(manifest)]


def purchasable(manifest: Manifest) -> list[str]:
    """SKUs an order can take (in stock, or open for backorders)."""
    skus = manifest["skus"].get("in_stock", []) + manifest["skus"].get("backorder", [])
    return [sku for sku in skus if sku not in _restock(manifest)]


def product_body(rng: random.Random, manifest: Manifest) -> Body:
    return {"query": PRODUCT, "variables": {"sku": rng.choice(manifest["_browsable"])}}


def products_body(first: int) -> Callable[[random.Random, Manifest], Body]:
    def body(rng: random.Random, manifest: Manifest) -> Body:
        return {"query": PRODUCTS, "variables": {"first": first}}

    return body


def shortages_body(first: int) -> Callable[[random.Random, Manifest], Body]:
    def body(rng: random.Random, manifest: Manifest) -> Body:
        return {"query": SHORTAGES, "variables": {"first": first}}

    return body


def order_body(rng: random.Random, manifest: Manifest, lines: int | None = None) -> Body:
    skus = rng.sample(manifest["_purchasable"], lines or rng.randint(1, 3))
    key = f"bench-{rng.getrandbits(64):016x}"
    return {
        "query": PLACE_ORDER,
        "variables": {
            "input": {
                "idempotencyKey": key,
                "customer": {"email": f"{key}@example.com", "name": "Load Test"},
                "lines": [{"sku": sku, "quantity": rng.randint(1, 2)} for sku in skus],
            }
        },
    }


def _data(answer: Any) -> Any:
    return answer.get("data") if isinstance(answer, dict) and not answer.get("errors") else None


def product_ok(answer: Any) -> bool:
    data = _data(answer)
    return bool(data and data["product"] and data["product"]["availability"]["label"])


def products_ok(answer: Any) -> bool:
    data = _data(answer)
    return bool(data and all(n["availability"]["label"] for n in data["products"]["nodes"]))


def order_ok(answer: Any) -> bool:
    data = _data(answer)
    payload = data and data["placeOrder"]
    return bool(payload and payload["order"] and not payload["userErrors"])


def shortages_ok(answer: Any) -> bool:
    """A non-empty page, each node with its SKU, a severity and counters that add up."""
    data = _data(answer)
    nodes = data and data["shortages"]["nodes"]
    return bool(
        nodes
        and all(
            n["sku"] and 1 <= n["severity"] <= 100 and 0 <= n["uncovered"] <= n["backordered"]
            for n in nodes
        )
    )


def hello_ok(answer: Any) -> bool:
    data = _data(answer)
    return bool(data and data.get("hello") == "world")


SCENARIOS = {
    s.name: s
    for s in (
        Scenario("product", "(a) product(sku) availability", "/graphql", product_body, product_ok),
        Scenario("products", "(b) products(first: 50)", "/graphql", products_body(50), products_ok),
        Scenario(
            "place_order",
            "(c) placeOrder, 1-3 lines",
            "/graphql",
            order_body,
            order_ok,
            token="storefront",
        ),
        Scenario(
            "shortages",
            "(d) shortages(first: 50), staff",
            "/graphql",
            shortages_body(50),
            shortages_ok,
            token="staff",
        ),
        Scenario(
            "hello", "strawberry { hello }", "/graphql", lambda rng, m: {"query": HELLO}, hello_ok
        ),
        Scenario("json", "starlette JSON", "/json", lambda rng, m: None, hello_ok),
    )
}


def prepare(manifest: Manifest) -> Manifest:
    """The manifest with the SKU pools the bodies draw from."""
    return {**manifest, "_browsable": browsable(manifest), "_purchasable": purchasable(manifest)}
