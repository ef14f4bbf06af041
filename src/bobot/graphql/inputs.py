"""Bounds of the API's inputs, declared on the input types and checked before any service.

``text(N)`` gives an input field its maximum length and says so in the schema; ``money()``
documents an amount's bounds. :func:`check_arguments` walks a mutation's arguments (nested
inputs and lists included) and applies :mod:`bobot.services.validation` to every text,
amount and date, with the field's path, before the resolver runs: a refusal is a userError
``INVALID_INPUT`` and nothing has been read or written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, cast

import strawberry
from strawberry.types import Info
from strawberry.types.base import has_object_definition
from strawberry.utils.str_converters import to_camel_case

from bobot.services.validation import (
    DEFAULT_TEXT_LENGTH,
    MAX_MONEY,
    check_date,
    check_money,
    check_text,
)

MAX_LENGTH = "bobot.max_length"

#: The limits of the columns the inputs are stored in.
SKU = 64
EMAIL = 254
NAME = 200
REASON = 500


def text(max_length: int, *, default: Any = dataclasses.MISSING, description: str = "") -> Any:
    """An input field of at most ``max_length`` characters (documented and enforced)."""
    note = f"At most {max_length} characters."
    return strawberry.field(
        default=default,
        description=f"{description} {note}" if description else note,
        metadata={MAX_LENGTH: max_length},
    )


def money(*, default: Any = dataclasses.MISSING, description: str = "") -> Any:
    """An amount of money: from 0 to :data:`MAX_MONEY`, at most 2 decimals."""
    note = f"From 0 to {MAX_MONEY:,}, at most 2 decimals."
    return strawberry.field(
        default=default, description=f"{description} {note}" if description else note
    )


def _check(value: Any, path: list[str], meta: Mapping[Any, Any]) -> None:
    if value is None:
        return
    if isinstance(value, str):
        check_text(value, path, max_length=meta.get(MAX_LENGTH, DEFAULT_TEXT_LENGTH))
    elif isinstance(value, Decimal):
        check_money(value, path)
    elif isinstance(value, date):
        check_date(value, path)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check(item, [*path, str(index)], meta)
    elif dataclasses.is_dataclass(value) and has_object_definition(value):
        for spec in dataclasses.fields(cast(Any, value)):
            name = getattr(spec, "graphql_name", None) or to_camel_case(spec.name)
            _check(getattr(value, spec.name), [*path, name], spec.metadata)


def check_arguments(arguments: Mapping[str, Any], positional: Sequence[Any] = ()) -> None:
    """Check a resolver's GraphQL arguments. An input object's fields are named from its
    own root (``["customer", "name"]``, ``["lines", "0", "sku"]``); other arguments by
    their own name."""
    for name, value in arguments.items():
        if isinstance(value, Info) or name in ("self", "root", "info"):
            continue
        if dataclasses.is_dataclass(value) and has_object_definition(value):
            _check(value, [], {})
        else:
            _check(value, [to_camel_case(name)], {})
