"""API tokens: shown once at creation, stored as SHA-256 digests."""

from __future__ import annotations

import hashlib
import secrets

from bobot.models import ApiToken, TokenRole
from bobot.services.base import Deps, require_text

PREFIX = {TokenRole.STAFF: "bbs_", TokenRole.STOREFRONT: "bbf_"}


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(*, name: str, role: TokenRole, deps: Deps) -> tuple[ApiToken, str]:
    """Create a token; returns the stored record and the secret (never stored)."""
    name = require_text(name, "name", max_length=120)
    secret = PREFIX[role] + secrets.token_urlsafe(32)
    record = await ApiToken.create(
        name=name, role=role, digest=digest(secret), created_at=deps.now()
    )
    return record, secret


async def authenticate(token: str) -> ApiToken | None:
    """The live token matching ``token``, or None."""
    if not token or len(token) > 200:
        return None
    return await ApiToken.get_or_none(digest=digest(token), revoked_at=None)
