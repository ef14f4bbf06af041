"""Webhook subscriptions (staff) and the staff's hand on deliveries: retrying a failed one."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.transactions import in_transaction

from bobot import sql
from bobot.domain import events as typed
from bobot.errors import BobotError, Conflict, ErrorCode, NotFound
from bobot.models import Delivery, DeliveryStatus, WebhookSubscription
from bobot.outbox.types import Channel
from bobot.outbox.webhooks import check_url, new_secret
from bobot.services.context import Actor, Deps
from bobot.services.history import record, typed_event


def _events(names: Sequence[str]) -> list[str]:
    wanted = sorted({name.strip() for name in names})
    unknown = [name for name in wanted if name not in typed.PUBLIC]
    if unknown:
        raise BobotError(
            f"Unknown event {unknown[0]!r}; known: {', '.join(sorted(typed.PUBLIC))}.",
            code=ErrorCode.UNKNOWN_EVENT,
            field=["events"],
        )
    if not wanted:
        raise BobotError(
            "Subscribe to at least one event.", code=ErrorCode.UNKNOWN_EVENT, field=["events"]
        )
    return wanted


async def _url(url: str, deps: Deps) -> str:
    return await check_url(
        url,
        production=not deps.settings.debug,
        allow_private=deps.settings.webhook_allow_private,
    )


def _described(subscription: WebhookSubscription) -> typed.WebhookSubscriptionCreated:
    return typed.WebhookSubscriptionCreated(
        url=subscription.url, events=list(subscription.events), active=subscription.active
    )


async def create_subscription(
    *, url: str, events: Sequence[str], description: str = "", actor: Actor, deps: Deps
) -> tuple[WebhookSubscription, str]:
    """A new subscription and its signing secret (returned here only: shown once)."""
    names = _events(events)
    checked = await _url(url, deps)
    description = description.strip()[:200]
    now, secret = deps.now(), new_secret()
    async with in_transaction():
        subscription = await WebhookSubscription.create(
            url=checked,
            events=names,
            description=description,
            secret=secret,
            active=True,
            created_at=now,
            updated_at=now,
        )
        await record(
            [typed_event(_described(subscription), actor=actor, at=now, subject_id=subscription.id)]
        )
    return subscription, secret


async def update_subscription(
    *,
    subscription_id: int,
    url: str | None = None,
    events: Sequence[str] | None = None,
    description: str | None = None,
    active: bool | None = None,
    actor: Actor,
    deps: Deps,
) -> WebhookSubscription:
    names = _events(events) if events is not None else None
    checked = await _url(url, deps) if url is not None else None
    now = deps.now()
    async with in_transaction():
        subscription = await _locked(subscription_id)
        if checked is not None:
            subscription.url = checked
        if names is not None:
            subscription.events = names
        if description is not None:
            subscription.description = description.strip()[:200]
        if active is not None:
            subscription.active = active
        subscription.updated_at = now
        await subscription.save()
        payload = typed.WebhookSubscriptionUpdated(**_described(subscription).as_data())
        await record([typed_event(payload, actor=actor, at=now, subject_id=subscription.id)])
    return subscription


async def delete_subscription(*, subscription_id: int, actor: Actor, deps: Deps) -> int:
    """Delete a subscription; its deliveries still pending are marked FAILED. Returns how
    many that was."""
    now = deps.now()
    async with in_transaction():
        subscription = await _locked(subscription_id)
        abandoned = await sql.execute(
            "UPDATE delivery SET status = 'FAILED', claimed_until = NULL,"
            " last_error = 'the subscription was deleted', updated_at = ?"
            " WHERE channel = ? AND recipient = ? AND status = 'PENDING'",
            [now, Channel.WEBHOOK.value, str(subscription.id)],
        )
        await subscription.delete()
        payload = typed.WebhookSubscriptionDeleted(url=subscription.url, abandoned=abandoned)
        await record([typed_event(payload, actor=actor, at=now, subject_id=subscription_id)])
    return abandoned


async def _locked(subscription_id: int) -> WebhookSubscription:
    found = await WebhookSubscription.filter(id=subscription_id).select_for_update().first()
    if found is None:
        raise NotFound(f"No webhook subscription has id {subscription_id}.", field=["id"])
    return found


async def retry_delivery(*, delivery_id: int, actor: Actor, deps: Deps) -> Delivery:
    """Send a FAILED delivery again, now, with a fresh set of attempts (its earlier attempts
    stay recorded). Only a FAILED one: one conditional update."""
    now = deps.now()
    async with in_transaction():
        delivery = await Delivery.filter(id=delivery_id).select_for_update().first()
        if delivery is None:
            raise NotFound(f"No delivery has id {delivery_id}.", field=["id"])
        if delivery.status is not DeliveryStatus.FAILED:
            raise Conflict(
                f"Delivery {delivery_id} is {delivery.status.value}; only a FAILED one can be"
                " retried.",
                field=["id"],
            )
        tried = delivery.attempts
        await Delivery.filter(id=delivery_id, status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            claimed_until=None,
            updated_at=now,
        )
        payload = typed.DeliveryRetried(
            channel=delivery.channel, kind=delivery.kind, attempts=tried
        )
        await record([typed_event(payload, actor=actor, at=now, subject_id=delivery_id)])
        await delivery.refresh_from_db()
    return delivery


async def delivery_counts() -> dict[str, dict[str, int]]:
    """Pending and failed deliveries per channel (``bobot deliveries``)."""
    rows = await sql.fetch(
        "SELECT channel, status, COUNT(*) FROM delivery WHERE status IN ('PENDING', 'FAILED')"
        " GROUP BY channel, status ORDER BY channel, status"
    )
    counts: dict[str, dict[str, int]] = {}
    for channel, status, count in rows:
        counts.setdefault(str(channel), {})[str(status)] = int(count)
    return counts
