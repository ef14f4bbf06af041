"""Sending to a real SMTP server on 127.0.0.1, and reading its refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import aiosmtplib
import pytest

from bobot.mail import messages
from bobot.mail.messages import Message
from bobot.mail.smtp import SmtpTarget, SmtpUrlError, reply_code


def test_smtp_urls_name_host_port_credentials_and_tls() -> None:
    assert SmtpTarget.from_url("smtp://127.0.0.1:1025") == SmtpTarget("127.0.0.1", 1025)
    secure = SmtpTarget.from_url("smtps://shop%40x.example:p%2Fw@mail.example")
    assert (secure.port, secure.use_tls, secure.username, secure.password) == (
        465, True, "shop@x.example", "p/w",
    )  # fmt: skip
    assert SmtpTarget.from_url("smtp+starttls://mail.example").start_tls is True
    for bad in ("http://mail.example", "smtp://", "mail.example:25"):
        with pytest.raises(SmtpUrlError):
            SmtpTarget.from_url(bad)


def email(to: str = "ana@example.com") -> messages.EmailMessage:
    return messages.to_email(
        Message(to=to, subject="Hello", text="plain", html="<p>rich</p>"),
        sender="shop@kettle.example",
        reply_to=None,
        message_id="<key-1@kettle.example>",
        sent_at=datetime(2026, 12, 1, tzinfo=UTC),
    )


async def test_a_message_reaches_the_server_with_both_parts(smtp_server) -> None:
    inbox, port = smtp_server
    await SmtpTarget("127.0.0.1", port, timeout=5).send(email())
    (received,) = inbox.messages
    assert received["Message-ID"] == "<key-1@kettle.example>"
    assert received.get_body(("plain",)).get_content().strip() == "plain"
    assert received.get_body(("html",)).get_content().strip() == "<p>rich</p>"


@pytest.mark.parametrize(("reply", "code"), [("450 mailbox busy", 450), ("550 no such user", 550)])
async def test_a_refused_recipient_gives_its_reply_code(smtp_server, reply, code) -> None:
    inbox, port = smtp_server
    inbox.refuse = reply
    with pytest.raises(aiosmtplib.SMTPException) as refused:
        await SmtpTarget("127.0.0.1", port, timeout=5).send(email())
    assert reply_code(refused.value) == code
    assert inbox.messages == []


async def test_a_server_that_is_down_gives_no_reply_code(unused_tcp_port) -> None:
    with pytest.raises(aiosmtplib.SMTPException) as failed:
        await SmtpTarget("127.0.0.1", unused_tcp_port, timeout=2).send(email())
    assert reply_code(failed.value) is None
