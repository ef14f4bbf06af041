"""The daily digest and the App Home tab."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bobot.slack.blocks.text import (
    Block,
    Reply,
    alert_kind,
    context,
    count,
    day,
    divider,
    escape,
    fit,
    header,
    section,
)


def _shortages(data: dict[str, Any]) -> list[Block]:
    connection = data["shortages"]
    if not connection["nodes"]:
        return [section("*Top shortages*\nNone: every backorder is covered.")]
    lines = [
        f"• *{escape(n['sku'])}* {escape(n['product']['name'])}: {n['uncovered']} of"
        f" {n['backordered']} uncovered, next PO {day(n['nextPurchaseOrderDate'])}"
        for n in connection["nodes"]
    ]
    return [section(f"*Top shortages* ({connection['totalCount']} in all)\n" + "\n".join(lines))]


def _alerts(data: dict[str, Any]) -> list[Block]:
    connection = data["alerts"]
    if not connection["nodes"]:
        return [section("*Open alerts*\nNone.")]
    lines = [
        f"• {alert_kind(n['kind'])} · {escape(n['product']['sku'])}: {escape(n['cause'])}"
        for n in connection["nodes"]
    ]
    return [section(f"*Open alerts* ({connection['totalCount']})\n" + "\n".join(lines))]


def promises_at_risk(data: dict[str, Any], today: date) -> list[dict[str, Any]]:
    """Waiting backorders promised by the end of the coming week whose date no longer holds
    (expected after the promise) or rests on an estimate."""
    end = today + timedelta(days=7)
    nodes = [*data["waiting"]["nodes"], *data["partly"]["nodes"]]
    return sorted(
        (
            b
            for b in nodes
            if date.fromisoformat(b["promisedDate"]) <= end
            and (b["isDelayed"] or b["isEstimate"] or b["expectedDate"] > b["promisedDate"])
        ),
        key=lambda b: (b["promisedDate"], int(b["id"])),
    )


def digest_reply(data: dict[str, Any], today: date, *, limit: int = 15) -> Reply:
    at_risk = promises_at_risk(data, today)
    if at_risk:
        lines = [
            f"• order {escape(b['order']['number'])}, {escape(b['sku'])} x {b['quantity']}:"
            f" promised {day(b['promisedDate'])}, expected {day(b['expectedDate'])}"
            + (" (estimate)" if b["isEstimate"] else "")
            for b in at_risk[:limit]
        ]
        more = f"\nand {len(at_risk) - limit} more" if len(at_risk) > limit else ""
        risk = section(f"*Promises at risk this week* ({len(at_risk)})\n" + "\n".join(lines) + more)
    else:
        risk = section("*Promises at risk this week*\nNone.")
    blocks: list[Block] = [
        header(f"bobot daily digest, {today:%A} {today.day} {today:%B}"),
        *_shortages(data),
        *_alerts(data),
        risk,
    ]
    shortages = data["shortages"]["totalCount"]
    alerts = data["alerts"]["totalCount"]
    return Reply(
        text=f"Daily digest: {count(shortages, 'shortage')}, {count(alerts, 'open alert')},"
        f" {count(len(at_risk), 'promise')} at risk",
        blocks=fit(blocks),
    )


def home_view(data: dict[str, Any] | None, *, refusal: str = "") -> dict[str, Any]:
    """The App Home tab: the open alerts and the top shortages."""
    if data is None:
        return {
            "type": "home",
            "blocks": [section(refusal or "bobot answers the shop's staff only.")],
        }
    blocks: list[Block] = [header("bobot"), *_alerts(data), divider(), *_shortages(data)]
    blocks.append(context("Try `/bobot help` for the commands."))
    return {"type": "home", "blocks": fit(blocks)}
