"""Bad input is a coded userError, checked before any write, and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.api.client import PLACE_ORDER, db_snapshot, order_input


async def _store(api) -> str:
    supplier = await api.create_supplier("Acme")
    await api.create_product("KETTLE-01", on_hand=5, supplier_id=supplier)
    await api.create_po(supplier, api.today() + timedelta(days=7), ("KETTLE-01", 10))
    return supplier


def _mutation(field: str, input_type: str) -> str:
    return (
        f"mutation($input: {input_type}!) {{ {field}(input: $input) {{"
        " userErrors { code field message } } }"
    )


async def _refused(api, field: str, input_type: str, input: dict, *, token=None) -> dict:
    before = await db_snapshot()
    reply = await api.gql(
        _mutation(field, input_type),
        {"input": input},
        **({"token": token} if token is not None else {}),
    )
    assert reply.status_code == 200 and not reply.errors, reply
    [error] = reply.data[field]["userErrors"]
    assert error["message"]
    assert await db_snapshot() == before
    return error


def _order(**customer: str) -> dict:
    payload = order_input("ana@example.com", ("KETTLE-01", 1))
    payload["customer"].update(customer)
    return payload


TEXT_CASES = [
    ("placeOrder", "PlaceOrderInput", _order(name="A" * 5000), ["customer", "name"]),
    ("placeOrder", "PlaceOrderInput", _order(name="Ana\x00"), ["customer", "name"]),
    ("placeOrder", "PlaceOrderInput", _order(name="Ana \ud800"), ["customer", "name"]),
    (
        "placeOrder",
        "PlaceOrderInput",
        {**_order(), "idempotencyKey": "k" * 129},
        ["idempotencyKey"],
    ),
    (
        "upsertProduct",
        "UpsertProductInput",
        {"sku": "KETTLE-01", "name": "Kettle", "category": "c" * 81},
        ["category"],
    ),
    ("upsertSupplier", "UpsertSupplierInput", {"name": "S" * 121}, ["name"]),
    (
        "upsertSupplier",
        "UpsertSupplierInput",
        {"name": "Beta", "email": "b" * 250 + "@example.com"},
        ["email"],
    ),
    (
        "receiveStock",
        "ReceiveStockInput",
        {"sku": "K" * 65, "quantity": 1},
        ["sku"],
    ),
]


@pytest.mark.parametrize(
    ("field", "input_type", "input", "path"),
    TEXT_CASES,
    ids=["long-name", "nul", "lone-surrogate", "long-key", "category", "supplier", "email", "sku"],
)
async def test_text_beyond_its_limit_is_invalid_input_and_changes_nothing(
    api, field, input_type, input, path
):
    await _store(api)
    token = api.storefront_token if field == "placeOrder" else None

    error = await _refused(api, field, input_type, input, token=token)

    assert (error["code"], error["field"]) == ("INVALID_INPUT", path)


@pytest.mark.parametrize(
    "price", ["-0.01", "1000000.01", "1.234", "NaN", "Infinity", "1e400"], ids=str
)
async def test_a_price_out_of_bounds_is_invalid_input_and_changes_nothing(api, price):
    await _store(api)

    error = await _refused(
        api, "upsertProduct", "UpsertProductInput",
        {"sku": "KETTLE-01", "name": "Kettle", "price": price},
    )  # fmt: skip

    assert (error["code"], error["field"]) == ("INVALID_INPUT", ["price"])


@pytest.mark.parametrize("cost", ["-1", "2.505", "1e7"], ids=str)
async def test_a_unit_cost_out_of_bounds_is_invalid_input_and_changes_nothing(api, cost):
    supplier = await _store(api)

    offer = await _refused(
        api, "setSupplierOffer", "SetSupplierOfferInput",
        {"supplierId": supplier, "sku": "KETTLE-01", "unitCost": cost, "leadTimeDays": 5},
    )  # fmt: skip
    po = await _refused(
        api, "createPurchaseOrder", "CreatePurchaseOrderInput",
        {"supplierId": supplier, "expectedDate": (api.today() + timedelta(days=3)).isoformat(),
         "lines": [{"sku": "KETTLE-01", "quantity": 1, "unitCost": cost}]},
    )  # fmt: skip

    assert (offer["code"], offer["field"]) == ("INVALID_INPUT", ["unitCost"])
    assert (po["code"], po["field"]) == ("INVALID_INPUT", ["lines", "0", "unitCost"])


async def test_the_largest_price_with_two_decimals_is_accepted(api):
    await _store(api)

    payload = await api.mutate(
        "upsertProduct",
        "mutation($input: UpsertProductInput!) { upsertProduct(input: $input) {"
        " product { sku } userErrors { code field message } } }",
        {"sku": "KETTLE-01", "name": "Kettle", "price": "1000000.00"},
    )

    assert payload["product"] == {"sku": "KETTLE-01"}


@pytest.mark.parametrize("raw", ["2147483648", str(2**62), "99999999999999999999"], ids=str)
async def test_an_id_beyond_the_integer_columns_is_not_found_on_either_database(api, raw):
    supplier = await _store(api)
    await api.order("ana@example.com", ("KETTLE-01", 1))

    shipped = await _refused(api, "markShipmentShipped", "MarkShipmentShippedInput", {"id": raw})
    offer = await _refused(
        api, "setSupplierOffer", "SetSupplierOfferInput",
        {"supplierId": raw, "sku": "KETTLE-01", "unitCost": "1.00", "leadTimeDays": 5},
    )  # fmt: skip
    received = await _refused(
        api, "receiveStock", "ReceiveStockInput",
        {"sku": "KETTLE-01", "quantity": 1, "purchaseOrderId": raw},
    )  # fmt: skip
    alert = await api.ok(f'{{ alert(id: "{raw}") {{ id }} }}')

    assert (shipped["code"], shipped["field"]) == ("NOT_FOUND", ["id"])
    assert (offer["code"], offer["field"]) == ("NOT_FOUND", ["supplierId"])
    assert (received["code"], received["field"]) == ("NOT_FOUND", ["purchaseOrderId"])
    assert alert == {"alert": None}
    assert supplier


async def test_a_date_beyond_sane_bounds_is_invalid_input_and_changes_nothing(api):
    supplier = await _store(api)

    error = await _refused(
        api, "createPurchaseOrder", "CreatePurchaseOrderInput",
        {"supplierId": supplier, "expectedDate": "9999-12-31",
         "lines": [{"sku": "KETTLE-01", "quantity": 1}]},
    )  # fmt: skip

    assert (error["code"], error["field"]) == ("INVALID_INPUT", ["expectedDate"])


async def test_a_customer_name_at_its_limit_is_accepted(api):
    await _store(api)

    reply = await api.gql(
        PLACE_ORDER, {"input": _order(name="A" * 200)}, token=api.storefront_token
    )

    assert not reply.errors and reply.data["placeOrder"]["userErrors"] == []
    assert reply.data["placeOrder"]["order"]["customer"]["name"] == "A" * 200


@pytest.mark.parametrize(
    ("query", "caller"),
    [
        ('{ order(number: "%s") { id } }' % ("0" * 33), "storefront"),
        ('{ product(sku: "%s") { name } }' % ("K" * 65), "anonymous"),
        ('{ backorders(sku: "%s") { nodes { id } } }' % ("K" * 65), "staff"),
        ('{ product(sku: "KETTLE\\u0000") { name } }', "anonymous"),
        ("query($s: String) { products(search: $s) { nodes { sku } } }", "anonymous"),
    ],
    ids=["long-number", "long-sku", "long-filter", "nul", "lone-surrogate"],
)
async def test_a_lookup_by_text_no_row_can_hold_is_bad_user_input(api, query, caller):
    await _store(api)
    token = {"anonymous": "", "storefront": api.storefront_token, "staff": api.staff_token}

    variables = {"s": "Ana \ud800"} if "$s" in query else None

    reply = await api.gql(query, variables, token=token[caller])

    assert reply.status_code == 200
    assert reply.error_codes == ["BAD_USER_INPUT"]
