"""Bounds every input is checked against before any write: text, money, dates and ids.

Each check raises :class:`~bobot.errors.BobotError` with code ``INVALID_INPUT`` (``NOT_FOUND``
for an id no row can have) and the ``field`` path, so the caller gets a userError.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from bobot.errors import BobotError, ErrorCode, NotFound

#: Text a field does not declare a limit for is at most this long.
DEFAULT_TEXT_LENGTH = 200
#: Money (prices, unit costs): 0 to one million, in cents.
MAX_MONEY = Decimal("1000000")
CENT = Decimal("0.01")
#: Dates and times accepted anywhere (the columns and the date arithmetic stay in range).
EARLIEST = date(2000, 1, 1)
LATEST = date(2199, 12, 31)
#: Ids are 32-bit integer columns on both databases.
MAX_ID = 2**31 - 1

# C0 controls but tab, newline and carriage return; DEL; and the C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _invalid(message: str, path: Sequence[str]) -> BobotError:
    return BobotError(message, code=ErrorCode.INVALID_INPUT, field=list(path))


def _name(path: Sequence[str]) -> str:
    return ".".join(path)


def unstorable(text: str) -> bool:
    """Text no database can store or be asked about: control characters (but tab, newline
    and carriage return), or a lone surrogate (not Unicode)."""
    if _CONTROL.search(text):
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_text(
    value: str,
    path: Sequence[str],
    *,
    max_length: int = DEFAULT_TEXT_LENGTH,
    required: bool = False,
) -> str:
    """``value`` stripped; refused if longer than ``max_length``, if it holds control
    characters or text that is not Unicode (a lone surrogate), or if ``required`` and empty."""
    if len(value) > max_length:
        raise _invalid(f"{_name(path)} must be at most {max_length} characters.", path)
    if unstorable(value):
        raise _invalid(f"{_name(path)} must be Unicode text without control characters.", path)
    value = value.strip()
    if required and not value:
        raise _invalid(f"{_name(path)} must not be empty.", path)
    return value


def check_money(value: Decimal, path: Sequence[str]) -> Decimal:
    """A finite amount from 0 to :data:`MAX_MONEY` with at most two decimals."""
    if not value.is_finite() or value < 0 or value > MAX_MONEY:
        raise _invalid(f"{_name(path)} must be between 0 and {MAX_MONEY}.", path)
    if value != value.quantize(CENT):
        raise _invalid(f"{_name(path)} has at most 2 decimals.", path)
    return value.quantize(CENT)


def check_date(value: date, path: Sequence[str]) -> date:
    """A date (or the date of a time) from :data:`EARLIEST` to :data:`LATEST`."""
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise _invalid(
            f"{_name(path)} must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}.",
            path,
        )
    return value


def check_id(value: object, path: Sequence[str]) -> int:
    """An id as sent on the wire (decimal digits); one no row can have is ``NOT_FOUND``."""
    text = str(value)
    if len(text) > 20 or not text.isascii() or not text.isdigit():
        raise NotFound(f"{text[:40]!r} is not a valid id.", field=list(path))
    number = int(text)
    if number <= 0 or number > MAX_ID:
        raise NotFound(f"{text!r} is not a valid id.", field=list(path))
    return number


def require_quantity(
    quantity: int, *, field_name: str = "quantity", maximum: int = 1_000_000
) -> None:
    if quantity <= 0 or quantity > maximum:
        raise BobotError(
            f"Quantity must be between 1 and {maximum}, got {quantity}.",
            code=ErrorCode.INVALID_QUANTITY,
            field=[field_name],
        )


def require_text(value: str, field_name: str, *, max_length: int = 200) -> str:
    """``value`` stripped, not empty, at most ``max_length`` characters (``INVALID_INPUT``)."""
    return check_text(value, [field_name], max_length=max_length, required=True)
