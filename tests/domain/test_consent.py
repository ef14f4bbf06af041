"""Delay consent by the rule: silence accepts a short definite first delay, nothing else."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bobot.domain.consent import (
    AcceptedBySilence,
    CancelForNoConsent,
    Consent,
    ConsentState,
    DelayCleared,
    NoticeKind,
    SendNotice,
    answer,
    review,
)

PROMISE = date(2026, 12, 20)
TODAY = date(2026, 12, 10)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def test_a_backorder_on_time_needs_nothing() -> None:
    consent = Consent.promised(PROMISE)
    assert review(consent, expected=PROMISE, today=TODAY) == (consent, [])
    assert review(consent, expected=PROMISE - days(5), today=TODAY) == (consent, [])


def test_a_ten_day_slip_is_noticed_before_the_promise_and_accepted_by_silence() -> None:
    consent, outcomes = review(Consent.promised(PROMISE), expected=PROMISE + days(10), today=TODAY)
    assert outcomes == [
        SendNotice(NoticeKind.FIRST, PROMISE + days(10), deadline=PROMISE, number=1, late=False)
    ]
    assert consent.state is ConsentState.AWAITING and consent.deadline == PROMISE
    # Nothing happens while the customer may still answer.
    assert review(consent, expected=PROMISE + days(10), today=PROMISE - days(1)) == (consent, [])
    settled, outcomes = review(consent, expected=PROMISE + days(10), today=PROMISE)
    assert outcomes == [AcceptedBySilence(PROMISE + days(10))]
    assert settled.state is ConsentState.ACCEPTED_BY_SILENCE
    assert settled.agreed_date == PROMISE + days(10)


@pytest.mark.parametrize("slip", [31, 45])
def test_a_slip_past_the_silent_limit_needs_an_answer_or_is_cancelled(slip: int) -> None:
    consent, outcomes = review(
        Consent.promised(PROMISE), expected=PROMISE + days(slip), today=TODAY
    )
    assert [o.kind for o in outcomes if isinstance(o, SendNotice)] == [NoticeKind.EXPRESS]
    settled, outcomes = review(consent, expected=PROMISE + days(slip), today=PROMISE)
    assert outcomes == [CancelForNoConsent(PROMISE)]
    assert settled.state is ConsentState.CANCELLED
    assert review(settled, expected=None, today=PROMISE + days(1)) == (settled, [])


def test_a_slip_of_exactly_the_silent_limit_is_still_accepted_by_silence() -> None:
    _, outcomes = review(Consent.promised(PROMISE), expected=PROMISE + days(30), today=TODAY)
    assert [o.kind for o in outcomes if isinstance(o, SendNotice)] == [NoticeKind.FIRST]


def test_an_unknown_date_needs_an_answer() -> None:
    consent, outcomes = review(Consent.promised(PROMISE), expected=None, today=TODAY)
    assert outcomes == [SendNotice(NoticeKind.EXPRESS, None, PROMISE, number=1, late=False)]
    agreed, reply = answer(consent, accept=True, expected=None, today=TODAY + days(1))
    assert agreed.state is ConsentState.ACCEPTED_INDEFINITE and reply.accepted
    # Not asked again, however the date moves.
    assert review(agreed, expected=None, today=PROMISE + days(60)) == (agreed, [])
    assert review(agreed, expected=PROMISE + days(90), today=PROMISE + days(60)) == (agreed, [])


def test_a_second_slip_needs_an_answer_even_when_short() -> None:
    consent, _ = review(Consent.promised(PROMISE), expected=PROMISE + days(5), today=TODAY)
    agreed, _ = answer(consent, accept=True, expected=PROMISE + days(5), today=TODAY)
    assert agreed.state is ConsentState.ACCEPTED and agreed.agreed_date == PROMISE + days(5)
    again, outcomes = review(agreed, expected=PROMISE + days(7), today=PROMISE)
    assert outcomes == [
        SendNotice(NoticeKind.EXPRESS, PROMISE + days(7), PROMISE + days(5), number=2, late=False)
    ]
    settled, outcomes = review(again, expected=PROMISE + days(7), today=PROMISE + days(5))
    assert outcomes == [CancelForNoConsent(PROMISE + days(5))]
    assert settled.state is ConsentState.CANCELLED


def test_a_slip_after_the_notice_is_a_second_delay_once_silence_has_accepted_the_first() -> None:
    consent, _ = review(Consent.promised(PROMISE), expected=PROMISE + days(10), today=TODAY)
    settled, outcomes = review(consent, expected=PROMISE + days(20), today=PROMISE)
    assert outcomes == [
        AcceptedBySilence(PROMISE + days(10)),
        SendNotice(NoticeKind.EXPRESS, PROMISE + days(20), PROMISE + days(10), 2, late=False),
    ]
    assert settled.state is ConsentState.AWAITING and settled.notices == 2


def test_a_delay_that_clears_before_the_deadline_needs_no_answer() -> None:
    consent, _ = review(Consent.promised(PROMISE), expected=PROMISE + days(40), today=TODAY)
    cleared, outcomes = review(consent, expected=PROMISE - days(1), today=TODAY + days(2))
    assert outcomes == [DelayCleared()]
    assert cleared.state is ConsentState.NONE and cleared.notices == 1


def test_refusing_cancels_and_an_answer_without_a_notice_is_refused() -> None:
    consent, _ = review(Consent.promised(PROMISE), expected=PROMISE + days(3), today=TODAY)
    refused, reply = answer(consent, accept=False, expected=PROMISE + days(3), today=TODAY)
    assert refused.state is ConsentState.CANCELLED and not reply.accepted
    with pytest.raises(ValueError):
        answer(refused, accept=True, expected=PROMISE, today=TODAY)
    with pytest.raises(ValueError):
        answer(Consent.promised(PROMISE), accept=True, expected=PROMISE, today=TODAY)


def test_a_notice_that_could_not_precede_the_date_is_late_and_gives_a_week() -> None:
    consent, outcomes = review(
        Consent.promised(PROMISE), expected=PROMISE + days(3), today=PROMISE + days(1)
    )
    (notice,) = outcomes
    assert isinstance(notice, SendNotice) and notice.late
    assert notice.deadline == PROMISE + days(8) == consent.deadline
