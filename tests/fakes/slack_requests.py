"""Requests as Slack sends them to an app: signed slash commands, block actions, view submissions.

Tests POST these bodies to the bot's ``/slack/events`` endpoint (over HTTP, signed) or wrap the
payload dicts in a Socket Mode envelope, so bolt's own parsing and signature checks run for real.
Shapes follow Slack's documented payloads (and bolt-python's scenario tests).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any
from urllib.parse import quote, urlencode

FORM = "application/x-www-form-urlencoded"


def sign(body: str, signing_secret: str, timestamp: int) -> str:
    """Slack's v0 signature: HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the signing secret."""
    base = f"v0:{timestamp}:{body}".encode()
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def signed_headers(
    body: str,
    signing_secret: str,
    timestamp: int | None = None,
    content_type: str = FORM,
) -> dict[str, str]:
    """Headers Slack sends with a request body: timestamp, v0 signature and content type."""
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(body, signing_secret, ts),
    }


# ---------------------------------------------------------------------- slash commands


def slash_command_payload(
    command: str,
    text: str,
    user_id: str,
    channel_id: str = "C1",
    team_id: str = "T1",
    response_url: str = "",
    trigger_id: str = "trig-1",
    user_name: str = "",
    channel_name: str = "",
    api_app_id: str = "A1",
) -> dict[str, str]:
    """A slash command's fields, in Slack's order (the Socket Mode ``payload`` is this dict)."""
    if not channel_name:
        channel_name = "directmessage" if channel_id.startswith("D") else "general"
        if channel_id.startswith("G"):
            channel_name = "mpdm-group-1"
    return {
        "token": "verification-token",
        "team_id": team_id,
        "team_domain": "mentoring-org",
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def slash_command_body(
    command: str,
    text: str,
    user_id: str,
    channel_id: str = "C1",
    team_id: str = "T1",
    response_url: str = "",
    trigger_id: str = "trig-1",
    user_name: str = "",
) -> str:
    """The form-encoded body Slack POSTs for a slash command."""
    return urlencode(
        slash_command_payload(
            command,
            text,
            user_id,
            channel_id=channel_id,
            team_id=team_id,
            response_url=response_url,
            trigger_id=trigger_id,
            user_name=user_name,
        )
    )


# ---------------------------------------------------------------------- block actions


def block_actions_payload(
    action_id: str,
    value: str,
    user_id: str,
    channel_id: str,
    message_ts: str,
    response_url: str = "",
    trigger_id: str = "trig-1",
    block_id: str = "b1",
    message: dict[str, Any] | None = None,
    team_id: str = "T1",
    api_app_id: str = "A1",
    button_text: str = "Button",
) -> dict[str, Any]:
    """A ``block_actions`` payload for a button clicked in a message the bot posted."""
    if message is None:
        message = {
            "type": "message",
            "user": "UBOT",
            "bot_id": "BBOT",
            "app_id": api_app_id,
            "text": "",
            "ts": message_ts,
            "team": team_id,
            "blocks": [],
        }
    return {
        "type": "block_actions",
        "user": {
            "id": user_id,
            "username": user_id.lower(),
            "name": user_id.lower(),
            "team_id": team_id,
        },
        "api_app_id": api_app_id,
        "token": "verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id,
        "team": {"id": team_id, "domain": "mentoring-org"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": "privategroup"},
        "message": message,
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": button_text, "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def block_actions_body(
    action_id: str,
    value: str,
    user_id: str,
    channel_id: str,
    message_ts: str,
    response_url: str = "",
    trigger_id: str = "trig-1",
    block_id: str = "b1",
    message: dict[str, Any] | None = None,
    team_id: str = "T1",
) -> str:
    """The form body Slack POSTs for a button click: ``payload=`` and the JSON payload."""
    return payload_body(
        block_actions_payload(
            action_id,
            value,
            user_id,
            channel_id,
            message_ts,
            response_url=response_url,
            trigger_id=trigger_id,
            block_id=block_id,
            message=message,
            team_id=team_id,
        )
    )


# ---------------------------------------------------------------------- view submissions


def view_submission_payload(
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]],
    user_id: str,
    private_metadata: str = "",
    view_id: str = "V1",
    team_id: str = "T1",
    api_app_id: str = "A1",
    trigger_id: str = "trig-1",
    blocks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A ``view_submission`` payload; ``values`` is ``state.values``: block -> action -> value."""
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "mentoring-org"},
        "user": {
            "id": user_id,
            "username": user_id.lower(),
            "name": user_id.lower(),
            "team_id": team_id,
        },
        "api_app_id": api_app_id,
        "token": "verification-token",
        "trigger_id": trigger_id,
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "blocks": blocks if blocks is not None else [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": values},
            "hash": f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
            "title": {"type": "plain_text", "text": "Mentorbot", "emoji": True},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": {"type": "plain_text", "text": "Cancel", "emoji": True},
            "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": api_app_id,
            "external_id": "",
            "app_installed_team_id": team_id,
            "bot_id": "BBOT",
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_submission_body(
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]],
    user_id: str,
    private_metadata: str = "",
    view_id: str = "V1",
    trigger_id: str = "trig-1",
) -> str:
    """The form body Slack POSTs when a modal is submitted."""
    return payload_body(
        view_submission_payload(
            callback_id,
            values,
            user_id,
            private_metadata=private_metadata,
            view_id=view_id,
            trigger_id=trigger_id,
        )
    )


def plain_text_value(text: str | None) -> dict[str, Any]:
    """A ``plain_text_input`` entry for ``state.values`` (Slack sends null for an empty field)."""
    return {"type": "plain_text_input", "value": text}


def number_value(number: str | None) -> dict[str, Any]:
    """A ``number_input`` entry for ``state.values`` (Slack sends the number as text)."""
    return {"type": "number_input", "value": number}


def datepicker_value(date: str | None) -> dict[str, Any]:
    """A ``datepicker`` entry for ``state.values``, date as ``YYYY-MM-DD``."""
    return {"type": "datepicker", "selected_date": date}


def static_select_value(value: str | None, text: str | None = None) -> dict[str, Any]:
    """A ``static_select`` entry for ``state.values`` (null ``selected_option`` when unset)."""
    option = None
    if value is not None:
        option = {"text": {"type": "plain_text", "text": text or value, "emoji": True}}
        option["value"] = value
    return {"type": "static_select", "selected_option": option}


def checkboxes_value(values: list[str]) -> dict[str, Any]:
    """A ``checkboxes`` entry for ``state.values``."""
    options = [
        {"text": {"type": "plain_text", "text": v, "emoji": True}, "value": v} for v in values
    ]
    return {"type": "checkboxes", "selected_options": options}


# ---------------------------------------------------------------------- shared


def payload_body(payload: dict[str, Any]) -> str:
    """An interactivity body: form-encoded ``payload=`` followed by the JSON payload."""
    return "payload=" + quote(json.dumps(payload, separators=(",", ":")), safe="")


def socket_envelope(
    envelope_type: str,
    payload: dict[str, Any],
    envelope_id: str | None = None,
    accepts_response_payload: bool | None = None,
) -> dict[str, Any]:
    """A Socket Mode envelope (``slash_commands``, ``interactive`` or ``events_api``)."""
    if accepts_response_payload is None:
        accepts_response_payload = envelope_type != "events_api"
    envelope: dict[str, Any] = {
        "envelope_id": envelope_id or str(uuid.uuid4()),
        "payload": payload,
        "type": envelope_type,
        "accepts_response_payload": accepts_response_payload,
    }
    if envelope_type == "events_api":
        envelope.update({"retry_attempt": 0, "retry_reason": ""})
    return envelope
