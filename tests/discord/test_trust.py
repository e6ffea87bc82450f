"""A click acts only on the delivery's own message: the one the bot sent (the part with the
buttons, for a long one), in the pair's thread or in a member's DM. Each test sends the click
as a modified client could, then checks what must not happen."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from bot.core.conversations import PairConversations
from bot.core.outbound import PairAddress, Sent
from bot.core.replies import Button, Message
from bot.discord_app.components import ACTION_PREFIX
from bot.discord_app.outbound import DiscordOutbound
from scheduler.tick import Ticker
from storage.db import run_in_transaction
from storage.models import Delivery, Response
from tests.discord.harness import ADA, BEN, EARLIER, STEP, at, buttons, make_bot, running, scenario
from tests.fakes.discord_api import FakeDiscord
from tests.support.bot import rows

pytestmark = pytest.mark.timeout(60)

WELCOME = at("2026-11-17")
ROUND_ONE = at("2026-12-08")
PREFACE = ("A long line to read before the suggestion. " * 40 + "\n") * 2  # two parts' worth


class Prefaced(DiscordOutbound):
    """The bot's outbound, with a long preface to every delivery, so Discord gets it in parts
    and the buttons are on the last one."""

    async def send_to_pair(
        self,
        address: PairAddress,
        message: Message,
        idempotency_key: str,
        *,
        resend_since: dt.datetime | None,
    ) -> Sent:
        long = dataclasses.replace(message, text=PREFACE + message.text)
        return await super().send_to_pair(address, long, idempotency_key, resend_since=resend_since)


def click_on(fake: FakeDiscord, custom_id: str, channel: int, message_id: int) -> Any:
    """Ben presses ``custom_id`` on message ``message_id`` (discord.py, like Discord, only
    answers a button the message carries)."""
    return fake.interact(fake.button(custom_id, BEN, channel, message_id), STEP)


async def stray_copy(bot: Any, fake: FakeDiscord, action: str) -> dict[str, Any]:
    """A message of the bot's in Ben's DM carrying a delivery's button, as a duplicate or an
    old copy would: not the delivery's own message."""
    button = Button("Skip this round", action.removeprefix(ACTION_PREFIX))
    await bot.outbound.send_direct(str(BEN), Message("A copy of the buttons", (button,)))
    return fake.messages(fake.dm_channel_id(BEN))[-1]


def test_a_welcome_button_on_another_message_changes_nothing(core, fake, ticker_for, pair_id):
    """The welcome's “Skip this round” pressed on another message of the bot's that carries
    it: neither message is edited and the welcome stays unanswered."""

    async def body() -> Any:
        bot = make_bot(core)
        async with running(bot, fake):
            await ticker_for(bot).tick(WELCOME)
            thread = int(fake.threads[0]["id"])
            [welcome] = fake.messages(thread)
            skip = buttons(welcome)["Skip this round"]
            copy = await stray_copy(bot, fake, skip)
            reply = await click_on(fake, skip, fake.dm_channel_id(BEN), int(copy["id"]))
            return reply, thread, welcome, copy

    reply, thread, welcome, copy = scenario(body())
    assert reply.type == 4 and reply.ephemeral
    assert "don't belong to the message" in (reply.content or "")
    assert fake.messages(thread) == [welcome]
    assert fake.message(int(copy["id"]))["content"] == copy["content"]
    assert rows(core, Response) == []
    [delivery] = rows(core, Delivery)
    assert delivery.answer is None


def test_a_long_delivery_is_answered_on_the_part_with_its_buttons(core, fake, pair_id):
    """A delivery sent in parts records the last part, the one carrying the buttons, so a
    click there updates it (and only it)."""

    async def body() -> Any:
        bot = make_bot(core)
        async with running(bot, fake):
            outbound = Prefaced(bot, core.settings, PairConversations(core.sessions))
            await Ticker(core.sessions, core.catalog, {"discord": outbound}).tick(WELCOME)
            thread = int(fake.threads[0]["id"])
            first, *_, last = fake.messages(thread)
            skip = buttons(last)["Skip this round"]
            answered = await click_on(fake, skip, thread, int(last["id"]))
            return first, last, answered

    first, last, answered = scenario(body())
    assert buttons(first) == {} and buttons(last)
    [delivery] = rows(core, Delivery)
    assert delivery.message_ref == last["id"]
    assert answered.type == 7
    assert "Ben pressed “Skip this round”" in fake.message(int(last["id"]))["content"]
    assert fake.message(int(first["id"]))["content"] == first["content"]
    assert [response.action for response in rows(core, Response)] == ["skip"]


