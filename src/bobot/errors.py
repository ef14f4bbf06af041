"""One error vocabulary for the whole project.

BobotError            an expected failure with a stable code (a GraphQL userError,
│                     a Slack reply, a link page message)
├── NotFound          the thing named does not exist
├── InvalidInput      the request is malformed (quantity <= 0, bad date, ...)
└── Conflict          the request is well-formed but the state forbids it

PermissionDenied      not a BobotError: an authorisation failure, reported as a
                      top-level GraphQL error, never as a userError
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum


class ErrorCode(Enum):
    INVALID = "INVALID"
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    UNKNOWN_SKU = "UNKNOWN_SKU"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    DUPLICATE_SKU = "DUPLICATE_SKU"
    BACKORDERS_DENIED = "BACKORDERS_DENIED"
    BACKORDER_LIMIT_REACHED = "BACKORDER_LIMIT_REACHED"
    BACKORDERS_ENDED = "BACKORDERS_ENDED"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    INVALID_STATUS = "INVALID_STATUS"
    ALREADY_DECIDED = "ALREADY_DECIDED"
    ALREADY_ON_WAITLIST = "ALREADY_ON_WAITLIST"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    NO_ALTERNATIVE_SUPPLIER = "NO_ALTERNATIVE_SUPPLIER"
    INVALID_URL = "INVALID_URL"
    UNKNOWN_EVENT = "UNKNOWN_EVENT"
    PRIVATE_ADDRESS = "PRIVATE_ADDRESS"


class BobotError(Exception):
    code: ErrorCode = ErrorCode.INVALID

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        field: Sequence[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = list(field) if field else None


class NotFound(BobotError):
    code = ErrorCode.NOT_FOUND


class InvalidInput(BobotError):
    code = ErrorCode.INVALID


class Conflict(BobotError):
    code = ErrorCode.INVALID_STATUS


class PermissionDenied(Exception):
    """The caller may not do this (missing token, wrong role)."""
