"""Alerts as messages you can act on: posted once through the outbox, decided with a button
by approvers only, edited in place with a reply in the thread."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from tests.api.client import db_snapshot
from tests.slack.conftest import ALERT_CHANNEL, APPROVER, APPROVER_2, STAFF, STRANGER
from tests.slack.store import late_po_store, run_job

from bobot.models import (
    Alert,
    AlertKind,
    AlertStatus,
    DeliveryStatus,
    PurchaseOrder,
    SupplierSwitch,
    SwitchStatus,
)
from bobot.slack import simulate
from bobot.slack.blocks import alerts as blocks
from bobot.slack.blocks.plaintext import as_text, readable


def _action_ids(message: dict) -> set[str]:
    return {
        element["action_id"]
        for block in message.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    }


def _button(message: dict, action_id: str) -> dict:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} in {message}")


async def _posted_alert(bot) -> dict:
    """The store with a late PO, its alerts delivered; the message of the PO_LATE alert
    (the one proposing a supplier switch)."""
    await late_po_store(bot.api)
    assert await bot.drain()
    rows = await bot.slack_deliveries()
    assert rows and all(r.status is DeliveryStatus.SUCCESS for r in rows), rows
    [message] = [m for m in bot.standin.messages[ALERT_CHANNEL] if blocks.APPROVE in _action_ids(m)]
    return message


def _edits_of(bot, message: dict) -> list[dict]:
    return [c.args for c in bot.standin.of("chat.update") if c.args["ts"] == message["ts"]]


def _thread_of(bot, message: dict) -> list[dict]:
    return [
        c.args
        for c in bot.standin.of("chat.postMessage")
        if c.args.get("thread_ts") == message["ts"]
    ]


async def test_a_new_alert_is_posted_once_with_its_cause_proposal_and_buttons(bot):
    number = await late_po_store(bot.api)
    await bot.drain()
    await run_job(bot.api, "gap_scan")  # nothing changed: no new delivery
    await bot.drain()
    posts = bot.standin.of("chat.postMessage")
    alerts = await Alert.all().order_by("id")
    assert len(posts) == len(alerts) >= 1  # each alert posted once, in the alert channel
    rows = await bot.slack_deliveries()  # one delivery row per alert, sent, holding its ts
    opened = [("alert.opened", f"alert:{a.id}") for a in alerts]
    assert [(r.kind, r.aggregate) for r in rows] == opened
    assert all(r.status is DeliveryStatus.SUCCESS for r in rows)
    stored = bot.standin.messages[ALERT_CHANNEL]
    assert sorted(r.external_ref or "" for r in rows) == sorted(m["ts"] for m in stored)
    assert {p.args["channel"] for p in posts} == {ALERT_CHANNEL}
    [post] = [p for p in posts if blocks.APPROVE in _action_ids(p.args)]
    text = as_text(post.args["blocks"])
    switch = await SupplierSwitch.get()
    assert f"{number} from Acme was due" in text and "8 days late" in text
    assert "Acme → Speedy, 20 units at 3.10" in text and "5 backorders would ship earlier" in text
    assert f"Cost difference +{switch.cost_difference}" in text
    assert _action_ids(post.args) == set(blocks.ACTIONS)
    assert post.args["metadata"]["event_payload"]["key"].startswith("slack:alert.opened:")


async def test_an_approver_approves_the_switch_and_the_message_shows_who_decided(bot):
    message = await _posted_alert(bot)
    approve = _button(message, blocks.APPROVE)
    await bot.click(simulate.button(blocks.APPROVE, approve["value"]), user=APPROVER,
                    message_ts=message["ts"])  # fmt: skip

    [update] = await bot.responses("click")
    assert update["replace_original"] is True
    assert blocks.APPROVE not in _action_ids(update) and blocks.REJECT not in _action_ids(update)
    assert f"approved by <@{APPROVER}>" in as_text(update["blocks"])
    switch = await SupplierSwitch.get()
    assert (
        switch.status is SwitchStatus.APPROVED
        and switch.decided_by == f"slack:{APPROVER} via slack"
    )
    new_po = await PurchaseOrder.get(id=switch.new_purchase_order_id)
    assert new_po.number in as_text(update["blocks"])

    await bot.drain()  # the decision's delivery: the message edited, a thread reply
    edits = _edits_of(bot, message)  # the decision (and the gap closing, as the PO is replaced)
    assert edits and all(blocks.APPROVE not in _action_ids(edit) for edit in edits)
    [decided] = [r["text"] for r in _thread_of(bot, message) if "approved the switch" in r["text"]]
    assert decided.startswith(f":white_check_mark: <@{APPROVER}> approved the switch")
    assert new_po.number in decided


async def test_staff_who_are_not_approvers_are_refused_and_nothing_changes(bot):
    message = await _posted_alert(bot)
    before = await db_snapshot()
    for action in (blocks.APPROVE, blocks.REJECT):
        value = _button(message, action)["value"]
        await bot.click(simulate.button(action, value), user=STAFF, message_ts=message["ts"],
                        name=action)  # fmt: skip
        [refusal] = await bot.responses(action)
        assert refusal["response_type"] == "ephemeral" and refusal["replace_original"] is False
        text = refusal["text"]
        assert text.startswith("Sorry, only approvers can approve or reject a supplier switch")
        assert "Nothing was changed" in text and f"(`{STAFF}`) to SLACK_APPROVER_IDS" in text
    assert await db_snapshot() == before
    assert (await SupplierSwitch.get()).status is SwitchStatus.PROPOSED


async def test_two_approvers_at_once_make_one_purchase_order_and_the_second_learns_who(bot):
    message = await _posted_alert(bot)
    value = _button(message, blocks.APPROVE)["value"]
    pos_before = await PurchaseOrder.all().count()
    await asyncio.gather(
        bot.click(simulate.button(blocks.APPROVE, value), user=APPROVER, message_ts=message["ts"],
                  name="first"),
        bot.click(simulate.button(blocks.APPROVE, value), user=APPROVER_2,
                  message_ts=message["ts"], name="second"),
    )  # fmt: skip
    [first] = await bot.responses("first")
    [second] = await bot.responses("second")
    assert await PurchaseOrder.all().count() == pos_before + 1
    switch = await SupplierSwitch.get()
    winner = switch.decided_by.split(":")[1].split()[0]
    told, updated = (second, first) if winner == APPROVER else (first, second)
    assert updated["replace_original"] is True
    assert told["response_type"] == "ephemeral"
    text = readable(told["text"])
    assert text == (
        f"Too late: <@{winner}> already approved this switch at"
        f" {switch.decided_at:%Y-%m-%d %H:%M} UTC. Nothing was changed."
    )
    # The loser's stale message is shown as it is now: decided, without the decision buttons.
    loser = "second" if winner == APPROVER else "first"
    [_, refreshed] = await bot.responses(loser, count=2)
    assert refreshed["replace_original"] is True and blocks.APPROVE not in _action_ids(refreshed)


async def test_a_double_click_has_one_effect(bot):
    message = await _posted_alert(bot)
    value = _button(message, blocks.APPROVE)["value"]
    for name in ("one", "two"):
        await bot.click(simulate.button(blocks.APPROVE, value), user=APPROVER,
                        message_ts=message["ts"], name=name)  # fmt: skip
        await bot.responses(name)
    [second] = await bot.responses("two")
    assert f"Too late: <@{APPROVER}> already approved this switch" in second["text"]
    assert await SupplierSwitch.filter(status=SwitchStatus.APPROVED).count() == 1
    assert await PurchaseOrder.all().count() == 2  # the late one and the new one


async def test_snoozing_for_a_day_hides_the_alert_until_then(bot):
    message = await _posted_alert(bot)
    [option] = [
        o for o in _button(message, blocks.SNOOZE)["options"] if o["text"]["text"] == "1 day"
    ]
    await bot.click(simulate.menu_choice(blocks.SNOOZE, option["value"]), user=STAFF,
                    message_ts=message["ts"])  # fmt: skip
    [update] = await bot.responses("click")
    alert = await Alert.get(kind=AlertKind.PO_LATE)
    assert alert.status is AlertStatus.SNOOZED
    assert alert.snoozed_until == bot.api.clock.now() + timedelta(days=1)
    assert "Status: Snoozed until" in as_text(update["blocks"])
    assert blocks.ACKNOWLEDGE in _action_ids(update) and blocks.SNOOZE not in _action_ids(update)

    await bot.drain()
    [reply] = _thread_of(bot, message)
    assert f"<@{STAFF}> snoozed this" in reply["text"]


async def test_acknowledging_and_pausing_backorders_are_staff_actions(bot):
    message = await _posted_alert(bot)
    ack = _button(message, blocks.ACKNOWLEDGE)
    await bot.click(simulate.button(blocks.ACKNOWLEDGE, ack["value"]), user=STAFF,
                    message_ts=message["ts"], name="ack")  # fmt: skip
    await bot.responses("ack")
    assert (await Alert.get(kind=AlertKind.PO_LATE)).status is AlertStatus.ACKNOWLEDGED
    pause = _button(message, blocks.PAUSE)
    assert pause["confirm"]["title"]["text"] == "Pause backorders?"
    await bot.click(simulate.button(blocks.PAUSE, pause["value"]), user=STAFF,
                    message_ts=message["ts"], name="pause")  # fmt: skip
    [update] = await bot.responses("pause")
    assert "backorders paused" in as_text(update["blocks"]) and blocks.PAUSE not in _action_ids(
        update
    )
    product = (await bot.api.ok('{ product(sku: "MUG") { backorderPolicy } }'))["product"]
    assert product["backorderPolicy"] == "DENY"


async def test_when_the_gap_closes_the_message_says_resolved_and_loses_its_buttons(bot):
    message = await _posted_alert(bot)
    late = await PurchaseOrder.get()
    await bot.api.mutate(
        "receivePurchaseOrder",
        "mutation($input: ReceivePurchaseOrderInput!) { receivePurchaseOrder(input: $input) {"
        " purchaseOrder { status } userErrors { code message } } }",
        {"id": str(late.id)},
    )
    await run_job(bot.api, "gap_scan")
    await bot.drain()
    [edit] = _edits_of(bot, message)
    assert _action_ids(edit) == set() and "Status: Resolved" in as_text(edit["blocks"])
    [reply] = _thread_of(bot, message)
    assert "Resolved at" in reply["text"]


async def test_pausing_keeps_the_backorder_limit_and_resume_brings_backorders_back(bot):
    message = await _posted_alert(bot)
    ends = (bot.api.clock.now() + timedelta(days=60)).replace(microsecond=0)
    await bot.api.mutate(
        "setBackorderPolicy",
        "mutation($input: SetBackorderPolicyInput!) { setBackorderPolicy(input: $input) {"
        " product { sku } userErrors { code field message } } }",
        {"sku": "MUG", "policy": "ALLOW", "backorderLimit": 50,
         "backordersEndAt": ends.isoformat()},
    )  # fmt: skip
    policy = '{ product(sku: "MUG") { backorderPolicy backorderLimit backordersEndAt } }'
    pause = _button(message, blocks.PAUSE)
    await bot.click(simulate.button(blocks.PAUSE, pause["value"]), user=STAFF,
                    message_ts=message["ts"], name="pause")  # fmt: skip
    [paused] = await bot.responses("pause")
    product = (await bot.api.ok(policy))["product"]
    assert (product["backorderPolicy"], product["backorderLimit"]) == ("DENY", 50)
    assert datetime.fromisoformat(product["backordersEndAt"]) == ends
    assert _action_ids(paused) & {blocks.PAUSE, blocks.RESUME} == {blocks.RESUME}

    resume = _button(paused, blocks.RESUME)
    await bot.click(simulate.button(blocks.RESUME, resume["value"]), user=STAFF,
                    message_ts=message["ts"], name="resume")  # fmt: skip
    [resumed] = await bot.responses("resume")
    product = (await bot.api.ok(policy))["product"]
    assert (product["backorderPolicy"], product["backorderLimit"]) == ("ALLOW", 50)
    assert datetime.fromisoformat(product["backordersEndAt"]) == ends
    assert "backorders paused" not in as_text(resumed["blocks"])
    assert _action_ids(resumed) & {blocks.PAUSE, blocks.RESUME} == {blocks.PAUSE}


async def test_a_stranger_cannot_pause_or_resume(bot):
    message = await _posted_alert(bot)
    before = await db_snapshot()
    pause = _button(message, blocks.PAUSE)
    await bot.click(simulate.button(blocks.PAUSE, pause["value"]), user=STRANGER,
                    message_ts=message["ts"])  # fmt: skip
    [refusal] = await bot.responses("click")
    assert refusal["response_type"] == "ephemeral" and "Nothing was changed" in refusal["text"]
    assert await db_snapshot() == before
