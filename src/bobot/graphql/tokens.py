"""Staff API of API tokens: list them (never their secrets) and revoke one at once."""

from __future__ import annotations

from datetime import datetime

import strawberry

from bobot import models as m
from bobot.graphql.context import Info
from bobot.graphql.errors import UserError, parse_id, returns_user_errors
from bobot.graphql.permissions import STAFF
from bobot.services import tokens

TokenRole = m.TokenRole
# strawberry.enum marks the class itself and returns it: the names above are the
# classes, valid in annotations, exposed under these GraphQL names.
strawberry.enum(TokenRole, name="TokenRole")


@strawberry.type
class ApiToken:
    row: strawberry.Private[m.ApiToken]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def name(self) -> str:
        return self.row.name

    @strawberry.field
    def role(self) -> TokenRole:
        return self.row.role

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field(description="null: never expires.")
    def expires_at(self) -> datetime | None:
        return self.row.expires_at

    @strawberry.field
    def revoked_at(self) -> datetime | None:
        return self.row.revoked_at


@strawberry.input
class RevokeApiTokenInput:
    id: strawberry.ID


@strawberry.type
class RevokeApiTokenPayload:
    token: ApiToken | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class TokensQuery:
    @strawberry.field(permission_classes=STAFF, description="API tokens, oldest first.")
    async def api_tokens(self, include_revoked: bool = False) -> list[ApiToken]:
        return [ApiToken(row=r) for r in await tokens.list_tokens(include_revoked=include_revoked)]


@strawberry.type
class TokensMutation:
    @strawberry.mutation(
        permission_classes=STAFF, description="Revoke a token: refused from the next request."
    )
    @returns_user_errors(RevokeApiTokenPayload)
    async def revoke_api_token(
        self, info: Info, input: RevokeApiTokenInput
    ) -> RevokeApiTokenPayload:
        row = await tokens.revoke_token(
            token_id=parse_id(input.id), actor=info.context.viewer.actor, deps=info.context.deps
        )
        return RevokeApiTokenPayload(token=ApiToken(row=row))
