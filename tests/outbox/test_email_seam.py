"""The email transport seam: one Message-ID across attempts, SMTP replies classified."""

from __future__ import annotations

from email.message import EmailMessage

from bobot.outbox.email import EmailTransport
from bobot.outbox.types import Channel, OutgoingDelivery


class SmtpReply(Exception):
    """What an SMTP client raises for a refusal (aiosmtplib's has ``code`` and ``message``)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _delivery(attempt: int) -> OutgoingDelivery:
    return OutgoingDelivery(
        id=1, channel=Channel.EMAIL, recipient="ana@example.com", kind="order.confirmation",
        aggregate="order:7", payload={"subject": "Your order", "text": "Thanks"},
        idempotency_key="mail-7-confirmation", attempt=attempt, thread_ref=None,
    )  # fmt: skip


async def test_every_attempt_carries_the_same_message_id_and_smtp_replies_are_classified():
    sent: list[EmailMessage] = []
    replies: list[SmtpReply | None] = [SmtpReply(451, "try later"), SmtpReply(550, "no"), None]

    async def send(message: EmailMessage) -> None:
        sent.append(message)
        reply = replies.pop(0)
        if reply is not None:
            raise reply

    transport = EmailTransport(send, sender="shop@example.com", domain="shop.example")
    later = await transport.send(_delivery(1))
    refused = await transport.send(_delivery(2))
    delivered = await transport.send(_delivery(3))

    assert (later.ok, later.permanent, later.status) == (False, False, "451 try later")
    assert (refused.ok, refused.permanent, refused.status) == (False, True, "550 no")
    assert delivered.ok and delivered.external_ref == "<mail-7-confirmation@shop.example>"
    assert {m["Message-ID"] for m in sent} == {"<mail-7-confirmation@shop.example>"}
    assert sent[0]["To"] == "ana@example.com" and sent[0]["Subject"] == "Your order"
