"""mrkdwn escaping and the small block constructors the builders share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

Block = dict[str, Any]

#: Slack's limits: a section's text, a header's text, a message's blocks.
SECTION_LIMIT = 3000
HEADER_LIMIT = 150
MAX_BLOCKS = 50


@dataclass(frozen=True, slots=True)
class Reply:
    """A message: the notification text (also mrkdwn) and its blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)


def escape(value: object) -> str:
    """User text made inert for mrkdwn: ``&``, ``<`` and ``>`` as Slack asks."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int = HEADER_LIMIT) -> dict[str, Any]:
    return {"type": "plain_text", "text": _clip(text, limit), "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": _clip(text, SECTION_LIMIT)}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text)}


def section(text: str, *, fields: list[str] | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if fields:
        block["fields"] = [mrkdwn(f) for f in fields[:10]]
    return block


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(t) for t in texts[:10]]}


def divider() -> Block:
    return {"type": "divider"}


def day(value: str | None) -> str:
    """An ISO date (or date-time) as ``Tue 1 Dec``; ``-`` when there is none."""
    if not value:
        return "-"
    parsed = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return f"{parsed:%a} {parsed.day} {parsed:%b}"


def moment(value: str | None) -> str:
    """An ISO date-time as ``2026-11-26 09:00 UTC``."""
    if not value:
        return "-"
    parsed = datetime.fromisoformat(value)
    return f"{parsed:%Y-%m-%d %H:%M} {parsed.tzname() or ''}".strip()


def label(enum_value: str) -> str:
    """``UNCOVERED_BACKORDERS`` -> ``Uncovered backorders``."""
    return enum_value.replace("_", " ").capitalize()


ALERT_KINDS = {
    "UNCOVERED_BACKORDERS": "Uncovered backorders",
    "PO_LATE": "Late purchase order",
    "ETA_SLIP": "Dates slipping past promises",
    "BELOW_SAFETY_STOCK": "Below safety stock",
    "BACKORDER_AGING": "Backorders waiting long",
    "BACKORDER_LIMIT_REACHED": "Backorder limit reached",
    "PROJECTED_STOCKOUT": "Projected stockout",
}


def alert_kind(kind: str) -> str:
    return ALERT_KINDS.get(kind, label(kind))


_SLACK_ACTOR = re.compile(r"^slack:([UW][A-Z0-9]+) via slack$")


def who(actor_label: str | None) -> str:
    """A decider as recorded (``slack:U123 via slack``, ``staff:Ana via api``), for mrkdwn:
    a Slack user becomes a mention, anyone else is escaped text."""
    if not actor_label:
        return "someone"
    found = _SLACK_ACTOR.match(actor_label)
    return f"<@{found.group(1)}>" if found else escape(actor_label)


def fit(blocks: list[Block]) -> list[Block]:
    """At most the blocks Slack accepts in one message."""
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    return [*blocks[: MAX_BLOCKS - 1], context("… more not shown")]
