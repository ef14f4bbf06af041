"""A customer cancels a backorder from the link in their order confirmation, in a real
browser, on a phone and a laptop."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, expect
from tests.api.client import Api
from tests.api.test_customer_email import LINK, PUBLIC, served
from tests.api.test_link_pages import status_of, store

from bobot.models import BackorderStatus
from bobot.services.context import Deps
from bobot.worker import deliver

SIZES = {"phone": (360, 740), "desktop": (1280, 800)}


@pytest.mark.parametrize("device", list(SIZES))
async def test_a_customer_cancels_a_backorder_from_its_order_confirmation(
    api_with, smtp_server, browser: Browser, artifacts: Path, device: str, db
) -> None:
    inbox, port = smtp_server
    async with api_with(smtp_url=f"smtp://127.0.0.1:{port}", public_url=PUBLIC) as api:
        await _cancel_from_email(api, inbox, browser, artifacts, device, db.backend)


async def _cancel_from_email(
    api: Api, inbox, browser: Browser, artifacts: Path, device: str, backend: str
) -> None:
    orders = await store(api)
    ana = orders["ana"]["backorders"][0]["id"]
    await deliver(Deps(settings=api.settings, clock=api.clock))
    confirmation = next(m for m in inbox.messages if m["To"] == "ana@example.com")
    (cancel,) = LINK.findall(confirmation.get_body(("plain",)).get_content())
    width, height = SIZES[device]
    page = await browser.new_page(viewport={"width": width, "height": height})
    try:
        response = await page.goto(served(api, cancel))
        assert response is not None and response.status == 200
        button = page.get_by_role("button", name="Cancel 3 \N{MULTIPLICATION SIGN} Kettle-01")
        await expect(button).to_be_visible()
        # The whole button is on screen at a phone's width, without scrolling sideways.
        box = await button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        await page.screenshot(path=artifacts / f"cancel-confirm-{device}-{backend}.png")
        assert await status_of(ana) is BackorderStatus.ALLOCATED  # opening changed nothing

        await button.focus()
        await page.keyboard.press("Enter")  # reachable and usable from the keyboard
        await expect(page.get_by_role("status")).to_contain_text("Your backorder is cancelled")
        await page.screenshot(path=artifacts / f"cancel-done-{device}-{backend}.png")
    finally:
        await page.close()
    assert await status_of(ana) is BackorderStatus.CANCELLED
    assert await status_of(orders["ben"]["backorders"][0]["id"]) is BackorderStatus.ALLOCATED
