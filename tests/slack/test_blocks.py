"""The Block Kit builders, pure: no Slack, no database."""

from __future__ import annotations

import json
from datetime import date

from bobot.slack.blocks import alerts, digest, lookups
from bobot.slack.blocks.plaintext import as_text, readable
from bobot.slack.blocks.text import count, escape, moment, who

PING = "<!channel> & <@U123> <https://evil.example|click>"


def _alert(**changes):
    alert = {
        "id": "7", "kind": "PO_LATE", "status": "OPEN", "severity": 84,
        "cause": "PO-1001 from Acme was due 6 Dec, 8 days late",
        "suggestedAction": "SWITCH_SUPPLIER",
        "createdAt": "2026-12-14T09:00:00+00:00", "snoozedUntil": None, "resolvedAt": None,
        "product": {"sku": "MUG", "name": "Mug", "backorderPolicy": "ALLOW"},
        "proposal": {
            "id": "3", "status": "PROPOSED", "quantity": 20, "unitCost": "3.10",
            "newExpectedDate": "2026-12-19", "costDifference": "12.00", "backordersImproved": 5,
            "fromSupplier": {"name": "Acme"}, "toSupplier": {"name": "Speedy"},
            "decidedBy": None, "decidedAt": None, "reason": "", "newPurchaseOrder": None,
        },
    }  # fmt: skip
    alert.update(changes)
    return alert


def _all_text(reply) -> str:
    return json.dumps(reply.blocks) + reply.text


def test_escape_makes_mentions_and_links_inert():
    assert escape(PING) == "&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://evil.example|click&gt;"


def test_a_product_named_like_a_channel_ping_pings_no_one():
    product = {"sku": "<!here>", "name": PING, "backorderPolicy": "ALLOW"}
    alert = _alert(product=product, cause=f"{PING} is late")
    alert["proposal"]["toSupplier"] = {"name": "<!everyone>"}
    for reply in (
        alerts.alert_message(alert),
        lookups.alerts_reply({"alerts": {"totalCount": 1, "nodes": [alert]}}),
        lookups.backorders_reply(
            {"product": {**product, "backordered": 0, "openBackorders": []}}, "x"
        ),
        lookups.unknown_sku_reply("<!channel>"),
    ):
        mrkdwn = [b for b in _walk(reply.blocks) if b.get("type") == "mrkdwn"]
        assert mrkdwn and reply.text
        for text in [m["text"] for m in mrkdwn] + [reply.text]:
            for dangerous in ("<!channel>", "<!here>", "<!everyone>", "<@U123>", "<https:"):
                assert dangerous not in text, text


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _action_ids(reply) -> list[str]:
    return [e["action_id"] for b in reply.blocks if b["type"] == "actions" for e in b["elements"]]


def test_an_open_alert_with_a_proposal_offers_every_action():
    reply = alerts.alert_message(_alert())
    assert _action_ids(reply) == list(alerts.ACTIONS)
    text = as_text(reply.blocks)
    assert "Acme → Speedy, 20 units at 3.10, arriving Sat 19 Dec" in text
    assert "Cost difference +12.00; 5 backorders would ship earlier" in text


FAST_BUT_LATE = {
    "onTimeRate": 0.25, "meanDelayDays": 3.75, "p90DelayDays": 5, "sampleSize": 12,
    "promiseMarginDays": 5,
}  # fmt: skip
UNKNOWN = {
    "onTimeRate": None, "meanDelayDays": None, "p90DelayDays": None, "sampleSize": 0,
    "promiseMarginDays": 2,
}  # fmt: skip


def test_a_switch_proposal_shows_both_suppliers_reliability():
    alert = _alert()
    alert["proposal"]["toSupplier"] = {"name": "Speedy", "reliability": FAST_BUT_LATE}
    alert["proposal"]["fromSupplier"] = {"name": "Acme", "reliability": UNKNOWN}
    text = as_text(alerts.alert_message(alert).blocks)
    assert (
        "Speedy: 25% on time over 12 deliveries, 90% within 5 days late (mean 3.8 days);"
        " promises +5 days" in text
    )
    assert "Acme: no deliveries yet; promises +2 days" in text


def test_sku_shows_each_offering_suppliers_reliability():
    product = {
        "sku": "MUG", "name": "Mug", "backorderPolicy": "ALLOW",
        "availability": {"status": "BACKORDER", "label": "Ships by Tue 8 Dec"},
        "onHand": 0, "allocated": 0, "available": 0, "backordered": 2, "incoming": 0,
        "purchaseOrders": [],
        "supplierOffers": [
            {"rank": 1, "active": True, "unitCost": "2.50", "leadTimeDays": 5,
             "supplier": {"name": "Speedy", "reliability": FAST_BUT_LATE}},
            {"rank": 2, "active": True, "unitCost": "2.70", "leadTimeDays": 7,
             "supplier": {"name": "Steady", "reliability": {**FAST_BUT_LATE, "onTimeRate": 1.0,
                          "sampleSize": 1, "p90DelayDays": 0, "meanDelayDays": 0.0,
                          "promiseMarginDays": 1}}},
        ],
    }  # fmt: skip
    text = as_text(lookups.sku_reply({"product": product}, "MUG").blocks)
    assert "Speedy: 2.50 a unit, 5 days" in text
    assert "25% on time over 12 deliveries, 90% within 5 days late" in text
    assert "100% on time over 1 delivery, 90% within 0 days late (mean 0 days);" in text
    assert "promises +1 day" in text


