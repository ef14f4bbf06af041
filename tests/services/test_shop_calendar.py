"""The shop's calendar from the environment, and the services' day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bobot.clock import ManualClock
from bobot.config import VARIABLES, ConfigError, Settings
from bobot.domain.calendar import MON_FRI, ShopCalendar
from bobot.services.context import Deps


def test_the_default_calendar_is_utc_monday_to_friday_without_holidays():
    calendar = Settings.from_env({}).calendar

    assert calendar == ShopCalendar(zone=ZoneInfo("UTC"), ship_days=MON_FRI)
    assert VARIABLES["BOBOT_SHIP_DAYS"][0] == "Mon-Fri"
    assert Settings().calendar.ship_days == MON_FRI


def test_the_calendar_is_read_from_the_environment():
    calendar = Settings.from_env(
        {
            "BOBOT_TIMEZONE": "America/New_York",
            "BOBOT_SHIP_DAYS": "Mon,Tue,Sat",
            "BOBOT_HOLIDAYS": "2026-12-25,2027-01-01",
        }
    ).calendar

    assert calendar.zone == ZoneInfo("America/New_York")
    assert calendar.ship_days == {0, 1, 5}
    assert calendar.holidays == {date(2026, 12, 25), date(2027, 1, 1)}


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("BOBOT_TIMEZONE", "Mars/Olympus", "IANA time zone"),
        ("BOBOT_TIMEZONE", "", "IANA time zone"),
        ("BOBOT_TIMEZONE", "America", "IANA time zone"),
        ("BOBOT_SHIP_DAYS", "Fri-Mon", "BOBOT_SHIP_DAYS"),
        ("BOBOT_SHIP_DAYS", ",", "at least one ship day"),
        ("BOBOT_SHIP_DAYS", "Weekdays", "is not a day"),
        ("BOBOT_HOLIDAYS", "2026-13-01", "not an ISO date"),
    ],
)
def test_a_bad_calendar_setting_is_refused_with_a_clear_message(name, value, says):
    with pytest.raises(ConfigError, match=says):
        Settings.from_env({name: value})


def test_the_services_day_is_the_day_in_the_shops_time_zone():
    clock = ManualClock(datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    tokyo = Settings(calendar=ShopCalendar(zone=ZoneInfo("Asia/Tokyo")))

    assert Deps(settings=Settings(), clock=clock).today() == date(2026, 11, 30)
    assert Deps(settings=tokyo, clock=clock).today() == date(2026, 12, 1)
    assert Deps(settings=tokyo, clock=clock).eta_rules(5).today == date(2026, 12, 1)
