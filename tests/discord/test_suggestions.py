"""Suggestions delivered by the scheduler through the Discord outbound, and their buttons clicked,
also by a bot started after the suggestion was sent."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.core.outbound import PairAddress
from bot.core.replies import Actor, Message
from bot.discord_app.outbound import nonce_for
from storage.models import Delivery, Meeting, MeetingGoal, Pair, Response
from tests.discord.harness import (
    ADA,
    BEN,
    CASEY,
    EARLIER,
    LOBBY,
    PAIRS_CHANNEL,
    STEP,
    at,
    buttons,
    inputs,
    make_bot,
    running,
    scenario,
)
from tests.fakes.discord_api import FakeDiscord
from tests.support.bot import rows

pytestmark = pytest.mark.timeout(60)

WELCOME = at("2026-11-17")
LABELS = ["We'll do this", "Show me another", "Done, log it", "Skip this round"]
ASSESS = "Rate yourself on the competencies"  # the welcome's own button, whatever is answered


def send_welcome(core, fake: FakeDiscord, ticker_for) -> tuple[int, dict[str, Any]]:
    """Run the bot once, deliver the pair's welcome, stop: the thread id and the message."""

    async def body() -> None:
        bot = make_bot(core)
        async with running(bot, fake):
            report = await ticker_for(bot).tick(WELCOME)
            assert [o.kind for o in report.sent] == ["welcome"], report

    scenario(body())
    [thread] = fake.threads
    [message] = fake.messages(int(thread["id"]))
    return int(thread["id"]), message


def click(core, fake: FakeDiscord, label: str, user: int, thread: int, message: dict[str, Any]):
    """A fresh bot (a restart) answers a click on ``label``; returns its first answer."""

    async def body() -> Any:
        async with running(make_bot(core), fake):
            payload = fake.button(buttons(message)[label], user, thread, int(message["id"]))
            reply = await fake.interact(payload, STEP)
            await asyncio.sleep(0.3)  # the rest of the answer: follow-ups, posts
            return reply

    return scenario(body())


def test_welcome_goes_to_a_private_thread_with_buttons_and_a_nonce(core, fake, ticker_for, pair_id):
    """The welcome opens the pair's private thread with both members; its buttons carry the
    delivery's action strings and the message carries a nonce from the idempotency key."""
    thread, message = send_welcome(core, fake, ticker_for)
    [delivery] = rows(core, Delivery)
    assert list(buttons(message)) == [*LABELS, ASSESS]
    assert buttons(message)["Show me another"] == f"mb:s:{delivery.id}:swap"
    assert message["nonce"] == nonce_for(delivery.idempotency_key, "t")
    [post] = fake.requests_to("POST", f"/channels/{thread}/messages")
    assert post.json["enforce_nonce"] is True
    assert "Welcome to your mentoring year, Ada and Ben" in message["content"]
    assert (delivery.status, delivery.message_ref) == ("sent", message["id"])
    [pair] = rows(core, Pair)
    assert pair.conversation_id == delivery.conversation_ref == str(thread)
    [created] = fake.threads
    assert created["parent_id"] == str(PAIRS_CHANNEL)
    assert set(created["member_ids"]) == {fake.bot_user_id, ADA, BEN}


def test_a_click_after_a_restart_is_stored_and_updates_the_message(core, fake, ticker_for, pair_id):
    """A bot started after the suggestion was sent answers its button: the click is stored and
    the message updated in place (type 7) to say who chose, with only “Done, log it” left."""
    thread, message = send_welcome(core, fake, ticker_for)
    reply = click(core, fake, "We'll do this", BEN, thread, message)
    assert reply.type == 7
    [updated] = fake.messages(thread)
    assert "Ben pressed “We'll do this”" in updated["content"]
    assert list(buttons(updated)) == ["Done, log it", ASSESS]
    [response] = rows(core, Response)
    assert response.action == "accept"
    [delivery] = rows(core, Delivery)
    assert delivery.answer == "accept"
    [private] = [r for r in fake.interaction_responses if r.kind == "followup"]
    assert private.ephemeral and "meeting form" in (private.content or "")
    assert fake.ready_count == 2 and fake.sync_count == 2  # two runs, one sync each


def test_show_me_another_replaces_the_suggestion_in_place(core, fake, ticker_for, pair_id):
    """“Show me another” swaps the activity in the same message; nothing new is posted."""
    thread, message = send_welcome(core, fake, ticker_for)
    [before] = rows(core, Delivery)
    click(core, fake, "Show me another", ADA, thread, message)
    [after] = rows(core, Delivery)
    assert (after.swaps, after.activity_id != before.activity_id) == (1, True)
    [updated] = fake.messages(thread)
    assert updated["content"] != message["content"]
    assert len(fake.requests_to("POST", f"/channels/{thread}/messages")) == 1


