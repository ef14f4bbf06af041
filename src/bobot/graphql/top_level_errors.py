"""Top-level error codes: one enum, stamped on every top-level error by a schema extension.

userErrors carry the business codes (``ErrorCode``); top-level ``errors`` are for refusals,
malformed documents and bugs, and each gets ``extensions.code`` from :class:`TopLevelErrorCode`.
The stamp is a schema extension, not the HTTP handler, so results executed in-process (the
Slack bot's ``schema.execute``) carry the same codes as HTTP responses.

A resolver that fails because the database cannot serve it (:func:`bobot.db.unavailable`:
the server is down, the disk is full, the file is read-only) gets ``DATABASE_UNAVAILABLE``
and a plain message in place of the driver's, and over HTTP a 503 with ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum

import strawberry
from graphql import GraphQLError
from strawberry.extensions.base_extension import SchemaExtension

from bobot.db import UNAVAILABLE_MESSAGES, unavailable


@strawberry.enum(description="The code in a top-level error's extensions.")
class TopLevelErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    BAD_REQUEST = "BAD_REQUEST"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    INTERNAL = "INTERNAL"
    DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"


_KNOWN = {code.value for code in TopLevelErrorCode}
#: Seconds a client is asked to wait (``Retry-After``) when the database is unavailable.
RETRY_AFTER_UNAVAILABLE = 5


def unavailable_reason(error: GraphQLError) -> str | None:
    """Why the database could not serve the resolver that raised ``error``, if that is why."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return None
    return unavailable(original)


def code_of(error: GraphQLError) -> TopLevelErrorCode:
    """The code an error carries, or the one it gets: errors without a path are the
    document's (syntax, unknown fields, types), errors with one are bugs."""
    given = (error.extensions or {}).get("code")
    if isinstance(given, str) and given in _KNOWN:
        return TopLevelErrorCode(given)
    return TopLevelErrorCode.INTERNAL if error.path else TopLevelErrorCode.BAD_REQUEST


def stamp(error: GraphQLError) -> bool:
    """Stamp the code; True when the error is the database's being unavailable."""
    extensions = error.extensions if error.extensions is not None else {}
    reason = unavailable_reason(error)
    if reason is not None:
        # The driver's text names hosts, ports and files: the client gets a plain one.
        error.message = UNAVAILABLE_MESSAGES[reason]
        extensions["code"] = TopLevelErrorCode.DATABASE_UNAVAILABLE.value
    elif "code" not in extensions:
        extensions["code"] = code_of(error).value
    error.extensions = extensions
    return reason is not None


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
        down = [stamp(error) for error in (result.errors if result is not None else None) or ()]
        response = getattr(self.execution_context.context, "response", None)
        if any(down) and response is not None:
            response.status_code = 503
            response.headers["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE)
