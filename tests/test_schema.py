"""The committed ``schema.graphql`` is the schema the code serves, byte for byte."""

from __future__ import annotations

import difflib
from pathlib import Path

from bobot.graphql.schema import schema_sdl

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_the_committed_schema_matches_the_code():
    committed = SCHEMA_FILE.read_bytes().decode("utf-8")
    current = schema_sdl()
    if committed != current:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                current.splitlines(keepends=True),
                "schema.graphql (committed)",
                "schema_sdl() (code)",
            )
        )
        raise AssertionError(
            "schema.graphql is out of date with the code: run `make schema` and commit it.\n"
            + diff[:4000]
        )
    assert SCHEMA_FILE.read_bytes() == current.encode("utf-8")
