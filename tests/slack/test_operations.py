"""Every operation the bot runs is a named GraphQL document valid against the shared schema."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import OperationDefinitionNode, parse, validate

from bobot.graphql.schema import create_schema
from bobot.slack import runner

SLACK_SRC = Path(runner.__file__).parent


def test_every_operation_file_is_valid_against_the_schema():
    schema = create_schema()._schema
    files = sorted(runner.OPERATIONS_DIR.glob("*.graphql"))
    assert len(files) >= 6
    for path in files:
        document = parse(path.read_text())
        assert validate(schema, document) == [], path.name
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                assert definition.name is not None, f"{path.name}: every operation is named"


def test_every_operation_the_code_names_exists_and_every_operation_is_used():
    code = "\n".join(p.read_text() for p in SLACK_SRC.rglob("*.py"))
    named = set(re.findall(r'"(Slack[A-Z]\w+)"', code))
    assert named == set(runner.documents()), (named, set(runner.documents()))


async def test_an_operation_refused_in_process_carries_the_same_code_as_over_http():
    from bobot.graphql.context import ANONYMOUS, slack_viewer
    from bobot.services.context import Deps

    operations = runner.Operations(create_schema(), Deps())
    result = await operations.run("SlackShortages", ANONYMOUS)
    assert result.codes == ["UNAUTHENTICATED"] and result.refused
    stranger = slack_viewer("U0X", staff_ids=frozenset(), approver_ids=frozenset())
    refused = await operations.run("SlackShortages", stranger)
    assert refused.codes == ["FORBIDDEN"] and "U0X" in refused.refusal


async def test_a_malformed_document_run_in_process_carries_bad_request():
    from bobot.graphql.context import Context
    from bobot.services.context import Deps

    schema = create_schema(mask_errors=True)
    for document in ("{ shortages(", "{ noSuchField }"):
        result = await schema.execute(document, context_value=Context(deps=Deps()))
        assert [e.extensions["code"] for e in result.errors or []] == ["BAD_REQUEST"], document
