"""Replies to the read commands: shortages, sku, backorders, order, help, refusals."""

from __future__ import annotations

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
    label,
    moment,
    reliability,
    section,
)

COMMANDS = (
    ("shortages", "uncovered demand, worst first"),
    ("sku <SKU>", "availability, stock, incoming purchase orders, supplier offers"),
    ("backorders <SKU>", "the product's waiting backorders, first in line first"),
    ("order <number>", "an order's lines, shipments and backorders"),
    ("alerts", "open inventory-gap alerts"),
    (
        "insights [SKU|category]",
        "the last four weeks: fills, waits, promises, suppliers, lost demand",
    ),
    ("help", "this list"),
)


def help_reply(command: str = "/bobot", note: str = "") -> Reply:
    """The list of commands; ``note`` (mrkdwn) first says why it is shown, when it was not
    asked for."""
    lines = "\n".join(f"`{command} {name}`: {what}" for name, what in COMMANDS)
    blocks = [section(note)] if note else []
    blocks += [
        section(f"*What {command} can do*\n{lines}"),
        context(
            "Answers to `/bobot` are shown only to you. Mention the bot in a channel"
            " (`@bobot shortages`) to answer in a thread everyone there can read."
            if command.startswith("/")
            else "I answer mentions in a thread everyone here can read; `/bobot` answers only you."
        ),
    ]
    return Reply(text=note or f"What {command} can do", blocks=blocks)


def _add_me(user_id: str, ids: str, groups: str) -> str:
    you = f" (`{escape(user_id)}`)" if user_id else ""
    return (
        f"Whoever runs bobot can add your Slack user ID{you} to {ids}"
        f" or to a user group in {groups}."
    )


def refusal_reply(reason: str = "", user_id: str = "") -> Reply:
    """To someone who is not staff, seen only by them."""
    text = "Sorry, bobot only answers the shop's staff, and you are not on its list. " + _add_me(
        user_id, "SLACK_STAFF_IDS", "SLACK_STAFF_GROUPS"
    )
    blocks = [section(text)]
    if reason:
        blocks.append(context(escape(reason)))
    return Reply(text=text, blocks=blocks)


def action_refusal(user_id: str, *, staff: bool) -> str:
    """To someone who clicked a button they may not use (``staff``: they are staff, but the
    button is for approvers)."""
    if staff:
        return (
            "Sorry, only approvers can approve or reject a supplier switch, and you are not"
            " one. Nothing was changed. "
            + _add_me(user_id, "SLACK_APPROVER_IDS", "SLACK_APPROVER_GROUPS")
        )
    return (
        "Sorry, only the shop's staff can act on alerts, and you are not on bobot's list."
        " Nothing was changed. " + _add_me(user_id, "SLACK_STAFF_IDS", "SLACK_STAFF_GROUPS")
    )


def failure_reply() -> Reply:
    text = "Something went wrong on bobot's side; it has been logged. Please try again."
    return Reply(text=text, blocks=[section(text)])


def _eta(value: str | None, estimate: bool) -> str:
    return f"{day(value)}{' (estimate)' if estimate else ''}"


def shortages_reply(data: dict[str, Any]) -> Reply:
    connection = data["shortages"]
    nodes = connection["nodes"]
    if not nodes:
        text = "No shortages: every backorder is covered by a purchase order."
        return Reply(text=text, blocks=[section(f":white_check_mark: {text}")])
    blocks: list[Block] = [header(f"Shortages ({connection['totalCount']}), worst first")]
    for node in nodes:
        blocks.append(
            section(
                f"*{escape(node['sku'])}* {escape(node['product']['name'])}"
                f" · severity {node['severity']}",
                fields=[
                    f"*Uncovered*\n{node['uncovered']} of {node['backordered']} backordered",
                    f"*Available*\n{node['available']}",
                    f"*Next PO*\n{day(node['nextPurchaseOrderDate'])}",
                    f"*A new order ships*\n{_eta(node['etaForNewOrder'], node['etaIsEstimate'])}",
                ],
            )
        )
    blocks.append(
        context(f"Oldest waiting: {count(max(n['oldestBackorderAgeDays'] for n in nodes), 'day')}")
    )
    return Reply(text=count(connection["totalCount"], "shortage"), blocks=fit(blocks))


def unknown_sku_reply(sku: str) -> Reply:
    text = (
        f"No product has SKU {escape(sku)}. Check the spelling, or see `/bobot shortages`"
        " for the products that are short."
    )
    return Reply(text=text, blocks=[section(text)])


