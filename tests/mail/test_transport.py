"""The email transport against a real SMTP server: one Message-ID per delivery, replies
classified (4xx retried, 5xx permanent), connection trouble raised for a later retry."""

from __future__ import annotations

from dataclasses import replace

import aiosmtplib
import pytest
from tests.services.helpers import make_deps, order, product

from bobot.links import Links
from bobot.mail.smtp import SmtpTarget
from bobot.mail.transport import KEPT_LOCALLY, MailTransport
from bobot.outbox.types import Channel, OutgoingDelivery


def delivery(order_id: int, attempt: int = 1) -> OutgoingDelivery:
    return OutgoingDelivery(
        id=1,
        channel=Channel.EMAIL,
        recipient=f"order:{order_id}",
        kind="order.confirmation",
        aggregate=f"order:{order_id}",
        payload={"order_id": order_id},
        idempotency_key="evt-123.confirmation",
        attempt=attempt,
        thread_ref=None,
    )


async def transport(port: int | None) -> tuple[MailTransport, int]:
    deps = make_deps()
    settings = replace(deps.settings, mail_from="Kettle & Co <shop@kettle.example>")
    await product(deps, "KETTLE-01")
    placed = await order(deps, "ana@example.com", ("KETTLE-01", 2))
    sender = SmtpTarget("127.0.0.1", port, timeout=3).send if port else None
    made = MailTransport(
        settings=settings, links=Links.from_settings(settings, deps.clock), clock=deps.clock,
        send=sender,
    )  # fmt: skip
    return made, placed.id


async def test_every_attempt_of_a_delivery_sends_the_same_message_id(db, smtp_server) -> None:
    inbox, port = smtp_server
    mail, order_id = await transport(port)
    first = await mail.send(delivery(order_id))
    again = await mail.send(delivery(order_id, attempt=2))
    assert first.ok and again.ok
    assert first.external_ref == again.external_ref == "<evt-123.confirmation@kettle.example>"
    assert [m["Message-ID"] for m in inbox.messages] == [first.external_ref] * 2
    assert inbox.messages[0]["To"] == "ana@example.com"
    assert inbox.messages[0]["From"] == "Kettle & Co <shop@kettle.example>"


@pytest.mark.parametrize(("reply", "permanent"), [("451 try later", False), ("550 no", True)])
async def test_a_refusal_is_retried_or_failed_by_its_code(db, smtp_server, reply, permanent):
    inbox, port = smtp_server
    inbox.refuse = reply
    mail, order_id = await transport(port)
    result = await mail.send(delivery(order_id))
    assert not result.ok and result.permanent is permanent
    assert result.status is not None and result.status.startswith(reply[:3])


async def test_a_server_that_cannot_be_reached_raises_for_a_later_retry(
    db, unused_tcp_port
) -> None:
    mail, order_id = await transport(unused_tcp_port)
    with pytest.raises(aiosmtplib.SMTPException):
        await mail.send(delivery(order_id))


async def test_without_smtp_in_development_the_message_is_kept_locally(db) -> None:
    mail, order_id = await transport(None)
    result = await mail.send(delivery(order_id))
    assert result.ok and result.status == KEPT_LOCALLY
    rendered = await mail.render(delivery(order_id))
    assert "order" in str(rendered["Subject"]) and rendered["To"] == "ana@example.com"


def test_in_production_without_smtp_there_is_no_email_transport() -> None:
    deps = make_deps()
    settings = replace(deps.settings, env="production", secret_key="x" * 32, smtp_url="")
    assert MailTransport.from_settings(settings, deps.clock) is None
    assert MailTransport.from_settings(replace(settings, smtp_url="smtp://127.0.0.1:1"), deps.clock)
