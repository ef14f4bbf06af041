"""The typed per-request context: who is asking, the collaborators, and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strawberry.types import Info as StrawberryInfo

from bobot.graphql.loaders import Loaders
from bobot.models import TokenRole
from bobot.services.context import Actor, Deps


@dataclass(frozen=True, slots=True)
class Viewer:
    """The caller: a role (None for anonymous) and the actor recorded in the history.

    Two doors lead in: an API token (``role`` from the token) and Slack (``slack_user`` set,
    ``role`` STAFF for the configured staff). Approving (deciding supplier switches) needs
    staff and, for a Slack user, ``approver`` (SLACK_APPROVER_IDS): a staff API token
    always counts as an approver.
    """

    role: TokenRole | None
    actor: Actor
    token_invalid: bool = False
    token_id: int | None = None  # the API token's id: the key of its write rate
    approver: bool = False
    slack_user: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role is TokenRole.STAFF

    @property
    def is_approver(self) -> bool:
        return self.is_staff and (self.approver or self.slack_user is None)

    @property
    def can_shop(self) -> bool:
        return self.role in (TokenRole.STAFF, TokenRole.STOREFRONT)


ANONYMOUS = Viewer(role=None, actor=Actor("anonymous", "-", "api"))


def slack_viewer(
    user_id: str, *, staff_ids: frozenset[str], approver_ids: frozenset[str]
) -> Viewer:
    """The viewer of a Slack user: staff when listed (approvers count as staff)."""
    approver = user_id in approver_ids
    staff = approver or user_id in staff_ids
    return Viewer(
        role=TokenRole.STAFF if staff else None,
        actor=Actor("slack", user_id, "slack"),
        approver=approver,
        slack_user=user_id,
    )


@dataclass
class Context:
    deps: Deps
    viewer: Viewer = ANONYMOUS
    loaders: Loaders = field(default_factory=Loaders)
    request: Any = None
    response: Any = None

    def __post_init__(self) -> None:
        if self.loaders.deps is None:
            self.loaders.deps = self.deps


Info = StrawberryInfo[Context, None]
