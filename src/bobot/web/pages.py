"""Customer link pages: GET and HEAD show what a link would do and never change anything
(mail scanners open every link); a POST with the same signed token acts.

Each page renders what a :mod:`bobot.services.self_service` function returns. A second POST
finds the thing already done and says so; an expired, tampered or wrong-purpose token gets a
page of its own with a 4xx status, and nothing changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bobot.errors import BobotError, NotFound
from bobot.links import LinkError, Links, Purpose
from bobot.models import BackorderStatus
from bobot.services import self_service
from bobot.services.context import Deps

#: Sent with every page: nothing from elsewhere, no framing, no referrer, no caching.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
CSS_PATH = "/l/style.css"

REFUSALS = {
    "expired": (410, "This link has expired", "Links in our emails work for a limited time."),
    "invalid": (
        400,
        "This link does not work",
        "The link is not valid: it may have been cut short when it was copied.",
    ),
    "missing": (404, "Nothing to show", "We could not find what this link is for."),
}


def day(value: date) -> str:
    return f"{value.strftime('%a')} {value.day} {value.strftime('%b %Y')}"


def moment(value: datetime) -> str:
    return f"{day(value)}, {value.strftime('%H:%M')} UTC"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("bobot.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["day"] = day
    env.filters["moment"] = moment
    return env


@cache
def _css() -> str:
    return files("bobot.web").joinpath("templates/style.css").read_text(encoding="utf-8")


Act = Callable[[int, str], Awaitable[dict[str, Any]]]  # (subject id, the button pressed)
Show = Callable[[int], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Page:
    title: str
    template: str
    show: Show
    act: Act


class LinkPages:
    """The routes under ``/l/``, bound to the service collaborators and the link signer."""

    def __init__(self, deps: Deps, links: Links, shop_name: str) -> None:
        self.deps = deps
        self.links = links
        self.shop_name = shop_name
        self.pages = {
            Purpose.CANCEL_BACKORDER: Page(
                "Cancel a backorder", "cancel_backorder.html", self._backorder, self._cancel
            ),
            Purpose.CANCEL_ORDER: Page(
                "Cancel backordered items", "cancel_order.html", self._order, self._cancel_order
            ),
            Purpose.LEAVE_WAITLIST: Page(
                "Leave the waitlist", "leave_waitlist.html", self._entry, self._leave
            ),
            Purpose.CLAIM_INVITATION: Page(
                "It is back in stock", "claim_invitation.html", self._invitation, self._claim
            ),
            Purpose.ANSWER_DELAY: Page(
                "Your backorder is delayed", "answer_delay.html", self._delay, self._answer
            ),
        }

    def routes(self) -> list[Route]:
        return [
            Route(CSS_PATH, self.css, methods=["GET"]),
            # GET also answers HEAD; neither changes anything.
            Route("/l/{purpose}/{token}", self.show, methods=["GET"]),
            Route("/l/{purpose}/{token}", self.act, methods=["POST"]),
        ]

    # ------------------------------------------------------------------ handlers

    async def css(self, request: Request) -> Response:
        return Response(_css(), media_type="text/css", headers=SECURITY_HEADERS)

    async def show(self, request: Request) -> Response:
        return await self._handle(request, acting=False)

    async def act(self, request: Request) -> Response:
        """The action; a List-Unsubscribe one-click POST (RFC 8058) lands here too."""
        return await self._handle(request, acting=True)

    async def _handle(self, request: Request, *, acting: bool) -> Response:
        try:
            purpose = Purpose(request.path_params["purpose"])
        except ValueError:
            return self._refusal("missing")
        page = self.pages[purpose]
        try:
            subject_id = self.links.read(purpose, request.path_params["token"])
            if acting:
                context = await page.act(subject_id, request.query_params.get("choice", ""))
            else:
                context = await page.show(subject_id)
        except LinkError as exc:
            return self._refusal(exc.reason)
        except NotFound:
            return self._refusal("missing")
        return self._render(page.template, page.title, action=request.url.path, **context)

    # ------------------------------------------------------------------ pages

    async def _backorder(self, backorder_id: int) -> dict[str, Any]:
        return {"backorder": await self_service.backorder_view(backorder_id)}

    async def _cancel(self, backorder_id: int, choice: str = "") -> dict[str, Any]:
        before = await self_service.backorder_view(backorder_id)
        if not before.cancellable:
            return {"backorder": before}  # already cancelled or shipped: say so, change nothing
        try:
            after = await self_service.cancel_backorder_by_customer(
                backorder_id=backorder_id, deps=self.deps
            )
        except BobotError:  # it changed since we looked (shipped, cancelled): show what it is
            return {"backorder": await self_service.backorder_view(backorder_id)}
        done = after.status is BackorderStatus.CANCELLED
        return {"backorder": after, "done": done, "done_quantity": before.quantity}

    async def _order(self, order_id: int) -> dict[str, Any]:
        return {"order": await self_service.order_summary(order_id)}

    async def _cancel_order(self, order_id: int, choice: str = "") -> dict[str, Any]:
        before = await self_service.order_summary(order_id)
        if not before.cancellable:
            return {"order": before}
        after = await self_service.cancel_order_by_customer(order_id=order_id, deps=self.deps)
        was_open = {b.id: b for b in before.cancellable}
        done = [
            f"{was_open[b.id].quantity} \N{MULTIPLICATION SIGN} {b.product_name}"
            for b in after.backorders
            if b.id in was_open and b.status is BackorderStatus.CANCELLED
        ]
        return {"order": after, "done": done}

    async def _entry(self, entry_id: int) -> dict[str, Any]:
        return {"entry": await self_service.waitlist_view(entry_id)}

    async def _leave(self, entry_id: int, choice: str = "") -> dict[str, Any]:
        before = await self_service.waitlist_view(entry_id)
        if not before.active:
            return {"entry": before}
        try:
            after = await self_service.leave_waitlist_by_customer(entry_id=entry_id, deps=self.deps)
        except BobotError:
            return {"entry": await self_service.waitlist_view(entry_id)}
        return {"entry": after, "done": True}

    async def _invitation(self, entry_id: int) -> dict[str, Any]:
        entry = await self_service.waitlist_view(entry_id)
        expired = entry.hold_until is not None and entry.hold_until <= self.deps.now()
        return {"entry": entry, "expired": expired}

    async def _claim(self, entry_id: int, choice: str) -> dict[str, Any]:
        """``choice``: ``claim`` (place the order for the held units) or ``decline``."""
        shown = await self._invitation(entry_id)
        entry = shown["entry"]
        if choice not in ("claim", "decline") or entry.status.value != "INVITED":
            return shown
        try:
            if choice == "claim":
                order = await self_service.claim_invitation_by_customer(
                    entry_id=entry_id, deps=self.deps
                )
                return {**await self._invitation(entry_id), "order": order}
            await self_service.leave_waitlist_by_customer(entry_id=entry_id, deps=self.deps)
        except BobotError:  # expired or answered since we looked
            return await self._invitation(entry_id)
        return {**await self._invitation(entry_id), "declined": True}

    async def _delay(self, backorder_id: int) -> dict[str, Any]:
        backorder = await self_service.backorder_view(backorder_id)
        return {"backorder": backorder, "consent": await self_service.consent_of(backorder_id)}

    async def _answer(self, backorder_id: int, choice: str) -> dict[str, Any]:
        """``choice``: ``wait`` (keep waiting) or ``cancel``; anything else changes nothing."""
        shown = await self._delay(backorder_id)
        awaiting = shown["consent"] is not None and shown["consent"].state.value == "AWAITING"
        if choice not in ("wait", "cancel") or not awaiting:
            return shown
        try:
            await self_service.answer_delay_by_customer(
                backorder_id=backorder_id, accept=choice == "wait", deps=self.deps
            )
        except BobotError:  # answered or settled since we looked: show what it is now
            return await self._delay(backorder_id)
        return {**await self._delay(backorder_id), "done": choice}

    # ------------------------------------------------------------------ rendering

    def _render(self, template: str, title: str, *, status: int = 200, **context: Any) -> Response:
        html = (
            _environment()
            .get_template(template)
            .render(title=title, shop_name=self.shop_name, css_url=CSS_PATH, **context)
        )
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def _refusal(self, reason: str) -> Response:
        status, title, message = REFUSALS[reason]
        return self._render("refused.html", title, status=status, message=message)
