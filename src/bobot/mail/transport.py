"""The email transport: a delivery's message composed at send time, sent over SMTP with a
Message-ID that stays the same on every attempt, and the server's reply classified.

Without ``BOBOT_SMTP_URL`` in development nothing leaves the machine: the delivery succeeds
as "kept locally" and the development mail page (``/dev/mail``) shows it. In production
there is then no email transport at all, and email deliveries wait, visible to staff.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from bobot.clock import Clock
from bobot.config import Settings
from bobot.links import Links
from bobot.mail.compose import compose
from bobot.mail.messages import domain_of, to_email
from bobot.mail.smtp import SmtpTarget, reply_code
from bobot.outbox.types import Channel, OutgoingDelivery, SendResult, smtp_result

Sender = Callable[[EmailMessage], Awaitable[Any]]
KEPT_LOCALLY = "kept locally (no BOBOT_SMTP_URL)"


def message_id(delivery: OutgoingDelivery, sender: str) -> str:
    """The same on every attempt of one delivery: a receiver can drop a resend."""
    return f"<{delivery.idempotency_key}@{domain_of(sender)}>"


class MailTransport:
    channel = Channel.EMAIL

    def __init__(
        self, *, settings: Settings, links: Links, clock: Clock, send: Sender | None
    ) -> None:
        self._settings, self._links, self._clock, self._send = settings, links, clock, send

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock) -> MailTransport | None:
        """The transport the settings ask for; None in production without SMTP."""
        target = SmtpTarget.from_url(settings.smtp_url) if settings.smtp_url else None
        if target is None and not settings.debug:
            return None
        return cls(
            settings=settings,
            links=Links.from_settings(settings, clock),
            clock=clock,
            send=target.send if target is not None else None,
        )

    async def render(self, delivery: OutgoingDelivery) -> EmailMessage:
        """The message exactly as it is (or would be) sent."""
        message = await compose(
            delivery.kind, delivery.payload, settings=self._settings, links=self._links
        )
        return to_email(
            message,
            sender=self._settings.mail_from,
            reply_to=self._settings.mail_reply_to or None,
            message_id=message_id(delivery, self._settings.mail_from),
            sent_at=self._clock.now(),
        )

    async def send(self, delivery: OutgoingDelivery) -> SendResult:
        email = await self.render(delivery)
        reference = str(email["Message-ID"])
        if self._send is None:
            return SendResult(ok=True, status=KEPT_LOCALLY, external_ref=reference)
        try:
            await self._send(email)
        except aiosmtplib.SMTPException as exc:
            code = reply_code(exc)
            if code is None:
                raise  # the server could not be reached or hung up: tried again later
            result = smtp_result(code, str(getattr(exc, "message", "")))
            return SendResult(
                ok=False,
                permanent=result.permanent,
                status=result.status,
                error=result.error,
                external_ref=reference,
            )
        return SendResult(ok=True, status="250", external_ref=reference)
