"""The staff pages: a sign-in that exchanges a staff API token for a session cookie, and
``/staff/insights`` (the figures of :mod:`bobot.services.insights` and their chart).

- The session is a signed (itsdangerous), HttpOnly, SameSite=Strict cookie naming the API
  token's id, valid :data:`SESSION_HOURS`; every request checks the token is still live, so
  revoking the token ends its sessions. ``Secure`` in production.
- Every form that POSTs carries a CSRF token: before sign-in, the double-submit of a signed
  random value (cookie and hidden field); after, a token derived from the session.
- GET never changes anything; the filter form is a GET.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from bobot.charts import WeekBars, weekly_chart
from bobot.errors import BobotError
from bobot.models import ApiToken, TokenRole
from bobot.services import insights
from bobot.services.context import Deps
from bobot.services.tokens import authenticate
from bobot.web.pages import CSS_PATH, SECURITY_HEADERS, _environment

SESSION_COOKIE = "bobot_staff"
CSRF_COOKIE = "bobot_csrf"
SESSION_HOURS = 12
DEFAULT_DAYS = 84  # twelve weeks
#: The page's chart is an image of this site: the only change to the link pages' policy.
HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": SECURITY_HEADERS["Content-Security-Policy"] + "; img-src 'self'",
}


async def _form(request: Request) -> dict[str, str]:
    """An urlencoded form's fields (first value of each); the app's body limit bounds it."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    body = (await request.body()).decode("utf-8", errors="replace")
    return {key: values[0] for key, values in parse_qs(body).items()}


