"""Slack's requests, signed as Slack signs them: slash commands, clicks, events.

``bobot slack-shell``, the tests and the benchmark send these to ``POST /slack/events``.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

TEAM = "T0STANDIN"


def signed_headers(
    secret: str, body: str, *, timestamp: int | None = None, content_type: str
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body) or ""
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": signature,
    }


def slash_command(
    text: str, *, user_id: str, response_url: str, command: str = "/bobot",
    channel_id: str = "C0STAFF",
) -> str:  # fmt: skip
    """The form body of ``/bobot <text>``."""
    return urlencode(
        {
            "token": "unused", "team_id": TEAM, "team_domain": "standin",
            "channel_id": channel_id, "channel_name": "staff", "user_id": user_id,
            "user_name": user_id.lower(), "command": command, "text": text,
            "api_app_id": "A0BOBOT", "response_url": response_url,
            "trigger_id": "1.2.3",
        }
    )  # fmt: skip


def block_action(
    action: dict[str, Any], *, user_id: str, response_url: str, channel_id: str = "C0ALERTS",
    message_ts: str = "1700000000.000001",
) -> str:  # fmt: skip
    """The form body of a click on ``action`` (a button or a menu choice) in a message."""
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "standin"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM},
        "api_app_id": "A0BOBOT",
        "token": "unused",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel_id,
                      "is_ephemeral": False},
        "trigger_id": "1.2.3",
        "channel": {"id": channel_id, "name": "alerts"},
        "message": {"type": "message", "ts": message_ts, "user": "UBOBOT", "text": ""},
        "response_url": response_url,
        "actions": [{**action, "block_id": "alert", "action_ts": "1700000001.000001"}],
    }  # fmt: skip
    return urlencode({"payload": json.dumps(payload)})


def button(action_id: str, value: str) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "value": value}


def menu_choice(action_id: str, value: str) -> dict[str, Any]:
    option = {"value": value, "text": {"type": "plain_text", "text": value}}
    return {"type": "static_select", "action_id": action_id, "selected_option": option}


def event_callback(event: dict[str, Any], *, event_id: str) -> str:
    """The JSON body of an Events API delivery."""
    return json.dumps(
        {
            "token": "unused", "team_id": TEAM, "api_app_id": "A0BOBOT", "event": event,
            "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": "UBOBOT", "is_bot": True}],
        }
    )  # fmt: skip


def mention(
    text: str, *, user_id: str, channel: str = "C0STAFF", ts: str = "1700000100.000001"
) -> dict[str, Any]:
    return {"type": "app_mention", "user": user_id, "text": f"<@UBOBOT> {text}", "ts": ts,
            "channel": channel, "event_ts": ts}  # fmt: skip


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
