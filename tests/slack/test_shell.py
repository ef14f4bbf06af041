"""``bobot slack-shell`` sends signed requests through the same app and prints the replies."""

from __future__ import annotations

import io

from tests.api.conftest import START

from bobot.clock import ManualClock
from bobot.config import Settings
from bobot.demo import load_demo
from bobot.services.context import Deps
from bobot.slack.shell import run


async def _shell(db, *args, **options) -> str:
    out = io.StringIO()
    assert await run(Settings(database_url=db.url), out=out, **options) == 0
    return out.getvalue()


async def test_the_shell_answers_a_command_on_the_demo_store(db):
    await load_demo(deps=Deps(settings=Settings(database_url=db.url), clock=ManualClock(START)))
    text = await _shell(db, text="sku KETTLE-01")
    assert text.startswith("--- reply (only you see)\nKETTLE-01 · ")
    assert "On hand:" in text and "Supplier offers" in text
    assert "Shortages (" in await _shell(db, text="shortages")


async def test_the_shell_clicks_a_button_and_shows_the_refusal_to_a_stranger(db):
    text = await _shell(db, click=("alert_acknowledge", "1:"), role="stranger")
    assert "--- reply (only you see)\nSorry, only the shop's staff can act on alerts" in text
