"""``/bobot <command>`` and the same on an @mention: read-only lookups."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bobot.errors import ErrorCode
from bobot.slack.blocks import insights, lookups
from bobot.slack.blocks.text import Reply, escape

if TYPE_CHECKING:
    from bobot.graphql.context import Viewer
    from bobot.slack.app import SlackBot

log = logging.getLogger("bobot.slack")

_MENTION = re.compile(r"<@[A-Z0-9]+(\|[^>]*)?>")


@dataclass(frozen=True, slots=True)
class Answer:
    reply: Reply
    refused: bool = False


_NO_ARGUMENT = ("shortages", "alerts", "help")
_ONE_ARGUMENT = {"sku": "a SKU", "backorders": "a SKU", "order": "an order number"}
_EXAMPLES = {"sku": "MUG-01", "backorders": "MUG-01", "order": "BO-7KQ2M9XD"}
#: The field that is null when a lookup by argument matched nothing.
_FOUND_IN = {"sku": "product", "backorders": "product", "order": "order"}


def parse(text: str) -> tuple[str, str]:
    """``"sku  MUG-01"`` -> ``("sku", "MUG-01")``; anything unknown -> ``("help", "")``."""
    words = _MENTION.sub(" ", text).split()
    if not words:
        return "help", ""
    command, args = words[0].lower(), words[1:]
    if command in _NO_ARGUMENT and not args:
        return command, ""
    if command in _ONE_ARGUMENT and len(args) == 1:
        return command, args[0]
    if command == "insights":  # a SKU, a category (which may hold spaces) or nothing
        return command, " ".join(args)
    return "help", ""


def why_help(text: str, command: str = "/bobot") -> str:
    """Why input that is not a command gets the help text, said to a person ("" when help
    was asked for)."""
    words = _MENTION.sub(" ", text).split()
    if not words or words[0].lower() == "help":
        return ""
    first = words[0].lower()
    if first in _ONE_ARGUMENT:
        example = f"`{command} {first} {_EXAMPLES[first]}`"
        if len(words) == 1:
            return f"`{command} {first}` needs {_ONE_ARGUMENT[first]}, for example {example}."
        return f"`{command} {first}` takes just {_ONE_ARGUMENT[first]}, for example {example}."
    if first in _NO_ARGUMENT:
        return f"`{command} {first}` takes nothing after it."
    return f"Sorry, I don't know `{escape(words[0][:40])}`. Here is what I can do:"


def candidates(name: str, arg: str) -> list[str]:
    """What to look up for ``arg``, in order: as typed, then as the shop writes it (SKUs in
    capitals; order numbers in capitals, without ``#``, with their ``BO-``)."""
    found = [arg]
    if name == "order":
        bare = arg.lstrip("#").upper()
        found += [bare, bare if bare.startswith("BO-") else f"BO-{bare}"]
    else:
        found.append(arg.upper())
    return list(dict.fromkeys(found))


async def answer(bot: SlackBot, user_id: str, text: str, *, command: str = "/bobot") -> Answer:
    """What the bot says to ``text`` from ``user_id``: one operation, rendered (run again
    with the argument as the shop writes it when nothing matched it as typed)."""
    viewer = await bot.viewer(user_id)
    name, arg = parse(text)
    if name == "help":
        if not viewer.is_staff:
            return Answer(lookups.refusal_reply(user_id=user_id), refused=True)
        return Answer(lookups.help_reply(command, why_help(text, command)))
    if name == "insights":
        return await _insights(bot, viewer, arg, user_id)
    operation, variables, render = _COMMANDS[name]
    for value in candidates(name, arg):
        try:
            result = await bot.operations.run(operation, viewer, **variables(value))
        except Exception:
            log.exception("Slack command %r failed", name)
            return Answer(lookups.failure_reply())
        if result.refused:
            return Answer(lookups.refusal_reply(result.refusal, user_id), refused=True)
        if result.failed or result.data is None:
            log.error("Slack command %r: %s %s", name, result.codes, result.messages)
            return Answer(lookups.failure_reply())
        if name not in _FOUND_IN or result.data.get(_FOUND_IN[name]) is not None:
            break
    return Answer(render(result.data, arg))


#: Days ``/bobot insights`` looks back over, today included.
INSIGHTS_DAYS = 28


async def _insights(bot: SlackBot, viewer: Viewer, arg: str, user_id: str) -> Answer:
    """The last four weeks' insights of the whole shop, of a SKU or else of a category."""
    today = bot.deps.today()
    span = {
        "from": (today - timedelta(days=INSIGHTS_DAYS - 1)).isoformat(),
        "to": today.isoformat(),
    }
    tries = (
        [({"sku": arg}, arg), ({"category": arg}, f"category {arg}")]
        if arg
        else [({}, "all products")]
    )
    for filters, scope in tries:
        try:
            result = await bot.operations.run("SlackInsights", viewer, **span, **filters)
        except Exception:
            log.exception("Slack command 'insights' failed")
            return Answer(lookups.failure_reply())
        if result.refused:
            return Answer(lookups.refusal_reply(result.refusal, user_id), refused=True)
        if result.data is not None and not result.failed:
            return Answer(insights.insights_reply(result.data, scope))
        if ErrorCode.UNKNOWN_SKU.value not in result.reasons:  # not a SKU: try it as a category
            log.error("Slack command 'insights': %s %s", result.codes, result.messages)
            return Answer(lookups.failure_reply())
    return Answer(lookups.failure_reply())  # pragma: no cover - the category try answers


_COMMANDS: dict[str, tuple[str, Any, Any]] = {
    "shortages": (
        "SlackShortages",
        lambda arg: {},
        lambda data, arg: lookups.shortages_reply(data),
    ),
    "alerts": ("SlackOpenAlerts", lambda arg: {}, lambda data, arg: lookups.alerts_reply(data)),
    "sku": ("SlackSku", lambda arg: {"sku": arg}, lookups.sku_reply),
    "backorders": ("SlackBackorders", lambda arg: {"sku": arg}, lookups.backorders_reply),
    "order": ("SlackOrder", lambda arg: {"number": arg}, lookups.order_reply),
}


def register(app: AsyncApp, bot: SlackBot) -> None:
    @app.command("/bobot")
    async def bobot_command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        work = asyncio.ensure_future(
            answer(bot, command["user_id"], command.get("text", ""), command=command["command"])
        )
        try:
            done = await asyncio.wait_for(asyncio.shield(work), bot.answer_in_ack_within)
        except TimeoutError:
            await ack(text="Working on it…", response_type="ephemeral")
            late = await work
            await respond(
                text=late.reply.text,
                blocks=late.reply.blocks,
                response_type="ephemeral",
                replace_original=True,
            )
            return
        await ack(text=done.reply.text, blocks=done.reply.blocks, response_type="ephemeral")

    @app.event("app_mention")
    async def mentioned(event: dict[str, Any], say: Any, client: Any) -> None:
        said = await answer(bot, event["user"], event.get("text", ""), command="@bobot")
        if said.refused:
            await client.chat_postEphemeral(
                channel=event["channel"],
                user=event["user"],
                text=said.reply.text,
                blocks=said.reply.blocks,
            )
            return
        await say(
            text=said.reply.text,
            blocks=said.reply.blocks,
            thread_ts=event.get("thread_ts") or event["ts"],
        )
