"""Staff API of the outbox: webhook subscriptions, deliveries with their attempts, retries."""

from __future__ import annotations

import strawberry

from bobot import models as m
from bobot.graphql.context import Info
from bobot.graphql.errors import UserError, parse_id, returns_user_errors
from bobot.graphql.inputs import text
from bobot.graphql.pagination import Connection, paginate
from bobot.graphql.permissions import STAFF
from bobot.graphql.types.outbox import (
    Delivery,
    DeliveryAttempt,
    DeliveryChannel,
    DeliveryStatus,
    WebhookSubscription,
)
from bobot.services import webhooks


def _errors() -> list[UserError]:
    return []


@strawberry.type
class WebhooksQuery:
    @strawberry.field(permission_classes=STAFF, description="Webhook subscriptions, oldest first.")
    async def webhook_subscriptions(self) -> list[WebhookSubscription]:
        return [WebhookSubscription.of(r) for r in await m.WebhookSubscription.all().order_by("id")]

    @strawberry.field(
        permission_classes=STAFF, description="Deliveries, newest first, with their attempts."
    )
    async def deliveries(
        self,
        status: DeliveryStatus | None = None,
        channel: DeliveryChannel | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[Delivery]:
        query = m.Delivery.all()
        if status is not None:
            query = query.filter(status=status)
        if channel is not None:
            query = query.filter(channel=channel.value)
        page = await paginate(query, first=first, after=after, descending=True, node=lambda r: r)
        rows = [edge.node for edge in page.edges]
        ids = [row.id for row in rows]
        attempts: dict[int, list[DeliveryAttempt]] = {i: [] for i in ids}
        if ids:
            for a in await m.DeliveryAttempt.filter(delivery_id__in=ids).order_by("id"):
                attempts[a.delivery_id].append(
                    DeliveryAttempt(
                        attempt=a.attempt,
                        at=a.at,
                        outcome=a.outcome,
                        status=a.status,
                        duration_ms=a.duration_ms,
                        error=a.error,
                    )
                )
        for edge in page.edges:
            edge.node = Delivery.of(edge.node, attempts[edge.node.id])
        return page


@strawberry.input
class CreateWebhookSubscriptionInput:
    url: str = text(2000)
    events: list[str] = text(64, description="Event names, e.g. order.placed.")
    description: str = text(200, default="")


@strawberry.input
class UpdateWebhookSubscriptionInput:
    id: strawberry.ID
    url: str | None = text(2000, default=None)
    events: list[str] | None = text(64, default=None, description="Event names.")
    description: str | None = text(200, default=None)
    active: bool | None = None


@strawberry.type
class CreateWebhookSubscriptionPayload:
    subscription: WebhookSubscription | None = None
    secret: str | None = strawberry.field(
        default=None, description="The signing secret (whsec_...): shown this once only."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=_errors)


@strawberry.type
class WebhookSubscriptionPayload:
    subscription: WebhookSubscription | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=_errors)


@strawberry.type
class DeleteWebhookSubscriptionPayload:
    deleted_id: strawberry.ID | None = None
    abandoned_deliveries: int = 0
    user_errors: list[UserError] = strawberry.field(default_factory=_errors)


@strawberry.type
class RetryDeliveryPayload:
    delivery: Delivery | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=_errors)


@strawberry.type
class WebhooksMutation:
    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(CreateWebhookSubscriptionPayload)
    async def create_webhook_subscription(
        self, info: Info, input: CreateWebhookSubscriptionInput
    ) -> CreateWebhookSubscriptionPayload:
        row, secret = await webhooks.create_subscription(
            url=input.url,
            events=input.events,
            description=input.description,
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return CreateWebhookSubscriptionPayload(
            subscription=WebhookSubscription.of(row), secret=secret
        )

    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(WebhookSubscriptionPayload)
    async def update_webhook_subscription(
        self, info: Info, input: UpdateWebhookSubscriptionInput
    ) -> WebhookSubscriptionPayload:
        row = await webhooks.update_subscription(
            subscription_id=parse_id(input.id),
            url=input.url,
            events=input.events,
            description=input.description,
            active=input.active,
            actor=info.context.viewer.actor,
            deps=info.context.deps,
        )
        return WebhookSubscriptionPayload(subscription=WebhookSubscription.of(row))

    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(DeleteWebhookSubscriptionPayload)
    async def delete_webhook_subscription(
        self, info: Info, id: strawberry.ID
    ) -> DeleteWebhookSubscriptionPayload:
        number = parse_id(id)
        abandoned = await webhooks.delete_subscription(
            subscription_id=number, actor=info.context.viewer.actor, deps=info.context.deps
        )
        return DeleteWebhookSubscriptionPayload(
            deleted_id=strawberry.ID(str(number)), abandoned_deliveries=abandoned
        )

    @strawberry.mutation(permission_classes=STAFF)
    @returns_user_errors(RetryDeliveryPayload)
    async def retry_delivery(self, info: Info, id: strawberry.ID) -> RetryDeliveryPayload:
        row = await webhooks.retry_delivery(
            delivery_id=parse_id(id), actor=info.context.viewer.actor, deps=info.context.deps
        )
        attempts = [
            DeliveryAttempt(
                attempt=a.attempt,
                at=a.at,
                outcome=a.outcome,
                status=a.status,
                duration_ms=a.duration_ms,
                error=a.error,
            )
            for a in await m.DeliveryAttempt.filter(delivery_id=row.id).order_by("id")
        ]
        return RetryDeliveryPayload(delivery=Delivery.of(row, attempts))
