"""The development mailbox (``/dev/mail``): every email the outbox holds, worded as it is
(or would be) sent, with its links clickable, so that a newcomer can click through each
customer flow without an SMTP server. Mounted only in development."""

from __future__ import annotations

import html
import re

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bobot.mail.transport import MailTransport
from bobot.models import Delivery
from bobot.outbox.types import Channel, OutgoingDelivery

LIMIT = 50
_URL = re.compile(r"https?://[^\s<>\"']+")
_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:1rem auto;padding:0 1rem}}
article{{border:1px solid #ccc;border-radius:.5rem;padding:.5rem 1rem;margin:1rem 0}}
pre{{white-space:pre-wrap;overflow-wrap:anywhere}} .meta{{color:#555;font-size:.9rem}}</style>
</head><body><h1>{title}</h1>{body}</body></html>"""
#: The development pages allow their own inline styles, and nothing else.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:;"
    " frame-ancestors 'none'; form-action 'self'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _linkify(text: str) -> str:
    escaped = html.escape(text)
    return _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)


def _outgoing(row: Delivery) -> OutgoingDelivery:
    return OutgoingDelivery(
        id=row.id, channel=Channel.EMAIL, recipient=row.recipient, kind=row.kind,
        aggregate=row.aggregate, payload=row.payload, idempotency_key=row.idempotency_key,
        attempt=max(row.attempts, 1), thread_ref=None,
    )  # fmt: skip


class DevMail:
    def __init__(self, transport: MailTransport) -> None:
        self.transport = transport

    def routes(self) -> list[Route]:
        return [
            Route("/dev/mail", self.inbox, methods=["GET"]),
            Route("/dev/mail/{id:int}", self.message, methods=["GET"]),
        ]

    async def inbox(self, request: Request) -> Response:
        rows = await Delivery.filter(channel=Channel.EMAIL.value).order_by("-id").limit(LIMIT)
        items = []
        for row in rows:
            try:
                email = await self.transport.render(_outgoing(row))
            except Exception as exc:  # a message whose subject is gone: say so, keep the list
                items.append(f"<article><p>{html.escape(row.kind)}: cannot be shown ({exc!r})"
                             "</p></article>")  # fmt: skip
                continue
            text = email.get_body(("plain",))
            items.append(
                f"<article><h2>{html.escape(str(email['Subject']))}</h2>"
                f"<p class=meta>To {html.escape(str(email['To']))} · {html.escape(row.kind)} · "
                f'{row.status.value.lower()} · <a href="/dev/mail/{row.id}">HTML part</a></p>'
                f"<pre>{_linkify(text.get_content() if text else '')}</pre></article>"
            )
        body = "".join(items) or "<p>No email yet: place an order to see one.</p>"
        title = f"Development mailbox ({len(rows)} newest)"
        return HTMLResponse(_PAGE.format(title=title, body=body), headers=HEADERS)

    async def message(self, request: Request) -> Response:
        row = await Delivery.get_or_none(id=request.path_params["id"], channel=Channel.EMAIL.value)
        if row is None:
            return HTMLResponse(_PAGE.format(title="No such email", body=""), 404, HEADERS)
        email = await self.transport.render(_outgoing(row))
        part = email.get_body(("html",))
        return HTMLResponse(part.get_content() if part else "", headers=HEADERS)
