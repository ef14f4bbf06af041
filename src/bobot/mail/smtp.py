"""Sending over SMTP (aiosmtplib), configured by one URL, with replies classified.

``BOBOT_SMTP_URL``: ``smtp://host:port`` (plain, STARTTLS when the server offers it),
``smtp+starttls://user:pass@host:587`` (STARTTLS required) or ``smtps://user:pass@host:465``
(TLS from the start). Unset: messages stay in the outbox's local mailbox (``/dev/mail``).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib


class SmtpUrlError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    hostname: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool | None = None  # None: if the server offers it
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str, *, timeout: float = 30.0) -> SmtpTarget:
        parts = urlsplit(url)
        schemes = {"smtp": (False, None, 25), "smtp+starttls": (False, True, 587),
                   "smtps": (True, False, 465)}  # fmt: skip
        if parts.scheme not in schemes or not parts.hostname:
            raise SmtpUrlError(
                "BOBOT_SMTP_URL must look like smtp://host:port, smtp+starttls://user:pass@host"
                f":587 or smtps://user:pass@host:465, got {url!r}"
            )
        use_tls, start_tls, default_port = schemes[parts.scheme]
        return cls(
            hostname=parts.hostname,
            port=parts.port or default_port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=use_tls,
            start_tls=start_tls,
            timeout=timeout,
        )

    async def send(self, message: EmailMessage) -> None:
        """Deliver one message; aiosmtplib's exceptions say why it was not."""
        await aiosmtplib.send(
            message,
            hostname=self.hostname,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            start_tls=self.start_tls,
            timeout=self.timeout,
        )


def reply_code(exc: BaseException) -> int | None:
    """The SMTP reply code an aiosmtplib exception carries, if any (a refused recipient's
    among them); None for connection trouble and timeouts."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        return min(r.code for r in exc.recipients)  # 4xx before 5xx: worth another try
    code = getattr(exc, "code", None)
    return code if isinstance(code, int) and 200 <= code < 600 else None
