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
    """An ISO date-time for mrkdwn: Slack shows it in each reader's own time zone
    (``<!date^...>``), with ``2026-11-26 09:00 UTC`` where it cannot."""
    if not value:
        return "-"
    parsed = datetime.fromisoformat(value)
    fallback = f"{parsed:%Y-%m-%d %H:%M} {parsed.tzname() or ''}".strip()
    if parsed.tzinfo is None:
        return fallback
    return f"<!date^{int(parsed.timestamp())}^{{date_num}} {{time}}|{fallback}>"


def count(n: int, noun: str, plural: str = "") -> str:
    """``count(1, "backorder")`` -> ``1 backorder``; ``count(2, "unit")`` -> ``2 units``."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


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


def _days(n: float) -> str:
    shown = f"{n:.1f}".rstrip("0").rstrip(".")
    return f"{shown} day" if shown == "1" else f"{shown} days"


def reliability(record: dict[str, Any] | None) -> str:
    """A supplier's reliability in a line: ``75% on time over 12 deliveries, 90% within
    5 days late (mean 1.2); promises +5 days``, or ``no deliveries yet; promises +2 days``.
    Days are the shop's ship days."""
    if not record:
        return ""
    margin = f"promises +{_days(record['promiseMarginDays'])}"
    deliveries = record["sampleSize"]
    if not deliveries:
        return f"no deliveries yet; {margin}"
    on_time = round(100 * (record["onTimeRate"] or 0))
    over = count(deliveries, "delivery", "deliveries")
    return (
        f"{on_time}% on time over {over}, 90% within {_days(record['p90DelayDays'] or 0)}"
        f" late (mean {_days(record['meanDelayDays'] or 0)}); {margin}"
    )


_ACTOR = re.compile(r"^(?P<kind>\w+):(?P<id>.*?)(?: via (?P<channel>\w+))?$")
_VIA = {"api": "the API", "link": "a link", "worker": "the worker", "cli": "the command line"}


def who(actor_label: str | None) -> str:
    """A decider as recorded (``slack:U123 via slack``, ``staff:Ana via api``), for mrkdwn and
    for people: a Slack user becomes a mention, a staff token its name and door, the system
    "bobot", a customer "a customer" (never their address)."""
    found = _ACTOR.match(actor_label or "")
    if found is None:
        return escape(actor_label) if actor_label else "someone"
    kind, ident, channel = found["kind"], found["id"], found["channel"]
    if kind == "slack" and re.fullmatch(r"[UW][A-Z0-9]+", ident):
        return f"<@{ident}>"
    if kind == "system":
        return "bobot"
    if kind == "customer":
        return "a customer"
    via = f", via {_VIA.get(channel, channel)}" if channel else ""
    if kind == "staff":
        return f"{escape(ident)} (staff{via})"
    return f"{escape(ident)} ({escape(kind)}{via})"


def fit(blocks: list[Block]) -> list[Block]:
    """At most the blocks Slack accepts in one message."""
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    return [*blocks[: MAX_BLOCKS - 1], context("… more not shown")]
