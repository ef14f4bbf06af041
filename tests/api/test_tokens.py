"""API tokens: listed without secrets, revoked at once, expiring; and a write rate per token."""

from __future__ import annotations

from datetime import timedelta

from bobot.config import Rate
from bobot.models import TokenRole
from bobot.services.context import Deps
from bobot.services.tokens import create_token

TOKENS = "{ apiTokens { id name role expiresAt revokedAt } }"
REVOKE = (
    "mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) {"
    " token { id name revokedAt } userErrors { code field message } } }"
)
SUPPLIER = (
    'mutation { upsertSupplier(input: {name: "Acme"}) { supplier { name } userErrors { code } } }'
)


async def _token(api, name: str, role=TokenRole.STAFF, **options) -> tuple[str, str]:
    deps = Deps(settings=api.settings, clock=api.clock)
    record, secret = await create_token(name=name, role=role, deps=deps, **options)
    return str(record.id), secret


async def test_staff_list_tokens_without_their_secrets(api):
    await _token(api, "ops laptop", expires_in=timedelta(days=30))

    reply = await api.gql("{ apiTokens { id name role expiresAt revokedAt } }")

    names = [(t["name"], t["role"]) for t in reply.data["apiTokens"]]
    assert names == [
        ("staff-tester", "STAFF"),
        ("storefront", "STOREFRONT"),
        ("ops laptop", "STAFF"),
    ]
    assert reply.data["apiTokens"][2]["expiresAt"].startswith("2026-12-26")
    assert api.staff_token not in repr(reply) and api.storefront_token not in repr(reply)


async def test_a_revoked_token_is_refused_from_the_next_request(api):
    token_id, secret = await _token(api, "leaked")
    assert (await api.ok("{ apiTokens { id } }", token=secret))["apiTokens"]

    payload = (await api.ok(REVOKE, {"input": {"id": token_id}}))["revokeApiToken"]
    after = await api.gql("{ apiTokens { id } }", token=secret)
    listed = await api.ok(TOKENS)
    everything = await api.ok("{ apiTokens(includeRevoked: true) { name revokedAt } }")

    assert payload["userErrors"] == [] and payload["token"]["revokedAt"]
    assert after.data is None and after.error_codes == ["UNAUTHENTICATED"]
    assert "leaked" not in [t["name"] for t in listed["apiTokens"]]
    assert [t["name"] for t in everything["apiTokens"] if t["revokedAt"]] == ["leaked"]
    history = await api.ok("{ history(first: 5) { nodes { kind } } }")
    assert [e["kind"] for e in history["history"]["nodes"]] == ["TOKEN_REVOKED"]


async def test_revoking_an_unknown_token_is_not_found(api):
    payload = (await api.ok(REVOKE, {"input": {"id": "999"}}))["revokeApiToken"]

    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("NOT_FOUND", ["id"])]


async def test_an_expired_token_is_refused(api):
    _, secret = await _token(api, "temp", role=TokenRole.STOREFRONT, expires_in=timedelta(hours=1))
    query = 'mutation { leaveWaitlist(input: {id: "1"}) { userErrors { code } } }'
    assert (await api.ok(query, token=secret))["leaveWaitlist"]["userErrors"]

    api.clock.advance(hours=1)
    reply = await api.gql(query, token=secret)

    assert reply.data is None and reply.error_codes == ["UNAUTHENTICATED"]


async def test_writes_beyond_the_rate_are_refused_with_retry_after(api_with):
    async with api_with(write_rate=Rate(2, 60.0)) as api:
        first = await api.http.post(
            api.url, json={"query": SUPPLIER}, headers=api.headers(api.staff_token)
        )
        second = await api.gql(SUPPLIER)
        third = await api.http.post(
            api.url, json={"query": SUPPLIER}, headers=api.headers(api.staff_token)
        )
        reads = await api.gql("{ suppliers { name } }")
        other_token = await api.gql(
            'mutation { joinWaitlist(input: {sku: "X", email: "a@example.com"})'
            " { userErrors { code } } }",
            token=api.storefront_token,
        )
        api.clock.advance(seconds=30)
        later = await api.gql(SUPPLIER)

    assert first.status_code == 200 and not second.errors
    assert third.status_code == 429
    assert third.headers["retry-after"] == "30"
    assert third.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert third.json()["data"] is None
    assert reads.data == {"suppliers": [{"name": "Acme"}]}
    assert not other_token.errors
    assert not later.errors
