"""The README documents every setting and the two commands."""

from __future__ import annotations

from pathlib import Path

from bobot.config import VARIABLES, Settings

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_readme_lists_every_environment_variable_with_its_default():
    for name, (default, _) in VARIABLES.items():
        shown = f"`{default}`" if default else "(empty)"
        assert f"| `{name}` | {shown} |" in README, name


def test_readme_gives_the_two_commands():
    assert "make run" in README and "make test" in README


def test_settings_from_an_empty_environment_use_the_documented_defaults():
    settings = Settings.from_env({})
    assert settings.database_url == VARIABLES["DATABASE_URL"][0]
    assert str(settings.shipping_cost) == VARIABLES["BOBOT_SHIPPING_COST"][0]
    assert settings.handling_days == int(VARIABLES["BOBOT_HANDLING_DAYS"][0])


def test_production_refuses_to_start_with_the_development_secret():
    import pytest

    from bobot.config import ConfigError

    with pytest.raises(ConfigError):
        Settings.from_env({"BOBOT_ENV": "production"})
    assert Settings.from_env({"BOBOT_ENV": "production", "BOBOT_SECRET_KEY": "s3cret"}).env == (
        "production"
    )


def test_every_graphql_example_in_the_readme_is_valid_against_the_schema():
    import re

    from graphql import parse, validate

    from bobot.graphql.schema import create_schema

    examples = re.findall(r"```graphql\n(.*?)```", README, re.S)
    assert len(examples) >= 4
    schema = create_schema()._schema
    for example in examples:
        assert validate(schema, parse(example)) == [], example
