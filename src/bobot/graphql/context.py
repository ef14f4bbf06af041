"""The typed per-request context: who is asking, the collaborators, and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strawberry.types import Info as StrawberryInfo

from bobot.graphql.loaders import Loaders
from bobot.models import TokenRole
from bobot.services.base import Actor, Deps


@dataclass(frozen=True, slots=True)
class Viewer:
    """The caller: a role (None for anonymous) and the actor recorded in the history."""

    role: TokenRole | None
    actor: Actor
    token_invalid: bool = False
    token_id: int | None = None  # the API token's id: the key of its write rate

    @property
    def is_staff(self) -> bool:
        return self.role is TokenRole.STAFF

    @property
    def can_shop(self) -> bool:
        return self.role in (TokenRole.STAFF, TokenRole.STOREFRONT)


ANONYMOUS = Viewer(role=None, actor=Actor("anonymous", "-", "api"))


@dataclass
class Context:
    deps: Deps
    viewer: Viewer = ANONYMOUS
    loaders: Loaders = field(default_factory=Loaders)
    request: Any = None
    response: Any = None


Info = StrawberryInfo[Context, None]
