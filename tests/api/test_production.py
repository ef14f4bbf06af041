"""Production mode: no GraphiQL, no introspection, unexpected errors masked; CORS."""

from __future__ import annotations

import contextlib

import pytest
from tortoise import Tortoise

PRODUCTION = {"env": "production", "secret_key": "a-real-secret"}
INTROSPECTION = "{ __schema { queryType { name } } }"


async def test_production_serves_no_graphiql_and_refuses_introspection(api_with):
    async with api_with(**PRODUCTION) as api:
        page = await api.http.get(api.url, headers={"Accept": "text/html"})
        reply = await api.gql(INTROSPECTION, token=None)
        as_staff = await api.gql('{ __type(name: "Product") { name } }')

    assert "graphiql" not in page.text.lower()
    assert reply.data is None and set(reply.error_codes) == {"BAD_REQUEST"}
    assert "introspection" in reply.errors[0]["message"].lower()
    assert as_staff.data is None and set(as_staff.error_codes) == {"BAD_REQUEST"}


async def test_development_serves_graphiql_and_answers_introspection(api):
    page = await api.http.get(api.url, headers={"Accept": "text/html"})
    data = await api.ok(INTROSPECTION, token=None)

    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert data == {"__schema": {"queryType": {"name": "Query"}}}


@contextlib.asynccontextmanager
async def _table_gone(table: str):
    """A real fault: the table a resolver reads is missing while the app runs."""
    connection = Tortoise.get_connection("default")
    await connection.execute_script(f'ALTER TABLE "{table}" RENAME TO "{table}_gone"')
    try:
        yield
    finally:
        await connection.execute_script(f'ALTER TABLE "{table}_gone" RENAME TO "{table}"')


async def test_production_masks_unexpected_errors_and_passes_user_errors_through(api_with):
    async with api_with(**PRODUCTION) as api:
        async with _table_gone("alert"):
            broken = await api.gql("{ alerts(first: 5) { nodes { id cause } } }")
        refused = await api.gql(
            'mutation { upsertSupplier(input: {name: ""}) { userErrors { code field } } }'
        )

    [error] = broken.errors
    assert error["message"] == "Unexpected error."
    assert error["extensions"] == {"code": "INTERNAL"}
    assert error["path"] == ["alerts"]
    assert set(broken) == {"data", "errors"} and set(error) == {
        "message", "locations", "path", "extensions"
    }  # fmt: skip
    assert refused.data["upsertSupplier"]["userErrors"] == [
        {"code": "INVALID_INPUT", "field": ["name"]}
    ]


PREFLIGHT = {
    "Origin": "https://shop.example.com",
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


async def test_no_origin_is_allowed_by_default(api):
    preflight = await api.http.options(api.url, headers=PREFLIGHT)
    simple = await api.http.post(
        api.url, json={"query": "{ __typename }"}, headers={"Origin": PREFLIGHT["Origin"]}
    )

    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in simple.headers


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [("https://shop.example.com", True), ("https://evil.example.net", False)],
    ids=["listed", "other"],
)
async def test_configured_origins_and_only_those_may_call_from_a_browser(api_with, origin, allowed):
    origins = ("https://shop.example.com", "https://admin.example.com")
    async with api_with(cors_origins=origins) as api:
        preflight = await api.http.options(api.url, headers={**PREFLIGHT, "Origin": origin})
        simple = await api.http.post(
            api.url, json={"query": "{ __typename }"}, headers={"Origin": origin}
        )

    if allowed:
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == origin
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        assert simple.headers["access-control-allow-origin"] == origin
    else:
        assert "access-control-allow-origin" not in preflight.headers
        assert "access-control-allow-origin" not in simple.headers
