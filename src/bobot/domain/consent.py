"""Delays and consent, by the US FTC's Mail, Internet or Telephone Order Merchandise Rule.

Pure rules over one backorder's consent record; the services load it, call :func:`review`
(on every re-date and once a day) or :func:`answer` (a customer's reply), and persist what
comes back, with an event for every notice, answer and deadline.

- A backorder is **delayed** when its expected date passes the date the customer last agreed
  to (at first the promised date), or when no date is known any more (``expected=None``:
  no purchase order covers it).
- The first delay gets a notice before the agreed date, with the new date (or "no date known
  yet"), the right to cancel for a full refund, and two choices: keep waiting or cancel.
- A *definite* first delay of at most ``silent_days`` past the original promise is accepted by
  silence: with no answer by the deadline it is recorded as consent by silence.
- A longer or indefinite delay, and every second or later delay, needs express consent: the
  notice says the backorder will be cancelled unless the customer agrees, and with no answer
  by the deadline it is cancelled (``NO_CONSENT``).
- The deadline of a notice is the date the customer last agreed to: a notice always goes
  out before it (one that does not is counted as late, for staff to see).
- A customer who accepts an indefinite delay is not asked again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import Enum


class ConsentState(str, Enum):
    NONE = "NONE"  # not delayed (or the delay cleared before anyone had to answer)
    AWAITING = "AWAITING"  # a notice went out; the answer is due by the deadline
    ACCEPTED = "ACCEPTED"  # the customer agreed to the new date
    ACCEPTED_BY_SILENCE = "ACCEPTED_BY_SILENCE"
    ACCEPTED_INDEFINITE = "ACCEPTED_INDEFINITE"  # agreed to wait without a date: not asked again
    CANCELLED = "CANCELLED"  # by the customer, or for want of consent


class NoticeKind(str, Enum):
    FIRST = "FIRST"  # silence may count as consent (short, definite)
    EXPRESS = "EXPRESS"  # the backorder is cancelled without a yes


@dataclass(frozen=True, slots=True)
class Consent:
    """One backorder's consent record."""

    original_promise: date
    agreed_date: date  # the date the customer last agreed to (at first the promise)
    state: ConsentState = ConsentState.NONE
    notices: int = 0
    notified_on: date | None = None
    deadline: date | None = None
    notice_kind: NoticeKind | None = None
    noticed_date: date | None = None  # the new date the last notice gave (None: unknown)
    answered_on: date | None = None

    @classmethod
    def promised(cls, promise: date) -> Consent:
        return cls(original_promise=promise, agreed_date=promise)


@dataclass(frozen=True, slots=True)
class SendNotice:
    kind: NoticeKind
    new_date: date | None  # None: no date known yet
    deadline: date
    number: int  # 1 for the first notice of this backorder
    late: bool  # sent on or after the date it had to precede


@dataclass(frozen=True, slots=True)
class AcceptedBySilence:
    new_date: date


@dataclass(frozen=True, slots=True)
class CancelForNoConsent:
    deadline: date


@dataclass(frozen=True, slots=True)
class DelayCleared:
    """The expected date came back within what the customer agreed to before any answer."""


@dataclass(frozen=True, slots=True)
class Answered:
    accepted: bool
    new_date: date | None


Outcome = SendNotice | AcceptedBySilence | CancelForNoConsent | DelayCleared
DONE = (ConsentState.CANCELLED,)


def _needs_express(consent: Consent, expected: date | None, silent_days: int) -> bool:
    if consent.notices >= 1 or expected is None:
        return True
    return expected > consent.original_promise + timedelta(days=silent_days)


def review(
    consent: Consent, *, expected: date | None, today: date, silent_days: int = 30
) -> tuple[Consent, list[Outcome]]:
    """What the backorder's current expected date (None: unknown) means for its consent.

    Called whenever the date may have moved and once a day: it sends a notice when a new
    delay appears, settles a notice whose deadline has come, and notices a delay that cleared.
    """
    if consent.state in DONE or consent.state is ConsentState.ACCEPTED_INDEFINITE:
        return consent, []
    if consent.state is ConsentState.AWAITING:
        assert consent.deadline is not None
        if expected is not None and expected <= consent.agreed_date:
            return replace(consent, state=ConsentState.NONE, deadline=None), [DelayCleared()]
        if today < consent.deadline:
            return consent, []
        if consent.notice_kind is NoticeKind.FIRST and consent.noticed_date is not None:
            accepted = replace(
                consent,
                state=ConsentState.ACCEPTED_BY_SILENCE,
                agreed_date=consent.noticed_date,
                deadline=None,
                answered_on=today,
            )
            silent: list[Outcome] = [AcceptedBySilence(consent.noticed_date)]
            # The date may have slipped again since the notice: that is a second delay.
            again, more = review(accepted, expected=expected, today=today, silent_days=silent_days)
            return again, silent + more
        cancelled = replace(consent, state=ConsentState.CANCELLED, deadline=None)
        return cancelled, [CancelForNoConsent(consent.deadline)]
    # NONE or ACCEPTED*: a (new) delay is an expected date past what was agreed, or none.
    if expected is not None and expected <= consent.agreed_date:
        return consent, []
    kind = (
        NoticeKind.EXPRESS if _needs_express(consent, expected, silent_days) else NoticeKind.FIRST
    )
    deadline = consent.agreed_date
    notice = SendNotice(
        kind=kind,
        new_date=expected,
        deadline=deadline,
        number=consent.notices + 1,
        late=today >= deadline,
    )
    if notice.late:
        # The date to precede has passed: give the customer a fair week to answer.
        deadline = today + timedelta(days=7)
        notice = replace(notice, deadline=deadline)
    notified = replace(
        consent,
        state=ConsentState.AWAITING,
        notices=consent.notices + 1,
        notified_on=today,
        deadline=deadline,
        notice_kind=kind,
        noticed_date=expected,
        answered_on=None,
    )
    return notified, [notice]


def answer(
    consent: Consent, *, accept: bool, expected: date | None, today: date
) -> tuple[Consent, Answered]:
    """A customer's reply to a notice: keep waiting (``accept``) or cancel.

    Accepting agrees to the date the backorder is now expected on (or to wait without a date,
    when none is known); refusing cancels it. Raises ``ValueError`` when there is nothing to
    answer (the services turn that into a coded error).
    """
    if consent.state is not ConsentState.AWAITING:
        raise ValueError(f"no delay notice awaits an answer (consent is {consent.state.value})")
    if not accept:
        cancelled = replace(consent, state=ConsentState.CANCELLED, deadline=None, answered_on=today)
        return cancelled, Answered(False, expected)
    if expected is None:
        agreed = replace(
            consent, state=ConsentState.ACCEPTED_INDEFINITE, deadline=None, answered_on=today
        )
        return agreed, Answered(True, None)
    agreed = replace(
        consent,
        state=ConsentState.ACCEPTED,
        agreed_date=max(expected, consent.agreed_date),
        deadline=None,
        answered_on=today,
    )
    return agreed, Answered(True, expected)
