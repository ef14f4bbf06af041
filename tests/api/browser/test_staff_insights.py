"""Staff sign in with their token and read /staff/insights in a real browser, on a phone and
a laptop (screenshots in test-artifacts/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, expect
from tests.api.test_insights import _history

SIZES = {"phone": (390, 844), "laptop": (1280, 800)}


@pytest.mark.parametrize("device", list(SIZES))
async def test_staff_sign_in_and_read_the_insights(
    api, browser: Browser, artifacts: Path, device: str, db
) -> None:
    start, _ = await _history(api)
    site = api.url.removesuffix("/graphql")
    width, height = SIZES[device]
    page = await browser.new_page(viewport={"width": width, "height": height})
    try:
        await page.goto(f"{site}/staff/insights?from={start.isoformat()}")
        await expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
        await page.get_by_label("Staff API token").fill(api.staff_token)
        await page.get_by_role("button", name="Sign in").click()

        await expect(page.get_by_role("heading", name="Backorder insights")).to_be_visible()
        await expect(page.locator(".figures")).to_contain_text("6 opened, 4 filled, 2 cancelled")
        await expect(page.locator(".figures")).to_contain_text("median 10.5 days")
        await expect(page.locator(".figures")).to_contain_text("2 units refused")
        chart = page.get_by_role("img", name="Backorders opened, filled and cancelled")
        await expect(chart).to_be_visible()
        assert await chart.evaluate("img => img.naturalWidth") > 0  # the PNG loaded
        # Nothing wider than the screen but the weekly table, which scrolls in its box.
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
        await page.screenshot(path=artifacts / f"staff-insights-{device}-{db.backend}.png",
                              full_page=True)  # fmt: skip

        cookies = {c["name"]: c for c in await page.context.cookies()}
        session = cookies["bobot_staff"]
        assert session["httpOnly"] and session["sameSite"] == "Strict"
        await page.get_by_role("button", name="Sign out").click()
        await expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    finally:
        await page.close()
