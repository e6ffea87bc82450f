"""Running the real Discord bot against the fake Discord, and the world it finds in the database.

``running(bot, fake)`` starts a ``MentorBot`` with ``client.start`` against ``FakeDiscord`` and
closes it cleanly when the block ends; a test that restarts the bot builds a second ``MentorBot``
on a fresh event loop, as a new process would. ``scenario`` runs an async test body in its own
bounded event loop (the project has no pytest-asyncio).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import re
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

import discord

from bot.core.replies import Message, PairPost
from bot.core.service import Core
from bot.discord_app.bot import MentorBot
from storage.models import Pair
from tests.fakes.discord_api import FakeDiscord, InteractionResponse, custom_ids
from tests.support import bot as support
from tests.support.transcripts import Expected, check_shown, transcript

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
EARLIER = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # a re-send's first attempt, before any message


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


# ---------------------------------------------------------------------- conversations as tables

NAMES = {ADA: "ada", BEN: "ben", CASEY: "casey", ROBIN: "robin", DANA: "dana"}


@dataclass(frozen=True)
class Slash:
    """A slash command as a member fills it in: ``/goal add text:… partner:@ben``.

    ``checked``: Discord's own client checks each option against the synced command (integer
    ranges, text lengths) and never sends one outside them; ``unchecked`` sends it anyway, as a
    modified client could, to see that the bot still answers with a sentence.
    """

    name: str
    subcommand: str | None
    options: Mapping[str, Any]
    checked: bool = True

    def __str__(self) -> str:
        words = [f"/{self.name}", *([self.subcommand] if self.subcommand else [])]
        for key, value in self.options.items():
            shown = f"@{NAMES.get(value, value)}" if key == "partner" else str(value)
            words.append(f"{key}:{shown if len(shown) <= 60 else shown[:59] + '…'}")
        return " ".join(words) + ("" if self.checked else "  (sent past Discord's checks)")


def slash(path: str, **options: Any) -> Slash:
    """``slash("goal add", text="Plan storytime", partner=BEN)``."""
    name, _, subcommand = path.partition(" ")
    return Slash(name, subcommand or None, options)


def unchecked(command: Slash) -> Slash:
    return dataclasses.replace(command, checked=False)


DISCORD_REFUSES = "(Discord's client refuses to send this)"
Turn = tuple[int, Slash, Expected]  # (who, what they filled in, what they were shown)


def client_refusal(fake: FakeDiscord, command: Slash) -> str | None:
    """Why Discord's client would not send ``command`` (an option outside the range or length
    the bot synced), or None when it would."""
    [synced] = [c for c in fake.synced_commands if c["name"] == command.name]
    specs = synced.get("options") or []
    if command.subcommand:
        [sub] = [o for o in specs if o["name"] == command.subcommand]
        specs = sub.get("options") or []
    by_name = {spec["name"]: spec for spec in specs}
    for key, value in command.options.items():
        spec = by_name[key]
        if spec["type"] == 4:
            low, high = spec.get("min_value"), spec.get("max_value")
            if (low is not None and value < low) or (high is not None and value > high):
                return f"{key}:{value} is outside {low}..{high}"
        if spec["type"] == 3:
            low, high = spec.get("min_length", 0), spec.get("max_length", 6000)
            if not low <= len(str(value)) <= high:
                return f"{key} is {len(str(value))} characters, outside {low}..{high}"
    return None


@dataclass
class Said:
    """One turn: who filled in what, and the bot's first answer (None: Discord refused it)."""

    who: int
    typed: Slash
    answer: InteractionResponse | None
    message: dict[str, Any] | None = None
    refused_by_discord: str | None = None

    @property
    def header(self) -> str:
        return f"{NAMES.get(self.who, self.who)}> {self.typed}"

    @property
    def text(self) -> str:
        if self.answer is None:
            return f"{DISCORD_REFUSES}: {self.refused_by_discord}"
        if self.answer.type == 9:
            return f"[a form opens: {self.answer.data.get('title')}]"
        return self.answer.content or ""

    @property
    def buttons(self) -> dict[str, str]:
        return buttons(self.message or {})

    @property
    def typed_back(self) -> str | None:
        """The lines quoted under "_You typed:_", markdown escapes undone (None if none)."""
        lines = self.text.splitlines()
        if "_You typed:_" not in lines:
            return None
        quoted = lines[lines.index("_You typed:_") + 1 :]
        return "\n".join(re.sub(r"\\(.)", r"\1", line.removeprefix("> ")) for line in quoted)


def check_turn(said: list[Said], expected: Expected) -> None:
    """The last turn showed what was expected (or Discord's client refused to send it, where
    that is what is expected); on failure the whole conversation shows."""
    turn = said[-1]
    wanted = expected if isinstance(expected, tuple) else (expected,)
    if (turn.answer is None) != (DISCORD_REFUSES in wanted):
        raise AssertionError(transcript(said, f"expected {wanted!r}"))
    check_shown(turn.text, wanted, lambda problem: transcript(said, problem))


async def converse(fake: FakeDiscord, turns: list[Turn], channel: int) -> list[Said]:
    """Play ``turns`` in ``channel``, checking each first answer as it comes (the zulip_bots
    ``verify_dialog`` idea); returns the conversation for further checks."""
    said: list[Said] = []
    for who, command, expected in turns:
        refusal = client_refusal(fake, command) if command.checked else None
        if refusal is not None:
            said.append(Said(who, command, None, refused_by_discord=refusal))
        else:
            payload = fake.slash(command.name, who, channel, command.subcommand, command.options)
            try:
                answer = await fake.interact(payload, STEP)
            except TimeoutError as error:
                raise AssertionError(
                    transcript(said, f"no answer to {command}: {error}")
                ) from error
            message = fake.message(answer.message_id) if answer.message_id else None
            said.append(Said(who, command, answer, message))
        check_turn(said, expected)
    return said


async def pair_thread(bot: MentorBot, fake: FakeDiscord, core: Core, pair_id: int) -> int:
    """The pair's private thread, opened the way the bot opens it (a post to the pair), once its
    id is stored as the pair's conversation."""
    await bot.outbound.post_to_pair(PairPost(pair_id, Message("👋 This is your pair's thread.")))

    def stored() -> str | None:
        [pair] = support.rows(core, Pair, Pair.id == pair_id)
        return pair.conversation_id

    return int(await fake.wait_for(stored, STEP))


def modal_value(modal: dict[str, Any], custom_id: str) -> Any:
    """An opened modal input's pre-filled value (text) or chosen options (select)."""
    for label in modal["components"]:
        component = label.get("component") or label["components"][0]
        if component["custom_id"] == custom_id:
            if "options" in component:
                return [o["value"] for o in component["options"] if o.get("default")]
            return component.get("value")
    raise KeyError(custom_id)
