"""Customer messages: what each says, with both parts and the headers every message needs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from bobot.mail import messages
from bobot.mail.messages import Shop
from bobot.models import BackorderStatus, ShipmentStatus, ShipPreference, WaitlistStatus
from bobot.services.self_service import (
    BackorderView,
    LineView,
    OrderSummary,
    ShipmentView,
    WaitlistView,
)

SHOP = Shop("Kettle & Co", "EUR")


def backorder(id: int, name: str, quantity: int, promised: date) -> BackorderView:
    return BackorderView(
        id=id, order_number="BO-TEST1234", customer_email="ana@example.com", product_id=id,
        sku=name.upper(), product_name=name, quantity=quantity, quantity_ordered=quantity,
        status=BackorderStatus.OPEN, promised_date=promised, expected_date=promised,
        is_estimate=False,
    )  # fmt: skip


def order(*, together: bool = False) -> OrderSummary:
    return OrderSummary(
        id=7,
        number="BO-TEST1234",
        customer_email="ana@example.com",
        customer_name="Ana",
        ship_preference=(
            ShipPreference.SHIP_TOGETHER if together else ShipPreference.SHIP_AVAILABLE_NOW
        ),
        lines=(LineView("KETTLE", "Kettle", 1, 1), LineView("GRINDER", "Grinder", 3, 1)),
        shipments=(
            ShipmentView(1, ShipmentStatus.READY, Decimal("4.95"), (("Kettle", 1),), False),
            ShipmentView(2, ShipmentStatus.PENDING, Decimal("4.95"), (("Grinder", 2),), True),
        ),
        backorders=(backorder(11, "Grinder", 2, date(2026, 12, 18)),),
    )


def test_the_confirmation_says_what_ships_now_what_waits_and_until_when() -> None:
    message = messages.order_confirmation(
        order(), shop=SHOP, cancel_links={11: "https://s.example/l/c/11"}, cancel_all=None
    )
    assert message.to == "ana@example.com"
    assert message.subject == (
        "Kettle & Co: order BO-TEST1234 confirmed,"
        " backordered items ship by Friday 18 December 2026"
    )
    for part in (message.text, message.html):
        assert "Ships now" in part and "Backordered" in part
        assert "ships by Friday 18 December 2026" in part
        assert "https://s.example/l/c/11" in part
        assert "4.95 EUR" in part and "9.90 EUR" in part
    assert "- 1 x Kettle" in message.text and "- 2 x Grinder" in message.text
    assert "Kettle &amp; Co" in message.html  # the HTML part escapes


def test_a_ship_together_confirmation_says_one_parcel() -> None:
    message = messages.order_confirmation(
        order(together=True), shop=SHOP, cancel_links={11: "u"}, cancel_all=None
    )
    assert "one parcel" in message.text and "one parcel" in message.html


def test_a_shop_cancellation_says_a_refund_is_due_and_a_customer_one_confirms() -> None:
    b = backorder(11, "Grinder", 2, date(2026, 12, 18))
    by_shop = messages.cancellation_confirmed(
        b, shop=SHOP, quantity=2, by_shop=True, reason="discontinued"
    )
    assert "A full refund for them is due to you" in by_shop.text
    assert "(discontinued)" in by_shop.html
    asked = messages.cancellation_confirmed(b, shop=SHOP, quantity=1, by_shop=False, reason="")
    assert "As you asked, we cancelled 1 x Grinder" in asked.text


def test_waitlist_mail_carries_one_click_unsubscribe_headers() -> None:
    entry = WaitlistView(
        3, "ben@example.com", "KETTLE", "Kettle", 1, True, WaitlistStatus.WAITING, None
    )
    message = messages.waitlist_joined(entry, shop=SHOP, leave_link="https://s.example/l/w/3")
    assert "https://s.example/l/w/3" in message.text
    sent = messages.to_email(
        message,
        sender="Kettle & Co <shop@kettle.example>",
        reply_to="help@kettle.example",
        message_id="<abc@kettle.example>",
        sent_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    )
    assert sent["List-Unsubscribe"] == "<https://s.example/l/w/3>"
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent["Reply-To"] == "help@kettle.example"
    assert sent["Message-ID"] == "<abc@kettle.example>"
    assert [p.get_content_type() for p in sent.iter_parts()] == ["text/plain", "text/html"]


def test_order_mail_has_no_unsubscribe_header() -> None:
    message = messages.order_confirmation(
        order(), shop=SHOP, cancel_links={11: "u"}, cancel_all=None
    )
    sent = messages.to_email(
        message, sender="s@kettle.example", reply_to=None, message_id="<1@k>",
        sent_at=datetime(2026, 12, 1, tzinfo=UTC),
    )  # fmt: skip
    assert "List-Unsubscribe" not in sent and "Reply-To" not in sent


def test_a_delay_notice_gives_the_new_date_the_right_to_cancel_and_the_deadline() -> None:
    b = backorder(11, "Grinder", 2, date(2026, 12, 18))
    first = messages.delay_notice(
        b, shop=SHOP, new_date=date(2026, 12, 28), deadline=date(2026, 12, 18), express=False,
        number=1, keep_link="https://s.example/l/a/11", cancel_link="https://s.example/l/a/11",
    )  # fmt: skip
    assert "now expected to ship by Monday 28 December 2026" in first.text
    assert "right to cancel it for a full refund" in first.text
    assert "If you are happy to wait, there is nothing to do" in first.text
    assert "https://s.example/l/a/11" in first.html
    unknown = messages.delay_notice(
        b, shop=SHOP, new_date=None, deadline=date(2026, 12, 18), express=True, number=2,
        keep_link="k", cancel_link="c",
    )  # fmt: skip
    assert "We have no date for it yet" in unknown.text
    assert "we will cancel this backorder and refund you in full" in unknown.text
    assert "later than we last told you" in unknown.text
    assert unknown.subject.endswith("please answer by Friday 18 December 2026")


def test_a_cancellation_for_want_of_consent_says_why() -> None:
    b = backorder(11, "Grinder", 2, date(2026, 12, 18))
    message = messages.cancellation_confirmed(
        b, shop=SHOP, quantity=2, by_shop=True, reason="NO_CONSENT"
    )
    assert "we did not hear that you wanted to wait" in message.text
    assert "NO_CONSENT" not in message.text
