"""The committed Slack app manifest matches what the bot listens to."""

from __future__ import annotations

import re
from pathlib import Path

import bobot.slack

MANIFEST = (Path(bobot.slack.__file__).parent / "manifest.yml").read_text()
SOURCES = "\n".join(p.read_text() for p in Path(bobot.slack.__file__).parent.rglob("*.py"))


def test_the_manifest_points_commands_events_and_interactivity_at_one_endpoint():
    urls = re.findall(r"(?:url|request_url): (\S+)", MANIFEST)
    assert len(urls) == 3 and {u.rsplit("/", 2)[-2:] == ["slack", "events"] for u in urls} == {True}
    assert "command: /bobot" in MANIFEST and '@app.command("/bobot")' in SOURCES
    assert "home_tab_enabled: true" in MANIFEST


def test_the_manifest_subscribes_to_exactly_the_events_the_bot_handles():
    subscribed = set(re.findall(r"^      - (\w+)$", MANIFEST.split("bot_events:")[1], re.M))
    handled = set(re.findall(r'@app\.event\("(\w+)"\)', SOURCES))
    assert subscribed == handled == {"app_home_opened", "app_mention"}


def test_the_manifest_asks_for_the_scopes_the_bot_uses():
    for scope in ("app_mentions:read", "chat:write", "commands", "channels:history",
                  "usergroups:read"):  # fmt: skip
        assert f"- {scope}" in MANIFEST