def test_a_cheaper_switch_shows_a_negative_difference():
    alert = _alert()
    alert["proposal"]["costDifference"] = "-4.00"
    assert "Cost difference -4.00" in as_text(alerts.alert_message(alert).blocks)


def test_a_decided_switch_loses_its_buttons_and_says_who_decided_and_when():
    alert = _alert()
    alert["proposal"].update(
        status="APPROVED", decidedBy="slack:U0ANA via slack", decidedAt="2026-12-14T09:05:00+00:00",
        newPurchaseOrder={"number": "PO-1002", "expectedDate": "2026-12-19"},
    )  # fmt: skip
    reply = alerts.alert_message(alert)
    assert alerts.APPROVE not in _action_ids(reply) and alerts.REJECT not in _action_ids(reply)
    assert "Switch approved by <@U0ANA> at 2026-12-14 09:05 UTC: PO-1002" in as_text(reply.blocks)


def test_a_decider_who_is_not_a_slack_user_is_escaped_text():
    alert = _alert()
    alert["proposal"].update(status="REJECTED", decidedBy="staff:<!channel> via api",
                             decidedAt="2026-12-14T09:05:00+00:00", reason="too dear")  # fmt: skip
    text = _all_text(alerts.alert_message(alert))
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text


def test_snoozed_acknowledged_and_resolved_alerts_offer_what_still_applies():
    snoozed = alerts.alert_message(
        _alert(status="SNOOZED", snoozedUntil="2026-12-15T09:00:00+00:00")
    )
    assert alerts.SNOOZE not in _action_ids(snoozed) and alerts.ACKNOWLEDGE in _action_ids(snoozed)
    assert "Snoozed until 2026-12-15 09:00 UTC" in as_text(snoozed.blocks)
    acknowledged = alerts.alert_message(_alert(status="ACKNOWLEDGED"))
    assert alerts.ACKNOWLEDGE not in _action_ids(acknowledged)
    resolved = alerts.alert_message(
        _alert(status="RESOLVED", resolvedAt="2026-12-16T09:00:00+00:00")
    )
    assert _action_ids(resolved) == []


def test_pausing_backorders_asks_for_confirmation_and_is_gone_once_paused():
    reply = alerts.alert_message(_alert())
    [pause] = [e for b in reply.blocks if b["type"] == "actions" for e in b["elements"]
               if e["action_id"] == alerts.PAUSE]  # fmt: skip
    assert pause["confirm"]["confirm"]["text"] == "Pause" and pause["value"] == "7:MUG"
    paused = _alert(product={"sku": "MUG", "name": "Mug", "backorderPolicy": "DENY"})
    assert alerts.PAUSE not in _action_ids(alerts.alert_message(paused))


def test_the_snooze_menu_offers_an_hour_a_day_and_a_week():
    [menu] = [e for b in alerts.alert_message(_alert()).blocks if b["type"] == "actions"
              for e in b["elements"] if e["action_id"] == alerts.SNOOZE]  # fmt: skip
    assert [(o["text"]["text"], o["value"]) for o in menu["options"]] == [
        ("1 hour", "7:3600"), ("1 day", "7:86400"), ("1 week", "7:604800"),
    ]  # fmt: skip


def test_thread_replies_say_what_happened_who_did_it_and_when():
    at = "2026-12-14T09:05:00+00:00"
    approved = alerts.thread_reply("switch.decided", {
        "event": "SWITCH_APPROVED", "actor": "slack:U0ANA via slack", "at": at,
        "purchase_order": "PO-1002", "quantity": 20, "expected_date": "2026-12-19",
    })  # fmt: skip
    assert readable(approved) == (
        ":white_check_mark: <@U0ANA> approved the switch at 2026-12-14 09:05 UTC:"
        " PO-1002 for 20 units, expected Sat 19 Dec."
    )
    rejected = alerts.thread_reply("switch.decided", {
        "event": "SWITCH_REJECTED", "actor": "staff:Ana via api", "at": at, "reason": "<!here>",
    })  # fmt: skip
    assert "Ana (staff, via the API) rejected" in rejected and "&lt;!here&gt;" in rejected
    snoozed = alerts.thread_reply("alert.updated", {
        "event": "ALERT_SNOOZED", "actor": "slack:U0ANA via slack", "at": at,
        "until": "2026-12-15T09:05:00+00:00",
    })  # fmt: skip
    assert readable(snoozed) == (
        ":zzz: <@U0ANA> snoozed this at 2026-12-14 09:05 UTC until 2026-12-15 09:05 UTC."
    )
    assert "Resolved at" in alerts.thread_reply("alert.resolved", {"at": at})


