"""userErrors: expected failures, with a stable code, returned inside mutation payloads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any, ParamSpec, Protocol, TypeVar

import strawberry
from graphql import GraphQLError

from bobot.errors import BobotError
from bobot.errors import ErrorCode as DomainErrorCode
from bobot.graphql.inputs import check_arguments
from bobot.services.validation import check_id

ErrorCode = DomainErrorCode
# strawberry.enum marks the class itself and returns it: the names above are the
# classes, valid in annotations, exposed under these GraphQL names.
strawberry.enum(ErrorCode, name="ErrorCode")


@strawberry.type
class UserError:
    code: ErrorCode
    field: list[str] | None
    message: str


def user_error(exc: BobotError) -> UserError:
    return UserError(code=exc.code, field=exc.field, message=exc.message)


def bad_input(exc: BobotError) -> GraphQLError:
    """A query's refused argument as a top-level ``BAD_USER_INPUT`` error, its business code
    as ``extensions.reason`` (queries have no payload to carry userErrors)."""
    extensions = {"code": "BAD_USER_INPUT", "reason": exc.code.value}
    return GraphQLError(exc.message, extensions=extensions)


class HasUserErrors(Protocol):
    user_errors: list[UserError]


P = ParamSpec("P")
T = TypeVar("T")


def returns_user_errors(
    payload: Callable[..., T],
) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Awaitable[T]]]:
    """Check the arguments' bounds (:mod:`bobot.graphql.inputs`), then turn a coded error
    raised by them or by a service into ``payload(user_errors=[...])``."""

    def decorate(resolver: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        @wraps(resolver)
        async def wrapped(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                check_arguments(kwargs)
                return await resolver(*args, **kwargs)
            except BobotError as exc:
                return payload(user_errors=[user_error(exc)])

        return wrapped

    return decorate


def parse_id(value: Any, field: str = "id") -> int:
    """IDs are decimal integers on the wire; one beyond the id columns is ``NOT_FOUND``."""
    return check_id(value, [field])
