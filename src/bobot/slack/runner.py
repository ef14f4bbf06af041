"""Named GraphQL operations from ``operations/*.graphql``, executed in-process as a viewer."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, parse
from strawberry import Schema

from bobot.graphql.context import Context, Viewer
from bobot.services.context import Deps

OPERATIONS_DIR = Path(__file__).parent / "operations"
REFUSALS = frozenset({"UNAUTHENTICATED", "FORBIDDEN"})


@functools.cache
def documents() -> Mapping[str, str]:
    """Operation name -> the text of the file that defines it (read once, on first use)."""
    found: dict[str, str] = {}
    for path in sorted(OPERATIONS_DIR.glob("*.graphql")):
        text = path.read_text()
        for definition in parse(text).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                name = definition.name.value
                if name in found:
                    raise ValueError(f"operation {name} is defined twice")
                found[name] = text
    return found


@dataclass(frozen=True, slots=True)
class OperationResult:
    data: dict[str, Any] | None
    codes: list[str] = field(default_factory=list)  # top-level error codes
    messages: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # business codes of BAD_USER_INPUT

    @property
    def refused(self) -> bool:
        return any(code in REFUSALS for code in self.codes)

    @property
    def failed(self) -> bool:
        """An error that is not a refusal: a bug or a document the schema no longer takes."""
        return bool(self.codes) and not self.refused

    @property
    def refusal(self) -> str:
        return next(
            (m for m, c in zip(self.messages, self.codes, strict=True) if c in REFUSALS), ""
        )


class Operations:
    """Runs the bot's operations through the shared schema, as the API would."""

    def __init__(self, schema: Schema, deps: Deps) -> None:
        self.schema = schema
        self.deps = deps

    async def run(self, name: str, viewer: Viewer, **variables: Any) -> OperationResult:
        result = await self.schema.execute(
            documents()[name],
            variable_values=variables,
            context_value=Context(deps=self.deps, viewer=viewer),
            operation_name=name,
        )
        errors = result.errors or []
        return OperationResult(
            data=result.data,
            codes=[str((e.extensions or {}).get("code", "INTERNAL")) for e in errors],
            messages=[e.message for e in errors],
            reasons=[str(r) for e in errors if (r := (e.extensions or {}).get("reason"))],
        )
