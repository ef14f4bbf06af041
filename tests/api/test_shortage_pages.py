"""Staff page through the shortage report over HTTP: cursors, order, counts, statements."""

from __future__ import annotations

from datetime import timedelta

SHORTAGES = """
query($first: Int!, $after: String) {
  shortages(first: $first, after: $after) {
    nodes { sku backordered uncovered oldestBackorderAgeDays severity incoming { date quantity } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
    totalCount
  }
}
"""


async def _store(api) -> None:
    supplier = await api.create_supplier()
    for n in range(12):
        sku = f"SKU-{n:02d}"
        await api.create_product(sku, supplier_id=supplier)
        if n % 3 == 0:
            await api.create_po(supplier, api.today() + timedelta(days=5 + n), (sku, 2 + n))
        await api.order(f"c{n}@example.com", (sku, 1 + n % 4))
        api.clock.advance(hours=7)


async def _walk(api, first: int) -> list[dict]:
    nodes, after = [], None
    while True:
        page = (await api.ok(SHORTAGES, {"first": first, "after": after}))["shortages"]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        assert page["totalCount"] == 12
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def test_staff_page_through_shortages_worst_first_with_cursors(api):
    await _store(api)
    whole = (await api.ok(SHORTAGES, {"first": 100}))["shortages"]["nodes"]
    assert len(whole) == 12
    ranks = [
        (-n["severity"], -n["uncovered"], -n["oldestBackorderAgeDays"], n["sku"]) for n in whole
    ]
    assert ranks == sorted(ranks)
    assert await _walk(api, 5) == whole
    assert await _walk(api, 1) == whole

    last = whole[-1]
    await api.order("late@example.com", (last["sku"], 30))  # the best moves up the report
    after = await _walk(api, 5)
    [moved] = [n for n in after if n["sku"] == last["sku"]]
    assert moved["backordered"] == last["backordered"] + 30
    assert after.index(moved) < len(after) - 1
    assert [n for n in after if n is not moved] == [n for n in whole if n is not last]


async def test_a_cursor_that_is_not_one_is_refused(api):
    await _store(api)
    reply = await api.gql(SHORTAGES, {"first": 5, "after": "bm90LWEtY3Vyc29y"})
    assert reply.error_codes == ["BAD_USER_INPUT"]


async def test_an_up_to_date_page_of_shortages_is_one_statement_for_1_or_100(api, sql_log):
    await _store(api)
    await api.ok(SHORTAGES, {"first": 1})  # brings the report up to date
    counts = []
    for first in (1, 100):
        with sql_log() as statements:
            await api.ok(SHORTAGES, {"first": first})
        counts.append(len([s for s in statements if "api_token" not in s]))
    assert counts == [2, 2]  # the page, and its totalCount