def test_no_shortages_and_no_alerts_say_so():
    assert (
        "No shortages"
        in lookups.shortages_reply({"shortages": {"totalCount": 0, "nodes": []}}).text
    )
    assert (
        lookups.alerts_reply({"alerts": {"totalCount": 0, "nodes": []}}).text == "No open alerts."
    )


def test_help_lists_every_command():
    text = as_text(lookups.help_reply().blocks)
    for command in (
        "shortages",
        "sku <SKU>",
        "backorders <SKU>",
        "order <number>",
        "alerts",
        "insights [SKU|category]",
        "help",
    ):
        assert f"/bobot {command}" in text


def _backorder(id, promised, expected, *, delayed=False, estimate=False):
    return {"id": str(id), "sku": "MUG", "status": "OPEN", "quantity": 1, "promisedDate": promised,
            "expectedDate": expected, "isEstimate": estimate, "isDelayed": delayed,
            "order": {"number": f"#{1000 + id}"}}  # fmt: skip


def test_promises_at_risk_are_those_due_this_week_whose_date_no_longer_holds():
    data = {
        "waiting": {"nodes": [
            _backorder(1, "2026-12-03", "2026-12-09", delayed=True),  # at risk
            _backorder(2, "2026-12-04", "2026-12-02"),  # holds
            _backorder(3, "2026-12-20", "2026-12-30", delayed=True),  # not this week
        ]},
        "partly": {"nodes": [_backorder(4, "2026-12-05", "2026-12-05", estimate=True)]},
    }  # fmt: skip
    at_risk = digest.promises_at_risk(data, date(2026, 12, 1))
    assert [b["id"] for b in at_risk] == ["1", "4"]


def test_the_digest_and_home_tab_show_shortages_and_alerts():
    data = {
        "shortages": {"totalCount": 1, "nodes": [{"sku": "MUG", "product": {"name": "Mug"},
                      "uncovered": 3, "backordered": 5, "nextPurchaseOrderDate": None,
                      "etaForNewOrder": "2026-12-20", "severity": 40}]},
        "alerts": {"totalCount": 1, "nodes": [{"id": "1", "kind": "PO_LATE", "cause": "late",
                   "severity": 80, "product": {"sku": "MUG", "name": "Mug"}}]},
        "waiting": {"nodes": []}, "partly": {"nodes": []},
    }  # fmt: skip
    text = as_text(digest.digest_reply(data, date(2026, 12, 1)).blocks)
    assert "Tuesday 1 December" in text and "MUG Mug: 3 of 5 uncovered" in text
    assert "Late purchase order · MUG: late" in text and "Promises at risk this week\nNone." in text
    home = digest.home_view(data)
    assert home["type"] == "home" and "Open alerts (1)" in as_text(home["blocks"])


def test_new_numbers_are_told_in_the_thread_from_what_changed():
    reply = alerts.thread_reply("alert.updated", {
        "event": "ALERT_UPDATED", "at": "2026-12-14T09:05:00+00:00",
        "cause": {"from": "2 units late", "to": "<!here> 5 units late"},
        "severity": {"from": 40, "to": 62},
    })  # fmt: skip
    assert readable(reply) == (
        ":bar_chart: New numbers at 2026-12-14 09:05 UTC: &lt;!here&gt; 5 units late;"
        " severity 40 → 62"
    )


def test_times_show_in_each_readers_own_time_zone_with_utc_where_slack_cannot():
    at = "2026-12-14T09:05:00+00:00"
    assert moment(at) == "<!date^1797239100^{date_num} {time}|2026-12-14 09:05 UTC>"
    same = "<!date^1797239100^{date_num} {time}|2026-12-14 10:05 UTC+01:00>"  # one instant
    assert moment("2026-12-14T10:05:00+01:00") == same
    assert readable(f"at {moment(at)}.") == "at 2026-12-14 09:05 UTC."
    assert moment(None) == "-"


def test_deciders_are_named_for_people_and_customers_never_by_address():
    assert who("slack:U0ANA via slack") == "<@U0ANA>"
    assert who("staff:Ana via api") == "Ana (staff, via the API)"
    assert who("system:gap-scan via worker") == "bobot"
    assert who("customer:ana@example.com via link") == "a customer"
    assert who("staff:<!here> via api") == "&lt;!here&gt; (staff, via the API)"
    assert who(None) == "someone"


def test_counts_are_worded_in_the_singular_when_there_is_one():
    proposal = {**_alert()["proposal"], "quantity": 1, "backordersImproved": 1}
    text = as_text(alerts.alert_message(_alert(proposal=proposal)).blocks)
    assert "Acme → Speedy, 1 unit at 3.10" in text and "; 1 backorder would ship earlier" in text
    assert count(1, "backorder") == "1 backorder" and count(0, "unit") == "0 units"


def test_the_help_for_a_mention_says_where_answers_go():
    slash = as_text(lookups.help_reply("/bobot").blocks)
    mention = as_text(lookups.help_reply("@bobot").blocks)
    assert "Answers to `/bobot` are shown only to you" in slash
    assert "I answer mentions in a thread everyone here can read" in mention
