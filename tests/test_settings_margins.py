"""The learned-margin settings: on by default at the 90th percentile, bad values refused."""

from __future__ import annotations

import pytest

from bobot.config import ConfigError, Settings


def test_learned_margins_are_on_at_the_90th_percentile_by_default():
    settings = Settings.from_env({})
    assert settings.learned_margins is True
    assert settings.promise_quantile == 0.9


@pytest.mark.parametrize(("raw", "expected"), [("off", False), ("0", False), ("ON", True)])
def test_learned_margins_can_be_switched(raw, expected):
    assert Settings.from_env({"BOBOT_LEARNED_MARGINS": raw}).learned_margins is expected


def test_a_quantile_can_be_chosen():
    assert Settings.from_env({"BOBOT_PROMISE_QUANTILE": "0.95"}).promise_quantile == 0.95


@pytest.mark.parametrize("raw", ["0", "1", "1.5", "-0.1", "ninety", "nan", ""])
def test_a_quantile_outside_0_and_1_is_a_config_error(raw):
    with pytest.raises(ConfigError, match="BOBOT_PROMISE_QUANTILE"):
        Settings.from_env({"BOBOT_PROMISE_QUANTILE": raw})


def test_a_learned_margins_switch_that_is_neither_on_nor_off_is_a_config_error():
    with pytest.raises(ConfigError, match="BOBOT_LEARNED_MARGINS"):
        Settings.from_env({"BOBOT_LEARNED_MARGINS": "maybe"})
