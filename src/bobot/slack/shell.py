"""``bobot slack-shell``: talk to the bot without a Slack workspace.

It serves a Slack Web API stand-in on 127.0.0.1, builds the real app on the configured
database (``make run``'s demo store by default) with the bot pointed at that stand-in, sends
the slash command or the click signed, through the same ``POST /slack/events`` handler, and
prints the reply and whatever the bot posted, as readable text.
"""

from __future__ import annotations

import secrets
import sys
from dataclasses import replace
from typing import TextIO

import httpx

from bobot.config import Settings
from bobot.outbox.types import Channel, OutgoingDelivery
from bobot.slack import simulate
from bobot.slack.blocks.plaintext import as_text, readable
from bobot.slack.standin import Call, SlackStandIn, running_standin

SHELL_USER = "U0SHELL"
SHELL_CHANNEL = "C0SHELL"
ROLES = ("approver", "staff", "stranger")


def shell_settings(settings: Settings, api_url: str, *, user: str, role: str) -> Settings:
    staff = set(settings.slack_staff_ids)
    approvers = set(settings.slack_approver_ids)
    if role in ("approver", "staff"):
        staff.add(user)
    if role == "approver":
        approvers.add(user)
    else:
        approvers.discard(user)
    if role == "stranger":
        staff.discard(user)
    return replace(
        settings,
        slack_bot_token="xoxb-slack-shell",
        slack_signing_secret=secrets.token_hex(16),
        slack_api_url=api_url,
        slack_alert_channel=SHELL_CHANNEL,
        slack_staff_ids=frozenset(staff),
        slack_approver_ids=frozenset(approvers),
        slack_app_token="",
    )


def render_call(call: Call) -> str:
    args = call.args
    if call.method == "response_url":
        private = args.get("response_type") == "ephemeral" or not args.get("replace_original")
        title = "--- reply (only you see)" if private else "--- the clicked message, updated"
    elif call.method == "chat.postMessage" and args.get("thread_ts"):
        title = f"--- thread reply in {args.get('channel')} under {args['thread_ts']}"
    else:
        title = f"--- {call.method} {args.get('channel', args.get('user_id', ''))}".rstrip()
    body = as_text(args.get("blocks") or (args.get("view") or {}).get("blocks") or [])
    return f"{title}\n{body or readable(str(args.get('text', '')))}"


def _request(config: Settings, standin: SlackStandIn, user: str, text: str | None,
             click: tuple[str, str] | None) -> str:  # fmt: skip
    response_url = standin.response_url("shell")
    if click is None:
        return simulate.slash_command(text or "help", user_id=user, response_url=response_url)
    action_id, value = click
    action = (
        simulate.menu_choice(action_id, value)
        if action_id == "alert_snooze"
        else simulate.button(action_id, value)
    )
    return simulate.block_action(
        action, user_id=user, response_url=response_url, channel_id=SHELL_CHANNEL
    )


async def _show_alert(settings: Settings, alert_id: str, schema: object, out: TextIO) -> None:
    from bobot.slack.transport import SlackTransport

    transport = SlackTransport(settings, schema)  # type: ignore[arg-type]
    result = await transport.send(
        OutgoingDelivery(
            id=0, channel=Channel.SLACK, recipient=SHELL_CHANNEL, kind="alert.opened",
            aggregate=f"alert:{alert_id}", payload={"alert_id": alert_id},
            idempotency_key=f"slack-shell:{secrets.token_hex(4)}", attempt=1, thread_ref=None,
        )
    )  # fmt: skip
    if not result.ok:
        print(f"(no alert {alert_id}: {result.error})", file=out)


async def run(
    settings: Settings,
    *,
    text: str | None = None,
    click: tuple[str, str] | None = None,
    alert: str | None = None,
    user: str = SHELL_USER,
    role: str = "approver",
    out: TextIO = sys.stdout,
) -> int:
    """Send one command or click (or post one alert) through the bot; print what it says."""
    from bobot.app import create_app

    async with running_standin() as standin:
        config = shell_settings(settings, standin.api_url, user=user, role=role)
        app = create_app(config)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://bobot", timeout=60) as http,
        ):
            if alert is not None:
                await _show_alert(config, alert, app.state.schema, out)
            else:
                body = _request(config, standin, user, text, click)
                headers = simulate.signed_headers(
                    config.slack_signing_secret, body, content_type=simulate.FORM
                )
                response = await http.post("/slack/events", content=body, headers=headers)
                if response.status_code != 200:
                    print(f"bobot answered HTTP {response.status_code}: {response.text}", file=out)
                    return 1
                reply = response.json() if response.content else {}
                if reply:
                    text_reply = as_text(reply.get("blocks") or []) or reply.get("text", "")
                    print(f"--- reply (only you see)\n{text_reply}", file=out)
                if click is not None or reply.get("text") == "Working on it…":
                    # The rest comes after the ack, by response_url.
                    await standin.wait_for(
                        lambda calls: any(c.method == "response_url" for c in calls), within=60
                    )
        for call in standin.calls:
            if call.method != "auth.test":
                print(render_call(call), file=out)
    return 0
