"""Composes the schema from one class per feature."""

from __future__ import annotations

import strawberry
from strawberry.extensions import (
    MaxAliasesLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from bobot.graphql.alerts import AlertsMutation, AlertsQuery
from bobot.graphql.mutations_shop import ShopMutation
from bobot.graphql.mutations_staff import StaffMutation
from bobot.graphql.queries import Query as BaseQuery


@strawberry.type
class Query(BaseQuery, AlertsQuery):
    pass


@strawberry.type
class Mutation(ShopMutation, StaffMutation, AlertsMutation):
    pass


def create_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(auto_camel_case=True),
        extensions=[
            lambda: QueryDepthLimiter(max_depth=10),
            lambda: MaxAliasesLimiter(max_alias_count=15),
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
        ],
    )


def schema_sdl() -> str:
    """The schema as committed in ``schema.graphql``."""
    return str(create_schema()) + "\n"