def sku_reply(data: dict[str, Any], sku: str) -> Reply:
    product = data.get("product")
    if product is None:
        return unknown_sku_reply(sku)
    availability = product["availability"]
    name = f"{escape(product['sku'])} · {escape(product['name'])}"
    blocks: list[Block] = [
        section(f"*{name}*\n{escape(availability['label'])}"),
        section(
            "*Stock*",
            fields=[
                f"*On hand*\n{product['onHand']}",
                f"*Allocated*\n{product['allocated']}",
                f"*Available*\n{product['available']}",
                f"*Backordered*\n{product['backordered']}",
                f"*Incoming*\n{product['incoming']}",
                f"*Backorders*\n{label(product['backorderPolicy'])}",
            ],
        ),
    ]
    pos = product["purchaseOrders"]
    if pos:
        lines = []
        for po in pos:
            units = sum(
                ln["quantity"] - ln["quantityReceived"]
                for ln in po["lines"]
                if ln["sku"] == product["sku"]
            )
            late = " *late*" if po["isLate"] else ""
            lines.append(
                f"• {escape(po['number'])} from {escape(po['supplier']['name'])}:"
                f" {units} due {day(po['expectedDate'])}{late}"
            )
        blocks.append(section("*Incoming purchase orders*\n" + "\n".join(lines)))
    else:
        blocks.append(context("No open purchase order brings it."))
    offers = sorted(product["supplierOffers"], key=lambda o: o["rank"])
    if offers:
        lines = [
            f"• {escape(o['supplier']['name'])}: {escape(o['unitCost'])} a unit,"
            f" {o['leadTimeDays']} days{'' if o['active'] else ' (inactive)'}"
            + (f"\n   _{note}_" if (note := reliability(o["supplier"].get("reliability"))) else "")
            for o in offers
        ]
        blocks.append(section("*Supplier offers* (preferred first)\n" + "\n".join(lines)))
    return Reply(
        text=f"{escape(product['sku'])}: {escape(availability['label'])}", blocks=fit(blocks)
    )


def backorders_reply(data: dict[str, Any], sku: str, *, limit: int = 15) -> Reply:
    product = data.get("product")
    if product is None:
        return unknown_sku_reply(sku)
    waiting = product["openBackorders"]
    title = f"*{escape(product['sku'])} · {escape(product['name'])}*"
    if not waiting:
        return Reply(
            text=f"No backorders wait for {escape(product['sku'])}.",
            blocks=[section(f"{title}\nNo backorders are waiting.")],
        )
    lines = []
    for position, b in enumerate(waiting[:limit], start=1):
        flag = " :warning: delayed" if b["isDelayed"] else ""
        lines.append(
            f"{position}. order {escape(b['order']['number'])}:"
            f" {b['quantityAllocated']}/{b['quantity']}"
            f" allocated, promised {day(b['promisedDate'])},"
            f" expected {_eta(b['expectedDate'], b['isEstimate'])}{flag}"
        )
    blocks = [
        section(
            f"{title}\n{count(len(waiting), 'backorder')},"
            f" {count(product['backordered'], 'unit')} waiting"
        )
    ]
    blocks.append(section("\n".join(lines)))
    if len(waiting) > limit:
        blocks.append(context(f"and {len(waiting) - limit} more"))
    waits = "waits" if len(waiting) == 1 else "wait"
    return Reply(
        text=f"{count(len(waiting), 'backorder')} {waits} for {escape(product['sku'])}",
        blocks=blocks,
    )


def order_reply(data: dict[str, Any], number: str) -> Reply:
    order = data.get("order")
    if order is None:
        text = f"No order has number {escape(number)}. Order numbers look like `BO-7KQ2M9XD`."
        return Reply(text=text, blocks=[section(text)])
    lines = "\n".join(
        f"• {escape(ln['sku'])} x {ln['quantity']}: {ln['quantityAllocated']} allocated,"
        f" {ln['quantityBackordered']} backordered"
        + (f", {ln['quantityCancelled']} cancelled" if ln["quantityCancelled"] else "")
        for ln in order["lines"]
    )
    blocks: list[Block] = [
        section(
            f"*Order {escape(order['number'])}* · {label(order['status'])}"
            f" · placed {moment(order['createdAt'])}\n{lines}"
        )
    ]
    if order["shipments"]:
        shipments = "\n".join(
            f"• shipment {s['id']}: {label(s['status'])} ("
            + ", ".join(f"{escape(x['sku'])} x {x['quantity']}" for x in s["lines"])
            + ")"
            for s in order["shipments"]
        )
        blocks.append(section(f"*Shipments*\n{shipments}"))
    if order["backorders"]:
        waiting = "\n".join(
            f"• {escape(b['sku'])} x {b['quantity']}: {label(b['status'])},"
            f" promised {day(b['promisedDate'])},"
            f" expected {_eta(b['expectedDate'], b['isEstimate'])}"
            + (" :warning: delayed" if b["isDelayed"] else "")
            for b in order["backorders"]
        )
        blocks.append(section(f"*Backorders*\n{waiting}"))
    return Reply(text=f"Order {escape(order['number'])}: {label(order['status'])}", blocks=blocks)


def alerts_reply(data: dict[str, Any]) -> Reply:
    connection = data["alerts"]
    nodes = connection["nodes"]
    if not nodes:
        text = "No open alerts."
        return Reply(text=text, blocks=[section(f":white_check_mark: {text}")])
    blocks: list[Block] = [header(f"Open alerts ({connection['totalCount']})")]
    for node in nodes:
        blocks.append(
            section(
                f"*{alert_kind(node['kind'])}* · {escape(node['product']['sku'])}"
                f" {escape(node['product']['name'])} · severity {node['severity']}"
                f" · alert {node['id']}\n"
                f"{escape(node['cause'])}\n_Suggested: {label(node['suggestedAction'])}_"
            )
        )
    blocks.append(divider())
    blocks.append(context("Act on an alert from its message in the alert channel."))
    return Reply(text=f"{connection['totalCount']} open alerts", blocks=fit(blocks))
