"""Slack failures as the scheduler's ``DeliveryError``: permanent or worth retrying, in words.

Slack answers most failures with HTTP 200 and ``{"ok": false, "error": CODE}``. A code that will
not change by waiting (a deleted user, a gone conversation, a missing scope) is permanent, so the
coordinators see it at once; rate limits, server errors and timeouts are retried, rate limits no
sooner than Slack's ``Retry-After``; unknown codes are retried too, up to the scheduler's limit.
"""

from __future__ import annotations

import asyncio

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.core.outbound import DeliveryError

PERMANENT = {
    "user_not_found": "a member's Slack account was not found",
    "users_not_found": "a member's Slack account was not found",
    "account_inactive": "a member's Slack account (or the bot's) is deactivated",
    "user_disabled": "a member's Slack account is deactivated",
    "cannot_dm_bot": "a member is a bot and cannot be messaged",
    "channel_not_found": "the pair's Slack conversation no longer exists",
    "not_in_channel": "the bot is not in the pair's Slack conversation",
    "is_archived": "the pair's Slack conversation is archived",
    "restricted_action": "the workspace's settings do not let the bot post there",
    "too_many_users": "a group DM holds at most 8 people",
    "missing_scope": "the Slack app lacks a permission; reinstall it from manifest.yaml",
    "not_allowed_token_type": "SLACK_BOT_TOKEN is not a bot token (xoxb-…)",
    "invalid_auth": "SLACK_BOT_TOKEN is not valid for this workspace",
    "not_authed": "SLACK_BOT_TOKEN is missing",
    "token_revoked": "the Slack app was uninstalled (its token is revoked)",
    "msg_too_long": "the message is too long for Slack",
    "invalid_blocks": "Slack refused the message's layout",
    "invalid_metadata_format": "Slack refused the message's metadata",
}
RATE_LIMITED = "ratelimited"


def error_code(error: SlackApiError) -> str:
    """Slack's error code, e.g. ``channel_not_found`` (empty when the body had none)."""
    try:
        return str(error.response.get("error") or "")
    except (AttributeError, TypeError):
        return ""


def delivery_error(error: Exception) -> DeliveryError:
    """The ``DeliveryError`` for anything a Web API call raised."""
    if isinstance(error, SlackApiError):
        return _from_slack(error)
    if isinstance(error, (aiohttp.ClientError, asyncio.TimeoutError, OSError)):
        return DeliveryError(f"could not reach Slack ({type(error).__name__})", permanent=False)
    return DeliveryError(f"unexpected error talking to Slack: {error}", permanent=False)


def _from_slack(error: SlackApiError) -> DeliveryError:
    code = error_code(error)
    status = getattr(error.response, "status_code", 200)
    if status == 429 or code == RATE_LIMITED:
        wait = _retry_after(error)
        return DeliveryError("Slack is rate-limiting the bot", permanent=False, retry_after=wait)
    if code in PERMANENT:
        reason = PERMANENT[code]
        needed = error.response.get("needed") if code == "missing_scope" else None
        if needed:
            reason += f" (needs {needed})"
        return DeliveryError(f"{reason} (Slack: {code})", permanent=True)
    if status >= 500:
        return DeliveryError(f"Slack had a server error (HTTP {status})", permanent=False)
    return DeliveryError(
        f"Slack refused the call (Slack: {code or 'no error code'})", permanent=False
    )


def _retry_after(error: SlackApiError) -> float | None:
    headers = getattr(error.response, "headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            text = value[0] if isinstance(value, list) else value
            try:
                return float(text)
            except (TypeError, ValueError):
                return None
    return None
