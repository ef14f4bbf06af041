"""Top-level error codes: one enum, stamped on every top-level error by a schema extension.

userErrors carry the business codes (``ErrorCode``); top-level ``errors`` are for refusals,
malformed documents and bugs, and each gets ``extensions.code`` from :class:`TopLevelErrorCode`.
The stamp is a schema extension, not the HTTP handler, so results executed in-process (the
Slack bot's ``schema.execute``) carry the same codes as HTTP responses.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum

import strawberry
from graphql import GraphQLError
from strawberry.extensions.base_extension import SchemaExtension


@strawberry.enum(description="The code in a top-level error's extensions.")
class TopLevelErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    BAD_REQUEST = "BAD_REQUEST"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    INTERNAL = "INTERNAL"


_KNOWN = {code.value for code in TopLevelErrorCode}


def code_of(error: GraphQLError) -> TopLevelErrorCode:
    """The code an error carries, or the one it gets: errors without a path are the
    document's (syntax, unknown fields, types), errors with one are bugs."""
    given = (error.extensions or {}).get("code")
    if isinstance(given, str) and given in _KNOWN:
        return TopLevelErrorCode(given)
    return TopLevelErrorCode.INTERNAL if error.path else TopLevelErrorCode.BAD_REQUEST


def stamp(error: GraphQLError) -> None:
    extensions = error.extensions if error.extensions is not None else {}
    if "code" not in extensions:
        extensions["code"] = code_of(error).value
    error.extensions = extensions


class StampErrorCodes(SchemaExtension):
    """Give every top-level error ``extensions.code``. List it first: extension hooks exit
    in reverse order, so it sees the errors as masking left them."""

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except GraphQLError as early:
            # Raised before the operation could start (a syntax error from the parser
            # cache): strawberry turns this very error into the result.
            stamp(early)
            raise
        result = self.execution_context.result
        for error in (result.errors if result is not None else None) or ():
            stamp(error)
