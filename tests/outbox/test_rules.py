"""The outbox's pure rules: classification of answers, backoff, routing, URLs, schemas."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bobot.domain.events import PUBLIC, BackorderCreated, SupplierCreated, schema_files
from bobot.errors import BobotError, ErrorCode
from bobot.outbox.drain import DrainPolicy, backoff
from bobot.outbox.routing import (
    RoutingContext,
    WebhookSubscriptionView,
    route,
    webhook_event,
)
from bobot.outbox.types import Channel, http_result, smtp_result
from bobot.outbox.webhooks import check_url
from bobot.services.context import Actor
from bobot.services.history import PendingEvent, serialise, typed_event

DOCS = Path(__file__).parent.parent.parent / "docs" / "events"
AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SHOP = Actor("storefront", "shop", "api")


def _backorder_created(backorder_id: int = 5, product_id: int = 3) -> PendingEvent:
    payload = BackorderCreated(
        order_id=7, quantity=2, promised="2026-12-20", expected="2026-12-18", is_estimate=False
    )
    created = typed_event(
        payload, actor=SHOP, at=AT, subject_id=backorder_id, product_id=product_id
    )
    created.data["customer_email"] = "ana@example.com"  # beside the payload: never published
    return created


@pytest.mark.parametrize(
    ("status", "ok", "permanent"),
    [(200, True, False), (204, True, False), (500, False, False), (503, False, False),
     (429, False, False), (408, False, False), (409, False, False), (400, False, True),
     (404, False, True), (410, False, True), (301, False, True)],
)  # fmt: skip
def test_http_answers_are_sent_retried_or_failed_for_good(status, ok, permanent):
    result = http_result(status)
    assert (result.ok, result.permanent, result.status) == (ok, permanent, str(status))


def test_smtp_replies_4xx_are_retried_and_5xx_are_permanent():
    assert smtp_result(250).ok
    assert not smtp_result(451, "try later").permanent
    assert smtp_result(550, "no such user").permanent
    assert smtp_result(550, "no such user").status == "550 no such user"


def test_a_retry_after_header_is_read_in_seconds():
    assert http_result(429, "120").retry_after == 120.0
    assert http_result(503, "Wed, 21 Oct 2026 07:28:00 GMT").retry_after is None


def test_backoff_doubles_with_jitter_and_never_comes_before_retry_after():
    policy = DrainPolicy(backoff_base=2.0, backoff_max=60.0)
    for attempt, ceiling in [(1, 2.0), (2, 4.0), (3, 8.0), (10, 60.0)]:
        delays = {backoff(attempt, policy) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered
    assert backoff(1, policy, retry_after=300.0) == 300.0


def test_a_new_backorder_is_routed_to_a_gap_scan_job_of_its_product():
    (job,) = route(_backorder_created(), RoutingContext())
    assert (job.channel, job.recipient, job.aggregate) == (Channel.JOB, "gap_scan", "product:3")
    assert job.payload == {"product_id": 3}


def test_webhooks_go_to_active_subscriptions_of_the_event_with_a_key_per_subscription():
    context = RoutingContext(
        webhook_subscriptions=(
            WebhookSubscriptionView(1, frozenset({"backorder.created"})),
            WebhookSubscriptionView(2, frozenset({"order.placed"})),
            WebhookSubscriptionView(3, frozenset({"backorder.created"}), active=False),
            WebhookSubscriptionView(4, frozenset({"backorder.created", "order.placed"})),
        )
    )
    created = _backorder_created()
    hooks = [d for d in route(created, context) if d.channel is Channel.WEBHOOK]
    assert [d.recipient for d in hooks] == ["1", "4"]
    assert len({d.idempotency_key for d in hooks}) == 2
    assert {d.aggregate for d in hooks} == {"backorder:5"}
    assert route(created, context) == route(created, context)  # stable keys


def test_a_published_event_carries_only_its_payload_types_fields():
    published = webhook_event(_backorder_created())
    assert published is not None
    assert published.body["data"] == {
        "backorder_id": 5,
        "product_id": 3,
        "order_id": 7,
        "quantity": 2,
        "promised": "2026-12-20",
        "expected": "2026-12-18",
        "is_estimate": False,
    }
    internal = typed_event(SupplierCreated(name="Acme"), actor=SHOP, at=AT, subject_id=1)
    assert webhook_event(internal) is None


def test_serialising_an_event_gives_its_kind_version_envelope_and_data():
    data = serialise(_backorder_created())
    assert (data["kind"], data["version"], data["subject"]) == (
        "BACKORDER_CREATED",
        1,
        {"type": "backorder", "id": 5},
    )
    assert json.loads(json.dumps(data)) == data


def test_the_committed_event_schemas_match_the_payload_types():
    committed = {p.name: p.read_text() for p in DOCS.glob("*.json")}
    assert committed == schema_files(), "run `bobot export-event-schemas` and commit docs/events"
    assert set(PUBLIC) == {name.removesuffix(".json") for name in committed}


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9000/hook", "http://localhost/hook", "https://10.1.2.3/x",
     "http://169.254.169.254/latest/meta-data", "http://[::1]/", "http://192.168.0.7/"],
)  # fmt: skip
async def test_private_addresses_are_refused_in_production(url):
    with pytest.raises(BobotError) as refused:
        await check_url(url, production=True, allow_private=False)
    assert refused.value.code is ErrorCode.PRIVATE_ADDRESS
    assert await check_url(url, production=True, allow_private=True) == url
    assert await check_url(url, production=False, allow_private=False) == url


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "example.com/hook", "http://", "https://u:p@example.com/"]
)
async def test_urls_must_be_http_without_credentials(url):
    with pytest.raises(BobotError) as refused:
        await check_url(url, production=False, allow_private=True)
    assert refused.value.code is ErrorCode.INVALID_URL


async def test_a_public_address_is_accepted_in_production():
    url = "https://93.184.215.14/hook"
    assert await check_url(url, production=True, allow_private=False) == url


async def test_bobot_deliveries_prints_pending_and_failed_counts(db, tmp_path):
    import asyncio
    import os
    import sys

    from tests.services.helpers import make_deps, order, product

    from bobot.models import Delivery, DeliveryStatus

    deps = make_deps()
    await product(deps, "MUG")
    await order(deps, "a@example.com", ("MUG", 1))
    await order(deps, "b@example.com", ("MUG", 1))
    await Delivery.filter(id=1).update(status=DeliveryStatus.FAILED)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bobot", "deliveries",
        env={**os.environ, "DATABASE_URL": db.url}, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await process.communicate()
    assert process.returncode == 0
    lines = out.decode().splitlines()
    # Each order: its confirmation email and the gap scan's job; the first email has failed.
    assert lines[0] == "pending: 3  failed: 1"
    assert sorted(line.split() for line in lines[1:]) == [
        ["EMAIL", "pending", "1", "failed", "1"],
        ["JOB", "pending", "2", "failed", "0"],
    ]
