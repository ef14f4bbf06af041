"""The email transport seam: one Message-ID per delivery, SMTP replies classified.

The customer-communication work plugs a real sender in (``aiosmtplib.send``); the seam
builds the message and turns the SMTP outcome into a :class:`SendResult` (2xx sent, 4xx
retried, 5xx permanent).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from typing import Any

from bobot.outbox.types import Channel, OutgoingDelivery, SendResult, smtp_result

Sender = Callable[[EmailMessage], Awaitable[Any]]


def message_id(delivery: OutgoingDelivery, domain: str) -> str:
    """The same on every attempt: receivers (and our own records) drop a resend."""
    return f"<{delivery.idempotency_key}@{domain}>"


def build_message(delivery: OutgoingDelivery, *, sender: str, domain: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = delivery.recipient
    message["Subject"] = str(delivery.payload.get("subject", ""))
    message["Message-ID"] = message_id(delivery, domain)
    message.set_content(str(delivery.payload.get("text", "")))
    html = delivery.payload.get("html")
    if html:
        message.add_alternative(str(html), subtype="html")
    return message


class EmailTransport:
    channel = Channel.EMAIL

    def __init__(self, send: Sender, *, sender: str, domain: str = "bobot.local") -> None:
        self._send, self._sender, self._domain = send, sender, domain

    async def send(self, delivery: OutgoingDelivery) -> SendResult:
        message = build_message(delivery, sender=self._sender, domain=self._domain)
        try:
            await self._send(message)
        except Exception as exc:
            code = getattr(exc, "code", None)
            if isinstance(code, int) and 400 <= code < 600:
                result = smtp_result(code, str(getattr(exc, "message", "")))
                return SendResult(
                    ok=False,
                    permanent=result.permanent,
                    status=result.status,
                    error=result.error,
                    external_ref=message["Message-ID"],
                )
            raise  # connection trouble: retried
        return SendResult(ok=True, status="250", external_ref=message["Message-ID"])
