"""Delay notices and consent (the rules: :mod:`bobot.domain.consent`).

:func:`review_delays` is a worker job: it finds the backorders whose expected date has
passed what their customer agreed to, or whose notice has reached its deadline, and, under
their products' locks, sends the notices, records consent by silence, and cancels those
whose customer never agreed (``NO_CONSENT``). :func:`answer_delay` takes a customer's reply.
Every notice, answer and deadline is an event, and each notice an email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tortoise.transactions import in_transaction

from bobot import sql
from bobot.domain import consent as rules
from bobot.domain import events as typed
from bobot.domain.statuses import WAITING, BackorderStatus, sql_in
from bobot.errors import Conflict, NotFound
from bobot.models import Backorder, BackorderConsent
from bobot.services.backorders import cancel_backorder
from bobot.services.context import SYSTEM, Actor, Deps
from bobot.services.history import PendingEvent, record, typed_event
from bobot.services.locks import lock_products
from bobot.services.products import int_column

NO_CONSENT = "NO_CONSENT"
REFUSED = "Refused the delay"
BATCH = 200
#: Backorders a customer still waits for: waiting for units, or filled and waiting for the
#: rest of a one-parcel order.
OPEN = (*WAITING, BackorderStatus.ALLOCATED)

#: Backorders with something to review: a date past what was agreed, or a notice waiting.
_DUE = f"""
  FROM backorder b LEFT JOIN backorder_consent c ON c.backorder_id = b.id
 WHERE b.status IN {sql_in(OPEN)}
   AND ((c.backorder_id IS NULL AND b.expected_date > b.promised_date)
        OR c.state = 'AWAITING'
        OR (c.state IN ('NONE', 'ACCEPTED', 'ACCEPTED_BY_SILENCE')
            AND b.expected_date > c.agreed_date))"""
_CANDIDATE_PRODUCTS = f"SELECT DISTINCT b.product_id {_DUE}"
_CANDIDATES_OF = f"SELECT b.id {_DUE} AND {{products}}"


@dataclass(frozen=True, slots=True)
class ConsentView:
    backorder_id: int
    state: rules.ConsentState
    notices: int
    notified_at: datetime | None
    deadline: date | None
    answered_at: datetime | None
    agreed_date: date


def _as_rules(row: BackorderConsent) -> rules.Consent:
    return rules.Consent(
        original_promise=row.original_promise,
        agreed_date=row.agreed_date,
        state=row.state,
        notices=row.notices,
        notified_on=row.notified_at.date() if row.notified_at else None,
        deadline=row.deadline,
        notice_kind=row.notice_kind,
        noticed_date=row.noticed_date,
        answered_on=row.answered_at.date() if row.answered_at else None,
    )


def view_of(row: BackorderConsent) -> ConsentView:
    return ConsentView(
        row.backorder_id, row.state, row.notices, row.notified_at, row.deadline,
        row.answered_at, row.agreed_date,
    )  # fmt: skip


def _expected(backorder: Backorder, consent: rules.Consent) -> date | None:
    """The date to judge by: None (no date known) when only an estimate breaks the promise."""
    if backorder.eta_is_estimate and backorder.expected_date > consent.agreed_date:
        return None
    return backorder.expected_date


async def _save(
    backorder: Backorder, row: BackorderConsent | None, new: rules.Consent, now: datetime
) -> BackorderConsent:
    values: dict[str, Any] = {
        "state": new.state,
        "original_promise": new.original_promise,
        "agreed_date": new.agreed_date,
        "notices": new.notices,
        "deadline": new.deadline,
        "notice_kind": new.notice_kind,
        "noticed_date": new.noticed_date,
        "updated_at": now,
    }
    if row is None or new.notified_on != (row.notified_at.date() if row.notified_at else None):
        values["notified_at"] = now if new.notified_on else None
    if new.answered_on is None:
        values["answered_at"] = None
    elif row is None or row.answered_at is None or row.answered_at.date() != new.answered_on:
        values["answered_at"] = now
    if row is None:
        return await BackorderConsent.create(backorder_id=backorder.id, **values)
    for name, value in values.items():
        setattr(row, name, value)
    await row.save(update_fields=list(values))
    return row


def _event(payload: typed.EventPayload, b: Backorder, now: datetime, actor: Actor) -> PendingEvent:
    return typed_event(payload, actor=actor, at=now, subject_id=b.id, product_id=b.product_id)


async def review_delays(deps: Deps) -> int:
    """The worker job: every delay noticed and every deadline settled; how many changed."""
    product_ids = sorted(int(row[0]) for row in await sql.fetch(_CANDIDATE_PRODUCTS))
    changed = 0
    for start in range(0, len(product_ids), BATCH):
        changed += await _review_products(product_ids[start : start + BATCH], deps)
    return changed


async def _review_products(product_ids: list[int], deps: Deps) -> int:
    now, today = deps.now(), deps.today()
    silent_days = deps.settings.silent_consent_days
    changed = 0
    async with in_transaction():
        await lock_products(product_ids)  # then read what may change, under the locks
        due = await sql.fetch(
            _CANDIDATES_OF.format(products=sql.in_ids("b.product_id")), [sql.ids(product_ids)]
        )
        backorders = await Backorder.filter(id__in=[row[0] for row in due]).order_by("id")
        rows = {
            row.backorder_id: row
            for row in await BackorderConsent.filter(backorder_id__in=[b.id for b in backorders])
        }
        events: list[PendingEvent] = []
        cancel: list[Backorder] = []
        for b in backorders:
            row = rows.get(b.id)
            before = _as_rules(row) if row is not None else rules.Consent.promised(b.promised_date)
            after, outcomes = rules.review(
                before, expected=_expected(b, before), today=today, silent_days=silent_days
            )
            if not outcomes:
                continue
            saved = await _save(b, row, after, now)
            changed += 1
            for outcome in outcomes:
                if isinstance(outcome, rules.SendNotice):
                    if outcome.late:
                        saved.late_notices += 1
                        await saved.save(update_fields=["late_notices"])
                    events.append(_notice_event(b, outcome, now))
                elif isinstance(outcome, rules.AcceptedBySilence):
                    answered = typed.DelayAnswered(
                        order_id=b.order_id,
                        accepted=True,
                        by="silence",
                        new_date=outcome.new_date.isoformat(),
                    )
                    events.append(_event(answered, b, now, SYSTEM))
                elif isinstance(outcome, rules.CancelForNoConsent):
                    passed = typed.DelayDeadlinePassed(
                        order_id=b.order_id, deadline=outcome.deadline.isoformat()
                    )
                    events.append(_event(passed, b, now, SYSTEM))
                    cancel.append(b)
                else:
                    events.append(_event(typed.DelayCleared(order_id=b.order_id), b, now, SYSTEM))
        await record(events)
        for b in cancel:
            await cancel_backorder(
                backorder_id=b.id, quantity=None, reason=NO_CONSENT, actor=SYSTEM, deps=deps
            )
    return changed


def _notice_event(b: Backorder, notice: rules.SendNotice, now: datetime) -> PendingEvent:
    payload = typed.DelayNoticeSent(
        order_id=b.order_id,
        number=notice.number,
        notice=notice.kind.value,
        new_date=notice.new_date.isoformat() if notice.new_date else None,
        deadline=notice.deadline.isoformat(),
        late=notice.late,
    )
    return _event(payload, b, now, SYSTEM)


async def answer_delay(*, backorder_id: int, accept: bool, actor: Actor, deps: Deps) -> ConsentView:
    """A customer's reply to a delay notice: keep waiting (``accept``) or cancel."""
    now = deps.now()
    async with in_transaction():
        found = await int_column(
            Backorder.filter(id=backorder_id).values_list("product_id", flat=True)
        )
        if not found:
            raise NotFound(f"No backorder has id {backorder_id}.", field=["id"])
        await lock_products(found)
        backorder = await Backorder.get(id=backorder_id)
        row = await BackorderConsent.get_or_none(backorder_id=backorder_id)
        if row is None or row.state is not rules.ConsentState.AWAITING:
            raise Conflict(f"No delay notice of backorder {backorder_id} awaits an answer.")
        if backorder.status not in OPEN:
            raise Conflict(f"Backorder {backorder_id} is {backorder.status.value}.")
        before = _as_rules(row)
        after, reply = rules.answer(
            before, accept=accept, expected=_expected(backorder, before), today=deps.today()
        )
        saved = await _save(backorder, row, after, now)
        answered = typed.DelayAnswered(
            order_id=backorder.order_id,
            accepted=reply.accepted,
            by="customer",
            new_date=reply.new_date.isoformat() if reply.new_date else None,
        )
        await record([_event(answered, backorder, now, actor)])
        if not accept:
            await cancel_backorder(
                backorder_id=backorder_id, quantity=None, reason=REFUSED, actor=actor, deps=deps
            )
    return view_of(saved)


async def consents(backorder_ids: list[int]) -> dict[int, ConsentView]:
    rows = await BackorderConsent.filter(backorder_id__in=backorder_ids)
    return {row.backorder_id: view_of(row) for row in rows}


async def notice_counts() -> tuple[int, int]:
    """How many delay notices went out, and how many of them late (on or after the date
    they had to precede: this should stay 0)."""
    rows = await sql.fetch(
        "SELECT COALESCE(SUM(notices), 0), COALESCE(SUM(late_notices), 0) FROM backorder_consent"
    )
    return int(rows[0][0]), int(rows[0][1])


async def late_notice_count() -> int:
    return (await notice_counts())[1]
