"""Discord's refusals as the scheduler's outcomes: permanent or retried, and in plain words."""

from __future__ import annotations

from dataclasses import dataclass, field

import aiohttp
import discord
import pytest

from bot.discord_app.errors import delivery_error


@dataclass
class Response:
    """What discord.py reads from an aiohttp response to build its exceptions."""

    status: int
    reason: str = "Refused"
    headers: dict[str, str] = field(default_factory=dict)


def http(kind: type[discord.HTTPException], status: int, code: int, text: str, **headers: str):
    return kind(Response(status, headers=headers), {"code": code, "message": text})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "permanent", "words"),
    [
        (
            http(discord.Forbidden, 403, 50007, "Cannot send messages to this user"),
            True,
            "Ben does not accept direct messages from the bot",
        ),
        (
            http(discord.Forbidden, 403, 50013, "Missing Permissions"),
            True,
            "the bot lacks a permission there",
        ),
        (
            http(discord.Forbidden, 403, 50001, "Missing Access"),
            True,
            "the bot cannot see the channel",
        ),
        (
            http(discord.NotFound, 404, 10007, "Unknown Member"),
            True,
            "Ben is no longer a member of the Discord server",
        ),
        (
            http(discord.NotFound, 404, 10013, "Unknown User"),
            True,
            "Ben has no Discord account with that id any more",
        ),
        (
            http(discord.HTTPException, 400, 50035, "Invalid Form Body"),
            True,
            "Discord refused the message's content",
        ),
        (http(discord.HTTPException, 400, 12345, "Odd"), True, "Discord refused the call"),
        (http(discord.DiscordServerError, 503, 0, ""), False, "Discord had a server error"),
        (aiohttp.ClientConnectionError(), False, "could not reach Discord"),
        (TimeoutError(), False, "could not reach Discord"),
        (ValueError("surprise"), False, "unexpected error talking to Discord: surprise"),
    ],
)
def test_each_refusal_is_permanent_or_retried_and_said_plainly(error, permanent, words):
    found = delivery_error(error, who="Ben", doing="send Ben a DM")
    assert found.permanent is permanent
    assert found.reason.startswith("could not send Ben a DM: ")
    assert words in found.reason
    code = getattr(error, "code", 0)
    if code:
        assert f"(Discord {code}: " in found.reason


def test_rate_limits_are_retried_no_sooner_than_discord_asks():
    """A 429 that discord.py gave up on, and a wait longer than the client allows."""
    gave_up = delivery_error(http(discord.HTTPException, 429, 0, "", **{"Retry-After": "7"}))
    too_long = delivery_error(discord.RateLimited(120.0))
    assert (gave_up.permanent, gave_up.retry_after) == (False, 7.0)
    assert (too_long.permanent, too_long.retry_after) == (False, 120.0)
    assert "rate-limiting" in gave_up.reason and "120 s" in too_long.reason
