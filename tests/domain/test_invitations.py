"""Waitlist invitations: first in, first out, only up to the units there are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bobot.domain.invitations import Invitation, WaitingEntry, expired, invite

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HOLD = timedelta(hours=48)


def entries(*quantities: int) -> list[WaitingEntry]:
    return [WaitingEntry(i + 1, q) for i, q in enumerate(quantities)]


def test_three_units_invite_exactly_the_first_three_of_five() -> None:
    invited = invite(entries(1, 1, 1, 1, 1), 3, now=NOW, hold=HOLD)
    assert invited == [Invitation(n, 1, NOW + HOLD) for n in (1, 2, 3)]


def test_an_entry_that_does_not_fit_stops_the_queue() -> None:
    assert [i.entry_id for i in invite(entries(2, 3, 1), 4, now=NOW, hold=HOLD)] == [1]


def test_no_units_invite_nobody_and_bad_input_is_refused() -> None:
    assert invite(entries(1, 1), 0, now=NOW, hold=HOLD) == []
    with pytest.raises(ValueError):
        invite(entries(1), -1, now=NOW, hold=HOLD)
    with pytest.raises(ValueError):
        invite([WaitingEntry(1, 0)], 3, now=NOW, hold=HOLD)


def test_a_hold_expires_at_its_end() -> None:
    holds = [(1, NOW), (2, NOW + timedelta(seconds=1))]
    assert expired(holds, NOW) == [1]
    assert expired(holds, NOW + timedelta(hours=1)) == [1, 2]
