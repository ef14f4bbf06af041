"""A real browser for the customer pages: Debian's Chromium, driven by Playwright.

``make test`` installs Chromium with ``.ci/ensure-chromium`` (Playwright's own browser
download is never used). Screenshots go to ``test-artifacts/`` (``BOBOT_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

CHROMIUM = os.environ.get("BOBOT_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("BOBOT_TEST_ARTIFACTS", "test-artifacts"))
#: Headless, and quiet on a machine without internet (no background connections).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: run .ci/ensure-chromium"
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
