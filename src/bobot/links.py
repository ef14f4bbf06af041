"""Signed customer links: a token names one purpose and one thing, and expires.

A link in an email lets a customer act without an account: cancel a backorder (or every
backorder of an order), leave a waitlist. Each token is signed with the shop's secret and a
salt of its own purpose, so a waitlist token can never cancel a backorder, and it carries the
one id it acts on and the time it was made (itsdangerous), read against the injectable clock.

LinkError             a token that cannot be used
├── expired           signed by us, but older than the links' lifetime
└── invalid           tampered with, made for another purpose, or not a token at all
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from bobot.clock import Clock
from bobot.config import Settings


class Purpose(str, Enum):
    """What a link does; its value is the path segment of the link and part of the salt."""

    CANCEL_BACKORDER = "cancel-backorder"
    CANCEL_ORDER = "cancel-order"
    LEAVE_WAITLIST = "leave-waitlist"
    ANSWER_DELAY = "answer-delay"
    CLAIM_INVITATION = "claim-invitation"


class LinkError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "expired" or "invalid"


def _signer_for(clock: Clock) -> type[TimestampSigner]:
    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock.now().timestamp())

    return ClockSigner


@dataclass(frozen=True)
class Links:
    """Makes and reads link tokens, and the links themselves (``public_url``/l/...)."""

    secret: str
    public_url: str
    clock: Clock
    max_age: timedelta = timedelta(days=90)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock) -> Links:
        return cls(
            secret=settings.secret_key,
            public_url=settings.public_url,
            clock=clock,
            max_age=timedelta(days=settings.link_days),
        )

    def _serializer(self, purpose: Purpose) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(
            self.secret, salt=f"bobot.link.{purpose.value}", signer=_signer_for(self.clock)
        )

    def token(self, purpose: Purpose, subject_id: int) -> str:
        return self._serializer(purpose).dumps({"id": subject_id})

    def url(self, purpose: Purpose, subject_id: int) -> str:
        return f"{self.public_url.rstrip('/')}/l/{purpose.value}/{self.token(purpose, subject_id)}"

    def read(self, purpose: Purpose, token: str) -> int:
        """The id a token of ``purpose`` names; :class:`LinkError` when it cannot be used."""
        serializer = self._serializer(purpose)
        try:
            data: Any = serializer.loads(token, max_age=int(self.max_age.total_seconds()))
        except SignatureExpired:
            raise LinkError("expired") from None
        except BadSignature:
            raise LinkError("invalid") from None
        subject = data.get("id") if isinstance(data, dict) else None
        if not isinstance(subject, int) or isinstance(subject, bool) or subject <= 0:
            raise LinkError("invalid")
        return subject
