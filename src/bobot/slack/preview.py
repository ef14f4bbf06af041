"""Development without Slack: what the bot would post, logged instead of sent.

In development (``BOBOT_ENV=development``) with no ``SLACK_BOT_TOKEN`` the routing rules still
write the bot's deliveries (to ``SLACK_ALERT_CHANNEL``, or :data:`PREVIEW_CHANNEL` when it is
unset) and the worker sends them through the real transport with :class:`PreviewClient` in
place of the Web API: each message is rendered exactly as it would be and logged on
``bobot.slack.preview`` (channel, text, a summary of its blocks and buttons). ``/dev/slack``
shows the same messages as readable text.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any

log = logging.getLogger("bobot.slack.preview")
_SEQUENCE = itertools.count(1)

#: Where the bot's messages are addressed in development when SLACK_ALERT_CHANNEL is unset.
PREVIEW_CHANNEL = "#alerts (development)"


def summary(blocks: Iterable[Mapping[str, Any]] | None) -> str:
    """``"5 blocks: header, section, context, actions [Approve switch, Reject, Snooze v]"``."""
    parts = []
    for block in blocks or ():
        kind = str(block.get("type", "?"))
        labels = []
        for element in block.get("elements", ()) if kind == "actions" else ():
            text = (element.get("text") or element.get("placeholder") or {}).get("text", "")
            labels.append(f"{text} v" if element.get("type") == "static_select" else text)
        parts.append(f"{kind} [{', '.join(labels)}]" if labels else kind)
    if not parts:
        return "no blocks"
    return f"{len(parts)} block{'s' if len(parts) != 1 else ''}: {', '.join(parts)}"


class PreviewClient:
    """The few Web API methods the transport calls, answered locally and logged."""

    #: What the outbox records as the status of a message logged instead of sent.
    SENT_STATUS = "logged: Slack not configured"

    def _next_ts(self) -> str:
        """A ts like Slack's, unique in this process (the worker builds a client per drain)."""
        return f"{int(time.time())}.{next(_SEQUENCE) % 1_000_000:06d}"

    async def chat_postMessage(
        self, *, channel: str, text: str, thread_ts: str | None = None,
        blocks: list[dict[str, Any]] | None = None, **_: Any,
    ) -> dict[str, Any]:  # fmt: skip
        where = f"{channel} (thread {thread_ts})" if thread_ts else channel
        log.info("Slack is not configured; would post to %s: %s | %s",
                 where, text, summary(blocks))  # fmt: skip
        return {"ok": True, "channel": channel, "ts": self._next_ts()}

    async def chat_update(
        self, *, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None = None,
        **_: Any,
    ) -> dict[str, Any]:  # fmt: skip
        log.info("Slack is not configured; would update %s in %s: %s | %s",
                 ts, channel, text, summary(blocks))  # fmt: skip
        return {"ok": True, "channel": channel, "ts": ts}

    async def files_upload_v2(
        self, *, channel: str, content: bytes | None = None, filename: str = "",
        thread_ts: str | None = None, **_: Any,
    ) -> dict[str, Any]:  # fmt: skip
        where = f"{channel} (thread {thread_ts})" if thread_ts else channel
        log.info("Slack is not configured; would upload %s (%d bytes) to %s",
                 filename, len(content or b""), where)  # fmt: skip
        return {"ok": True, "files": [{"id": f"F{self._next_ts()}", "name": filename}]}

    async def conversations_history(self, **_: Any) -> dict[str, Any]:
        return {"ok": True, "messages": []}

    async def conversations_replies(self, **_: Any) -> dict[str, Any]:
        return {"ok": True, "messages": []}
