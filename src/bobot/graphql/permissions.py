"""Deny by default: anonymous callers read availability; shopping needs a storefront or staff
token; everything else needs staff; deciding a supplier switch needs the approver capability
(every staff token, and the Slack users listed as approvers). The same classes guard the API
and the Slack bot. Failures are top-level errors with a code."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from bobot.graphql.context import Info, Viewer


def _refusal(viewer: Viewer, needs: str) -> tuple[str, str]:
    if viewer.slack_user is not None:
        who = "an approver" if needs == "approver" else "staff"
        return "FORBIDDEN", f"Only {who} can do this, and Slack user {viewer.slack_user} is not."
    if needs == "approver":
        needs = "staff"  # every staff token may approve
    if viewer.token_invalid:
        return "UNAUTHENTICATED", "The API token is invalid or revoked."
    if viewer.role is None:
        return "UNAUTHENTICATED", f"This needs a {needs} token (Authorization: Bearer ...)."
    return "FORBIDDEN", f"This needs a {needs} token; yours is {viewer.role.value.lower()}."


class _Role(BasePermission):
    needs = ""

    def allowed(self, viewer: Viewer) -> bool:
        raise NotImplementedError

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        viewer = info.context.viewer
        if self.allowed(viewer):
            return True
        code, self.message = _refusal(viewer, self.needs)
        self.error_extensions = {"code": code}
        return False


class IsStaff(_Role):
    needs = "staff"

    def allowed(self, viewer: Viewer) -> bool:
        return viewer.is_staff


class CanShop(_Role):
    needs = "storefront or staff"

    def allowed(self, viewer: Viewer) -> bool:
        return viewer.can_shop


class IsApprover(_Role):
    needs = "approver"

    def allowed(self, viewer: Viewer) -> bool:
        return viewer.is_approver


#: Ready-made ``permission_classes`` lists.
STAFF: list[type[BasePermission]] = [IsStaff]
SHOP: list[type[BasePermission]] = [CanShop]
APPROVER: list[type[BasePermission]] = [IsApprover]
