"""The development Slack page (``/dev/slack``): every message the bot has posted or would
post (alerts, their updates with the thread reply, the digest), as readable text, rendered as
the transport renders it now. Mounted only in development; with Slack unconfigured it is where
a developer sees what the bot would have said (the worker also logs each one)."""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bobot.models import Delivery
from bobot.outbox.types import Channel, OutgoingDelivery
from bobot.slack.blocks.plaintext import as_text
from bobot.slack.transport import SlackTransport
from bobot.web.dev_mail import _PAGE, HEADERS, LIMIT


def _outgoing(row: Delivery) -> OutgoingDelivery:
    return OutgoingDelivery(
        id=row.id, channel=Channel.SLACK, recipient=row.recipient, kind=row.kind,
        aggregate=row.aggregate, payload=row.payload, idempotency_key=row.idempotency_key,
        attempt=max(row.attempts, 1), thread_ref=row.external_ref,
    )  # fmt: skip


class DevSlack:
    def __init__(self, transport: SlackTransport) -> None:
        self.transport = transport

    def routes(self) -> list[Route]:
        return [Route("/dev/slack", self.messages, methods=["GET"])]

    async def messages(self, request: Request) -> Response:
        rows = await Delivery.filter(channel=Channel.SLACK.value).order_by("-id").limit(LIMIT)
        items = []
        for row in rows:
            meta = (
                f"<p class=meta>To {html.escape(row.recipient)} · {html.escape(row.kind)} · "
                f"{row.status.value.lower()}"
                f"{' · ' + html.escape(row.last_status) if row.last_status else ''}</p>"
            )
            try:
                composed = await self.transport.compose(_outgoing(row))
            except Exception as exc:  # its alert is gone: say so, keep the list
                items.append(f"<article>{meta}<p>cannot be shown ({html.escape(repr(exc))})"
                             "</p></article>")  # fmt: skip
                continue
            text = as_text(composed.message.blocks) or composed.message.text
            reply = (
                f"<p>Reply in its thread:</p><pre>{html.escape(composed.thread_reply)}</pre>"
                if composed.thread_reply
                else ""
            )
            items.append(f"<article>{meta}<pre>{html.escape(text)}</pre>{reply}</article>")
        body = (
            "".join(items)
            or "<p>No Slack message yet: alerts appear when the worker finds a gap.</p>"
        )
        title = f"Slack messages ({len(rows)} newest)"
        return HTMLResponse(_PAGE.format(title=title, body=body), headers=HEADERS)
