"""Discord failures as the scheduler's ``DeliveryError``: permanent or worth retrying, in words.

discord.py raises ``Forbidden`` and ``NotFound`` carrying Discord's JSON error code. It waits out
short rate limits itself and raises ``RateLimited`` when Discord asks for a longer wait than the
client allows (``max_ratelimit_timeout``); that, Discord's server errors and network failures are
retried by the scheduler, no sooner than Discord asked. Any other refusal will not change by
waiting, so it is permanent: the delivery is marked failed with the sentence built here, which
the coordinators read in the participation summary.
"""

from __future__ import annotations

import aiohttp
import discord

from bot.core.outbound import DeliveryError

CLOSED_DMS = 50007
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
UNKNOWN_CHANNEL = 10003
UNKNOWN_MEMBER = 10007
UNKNOWN_USER = 10013

ABOUT_A_MEMBER = {
    CLOSED_DMS: "does not accept direct messages from the bot (their privacy settings, or they "
    "share no server with it)",
    UNKNOWN_MEMBER: "is no longer a member of the Discord server",
    UNKNOWN_USER: "has no Discord account with that id any more",
}
GONE = {  # why a member cannot be reached at all, as the summary shows it
    UNKNOWN_MEMBER: "left the Discord server",
    UNKNOWN_USER: "has no Discord account any more",
}
ABOUT_THE_BOT = {
    MISSING_ACCESS: "the bot cannot see the channel; give its role View Channel there",
    MISSING_PERMISSIONS: "the bot lacks a permission there; re-invite it with the link in the "
    "README or grant its role the permissions listed there",
    UNKNOWN_CHANNEL: "the channel or thread no longer exists",
    50083: "the pair's thread is archived and locked; unlock it or clear the pair's conversation",
    50035: "Discord refused the message's content",
}


def delivery_error(
    error: BaseException, *, who: str = "a member", doing: str = ""
) -> DeliveryError:
    """The ``DeliveryError`` for anything a Discord call raised.

    ``who`` names the member a member-related refusal is about; ``doing`` says what the bot was
    trying, e.g. "create a private thread in #mentoring", so the sentence stands on its own.
    """
    if isinstance(error, DeliveryError):
        return error
    trying = f"could not {doing}: " if doing else ""
    if isinstance(error, discord.RateLimited):
        return DeliveryError(
            f"{trying}Discord is rate-limiting the bot for {error.retry_after:.0f} s",
            permanent=False,
            retry_after=error.retry_after,
        )
    if isinstance(error, discord.HTTPException):
        return _from_http(error, who, trying)
    if isinstance(error, aiohttp.ClientError | OSError):  # TimeoutError is an OSError
        return DeliveryError(
            f"{trying}could not reach Discord ({type(error).__name__})", permanent=False
        )
    return DeliveryError(f"{trying}unexpected error talking to Discord: {error}", permanent=False)


def _from_http(error: discord.HTTPException, who: str, trying: str) -> DeliveryError:
    said = f"Discord {error.code}: {error.text}" if error.code else f"HTTP {error.status}"
    if error.status == 429:
        return DeliveryError(
            f"{trying}Discord is rate-limiting the bot ({said})",
            permanent=False,
            retry_after=_retry_after(error),
        )
    if error.status >= 500:
        return DeliveryError(f"{trying}Discord had a server error ({said})", permanent=False)
    if error.code in ABOUT_A_MEMBER:
        return DeliveryError(f"{trying}{who} {ABOUT_A_MEMBER[error.code]} ({said})", permanent=True)
    if error.code in ABOUT_THE_BOT:
        return DeliveryError(f"{trying}{ABOUT_THE_BOT[error.code]} ({said})", permanent=True)
    return DeliveryError(f"{trying}Discord refused the call ({said})", permanent=True)


def _retry_after(error: discord.HTTPException) -> float | None:
    headers = getattr(error.response, "headers", None) or {}
    try:
        return float(headers.get("Retry-After", ""))
    except ValueError:
        return None
