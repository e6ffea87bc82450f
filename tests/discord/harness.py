"""Running the real Discord bot against the fake Discord, and the world it finds in the database.

``running(bot, fake)`` starts a ``MentorBot`` with ``client.start`` against ``FakeDiscord`` and
closes it cleanly when the block ends; a test that restarts the bot builds a second ``MentorBot``
on a fresh event loop, as a new process would. ``scenario`` runs an async test body in its own
bounded event loop (the project has no pytest-asyncio).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import discord

from bot.core.service import Core
from bot.discord_app.bot import MentorBot
from tests.fakes.discord_api import FakeDiscord, custom_ids
from tests.support import bot as support

APP_ID = 900000000000000001
GUILD_ID = 900000000000000100
PAIRS_CHANNEL = 900000000000000200
LOBBY = 900000000000000201
ADA = 900000000000000301  # mentor
BEN = 900000000000000302  # mentee
CASEY = 900000000000000303  # coordinator by MENTORBOT_COORDINATORS
ROBIN = 900000000000000304  # coordinator by the Discord role
DANA = 900000000000000305  # in no pair
COORDINATOR_ROLE = 900000000000000400
STEP = 10.0  # seconds any single wait may take


def scenario(body: Coroutine[Any, Any, Any], limit: float = 40) -> Any:
    """Run ``body`` in a fresh event loop, bounded."""
    return asyncio.run(asyncio.wait_for(body, limit))


def make_bot(core: Core, *, ack_within: float | None = None) -> MentorBot:
    """A bot as ``mentorbot run`` makes it, waiting only briefly for the fake's guild."""
    bot = MentorBot(core, guild_ready_timeout=0.05)
    if ack_within is not None:
        bot.interactions.ack_within = ack_within
    return bot


@contextlib.asynccontextmanager
async def running(bot: discord.Client, fake: FakeDiscord) -> AsyncIterator[discord.Client]:
    """Run ``bot`` against the fake until the block ends, then close it."""
    with fake.patch_route_base():
        sessions_before = fake.ready_count
        task = asyncio.create_task(bot.start("fake-token"))
        ready = asyncio.create_task(bot.wait_until_ready())
        try:
            done, _ = await asyncio.wait({task, ready}, timeout=STEP, return_when="FIRST_COMPLETED")
            if task in done:
                task.result()
                raise RuntimeError("the bot stopped before it was ready")
            if ready not in done:
                raise TimeoutError("the bot did not become ready")
            await fake.wait_ready(STEP, count=sessions_before + 1)
            yield bot
        finally:
            ready.cancel()
            await asyncio.wait_for(bot.close(), STEP)
            await asyncio.wait_for(task, STEP)


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """A stored message's buttons: label -> custom_id."""
    return {
        component["label"]: component["custom_id"]
        for row in message.get("components") or ()
        for component in row.get("components") or ()
        if component.get("type") == 2
    }


def inputs(modal: dict[str, Any]) -> list[str]:
    """The custom ids of a modal's inputs, in order."""
    return list(custom_ids(modal["components"]))


# ---------------------------------------------------------------------- the world in the database


def add_program(core: Core) -> int:
    return support.add_program(core, name="Reading Buddies")


def add_discord_pair(
    core: Core,
    program_id: int,
    mentor: tuple[str, str] = (str(ADA), "Ada"),
    mentee: tuple[str, str] = (str(BEN), "Ben"),
    *,
    start: dt.date = dt.date(2026, 11, 17),
    conversation_id: str | None = None,
) -> int:
    """A pair of Discord members (user id, display name), started on ``start``."""
    return support.add_pair(
        core,
        program_id,
        support.PairSpec(
            mentor=mentor[0],
            mentee=mentee[0],
            mentor_name=mentor[1],
            mentee_name=mentee[1],
            start=start,
            platform="discord",
            conversation_id=conversation_id,
        ),
    )


def at(day: str, hour: int = 15) -> dt.datetime:
    """A UTC moment; 15:00 UTC is the program's 10:00 in New York in November."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)


def wait_until(predicate: Callable[[], Any], fake: FakeDiscord) -> Coroutine[Any, Any, Any]:
    return fake.wait_for(predicate, STEP)
