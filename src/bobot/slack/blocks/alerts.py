"""An alert as a message you can act on, and the short thread replies that follow it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bobot.slack.blocks.text import (
    Block,
    Reply,
    alert_kind,
    context,
    count,
    day,
    escape,
    header,
    label,
    moment,
    plain,
    reliability,
    section,
    who,
)

APPROVE = "switch_approve"
REJECT = "switch_reject"
ACKNOWLEDGE = "alert_acknowledge"
SNOOZE = "alert_snooze"
PAUSE = "backorders_pause"
RESUME = "backorders_resume"  # shown instead of PAUSE once backorders are paused
ACTIONS = (APPROVE, REJECT, ACKNOWLEDGE, SNOOZE, PAUSE)

#: The snooze menu: label -> seconds.
SNOOZE_CHOICES = (("1 hour", 3600), ("1 day", 86400), ("1 week", 604800))


def alert_value(alert_id: str, switch_id: str | None = None) -> str:
    """A button's value: the alert (and the switch it proposes)."""
    return f"{alert_id}:{switch_id or ''}"


def parse_value(value: str) -> tuple[str, str | None]:
    alert_id, _, switch_id = value.partition(":")
    return alert_id, switch_id or None


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": plain(text, 75),
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def _actions(alert: Mapping[str, Any]) -> list[dict[str, Any]]:
    if alert["status"] == "RESOLVED":
        return []
    proposal = alert.get("proposal")
    switch_id = proposal["id"] if proposal else None
    value = alert_value(alert["id"], switch_id)
    elements: list[dict[str, Any]] = []
    if proposal and proposal["status"] == "PROPOSED":
        elements.append(_button("Approve switch", APPROVE, value, "primary"))
        elements.append(_button("Reject", REJECT, value))
    if alert["status"] in ("OPEN", "SNOOZED"):
        elements.append(_button("Acknowledge", ACKNOWLEDGE, value))
    if alert["status"] in ("OPEN", "ACKNOWLEDGED"):
        elements.append(
            {
                "type": "static_select",
                "action_id": SNOOZE,
                "placeholder": plain("Snooze"),
                "options": [
                    {"text": plain(text), "value": f"{alert['id']}:{seconds}"}
                    for text, seconds in SNOOZE_CHOICES
                ],
            }
        )
    product = alert["product"]
    if product.get("backorderPolicy") == "ALLOW":
        pause = _button("Pause backorders", PAUSE, f"{alert['id']}:{product['sku']}", "danger")
        pause["confirm"] = {
            "title": plain("Pause backorders?"),
            "text": {
                "type": "mrkdwn",
                "text": f"{escape(product['sku'])} will stop taking backorders until staff"
                " allow them again. Orders already placed keep their place.",
            },
            "confirm": plain("Pause"),
            "deny": plain("Cancel"),
            "style": "danger",
        }
        elements.append(pause)
    elif product.get("backorderPolicy") == "DENY":
        elements.append(_button("Resume backorders", RESUME, f"{alert['id']}:{product['sku']}"))
    return elements


def _proposal_lines(proposal: Mapping[str, Any]) -> str:
    source = proposal["fromSupplier"]["name"] if proposal.get("fromSupplier") else "no supplier"
    difference = str(proposal["costDifference"])
    sign = "" if difference.startswith("-") else "+"
    lines = (
        f"*Proposed switch:* {escape(source)} → *{escape(proposal['toSupplier']['name'])}*,"
        f" {count(proposal['quantity'], 'unit')} at {escape(proposal['unitCost'])},"
        f" arriving {day(proposal['newExpectedDate'])}\n"
        f"Cost difference {sign}{escape(difference)};"
        f" {count(proposal['backordersImproved'], 'backorder')} would ship earlier"
    )
    for side in ("toSupplier", "fromSupplier"):
        supplier = proposal.get(side) or {}
        note = reliability(supplier.get("reliability"))
        if note:
            lines += f"\n_{escape(supplier['name'])}: {note}_"
    return lines


