"""Signed link tokens: one purpose, one thing, a lifetime read on the injectable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bobot.clock import ManualClock
from bobot.links import LinkError, Links, Purpose

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def links(clock: ManualClock, secret: str = "s3cret") -> Links:
    return Links(secret=secret, public_url="https://shop.example/", clock=clock)


def test_a_token_names_the_one_thing_it_was_made_for() -> None:
    made = links(ManualClock(START))
    token = made.token(Purpose.CANCEL_BACKORDER, 42)
    assert made.read(Purpose.CANCEL_BACKORDER, token) == 42
    assert made.url(Purpose.CANCEL_BACKORDER, 42) == (
        f"https://shop.example/l/cancel-backorder/{token}"
    )


def test_a_token_made_for_one_purpose_is_refused_for_another() -> None:
    made = links(ManualClock(START))
    token = made.token(Purpose.LEAVE_WAITLIST, 42)
    for purpose in (Purpose.CANCEL_BACKORDER, Purpose.CANCEL_ORDER):
        with pytest.raises(LinkError) as refused:
            made.read(purpose, token)
        assert refused.value.reason == "invalid"


@pytest.mark.parametrize("where", [0, 5, -3, -1])
def test_a_tampered_token_is_refused(where: int) -> None:
    made = links(ManualClock(START))
    token = made.token(Purpose.CANCEL_BACKORDER, 42)
    flipped = "A" if token[where] != "A" else "B"
    tampered = token[:where] + flipped + (token[where + 1 :] if where != -1 else "")
    with pytest.raises(LinkError) as refused:
        made.read(Purpose.CANCEL_BACKORDER, tampered)
    assert refused.value.reason == "invalid"


def test_a_token_signed_with_another_secret_is_refused() -> None:
    clock = ManualClock(START)
    token = links(clock, "other").token(Purpose.CANCEL_BACKORDER, 42)
    with pytest.raises(LinkError):
        links(clock).read(Purpose.CANCEL_BACKORDER, token)


def test_a_token_expires_after_the_links_lifetime() -> None:
    clock = ManualClock(START)
    made = Links(
        secret="s3cret", public_url="https://shop.example", clock=clock, max_age=timedelta(days=3)
    )
    token = made.token(Purpose.CANCEL_ORDER, 7)
    clock.advance(days=3)
    assert made.read(Purpose.CANCEL_ORDER, token) == 7
    clock.advance(seconds=1)
    with pytest.raises(LinkError) as refused:
        made.read(Purpose.CANCEL_ORDER, token)
    assert refused.value.reason == "expired"


@pytest.mark.parametrize("junk", ["", "not-a-token", "a.b.c", "eyJpZCI6IjQyIn0.x.y"])
def test_junk_is_refused_as_invalid(junk: str) -> None:
    with pytest.raises(LinkError) as refused:
        links(ManualClock(START)).read(Purpose.CANCEL_BACKORDER, junk)
    assert refused.value.reason == "invalid"