def test_a_long_delivery_resent_is_found_by_its_last_part(core, fake, pair_id):
    """A re-send after Discord forgot the nonce finds the part with the buttons, not the first."""
    message = Message(PREFACE + "Try: a walk in the park")

    async def body() -> tuple[str, str]:
        bot = make_bot(core)
        async with running(bot, fake):
            address = PairAddress(pair_id, "discord", None, ("900000000000000301", str(BEN)))
            first = await bot.outbound.send_to_pair(address, message, "k-1", resend_since=None)
            address = dataclasses.replace(address, conversation_id=first.conversation_id)
            fake.nonce_window = 0
            again = await bot.outbound.send_to_pair(address, message, "k-1", resend_since=EARLIER)
            return first.message_ref, again.message_ref

    first, again = scenario(body())
    thread = int(fake.threads[0]["id"])
    assert first == again == fake.messages(thread)[-1]["id"]
    assert len(fake.messages(thread)) > 1


@pytest.fixture
def no_channel(settings_values) -> None:
    """No DISCORD_PAIRS_CHANNEL_ID, so deliveries go to each member's DM (list before core)."""
    settings_values.pop("DISCORD_PAIRS_CHANNEL_ID")


def test_a_click_in_a_members_dm_acts_on_that_copy(no_channel, core, fake, ticker_for, pair_id):
    """Delivered by DM, Ben's copy answers his click and Ada's copy says so too; the same
    button on another DM message of the bot's does nothing."""

    async def body() -> Any:
        bot = make_bot(core)
        async with running(bot, fake):
            await ticker_for(bot).tick(WELCOME)
            dm = fake.dm_channel_id(BEN)
            [own] = fake.messages(dm)
            skip = buttons(own)["Skip this round"]
            copy = await stray_copy(bot, fake, skip)
            refused = await click_on(fake, skip, dm, int(copy["id"]))
            answered = await click_on(fake, skip, dm, int(own["id"]))
            [adas] = fake.messages(fake.dm_channel_id(ADA))
            await fake.wait_for(lambda: "pressed" in fake.message(int(adas["id"]))["content"], STEP)
            return refused, answered, own, adas

    refused, answered, own, adas = scenario(body())
    assert "don't belong to the message" in (refused.content or "")
    assert answered.type == 7
    for copy in (own, adas):
        shown = fake.message(int(copy["id"]))
        assert "Ben pressed “Skip this round”" in shown["content"]
        labels = [b["label"] for row in shown["components"] for b in row["components"]]
        assert labels == ["Rate yourself on the competencies"], "no answer is left to press"
    [delivery] = rows(core, Delivery)
    assert delivery.answer == "skip"


def test_a_dm_copy_recorded_before_copies_named_their_member_still_answers(
    no_channel, core, fake, ticker_for, pair_id
):
    """A delivery sent by DM before each copy's ref named its member (plain message ids):
    Ben's click on his copy is still his delivery's, not refused as another message."""

    async def body() -> Any:
        bot = make_bot(core)
        async with running(bot, fake):
            await ticker_for(bot).tick(WELCOME)
            [own] = fake.messages(fake.dm_channel_id(BEN))
            [adas] = fake.messages(fake.dm_channel_id(ADA))

            def as_before(session):
                [delivery] = session.query(Delivery).all()
                delivery.message_ref = f"{adas['id']},{own['id']}"

            run_in_transaction(core.sessions, as_before)
            skip = buttons(own)["Skip this round"]
            return await click_on(fake, skip, fake.dm_channel_id(BEN), int(own["id"])), own

    answered, own = scenario(body())
    assert answered.type == 7
    assert "Ben pressed “Skip this round”" in fake.message(int(own["id"]))["content"]
    [delivery] = rows(core, Delivery)
    assert delivery.answer == "skip"
