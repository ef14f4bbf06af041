"""Composes the schema from one class per feature."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from graphql import ASTValidationRule, GraphQLError, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.base_extension import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule
from strawberry.schema.config import StrawberryConfig

from bobot.config import Rate
from bobot.graphql.alerts import AlertsMutation, AlertsQuery
from bobot.graphql.cancellations import CancellationsMutation, CancellationsQuery
from bobot.graphql.catalog import CatalogMutation, CatalogQuery
from bobot.graphql.demand import DemandQuery
from bobot.graphql.execution import ExecutionContext, resolve_methods_directly
from bobot.graphql.guards import GuardReads, LiteralCheck
from bobot.graphql.history import HistoryQuery
from bobot.graphql.insights import InsightsQuery
from bobot.graphql.limits import LimitWrites, QueryCostRule, WriteLimiter
from bobot.graphql.orders import OrdersMutation, OrdersQuery
from bobot.graphql.priority import PriorityMutation
from bobot.graphql.purchasing import PurchasingMutation, PurchasingQuery
from bobot.graphql.stock import StockMutation
from bobot.graphql.tokens import TokensMutation, TokensQuery
from bobot.graphql.top_level_errors import StampErrorCodes, TopLevelErrorCode, unavailable_reason
from bobot.graphql.waitlist import WaitlistMutation, WaitlistQuery
from bobot.graphql.webhooks import WebhooksMutation, WebhooksQuery


# The bases' order is the fields' order in the schema.
@strawberry.type
class Query(
    CatalogQuery,
    OrdersQuery,
    WaitlistQuery,
    CancellationsQuery,
    PurchasingQuery,
    HistoryQuery,
    AlertsQuery,
    WebhooksQuery,
    TokensQuery,
    InsightsQuery,
    DemandQuery,
):
    pass


@strawberry.type
class Mutation(
    OrdersMutation,
    WaitlistMutation,
    StockMutation,
    CancellationsMutation,
    CatalogMutation,
    PurchasingMutation,
    AlertsMutation,
    PriorityMutation,
    WebhooksMutation,
    TokensMutation,
):
    pass


MAX_DEPTH = 10
MAX_ALIASES = 15
#: Parser tokens in one document (names, punctuation, values): a large placeOrder is ~600.
MAX_TOKENS = 5_000


def is_unexpected(error: GraphQLError) -> bool:
    """A bug's exception, as opposed to a coded refusal, a malformed document or the
    database being unavailable (whose message the code stamp replaces)."""
    original = error.original_error
    return (
        original is not None
        and not isinstance(original, GraphQLError)
        and unavailable_reason(error) is None
    )


def create_schema(
    *,
    mask_errors: bool = False,
    introspection: bool = True,
    write_rate: Rate | None = None,
) -> strawberry.Schema:
    """The schema; ``mask_errors`` hides the text of unexpected errors and
    ``introspection=False`` refuses ``__schema``/``__type`` (production); ``write_rate``
    limits each token's mutations (:mod:`bobot.graphql.limits`)."""
    # The limits' rule classes are made once per schema: ValidationCache keys on the rules,
    # so rules made afresh for each request (as QueryDepthLimiter and MaxAliasesLimiter do)
    # would never hit the cache.
    limits: list[type[ASTValidationRule]] = [
        max_depth_rule(MAX_DEPTH, None, None),
        max_aliases_rule(MAX_ALIASES),
        QueryCostRule,
    ]
    if not introspection:
        limits.append(NoSchemaIntrospectionCustomRule)
    literals = LiteralCheck()
    extensions: list[Callable[[], SchemaExtension]] = [
        # First: hooks exit in reverse order, so it stamps the errors masking leaves.
        StampErrorCodes,
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: AddValidationRules(limits),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        lambda: GuardReads(literals),
    ]
    if mask_errors:
        extensions.append(lambda: MaskErrors(should_mask_error=is_unexpected))
    if write_rate is not None:
        limiter = WriteLimiter(write_rate)
        extensions.append(lambda: LimitWrites(limiter))
    schema = strawberry.Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(auto_camel_case=True),
        extensions=extensions,
        types=[TopLevelErrorCode],
        execution_context_class=ExecutionContext,
    )
    resolve_methods_directly(schema._schema)
    return schema


def schema_sdl() -> str:
    """The schema as committed in ``schema.graphql``."""
    return str(create_schema()) + "\n"
