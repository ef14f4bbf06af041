"""API tokens: shown once at creation, stored as SHA-256 digests; listed, revoked, expiring.

A revoked or expired token is refused from the next request on: every request looks its
token up afresh (nothing is cached).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from bobot.domain.events import TokenRevoked
from bobot.errors import NotFound
from bobot.models import ApiToken, TokenRole
from bobot.services.context import Actor, Deps
from bobot.services.history import record, typed_event
from bobot.services.validation import MAX_ID, require_text

PREFIX = {TokenRole.STAFF: "bbs_", TokenRole.STOREFRONT: "bbf_"}
#: The longest life a token can be given (``--expires-in``), in days.
MAX_LIFETIME_DAYS = 3650


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(
    *, name: str, role: TokenRole, deps: Deps, expires_in: timedelta | None = None
) -> tuple[ApiToken, str]:
    """Create a token; returns the stored record and the secret (never stored).
    ``expires_in``: the token is refused that long after its creation (None: never)."""
    name = require_text(name, "name", max_length=120)
    if expires_in is not None and not (
        timedelta(0) < expires_in <= timedelta(days=MAX_LIFETIME_DAYS)
    ):
        raise ValueError(f"expires_in must be more than 0 and at most {MAX_LIFETIME_DAYS} days")
    secret = PREFIX[role] + secrets.token_urlsafe(32)
    now = deps.now()
    record = await ApiToken.create(
        name=name,
        role=role,
        digest=digest(secret),
        created_at=now,
        expires_at=now + expires_in if expires_in is not None else None,
    )
    return record, secret


async def authenticate(token: str, *, now: datetime) -> ApiToken | None:
    """The live token matching ``token`` (not revoked, not expired at ``now``), or None."""
    if not token or len(token) > 200 or not token.isascii():
        return None
    return await ApiToken.get_or_none(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now), digest=digest(token), revoked_at=None
    )


async def list_tokens(*, include_revoked: bool = False) -> list[ApiToken]:
    """Every token (never the secrets), oldest first; revoked ones only when asked."""
    query = ApiToken.all() if include_revoked else ApiToken.filter(revoked_at=None)
    return list(await query.order_by("id"))


async def revoke_token(*, token_id: int, actor: Actor, deps: Deps) -> ApiToken:
    """Revoke a token at once (once: revoking again keeps the first time)."""
    if not 0 < token_id <= MAX_ID:
        raise NotFound(f"No API token has id {token_id}.", field=["id"])
    now = deps.now()
    async with in_transaction():
        changed = await ApiToken.filter(id=token_id, revoked_at=None).update(revoked_at=now)
        token = await ApiToken.get_or_none(id=token_id)
        if token is None:
            raise NotFound(f"No API token has id {token_id}.", field=["id"])
        if changed:
            payload = TokenRevoked(name=token.name, role=token.role.value)
            await record([typed_event(payload, actor=actor, at=now, subject_id=token_id)])
    return token
