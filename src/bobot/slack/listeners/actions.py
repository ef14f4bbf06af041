"""The alert message's buttons and menu: approve, reject, acknowledge, snooze, pause, resume.

Each click acks at once, then runs one mutation as the clicking user; the schema's
permission classes decide (approval needs the approver capability, checked at click time,
with approver user groups read afresh). On success the clicked message is re-rendered in
place (``response_url``, buttons gone where they no longer apply); the thread reply saying who
decided what comes through the outbox from the recorded event. A refusal or a lost race is
told only to the clicker, and nothing changes; after a lost race the clicked message is
re-rendered too, as it is now.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bobot.graphql.context import Viewer
from bobot.slack.blocks import alerts as alert_blocks
from bobot.slack.blocks import lookups
from bobot.slack.blocks.text import context, escape, moment, who
from bobot.slack.runner import OperationResult

if TYPE_CHECKING:
    from bobot.slack.app import SlackBot

log = logging.getLogger("bobot.slack")

REJECT_REASON = "Rejected in Slack"
CANCEL_LATE_FIELD = "cancelLatePurchaseOrder"


def _user_errors(result: OperationResult, field: str) -> list[dict[str, Any]]:
    payload = (result.data or {}).get(field) or {}
    return list(payload.get("userErrors") or [])


async def _tell(respond: Any, text: str) -> None:
    await respond(text=text, response_type="ephemeral", replace_original=False)


async def settle_click(
    bot: SlackBot, viewer: Viewer, alert_id: str, result: OperationResult, field: str, respond: Any
) -> None:
    """Tell the clicker what happened; on success, re-render the alert message in place."""
    if result.refused:
        user_id = viewer.slack_user or ""
        await _tell(respond, lookups.action_refusal(user_id, staff=viewer.is_staff))
        return
    if result.failed or result.data is None:
        log.error("Slack click on %s: %s %s", field, result.codes, result.messages)
        await _tell(respond, "Something went wrong on bobot's side; nothing was changed.")
        return
    errors = _user_errors(result, field)
    current = await bot.operations.run("SlackAlert", viewer, id=alert_id)
    alert = (current.data or {}).get("alert")
    if errors:
        await _tell(respond, _error_text(errors))
        if alert is not None:  # the clicked message may be stale: show it as it is now
            message = alert_blocks.alert_message(alert)
            await respond(text=message.text, blocks=message.blocks, replace_original=True)
        return
    if alert is None:
        return
    message = alert_blocks.alert_message(alert)
    decided = _decision(result, field)
    if decided and decided not in json.dumps(message.blocks):
        # A decided switch may no longer hang on its alert: say the decision from the result.
        message.blocks.insert(len(message.blocks) - 1, context(decided))
    await respond(text=message.text, blocks=message.blocks, replace_original=True)


#: ``ALREADY_DECIDED``'s message (bobot.services.switches): what, who, when.
_DECIDED = re.compile(r"^Switch \S+ was already (\w+) by (.+) at (\S+)\.$")


def _error_text(errors: list[dict[str, Any]]) -> str:
    """A click's user errors for the clicker; a decision someone else made first is told with
    the decider named for people and the time in the reader's time zone."""
    told = []
    for error in errors:
        found = _DECIDED.match(error.get("message", ""))
        if error.get("code") == "ALREADY_DECIDED" and found:
            status, decider, at = found.groups()
            when = moment(at) if "T" in at else escape(at)
            told.append(f"Too late: {who(decider)} already {status} this switch at {when}.")
        else:
            told.append(escape(error.get("message", "")))
    return " ".join(told) + " Nothing was changed."


def _decision(result: OperationResult, field: str) -> str:
    payload = (result.data or {}).get(field) or {}
    switch = payload.get("switch")
    if not switch:
        return ""
    return alert_blocks.decision_line({**switch, "newPurchaseOrder": payload.get("purchaseOrder")})


def register(app: AsyncApp, bot: SlackBot) -> None:
    async def click(
        body: dict[str, Any], respond: Any, operation: str, field: str, alert_id: str,
        deciding: bool = False, **vars: Any,
    ) -> None:  # fmt: skip
        viewer = await bot.viewer(body["user"]["id"], deciding=deciding)
        result = await bot.operations.run(operation, viewer, **vars)
        await settle_click(bot, viewer, alert_id, result, field, respond)

    @app.action(alert_blocks.APPROVE)
    async def approve(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await ack()
        alert_id, switch_id = alert_blocks.parse_value(action["value"])
        viewer = await bot.viewer(body["user"]["id"], deciding=True)
        result = await bot.operations.run("SlackApproveSwitch", viewer, id=switch_id)
        kept = [
            e["message"]
            for e in _user_errors(result, "approveSupplierSwitch")
            if e.get("field") == [CANCEL_LATE_FIELD]
        ]
        if kept:  # the late PO cannot be cut back here: approve and keep it
            result = await bot.operations.run(
                "SlackApproveSwitch", viewer, id=switch_id, cancelLate=False
            )
        await settle_click(bot, viewer, alert_id, result, "approveSupplierSwitch", respond)
        if kept and not result.codes and not _user_errors(result, "approveSupplierSwitch"):
            await _tell(respond, f"Approved. {escape(kept[0])} It was kept as it is.")

    @app.action(alert_blocks.REJECT)
    async def reject(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await ack()
        alert_id, switch_id = alert_blocks.parse_value(action["value"])
        await click(body, respond, "SlackRejectSwitch", "rejectSupplierSwitch", alert_id,
                    deciding=True, id=switch_id, reason=REJECT_REASON)  # fmt: skip

    @app.action(alert_blocks.ACKNOWLEDGE)
    async def acknowledge(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any
    ) -> None:
        await ack()
        alert_id, _ = alert_blocks.parse_value(action["value"])
        await click(body, respond, "SlackAcknowledgeAlert", "acknowledgeAlert", alert_id,
                    id=alert_id)  # fmt: skip

    @app.action(alert_blocks.SNOOZE)
    async def snooze(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await ack()
        alert_id, _, seconds = action["selected_option"]["value"].partition(":")
        until = bot.deps.now() + timedelta(seconds=int(seconds))
        await click(body, respond, "SlackSnoozeAlert", "snoozeAlert", alert_id,
                    id=alert_id, until=until.isoformat())  # fmt: skip

    async def set_policy(body: dict[str, Any], action: dict[str, Any], respond: Any,
                         operation: str) -> None:  # fmt: skip
        """Pause or resume, keeping the product's limit and end date as they are now."""
        alert_id, _, sku = action["value"].partition(":")
        viewer = await bot.viewer(body["user"]["id"])
        current = await bot.operations.run("SlackAlert", viewer, id=alert_id)
        product = ((current.data or {}).get("alert") or {}).get("product") or {}
        kept = {"limit": None, "endsAt": None}
        if product.get("sku") == sku:
            kept = {
                "limit": product.get("backorderLimit"),
                "endsAt": product.get("backordersEndAt"),
            }
        result = await bot.operations.run(operation, viewer, sku=sku, **kept)
        await settle_click(bot, viewer, alert_id, result, "setBackorderPolicy", respond)

    @app.action(alert_blocks.PAUSE)
    async def pause(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await ack()
        await set_policy(body, action, respond, "SlackPauseBackorders")

    @app.action(alert_blocks.RESUME)
    async def resume(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await ack()
        await set_policy(body, action, respond, "SlackResumeBackorders")