class StaffPages:
    def __init__(self, deps: Deps, secret: str, shop_name: str, *, secure: bool) -> None:
        self.deps = deps
        self.shop_name = shop_name
        self.secure = secure
        self._sessions = URLSafeTimedSerializer(secret, salt="bobot.staff.session")
        self._csrf = URLSafeTimedSerializer(secret, salt="bobot.staff.csrf")
        self._key = hashlib.sha256(f"bobot.staff.form:{secret}".encode()).digest()

    def routes(self) -> list[Route]:
        return [
            Route("/staff/sign-in", self.sign_in_form, methods=["GET"]),
            Route("/staff/sign-in", self.sign_in, methods=["POST"]),
            Route("/staff/sign-out", self.sign_out, methods=["POST"]),
            Route("/staff/insights", self.insights, methods=["GET"]),
            Route("/staff/insights/chart.png", self.chart, methods=["GET"]),
        ]

    # ------------------------------------------------------------------ the session

    async def _staff(self, request: Request) -> tuple[int, str] | None:
        """(token id, session cookie) of a live staff session, or None."""
        cookie = request.cookies.get(SESSION_COOKIE, "")
        try:
            data: Any = self._sessions.loads(cookie, max_age=SESSION_HOURS * 3600)
        except BadSignature:
            return None
        token_id = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token_id, int):
            return None
        now = self.deps.now()
        token = await ApiToken.get_or_none(id=token_id, revoked_at=None, role=TokenRole.STAFF)
        if token is None or (token.expires_at is not None and token.expires_at <= now):
            return None
        return token_id, cookie

    def _form_token(self, session: str) -> str:
        return hmac.new(self._key, session.encode(), hashlib.sha256).hexdigest()

    def _cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name, value, max_age=max_age, path="/staff", httponly=True, samesite="strict",
            secure=self.secure,
        )  # fmt: skip

    # ------------------------------------------------------------------ handlers

    async def sign_in_form(
        self, request: Request, *, error: str = "", status: int = 200
    ) -> Response:
        nonce = secrets.token_urlsafe(24)
        response = self._render("staff_sign_in.html", "Staff sign-in", status=status,
                                csrf=self._csrf.dumps(nonce), error=error)  # fmt: skip
        self._cookie(response, CSRF_COOKIE, self._csrf.dumps(nonce), 3600)
        return response

    async def sign_in(self, request: Request) -> Response:
        form = await _form(request)
        sent, cookie = str(form.get("csrf", "")), request.cookies.get(CSRF_COOKIE, "")
        try:
            same = self._csrf.loads(sent, max_age=3600) == self._csrf.loads(cookie, max_age=3600)
        except BadSignature:
            same = False
        if not same:
            return await self.sign_in_form(request, error="The form expired: please try again.",
                                           status=403)  # fmt: skip
        token = await authenticate(str(form.get("token", "")).strip(), now=self.deps.now())
        if token is None or token.role is not TokenRole.STAFF:
            return await self.sign_in_form(request, error="That is not a live staff token.",
                                           status=401)  # fmt: skip
        response = RedirectResponse("/staff/insights", status_code=303, headers=HEADERS)
        self._cookie(response, SESSION_COOKIE, self._sessions.dumps({"token": token.id}),
                     SESSION_HOURS * 3600)  # fmt: skip
        response.delete_cookie(CSRF_COOKIE, path="/staff")
        return response

    async def sign_out(self, request: Request) -> Response:
        staff = await self._staff(request)
        form = await _form(request)
        if staff is None or not hmac.compare_digest(
            str(form.get("csrf", "")), self._form_token(staff[1])
        ):
            return Response("Forbidden", status_code=403, headers=HEADERS)
        response = RedirectResponse("/staff/sign-in", status_code=303, headers=HEADERS)
        response.delete_cookie(SESSION_COOKIE, path="/staff")
        return response

    def _query(self, request: Request) -> tuple[dict[str, Any], str]:
        """The filters of the page (from, to, sku, category) and an error, if any."""
        today = self.deps.today()
        params = request.query_params
        try:
            end = date.fromisoformat(params["to"]) if params.get("to") else today
            start = (
                date.fromisoformat(params["from"])
                if params.get("from")
                else end - timedelta(days=DEFAULT_DAYS - 1)
            )
        except ValueError:
            return {"start": today - timedelta(days=DEFAULT_DAYS - 1), "end": today}, (
                "Dates are written YYYY-MM-DD."
            )
        filters: dict[str, Any] = {"start": start, "end": end}
        if sku := params.get("sku", "").strip():
            filters["sku"] = sku[:64]
        elif category := params.get("category", "").strip():
            filters["category"] = category[:80]
        return filters, ""

    async def insights(self, request: Request) -> Response:
        staff = await self._staff(request)
        if staff is None:
            return RedirectResponse("/staff/sign-in", status_code=303, headers=HEADERS)
        filters, error = self._query(request)
        result = None
        if not error:
            try:
                result = await insights.backorder_insights(**filters, deps=self.deps)
            except BobotError as exc:
                error = exc.message
        return self._render(
            "staff_insights.html", "Backorder insights", status=400 if error else 200,
            filters=filters, result=result, error=error, csrf=self._form_token(staff[1]),
            chart_query=str(request.query_params),
        )  # fmt: skip

    async def chart(self, request: Request) -> Response:
        if await self._staff(request) is None:
            return Response("Sign in first", status_code=401, headers=HEADERS)
        filters, error = self._query(request)
        if error:
            return Response(error, status_code=400, headers=HEADERS)
        try:
            result = await insights.backorder_insights(**filters, deps=self.deps)
        except BobotError as exc:
            return Response(exc.message, status_code=400, headers=HEADERS)
        bars = [
            WeekBars(w.start.isoformat(), w.figures.opened, w.figures.filled,
                     w.figures.cancelled, w.figures.refused_units)
            for w in result.weeks
        ]  # fmt: skip
        png = weekly_chart(bars, f"Backorders per week, {result.start} to {result.end}")
        return Response(png, media_type="image/png", headers=HEADERS)

    def _render(self, template: str, title: str, *, status: int = 200, **context: Any) -> Response:
        html = (
            _environment()
            .get_template(template)
            .render(title=title, shop_name=self.shop_name, css_url=CSS_PATH, **context)
        )
        return HTMLResponse(html, status_code=status, headers=HEADERS)
