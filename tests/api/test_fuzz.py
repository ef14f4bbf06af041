"""Fuzzing the real app over HTTP with queries and mutations generated from the schema
(hypothesis-graphql), as anonymous, storefront and staff callers, in production mode.

Every answer is JSON with no HTTP 500 and no unexpected (``INTERNAL``) error, and a request
refused as a whole changes nothing. Each generated document is sent as each caller.
``BOBOT_FUZZ_EXAMPLES`` (default 90) sets the documents per kind (queries, mutations): the
normal suite sends 2 x 90 x 3 = 540 requests per database, 1,080 in all; set it higher for
a longer run. Generating the documents is most of the time.
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, timedelta
from decimal import Decimal
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries
from tests.api.client import db_snapshot

from bobot.graphql.schema import schema_sdl

EXAMPLES = int(os.environ.get("BOBOT_FUZZ_EXAMPLES", "90"))
PRODUCTION = {"env": "production", "secret_key": "a-real-secret"}

SCALARS = {
    "Decimal": st.one_of(
        st.decimals(min_value=Decimal("-1"), max_value=Decimal("2000000"), places=3).map(str),
        st.sampled_from(["NaN", "Infinity", "1e400", "-0", "abc"]),
    ).map(nodes.String),
    "Date": st.dates().map(nodes.String),
    "DateTime": st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()).map(nodes.String),
    "ID": st.one_of(st.integers(min_value=-5, max_value=2**63), st.text(max_size=30)).map(
        nodes.String
    ),
}


def _check(reply: httpx.Response, query: str) -> dict[str, Any]:
    assert reply.status_code != 500, query
    body = reply.json()
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code and code != "INTERNAL", (query, error)
    return body


async def test_fuzzed_requests_get_coded_answers_and_refusals_change_nothing(api_with):
    async with api_with(**PRODUCTION) as api:
        supplier = await api.create_supplier("Acme")
        await api.create_product("KETTLE-01", on_hand=2, supplier_id=supplier)
        await api.create_product("GRINDER-01", policy="DENY", supplier_id=supplier)
        await api.create_po(supplier, api.today() + timedelta(days=7), ("KETTLE-01", 5))
        await api.order("ana@example.com", ("KETTLE-01", 3))
        loop = asyncio.get_running_loop()
        tokens = {"anonymous": None, "storefront": api.storefront_token, "staff": api.staff_token}
        sdl = schema_sdl()
        sent = 0

        def snapshot() -> dict[str, Any]:
            return asyncio.run_coroutine_threadsafe(db_snapshot(), loop).result()

        def fuzz_kind(http: httpx.Client, strategy: Any, kind: str) -> None:
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(query=strategy)
            def one(query: str) -> None:
                nonlocal sent
                before = snapshot() if kind == "mutation" else None
                for token in tokens.values():  # each document as each caller
                    headers = {"Authorization": f"Bearer {token}"} if token else {}
                    reply = http.post(api.url, json={"query": query}, headers=headers)
                    sent += 1
                    body = _check(reply, query)
                    if before is None:
                        continue
                    after = snapshot()
                    if body.get("data") is None:
                        assert after == before, query
                    before = after

            one()

        def fuzz() -> None:
            with httpx.Client(timeout=30) as http:
                fuzz_kind(http, queries(sdl, custom_scalars=SCALARS), "query")
                fuzz_kind(http, mutations(sdl, custom_scalars=SCALARS), "mutation")

        await asyncio.to_thread(fuzz)

    assert sent >= 6 * EXAMPLES
