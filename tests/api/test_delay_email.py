"""Delays by the rule, end to end: the worker's review sends each notice by email before the
promised date, and a backorder nobody agreed to keep is cancelled on the deadline with its
customer told; a short slip is accepted by silence. Real app, real SMTP server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from tests.api.client import Api
from tests.api.test_customer_email import PUBLIC, deps_of, text_of

from bobot.models import Backorder, BackorderStatus
from bobot.services import consent
from bobot.worker import deliver

MOVE_PO = (
    "mutation($input: UpdatePurchaseOrderInput!) { updatePurchaseOrder(input: $input) {"
    " purchaseOrder { id } userErrors { code field message } } }"
)


@pytest.fixture
async def shop(api_with, smtp_server) -> AsyncIterator[tuple[Api, object]]:
    inbox, port = smtp_server
    async with api_with(smtp_url=f"smtp://127.0.0.1:{port}", public_url=PUBLIC) as api:
        yield api, inbox


async def slipped(api: Api, days: int) -> tuple[dict, str]:
    supplier = await api.create_supplier()
    await api.create_product("KETTLE-01", supplier_id=supplier, lead_days=90)
    po = await api.create_po(supplier, api.today() + timedelta(days=5), ("KETTLE-01", 1))
    order = await api.order("ana@example.com", ("KETTLE-01", 1))
    moved = (api.today() + timedelta(days=5 + days)).isoformat()
    await api.mutate("updatePurchaseOrder", MOVE_PO, {"id": po["id"], "expectedDate": moved})
    return order, po["id"]


async def until(api: Api, day: date) -> None:
    api.clock.set(api.clock.now() + (day - api.today()))


async def test_a_45_day_slip_is_told_then_cancelled_on_the_deadline_with_both_emails(shop):
    api, inbox = shop
    order, _ = await slipped(api, 45)
    promised = date.fromisoformat(order["backorders"][0]["promisedDate"])
    await consent.review_delays(deps_of(api))
    await deliver(deps_of(api))
    notice = next(m for m in inbox.messages if "is delayed" in m["Subject"])
    assert notice["Date"] and api.today() < promised  # told before the promised date
    assert "please answer by" in notice["Subject"]
    assert "we will cancel this backorder and refund you in full" in text_of(notice)

    await until(api, promised)
    await consent.review_delays(deps_of(api))
    await deliver(deps_of(api))
    backorder = await Backorder.get(id=int(order["backorders"][0]["id"]))
    assert backorder.status is BackorderStatus.CANCELLED
    told = [m for m in inbox.messages if "backorder cancelled" in m["Subject"]]
    assert len(told) == 1 and "we did not hear that you wanted to wait" in text_of(told[0])
    assert await consent.late_notice_count() == 0


async def test_a_ten_day_slip_is_told_once_and_accepted_by_silence(shop):
    api, inbox = shop
    order, _ = await slipped(api, 10)
    promised = date.fromisoformat(order["backorders"][0]["promisedDate"])
    await consent.review_delays(deps_of(api))
    await until(api, promised)
    await consent.review_delays(deps_of(api))
    await deliver(deps_of(api))
    notices = [m for m in inbox.messages if "is delayed" in m["Subject"]]
    assert len(notices) == 1 and "there is nothing to do" in text_of(notices[0])
    backorder = await Backorder.get(id=int(order["backorders"][0]["id"]))
    assert backorder.status is BackorderStatus.OPEN


async def test_a_second_slip_needs_an_answer_and_is_told_again(shop):
    api, inbox = shop
    order, po = await slipped(api, 10)
    promised = date.fromisoformat(order["backorders"][0]["promisedDate"])
    await consent.review_delays(deps_of(api))
    await until(api, promised)
    await consent.review_delays(deps_of(api))  # the first slip, accepted by silence
    later = (api.today() + timedelta(days=20)).isoformat()
    await api.mutate("updatePurchaseOrder", MOVE_PO, {"id": po, "expectedDate": later})
    await consent.review_delays(deps_of(api))
    await deliver(deps_of(api))
    notices = [m for m in inbox.messages if "is delayed" in m["Subject"]]
    assert len(notices) == 2
    assert "please answer by" in notices[1]["Subject"]
    assert "later than we last told you" in text_of(notices[1])
