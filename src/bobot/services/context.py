"""What every service takes besides its primitives: who acts, and the collaborators."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bobot.clock import Clock, SystemClock
from bobot.config import Settings
from bobot.domain.eta import EtaRules


@dataclass(frozen=True, slots=True)
class Actor:
    """Who changes state, and through which channel (recorded in the history)."""

    kind: str  # customer | staff | storefront | slack | system
    id: str
    channel: str  # api | slack | link | worker | cli


SYSTEM = Actor("system", "bobot", "worker")


@dataclass(frozen=True)
class Deps:
    settings: Settings = field(default_factory=Settings)
    clock: Clock = field(default_factory=SystemClock)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        """Today in the shop's time zone."""
        return self.settings.calendar.today(self.clock.now())

    def eta_rules(self, lead_days: int | None, *, today: date | None = None) -> EtaRules:
        """The rules for a product whose best supplier takes ``lead_days`` (``today``: a
        caller's reading of the clock, so that one answer uses one day)."""
        return EtaRules(
            today=today if today is not None else self.today(),
            handling_days=self.settings.handling_days,
            fallback_lead_days=(
                lead_days if lead_days is not None else self.settings.default_lead_days
            ),
            calendar=self.settings.calendar,
        )

    def ship_date_in_stock(self) -> date:
        """When units already here, allocated today, can leave (handling in ship days)."""
        calendar = self.settings.calendar
        return calendar.add_ship_days(self.today(), self.settings.handling_days)
