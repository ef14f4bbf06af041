"""Customer messages as pure functions of what they tell: plain-text and HTML parts from the
same templates' data, and the headers every message carries.

Nothing here reads the database or the clock: :mod:`bobot.mail.compose` gathers the views
and the signed links, and these functions only word them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bobot.services.self_service import BackorderView, OrderSummary, ShipmentView, WaitlistView


@dataclass(frozen=True, slots=True)
class Shop:
    name: str
    currency: str


@dataclass(frozen=True, slots=True)
class Message:
    to: str
    subject: str
    text: str
    html: str
    #: The one-click unsubscribe URL (RFC 8058), for waitlist mail.
    list_unsubscribe: str | None = None
    headers: tuple[tuple[str, str], ...] = field(default=())


def day(value: date) -> str:
    return f"{value.strftime('%A')} {value.day} {value.strftime('%B %Y')}"


def money(value: Decimal, currency: str) -> str:
    return f"{value:.2f} {currency}"


@cache
def _environments() -> tuple[Environment, Environment]:
    def make(autoescape: bool) -> Environment:
        env = Environment(
            loader=PackageLoader("bobot.mail", "templates"),
            autoescape=select_autoescape(["html"]) if autoescape else False,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        env.filters["day"] = day
        return env

    return make(False), make(True)


def _render(name: str, to: str, subject: str, **context: Any) -> Message:
    text_env, html_env = _environments()
    text = text_env.get_template(f"{name}.txt").render(subject=subject, **context)
    html = html_env.get_template(f"{name}.html").render(subject=subject, **context)
    return Message(to=to, subject=subject, text=text, html=html)


def order_confirmation(
    order: OrderSummary, *, shop: Shop, cancel_links: dict[int, str], cancel_all: str | None
) -> Message:
    """What ships now, what is backordered and its promised date, each shipment's cost, and
    a cancel link for each backorder (and for all of them)."""
    now = [line for line in order.lines if line.from_stock]
    later = [b for b in order.backorders if b.cancellable]
    subject = f"{shop.name}: order {order.number} confirmed"
    if later:
        last = max(b.promised_date for b in later)
        subject += f", backordered items ship by {day(last)}"
    return _render(
        "order_confirmation",
        order.customer_email,
        subject,
        shop=shop,
        order=order,
        now=now,
        later=later,
        together=order.ship_preference.value == "SHIP_TOGETHER",
        shipments=[(s, money(s.cost, shop.currency)) for s in order.shipments],
        total_shipping=money(sum((s.cost for s in order.shipments), Decimal(0)), shop.currency),
        cancel_links=cancel_links,
        cancel_all=cancel_all if len(later) > 1 else None,
    )


def shipment_ready(order: OrderSummary, shipment: ShipmentView, *, shop: Shop) -> Message:
    """A parcel whose backordered units are all in: it leaves now."""
    subject = f"{shop.name}: your backordered items from order {order.number} are on their way"
    return _render(
        "shipment_ready", order.customer_email, subject, shop=shop, order=order, shipment=shipment
    )


def cancellation_confirmed(
    backorder: BackorderView, *, shop: Shop, quantity: int, by_shop: bool, reason: str
) -> Message:
    """A cancellation; one the shop made says that a refund is due."""
    subject = f"{shop.name}: backorder cancelled, order {backorder.order_number}"
    return _render(
        "cancellation",
        backorder.customer_email,
        subject,
        shop=shop,
        b=backorder,
        quantity=quantity,
        by_shop=by_shop,
        reason=reason,
    )


def delay_notice(
    backorder: BackorderView,
    *,
    shop: Shop,
    new_date: date | None,
    deadline: date,
    express: bool,
    number: int,
    keep_link: str,
    cancel_link: str,
) -> Message:
    """A delay, by the rule: the new date (or that none is known), the right to cancel for a
    full refund, and what happens without an answer by ``deadline``."""
    subject = f"{shop.name}: {backorder.product_name} is delayed"
    if express:
        subject += f", please answer by {day(deadline)}"
    return _render(
        "delay_notice",
        backorder.customer_email,
        subject,
        shop=shop,
        b=backorder,
        new_date=new_date,
        deadline=deadline,
        express=express,
        again=number > 1,
        keep_link=keep_link,
        cancel_link=cancel_link,
    )


def waitlist_joined(entry: WaitlistView, *, shop: Shop, leave_link: str) -> Message:
    subject = f"{shop.name}: you are on the waitlist for {entry.product_name}"
    message = _render(
        "waitlist_joined", entry.email, subject, shop=shop, entry=entry, leave_link=leave_link
    )
    return Message(
        message.to, message.subject, message.text, message.html, list_unsubscribe=leave_link
    )


def waitlist_invited(
    entry: WaitlistView, *, shop: Shop, claim_link: str, leave_link: str
) -> Message:
    """Back in stock: the units are held for the customer until a time, then go on."""
    subject = f"{shop.name}: {entry.product_name} is back, and held for you"
    message = _render(
        "waitlist_invited", entry.email, subject, shop=shop, entry=entry, claim_link=claim_link,
        leave_link=leave_link,
    )  # fmt: skip
    return Message(
        message.to, message.subject, message.text, message.html, list_unsubscribe=leave_link
    )


def to_email(
    message: Message, *, sender: str, reply_to: str | None, message_id: str, sent_at: Any
) -> EmailMessage:
    """The message as sent: text and HTML alternatives, and stable headers.

    ``message_id`` is the same on every attempt of one delivery, so a receiver that got a
    message twice (a crash between sending and recording it) can tell.
    """
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    if reply_to:
        email["Reply-To"] = reply_to
    email["Subject"] = message.subject
    email["Message-ID"] = message_id
    email["Date"] = format_datetime(sent_at)
    if message.list_unsubscribe:
        email["List-Unsubscribe"] = f"<{message.list_unsubscribe}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in message.headers:
        email[name] = value
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    return email


def domain_of(address: str) -> str:
    """The domain of a From address, for Message-IDs (``localhost`` when there is none)."""
    _, email = parseaddr(address)
    return email.rpartition("@")[2] or "localhost"
