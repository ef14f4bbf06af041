"""Webhooks out: the URL rules and the transport (Standard Webhooks signatures, httpx)."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
from standardwebhooks.webhooks import Webhook

from bobot.errors import BobotError, ErrorCode
from bobot.outbox.types import Channel, OutgoingDelivery, SendResult, http_result

USER_AGENT = "bobot-webhooks/1"


def _is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


RESOLVE_TIMEOUT = 3.0  # seconds


async def _addresses(host: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    lookup = asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    try:
        # A name server that does not answer must not hold the request (or a send) up.
        infos = await asyncio.wait_for(lookup, RESOLVE_TIMEOUT)
    except TimeoutError:
        raise OSError(f"resolving {host!r} took more than {RESOLVE_TIMEOUT:g} s") from None
    return sorted({str(info[4][0]) for info in infos})


def check_url_shape(url: str) -> str:
    """http(s), a host, no credentials; returns the URL stripped."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
        raise BobotError(
            f"{url!r} is not an http(s) URL.", code=ErrorCode.INVALID_URL, field=["url"]
        )
    if parts.username or parts.password:
        raise BobotError(
            "A webhook URL may not carry credentials.", code=ErrorCode.INVALID_URL, field=["url"]
        )
    return url


async def check_url(url: str, *, production: bool, allow_private: bool) -> str:
    """The URL rules: http(s) only; in production, refuse loopback, link-local and private
    addresses (after resolving the host) unless allowed."""
    url = check_url_shape(url)
    if not production or allow_private:
        return url
    host = urlsplit(url).hostname or ""
    try:
        addresses = await _addresses(host)
    except OSError:
        raise BobotError(
            f"The host {host!r} does not resolve.", code=ErrorCode.INVALID_URL, field=["url"]
        ) from None
    if not addresses or any(_is_private(a) for a in addresses):
        raise BobotError(
            f"The host {host!r} is a loopback, link-local or private address.",
            code=ErrorCode.PRIVATE_ADDRESS,
            field=["url"],
        )
    return url


def new_secret() -> str:
    import base64
    import secrets

    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def signed_headers(secret: str, msg_id: str, body: str, at: datetime) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body),
    }


def body_of(delivery: OutgoingDelivery) -> str:
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True)


class WebhookTransport:
    """POSTs each delivery to its subscription's URL, signed per Standard Webhooks; the
    ``webhook-id`` is the delivery's idempotency key, the same on every attempt."""

    channel = Channel.WEBHOOK

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        production: bool = False,
        allow_private: bool = False,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), follow_redirects=False
        )
        self._production, self._allow_private = production, allow_private
        self._endpoints: dict[int, tuple[str, str]] = {}

    async def prepare(self, batch: Sequence[OutgoingDelivery]) -> None:
        """Read the URL and secret of the batch's subscriptions (one statement, outside any
        transaction)."""
        from bobot.models import WebhookSubscription

        wanted = {int(d.recipient) for d in batch if d.channel is Channel.WEBHOOK}
        if not wanted:
            return
        rows = await WebhookSubscription.filter(id__in=sorted(wanted)).values_list(
            "id", "url", "secret", "active"
        )
        # A batch's sends may still be out (or waiting for their turn) when the next batch
        # is prepared: keep the endpoints they need.
        for sid in wanted:
            self._endpoints.pop(sid, None)
        self._endpoints.update((sid, (url, secret)) for sid, url, secret, active in rows if active)

    async def send(self, delivery: OutgoingDelivery) -> SendResult:
        endpoint = self._endpoints.get(int(delivery.recipient))
        if endpoint is None:
            return SendResult(ok=False, permanent=True, error="the subscription is gone")
        url, secret = endpoint
        if self._production and not self._allow_private:
            try:
                await check_url(url, production=True, allow_private=False)
            except BobotError as exc:
                return SendResult(ok=False, permanent=True, error=exc.message)
        body = body_of(delivery)
        headers = signed_headers(secret, delivery.idempotency_key, body, datetime.now(UTC))
        response = await self._client.post(url, content=body, headers=headers)
        result = http_result(response.status_code, response.headers.get("retry-after"))
        if not result.ok and result.permanent:
            reason = response.text[:200].strip()
            return SendResult(
                ok=False,
                permanent=True,
                status=result.status,
                error=f"HTTP {response.status_code}" + (f": {reason}" if reason else ""),
            )
        return result

    async def aclose(self) -> None:
        await self._client.aclose()