def decision_line(proposal: Mapping[str, Any]) -> str:
    """Who decided the switch, what and when (once it is decided)."""
    status = proposal["status"]
    if status == "PROPOSED":
        return ""
    when = moment(proposal.get("decidedAt"))
    line = f"Switch *{status.lower()}* by {who(proposal.get('decidedBy'))} at {when}"
    po = proposal.get("newPurchaseOrder")
    if status == "APPROVED" and po:
        line += f": {escape(po['number'])}, expected {day(po['expectedDate'])}"
    if status == "REJECTED" and proposal.get("reason"):
        line += f" ({escape(proposal['reason'])})"
    return line


def alert_message(alert: Mapping[str, Any]) -> Reply:
    """The alert channel's message for one alert, with the buttons that apply now."""
    product = alert["product"]
    title = f"{alert_kind(alert['kind'])}: {product['sku']} {product['name']}"
    status = alert["status"]
    blocks: list[Block] = [
        header(title),
        section(
            f"{escape(alert['cause'])}\n*Suggested:* {label(alert['suggestedAction'])}"
            f" · severity {alert['severity']}"
        ),
    ]
    proposal = alert.get("proposal")
    if proposal and "toSupplier" in proposal:
        blocks.append(section(_proposal_lines(proposal)))
        decided = decision_line(proposal)
        if decided:
            blocks.append(context(decided))
    state = f"Status: *{label(status)}*"
    if status == "SNOOZED" and alert.get("snoozedUntil"):
        state += f" until {moment(alert['snoozedUntil'])}"
    if status == "RESOLVED":
        state += f" at {moment(alert.get('resolvedAt'))}"
    if product.get("backorderPolicy") == "DENY":
        state += " · backorders paused"
    blocks.append(context(state))
    actions = _actions(alert)
    if actions:
        blocks.append({"type": "actions", "block_id": f"alert:{alert['id']}", "elements": actions})
    return Reply(text=f"{escape(title)}: {escape(alert['cause'])}", blocks=blocks)


def thread_reply(kind: str, payload: Mapping[str, Any]) -> str:
    """The short reply under an alert's message: what changed, who did it, when."""
    when = moment(payload.get("at"))
    actor = who(payload.get("actor"))
    event = payload.get("event", "")
    if kind == "alert.resolved":
        return f":white_check_mark: Resolved at {when}: the gap has closed."
    if kind == "switch.decided":
        if event == "SWITCH_APPROVED":
            po = escape(payload.get("purchase_order", ""))
            return (
                f":white_check_mark: {actor} approved the switch at {when}:"
                f" {po} for {count(int(payload.get('quantity') or 0), 'unit')},"
                f" expected {day(payload.get('expected_date'))}."
            )
        if event == "SWITCH_REJECTED":
            return (
                f":x: {actor} rejected the switch at {when}: {escape(payload.get('reason', ''))}."
            )
        return f"The proposed switch expired at {when}: the alert resolved first."
    if event == "ALERT_ACKNOWLEDGED":
        return f":eyes: {actor} acknowledged this at {when}."
    if event == "ALERT_SNOOZED":
        return f":zzz: {actor} snoozed this at {when} until {moment(payload.get('until'))}."
    if event == "ALERT_UPDATED":  # each changed field as {"from", "to"}
        parts = []
        cause, severity = payload.get("cause"), payload.get("severity")
        if isinstance(cause, Mapping):
            parts.append(escape(cause.get("to", "")))
        if isinstance(severity, Mapping):
            parts.append(f"severity {severity.get('from')} → {severity.get('to')}")
        return f":bar_chart: New numbers at {when}: " + ("; ".join(parts) or "the fix changed")
    if event == "ALERT_REOPENED":
        return f":rotating_light: Open again at {when}: {escape(payload.get('cause', ''))}"
    cause = escape(payload.get("cause", ""))
    return f"Updated at {when}: {cause} (severity {payload.get('severity')})"