def test_done_log_it_opens_the_form_for_the_activity_and_logs_it(core, fake, ticker_for, pair_id):
    """“Done, log it” opens the meeting modal for the suggested activity (no activity field, so
    the goals fit Discord's five inputs); submitting it logs the meeting against the suggestion,
    with the goals it moved, and tells the pair's thread."""
    thread, message = send_welcome(core, fake, ticker_for)
    [delivery] = rows(core, Delivery)
    catalog = core.catalog
    ben = Actor("discord", str(BEN), "Ben")
    core.command(ben, "goal", "add Plan a storytime together", conversation_id=str(thread))

    async def body() -> Any:
        async with running(make_bot(core), fake):
            payload = fake.button(buttons(message)["Done, log it"], ADA, thread, int(message["id"]))
            opened = await fake.interact(payload, STEP)
            assert opened.type == 9
            assert inputs(opened.data) == ["date", "duration", "notes", "next_steps", "goals"]
            title = opened.data["title"]  # says which activity, within Discord's 45 characters
            assert title.startswith("Log a meeting: ") and len(title) <= 45
            assert catalog.activity(delivery.activity_id).title[:25] in title
            await fake.wait_for(
                lambda: list(buttons(fake.messages(thread)[0])) == [LABELS[2], ASSESS]
            )
            today = opened.data["components"][0]["component"]["value"]
            assert today == "2026-11-20"
            submit = fake.modal_submit(
                opened.data["custom_id"],
                ADA,
                thread,
                {"date": today, "duration": "1h", "notes": "Read together", "goals": ["1"]},
                message_id=int(message["id"]),
            )
            done = await fake.interact(submit, STEP)
            await fake.wait_for(lambda: len(fake.messages(thread)) == 2, STEP)
            return done

    done = scenario(body())
    assert done.type == 4 and done.ephemeral
    assert (done.content or "").startswith("Logged meeting **1**")
    [meeting] = rows(core, Meeting)
    assert (meeting.delivery_id, meeting.activity_id) == (delivery.id, delivery.activity_id)
    assert (meeting.duration_minutes, meeting.notes) == (60, "Read together")
    assert len(rows(core, MeetingGoal)) == 1
    notice = fake.messages(thread)[1]
    assert notice["content"].startswith("📝 Ada logged a meeting")


def test_we_need_help_tells_the_coordinator_by_dm(core, fake, ticker_for, clock, pair_id):
    """A check-in's “We need help” is stored and the coordinator gets a direct message."""
    thread, _ = send_welcome(core, fake, ticker_for)

    async def body() -> Any:
        bot = make_bot(core)
        async with running(bot, fake):
            ticker = ticker_for(bot)
            await ticker.tick(at("2026-12-08"))  # the first suggestion round
            report = await ticker.tick(at("2026-12-22"))  # a week before the next round
            assert [o.kind for o in report.sent] == ["checkin"], report
            checkin = fake.messages(thread)[-1]
            payload = fake.button(buttons(checkin)["We need help"], BEN, thread, int(checkin["id"]))
            reply = await fake.interact(payload, STEP)
            dm = fake.dm_channel_id(CASEY)
            await fake.wait_for(
                lambda: any("help" in m["content"] for m in fake.messages(dm)), STEP
            )
            return reply, checkin

    reply, checkin = scenario(body())
    assert reply.type == 7
    [alert] = [
        m for m in fake.messages(fake.dm_channel_id(CASEY)) if "asked for help" in m["content"]
    ]
    assert alert["content"].startswith("🆘 Ben asked for help")
    assert "Ben pressed “We need help”" in fake.message(int(checkin["id"]))["content"]
    [delivery] = rows(core, Delivery, Delivery.kind == "checkin")
    assert delivery.answer == "help"


def test_a_resend_finds_the_first_message_instead_of_posting_again(core, fake, pair_id):
    """Sending the same delivery again (the first try's result was lost) leaves one message:
    within Discord's nonce window Discord returns it; later the history is searched."""
    message = Message("Try: a walk in the park")

    async def body() -> list[str]:
        bot = make_bot(core)
        async with running(bot, fake):
            address = PairAddress(pair_id, "discord", None, (str(ADA), str(BEN)))
            first = await bot.outbound.send_to_pair(address, message, "k-1", resend_since=None)
            address = PairAddress(pair_id, "discord", first.conversation_id, address.member_ids)
            again = await bot.outbound.send_to_pair(address, message, "k-1", resend_since=None)
            fake.nonce_window = 0  # Discord has forgotten the nonce
            late = await bot.outbound.send_to_pair(address, message, "k-1", resend_since=EARLIER)
            other = await bot.outbound.send_to_pair(address, message, "k-2", resend_since=EARLIER)
            return [first.message_ref, again.message_ref, late.message_ref, other.message_ref]

    first, again, late, other = scenario(body())
    assert first == again == late != other
    [thread] = fake.threads
    assert [m["id"] for m in fake.messages(int(thread["id"]))] == [first, other]
    assert len(fake.requests_to("POST", f"/channels/{thread['id']}/messages")) == 3


def test_a_thread_made_before_a_crash_is_reused(core, fake, pair_id):
    """If the bot stopped after making the pair's thread but before storing its id, the next
    run finds the thread by its name instead of making a second one."""
    message = Message("Hello")
    address = PairAddress(pair_id, "discord", None, (str(ADA), str(BEN)))

    async def send() -> str:
        bot = make_bot(core)
        async with running(bot, fake):
            sent = await bot.outbound.send_to_pair(address, message, "k-1", resend_since=None)
            return sent.conversation_id

    assert scenario(send()) == scenario(send())
    assert len(fake.threads) == 1


def test_a_programs_own_pairs_channel_holds_its_pair_threads(core, fake, ticker_for, pair_id):
    """Casey sets the program's pairs channel with `/mentoring-admin channel:…` (the lobby,
    here): the next pair thread opens there, not in DISCORD_PAIRS_CHANNEL_ID."""

    async def body() -> Any:
        bot = make_bot(core)
        async with running(bot, fake):
            options = {"channel": str(LOBBY)}
            answer = await fake.interact(
                fake.slash("mentoring-admin", CASEY, LOBBY, None, options), STEP
            )
            await ticker_for(bot).tick(WELCOME)
            return answer

    answer = scenario(body())
    assert answer.ephemeral
    assert f"Discord pair threads go to channel {LOBBY} from now on." in (answer.content or "")
    [thread] = fake.threads
    assert int(thread["parent_id"]) == LOBBY != PAIRS_CHANNEL
    assert "Welcome" in fake.messages(int(thread["id"]))[0]["content"]
