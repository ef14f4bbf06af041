"""The staff sign-in and /staff/insights over HTTP: the session cookie, CSRF on every form,
revocation, and nothing shown without a live staff token."""

from __future__ import annotations

import re

import httpx

from bobot.models import ApiToken
from bobot.services.context import SYSTEM, Deps
from bobot.services.tokens import revoke_token

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _site(api) -> str:
    return api.url.removesuffix("/graphql")


async def _sign_in(api, client: httpx.AsyncClient) -> None:
    form = await client.get("/staff/sign-in")
    [csrf] = CSRF.findall(form.text)
    reply = await client.post("/staff/sign-in", data={"csrf": csrf, "token": api.staff_token})
    assert reply.status_code == 303 and reply.headers["location"] == "/staff/insights"
    cookie = reply.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/staff" in cookie


async def test_the_insights_page_needs_a_staff_session(api):
    async with httpx.AsyncClient(base_url=_site(api), timeout=30) as client:
        page = await client.get("/staff/insights")
        assert page.status_code == 303 and page.headers["location"] == "/staff/sign-in"
        chart = await client.get("/staff/insights/chart.png")
        assert chart.status_code == 401
    async with httpx.AsyncClient(
        base_url=_site(api), timeout=30, cookies={"bobot_staff": "x.y.z"}
    ) as forged:
        assert (await forged.get("/staff/insights")).status_code == 303


async def test_sign_in_refuses_a_missing_csrf_token_and_a_storefront_token(api):
    async with httpx.AsyncClient(base_url=_site(api), timeout=30) as client:
        no_csrf = await client.post("/staff/sign-in", data={"token": api.staff_token})
        assert no_csrf.status_code == 403 and "bobot_staff" not in no_csrf.headers.get(
            "set-cookie", ""
        )
        [csrf] = CSRF.findall((await client.get("/staff/sign-in")).text)
        shop = await client.post(
            "/staff/sign-in", data={"csrf": csrf, "token": api.storefront_token}
        )
        assert shop.status_code == 401 and "not a live staff token" in shop.text


async def test_a_session_shows_the_figures_and_the_chart_and_ends_with_its_token(api):
    async with httpx.AsyncClient(base_url=_site(api), timeout=30) as client:
        await _sign_in(api, client)
        page = await client.get("/staff/insights")
        assert (
            page.status_code == 200
            and "<strong>0</strong> opened, 0 filled, 0 cancelled" in page.text
        )
        assert "img-src 'self'" in page.headers["content-security-policy"]
        chart = await client.get("/staff/insights/chart.png")
        assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")
        bad = await client.get("/staff/insights", params={"from": "2026-12-10", "to": "2026-12-01"})
        assert bad.status_code == 400 and "ends before it starts" in bad.text
        unknown = await client.get("/staff/insights", params={"sku": "NOPE"})
        assert unknown.status_code == 400 and "No product has SKU" in unknown.text

        # Sign-out needs the page's CSRF token.
        refused = await client.post("/staff/sign-out", data={"csrf": "forged"})
        assert refused.status_code == 403

        token = (await client.get("/staff/insights")).text
        assert CSRF.findall(token)
        deps = Deps(settings=api.settings, clock=api.clock)
        staff = await ApiToken.get(name="staff-tester")
        await revoke_token(token_id=staff.id, actor=SYSTEM, deps=deps)
        after = await client.get("/staff/insights")
        assert after.status_code == 303  # revoking the token ended the session
