"""Webhooks through the real app: subscribed over GraphQL, drained by the worker, received
by a server on 127.0.0.1, verified with the ``standardwebhooks`` verifier."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import jsonschema
import pytest
from bench.receiver import Receiver, serve_receiver
from standardwebhooks.webhooks import Webhook

from bobot.domain.events import json_schema
from bobot.models import Delivery, DeliveryAttempt, DeliveryStatus
from bobot.services.context import Deps
from bobot.worker import deliver

CREATE = """
mutation($input: CreateWebhookSubscriptionInput!) {
  createWebhookSubscription(input: $input) {
    subscription { id url events active } secret userErrors { code field message }
  }
}
"""
UPDATE_PO = """
mutation($input: UpdatePurchaseOrderInput!) {
  updatePurchaseOrder(input: $input) { purchaseOrder { id } userErrors { code message } }
}
"""
DELIVERIES = """
query($status: DeliveryStatus) {
  deliveries(status: $status, first: 50) {
    nodes { id kind status attemptCount idempotencyKey lastError
            attempts { attempt outcome status durationMs } }
  }
}
"""
RETRY = """
mutation($id: ID!) {
  retryDelivery(id: $id) { delivery { status attemptCount } userErrors { code message } }
}
"""
EVENTS = ["order.placed", "backorder.created", "backorder.allocated", "backorder.delayed"]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with serve_receiver() as running:
        yield running


async def _subscribe(api, url: str, events=EVENTS) -> str:
    payload = await api.mutate("createWebhookSubscription", CREATE, {"url": url, "events": events})
    assert payload["secret"].startswith("whsec_")
    return payload["secret"]


def _worker(api) -> Deps:
    return Deps(settings=api.settings, clock=api.clock)


def _verified(secret: str, receiver: Receiver) -> list[dict]:
    verifier = Webhook(secret)
    return [verifier.verify(r.body, r.headers) for r in receiver.received]


async def test_an_order_a_delay_and_a_fill_each_arrive_once_signed_and_in_order(api, receiver):
    secret = await _subscribe(api, receiver.url)
    supplier = await api.create_supplier()
    await api.create_product("MUG", supplier_id=supplier)
    po = await api.create_po(supplier, api.today() + timedelta(days=5), ("MUG", 2))
    order = await api.order("ana@example.com", ("MUG", 2))
    (backorder,) = order["backorders"]
    late = api.today() + timedelta(days=30)
    await api.mutate("updatePurchaseOrder", UPDATE_PO, {"id": po["id"], "expectedDate": str(late)})
    await api.receive("MUG", 2)

    await deliver(_worker(api))
    assert await deliver(_worker(api)) == 0  # nothing left, nothing sent twice

    bodies = _verified(secret, receiver)  # raises unless every signature is right
    for body in bodies:  # as documented in docs/events/
        jsonschema.validate(body, json_schema(body["type"]))
    names = [b["type"] for b in bodies]
    assert sorted(names) == sorted(
        ["order.placed", "backorder.created", "backorder.delayed", "backorder.allocated"]
    )
    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert len(set(ids)) == len(ids) == 4
    for_backorder = [b for b in bodies if b["data"].get("backorder_id") == int(backorder["id"])]
    assert [b["type"] for b in for_backorder] == [
        "backorder.created",
        "backorder.delayed",
        "backorder.allocated",
    ]
    placed = next(b for b in bodies if b["type"] == "order.placed")
    assert placed["data"]["number"] == order["number"]
    assert "ana@example.com" not in json.dumps(bodies)  # no more customer data than needed
    delayed = next(b for b in for_backorder if b["type"] == "backorder.delayed")
    assert delayed["data"]["expected"] > delayed["data"]["promised"]
    filled = for_backorder[-1]["data"]
    assert (filled["units"], filled["complete"]) == (2, True)


async def test_a_receiver_failing_three_times_gets_the_message_once_with_one_webhook_id(
    api, receiver
):
    secret = await _subscribe(api, receiver.url, ["order.placed"])
    await api.create_product("MUG", on_hand=5)
    receiver.script = [503, 503, 503]
    await api.order("ana@example.com", ("MUG", 1))

    for _ in range(4):
        await deliver(_worker(api))
        api.clock.advance(hours=1)  # past any backoff

    assert [len(r.body) > 0 for r in receiver.received] == [True] * 4
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    _verified(secret, receiver)
    delivery = await Delivery.get(channel="WEBHOOK")
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCESS, 4)
    outcomes = (
        await DeliveryAttempt.filter(delivery_id=delivery.id)
        .order_by("id")
        .values_list("outcome", "status")
    )
    assert [(o.value, s) for o, s in outcomes] == [
        ("RETRY", "503"),
        ("RETRY", "503"),
        ("RETRY", "503"),
        ("SUCCESS", "200"),
    ]


async def test_a_4xx_fails_for_good_is_shown_to_staff_and_can_be_retried(api, receiver):
    await _subscribe(api, receiver.url, ["order.placed"])
    await api.create_product("MUG", on_hand=5)
    receiver.script = [410]
    await api.order("ana@example.com", ("MUG", 1))
    await deliver(_worker(api))

    failed = (await api.ok(DELIVERIES, {"status": "FAILED"}))["deliveries"]["nodes"]
    assert [(d["kind"], d["attemptCount"]) for d in failed] == [("order.placed", 1)]
    assert failed[0]["lastError"].startswith("HTTP 410")
    assert failed[0]["attempts"][0]["outcome"] == "FAILED"
    assert failed[0]["attempts"][0]["status"] == "410"

    retried = (await api.ok(RETRY, {"id": failed[0]["id"]}))["retryDelivery"]
    assert retried["delivery"]["status"] == "PENDING" and retried["userErrors"] == []
    again = (await api.ok(RETRY, {"id": failed[0]["id"]}))["retryDelivery"]
    assert again["userErrors"][0]["code"] == "INVALID_STATUS"
    await deliver(_worker(api))
    assert len(receiver.received) == 2
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    assert (await Delivery.get(channel="WEBHOOK")).status is DeliveryStatus.SUCCESS


async def test_a_retry_after_header_holds_the_next_attempt_back(api, receiver):
    await _subscribe(api, receiver.url, ["order.placed"])
    await api.create_product("MUG", on_hand=5)
    receiver.script, receiver.retry_after = [429], "600"
    await api.order("ana@example.com", ("MUG", 1))
    await deliver(_worker(api))

    delivery = await Delivery.get(channel="WEBHOOK")
    assert delivery.next_attempt_at >= api.clock.now() + timedelta(seconds=600)
    api.clock.advance(seconds=300)
    assert await deliver(_worker(api)) == 0
    api.clock.advance(seconds=301)
    assert await deliver(_worker(api)) == 1


async def test_bad_subscriptions_get_coded_user_errors(api):
    async def codes(url: str, events: list[str]) -> list[str]:
        errors = await api.user_errors(
            "createWebhookSubscription", CREATE, {"url": url, "events": events}
        )
        return [e["code"] for e in errors]

    assert await codes("ftp://erp.example.com/hook", ["order.placed"]) == ["INVALID_URL"]
    assert await codes("https://erp.example.com/hook", ["order.shipped?"]) == ["UNKNOWN_EVENT"]
    reply = await api.gql(
        CREATE, {"input": {"url": "https://x.test/", "events": EVENTS}}, token=None
    )
    assert reply.error_codes == ["UNAUTHENTICATED"]


async def test_production_refuses_a_private_address_unless_allowed(db):
    from bobot.config import Settings
    from bobot.errors import BobotError, ErrorCode
    from bobot.services import webhooks
    from bobot.services.context import Actor

    staff = Actor("staff", "ops", "api")
    production = Settings(env="production", secret_key="s3cret")
    with pytest.raises(BobotError) as refused:
        await webhooks.create_subscription(
            url="http://127.0.0.1:8080/hook", events=["order.placed"], actor=staff,
            deps=Deps(settings=production),
        )  # fmt: skip
    assert refused.value.code is ErrorCode.PRIVATE_ADDRESS
    allowed = Settings(env="production", secret_key="s3cret", webhook_allow_private=True)
    subscription, _ = await webhooks.create_subscription(
        url="http://127.0.0.1:8080/hook", events=["order.placed"], actor=staff,
        deps=Deps(settings=allowed),
    )  # fmt: skip
    assert subscription.url == "http://127.0.0.1:8080/hook"


async def test_deleting_a_subscription_fails_its_pending_deliveries(api):
    await api.create_product("MUG", on_hand=5)
    payload = await api.mutate(
        "createWebhookSubscription", CREATE, {"url": "http://127.0.0.1:9/x", "events": EVENTS}
    )
    await api.order("ana@example.com", ("MUG", 1))
    reply = await api.ok(
        "mutation($id: ID!) { deleteWebhookSubscription(id: $id) {"
        " deletedId abandonedDeliveries userErrors { code } } }",
        {"id": payload["subscription"]["id"]},
    )
    assert reply["deleteWebhookSubscription"]["abandonedDeliveries"] == 1
    assert (await Delivery.get(channel="WEBHOOK")).status is DeliveryStatus.FAILED
    assert (await api.ok("{ webhookSubscriptions { id } }"))["webhookSubscriptions"] == []
