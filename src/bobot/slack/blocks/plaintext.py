"""Block Kit as readable terminal text (``bobot slack-shell``)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

_DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")
_BOLD = re.compile(r"(?<![\w*])\*(\S[^*\n]*?)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(\S[^_\n]*?)_(?![\w_])")


def readable(text: str) -> str:
    """mrkdwn's dates as their fallback text (what a reader in UTC sees)."""
    return _DATE.sub(r"\1", text)


def _text(obj: dict[str, Any] | None) -> str:
    if not obj:
        return ""
    text = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        text = html.unescape(_ITALIC.sub(r"\1", _BOLD.sub(r"\1", readable(text))))
    return text


def _element(element: dict[str, Any]) -> str:
    kind = element.get("type")
    if kind == "button":
        return (
            f"[{_text(element.get('text'))}]  ({element['action_id']} {element.get('value', '')})"
        )
    if kind == "static_select":
        options = " | ".join(
            f"{_text(o['text'])} = {o['value']}" for o in element.get("options", [])
        )
        return f"[{_text(element.get('placeholder'))} v]  ({element['action_id']}: {options})"
    return _text(element)


def as_text(blocks: Iterable[dict[str, Any]]) -> str:
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = _text(block.get("text"))
            lines += [title, "=" * len(title)]
        elif kind == "section":
            lines.append(_text(block.get("text")))
            lines += ["  " + _text(f).replace("\n", ": ", 1) for f in block.get("fields", [])]
        elif kind == "context":
            lines.append("  " + "  ".join(_text(e) for e in block.get("elements", [])))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            lines += ["  " + _element(e) for e in block.get("elements", [])]
    return "\n".join(lines)
