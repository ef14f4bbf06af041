"""Delay notices and consent over the services, with the clock moved forward."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.services.helpers import STAFF, clock_of, make_deps, order, product, purchase_order

from bobot.domain.consent import ConsentState
from bobot.errors import Conflict
from bobot.models import Backorder, BackorderConsent, BackorderStatus, Cancellation, Event
from bobot.services import consent, purchasing
from bobot.services.self_service import customer


async def kinds(backorder_id: int) -> list[str]:
    events = await Event.filter(subject_type="backorder", subject_id=backorder_id).order_by("id")
    return [e.kind for e in events if e.kind.startswith(("DELAY_", "BACKORDER_CANCELLED"))]


async def delayed_store(slip_days: int):
    """A backorder promised from a PO due in 5 days, then the PO slips by ``slip_days``."""
    deps = make_deps()
    await product(deps, "KETTLE-01", lead_days=60)
    po = await purchase_order(deps, "KETTLE-01", 5, in_days=5)
    placed = await order(deps, "ana@example.com", ("KETTLE-01", 5))
    backorder = await Backorder.get(order_id=placed.id)
    await purchasing.update_purchase_order(
        purchase_order_id=po,
        expected_date=deps.today() + timedelta(days=5 + slip_days),
        actor=STAFF,
        deps=deps,
    )
    return deps, po, await Backorder.get(id=backorder.id)


async def test_a_ten_day_slip_is_noticed_before_the_promise_and_accepted_by_silence(db) -> None:
    deps, _, backorder = await delayed_store(10)
    assert backorder.expected_date > backorder.promised_date
    assert await consent.review_delays(deps) == 1
    row = await BackorderConsent.get(backorder_id=backorder.id)
    assert row.state is ConsentState.AWAITING and row.deadline == backorder.promised_date
    assert row.notified_at is not None and row.notified_at.date() < backorder.promised_date
    assert await consent.review_delays(deps) == 0  # one notice, not one per run

    clock_of(deps).set(clock_of(deps).now() + (backorder.promised_date - deps.today()))
    assert await consent.review_delays(deps) == 1
    row = await BackorderConsent.get(backorder_id=backorder.id)
    assert row.state is ConsentState.ACCEPTED_BY_SILENCE
    assert row.agreed_date == backorder.expected_date
    assert await kinds(backorder.id) == ["DELAY_NOTICE_SENT", "DELAY_ANSWERED"]
    assert (await Backorder.get(id=backorder.id)).status is BackorderStatus.OPEN
    assert await consent.late_notice_count() == 0


async def test_a_45_day_slip_without_an_answer_is_cancelled_on_the_deadline(db) -> None:
    deps, _, backorder = await delayed_store(45)
    await consent.review_delays(deps)
    row = await BackorderConsent.get(backorder_id=backorder.id)
    assert row.state is ConsentState.AWAITING and row.notice_kind.value == "EXPRESS"
    clock_of(deps).set(clock_of(deps).now() + (row.deadline - deps.today()) - timedelta(hours=10))
    await consent.review_delays(deps)
    assert (await Backorder.get(id=backorder.id)).status is BackorderStatus.OPEN  # the eve
    clock_of(deps).advance(hours=10)
    await consent.review_delays(deps)
    assert (await Backorder.get(id=backorder.id)).status is BackorderStatus.CANCELLED
    cancellation = await Cancellation.get(backorder_id=backorder.id)
    assert cancellation.reason == consent.NO_CONSENT and cancellation.actor_kind == "system"
    assert await kinds(backorder.id) == [
        "DELAY_NOTICE_SENT",
        "DELAY_DEADLINE_PASSED",
        "BACKORDER_CANCELLED",
    ]


async def test_a_second_slip_needs_an_answer_and_is_cancelled_without_one(db) -> None:
    deps, po, backorder = await delayed_store(10)
    await consent.review_delays(deps)
    clock_of(deps).set(clock_of(deps).now() + (backorder.promised_date - deps.today()))
    await consent.review_delays(deps)  # accepted by silence
    agreed = (await BackorderConsent.get(backorder_id=backorder.id)).agreed_date
    await purchasing.update_purchase_order(
        purchase_order_id=po, expected_date=agreed + timedelta(days=3), actor=STAFF, deps=deps
    )
    await consent.review_delays(deps)
    row = await BackorderConsent.get(backorder_id=backorder.id)
    assert (row.state, row.notices, row.notice_kind.value) == (ConsentState.AWAITING, 2, "EXPRESS")
    assert row.deadline == agreed
    clock_of(deps).set(clock_of(deps).now() + (agreed - deps.today()))
    await consent.review_delays(deps)
    assert (await Backorder.get(id=backorder.id)).status is BackorderStatus.CANCELLED
    assert (await kinds(backorder.id)).count("DELAY_NOTICE_SENT") == 2
    assert await consent.late_notice_count() == 0


@pytest.mark.parametrize("accept", [True, False])
async def test_a_customer_answers_a_notice_once(db, accept: bool) -> None:
    deps, _, backorder = await delayed_store(45)
    await consent.review_delays(deps)
    answered = await consent.answer_delay(
        backorder_id=backorder.id, accept=accept, actor=customer("ana@example.com"), deps=deps
    )
    status = (await Backorder.get(id=backorder.id)).status
    if accept:
        assert answered.state is ConsentState.ACCEPTED
        assert answered.agreed_date == backorder.expected_date
        assert status is BackorderStatus.OPEN
    else:
        assert answered.state is ConsentState.CANCELLED
        assert status is BackorderStatus.CANCELLED
    with pytest.raises(Conflict):
        await consent.answer_delay(
            backorder_id=backorder.id, accept=True, actor=customer("ana@example.com"), deps=deps
        )
    # Past the deadline nothing more happens to an answered notice.
    clock_of(deps).advance(days=60)
    await consent.review_delays(deps)
    assert (await Backorder.get(id=backorder.id)).status is status


async def test_an_unknown_date_is_an_indefinite_delay_and_one_yes_is_enough(db) -> None:
    deps = make_deps()
    await product(deps, "KETTLE-01", lead_days=60)
    po = await purchase_order(deps, "KETTLE-01", 5, in_days=5)
    placed = await order(deps, "ana@example.com", ("KETTLE-01", 5))
    await purchasing.update_purchase_order(
        purchase_order_id=po,
        status=purchasing.PurchaseOrderStatus.CANCELLED,
        actor=STAFF,
        deps=deps,
    )
    backorder = await Backorder.get(order_id=placed.id)
    assert backorder.eta_is_estimate and backorder.expected_date > backorder.promised_date
    await consent.review_delays(deps)
    row = await BackorderConsent.get(backorder_id=backorder.id)
    assert row.notice_kind.value == "EXPRESS" and row.noticed_date is None
    answered = await consent.answer_delay(
        backorder_id=backorder.id, accept=True, actor=customer("ana@example.com"), deps=deps
    )
    assert answered.state is ConsentState.ACCEPTED_INDEFINITE
    clock_of(deps).advance(days=90)
    assert await consent.review_delays(deps) == 0
