"""What Discord refuses becomes a clear, recorded outcome: DMs instead of a thread, closed DMs,
members who left, missing permissions and rate limits, as the coordinators then read them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.core.replies import Actor
from scheduler.tick import TickReport
from storage.models import Delivery, Goal, Pair, Person
from tests.discord.harness import (
    ADA,
    BEN,
    CASEY,
    LOBBY,
    PAIRS_CHANNEL,
    STEP,
    at,
    make_bot,
    running,
    scenario,
)
from tests.fakes.discord_api import FakeDiscord
from tests.support.bot import rows

pytestmark = pytest.mark.timeout(60)

WELCOME = at("2026-11-17")


def tick(core, fake: FakeDiscord, ticker_for, now: dt.datetime = WELCOME) -> TickReport:
    async def body() -> TickReport:
        bot = make_bot(core)
        async with running(bot, fake):
            return await ticker_for(bot).tick(now)

    return scenario(body())


def summary_text(core) -> str:
    reply = core.command(Actor("discord", str(CASEY), "Casey"), "mentoring-summary", "")
    assert reply.message is not None
    return reply.message.text


@pytest.fixture
def no_channel(settings_values) -> None:
    """No DISCORD_PAIRS_CHANNEL_ID (list this fixture before ``core``)."""
    settings_values.pop("DISCORD_PAIRS_CHANNEL_ID")


def test_without_a_pairs_channel_each_member_gets_a_dm(no_channel, core, fake, ticker_for, pair_id):
    """No DISCORD_PAIRS_CHANNEL_ID: the welcome goes to each member's DM, each with its own
    nonce, and the conversation is recorded as DMs."""
    report = tick(core, fake, ticker_for)
    assert [o.kind for o in report.sent] == ["welcome"]
    assert fake.threads == []
    ada, ben = (fake.messages(fake.dm_channel_id(user)) for user in (ADA, BEN))
    assert len(ada) == len(ben) == 1 and ada[0]["nonce"] != ben[0]["nonce"]
    assert "Welcome" in ben[0]["content"]
    [delivery] = rows(core, Delivery)
    assert delivery.status == "sent" and delivery.conversation_ref == "dm"
    assert delivery.message_ref == f"{ADA}/{ada[0]['id']},{BEN}/{ben[0]['id']}"
    [pair] = rows(core, Pair)
    assert pair.conversation_id == "dm"


def test_no_permission_for_threads_falls_back_to_dms(core, fake, ticker_for, pair_id):
    """Discord refuses the private thread (50013): the members get DMs, and the next message
    tries the thread again."""
    fake.fail_next("POST", f"/channels/{PAIRS_CHANNEL}/threads", status=403, code=50013)
    report = tick(core, fake, ticker_for)
    assert [o.kind for o in report.sent] == ["welcome"]
    assert fake.threads == []
    assert len(fake.messages(fake.dm_channel_id(BEN))) == 1

    async def later() -> None:
        async with running(make_bot(core), fake):
            await fake.interact(fake.slash("goal", BEN, LOBBY, "add", {"text": "Read"}), STEP)
            await fake.wait_for(lambda: rows(core, Pair)[0].conversation_id != "dm", STEP)

    scenario(later())
    assert fake.messages(int(fake.threads[0]["id"]))[0]["content"].startswith("🎯 Ben set goal")
    [pair] = rows(core, Pair)
    assert pair.conversation_id == fake.threads[0]["id"]


def test_closed_dms_fail_the_delivery_with_a_reason_the_coordinators_see(
    no_channel, core, fake, ticker_for, pair_id
):
    """Ben's DMs are closed (50007): Ada still gets the welcome; the delivery is failed at
    once (retrying will not help) with a sentence naming Ben, shown in the summary."""
    fake.block_dms(BEN)
    report = tick(core, fake, ticker_for)
    [(_, reason)] = report.failed
    assert "Ben does not accept direct messages" in reason
    assert "Discord 50007" in reason and "the other member got it" in reason
    assert len(fake.messages(fake.dm_channel_id(ADA))) == 1
    [delivery] = rows(core, Delivery)
    assert delivery.status == "failed" and delivery.last_error == reason
    assert "a delivery failed" in summary_text(core) and "50007" in summary_text(core)


def test_a_member_who_left_the_server_is_flagged_not_messaged(core, fake, ticker_for, pair_id):
    """Before a round, a member who left the server (10007) is recorded as unreachable and the
    pair flagged for the coordinators; nothing is posted."""
    fake.remove_member(BEN)
    report = tick(core, fake, ticker_for)
    [(_, reason)] = report.failed
    assert reason == "left the Discord server (Discord 10007: Unknown Member)"
    assert fake.threads == []
    [ben] = rows(core, Person, Person.platform_user_id == str(BEN))
    assert ben.unreachable_reason == reason
    assert "Ben unreachable: left the Discord server" in summary_text(core)


def test_a_long_rate_limit_is_retried_by_the_scheduler_after_discords_wait(
    core, fake, ticker_for, pair_id
):
    """A 429 asking for two minutes is not waited out in the tick: the delivery is retried
    no sooner than Discord asked."""
    fake.fail_next("POST", f"/channels/{PAIRS_CHANNEL}/threads", status=429, retry_after=120)
    report = tick(core, fake, ticker_for)
    [(_, reason)] = report.retrying
    assert "rate-limiting" in reason
    [delivery] = rows(core, Delivery)
    assert delivery.status == "pending"
    assert delivery.next_attempt_at >= WELCOME + dt.timedelta(seconds=120)


def test_a_short_rate_limit_is_waited_out(core, fake, ticker_for, pair_id):
    """A 429 asking for a fraction of a second is retried by discord.py itself: sent once."""
    fake.fail_next("POST", "/channels/{id}/messages", status=429, retry_after=0.2)
    report = tick(core, fake, ticker_for)
    assert [o.kind for o in report.sent] == ["welcome"]
    [thread] = fake.threads
    posts = fake.requests_to("POST", f"/channels/{thread['id']}/messages")
    assert [p.status for p in posts] == [429, 200]
    assert len(fake.messages(int(thread["id"]))) == 1


def test_a_pair_post_that_fails_is_told_to_the_caller(no_channel, core, fake, pair_id):
    """The caller is answered, and told that the pair could not be: Ben's DMs are closed."""
    fake.block_dms(BEN)

    async def body() -> tuple[Any, Any]:
        async with running(make_bot(core), fake):
            interaction = await fake.send_interaction(
                fake.slash("goal", ADA, LOBBY, "add", {"text": "Read"})
            )
            answer = await fake.wait_for_response(interaction, STEP)
            warning = await fake.wait_for_response(interaction, STEP, kind="followup")
            return answer, warning

    answer, warning = scenario(body())
    assert answer.content == "Added goal **1**: Read"
    assert warning.ephemeral
    assert (warning.content or "").startswith("⚠️ I could not tell your pair's conversation")
    assert "Ben does not accept direct messages" in (warning.content or "")


def test_a_permission_lost_in_the_thread_falls_back_to_dms(core, fake, ticker_for, pair_id):
    """Posting in the pair's existing thread is refused (50013): the notice goes by DM."""
    report = tick(core, fake, ticker_for)
    assert [o.kind for o in report.sent] == ["welcome"]
    thread = int(fake.threads[0]["id"])
    fake.fail_next("POST", f"/channels/{thread}/messages", status=403, code=50013)

    async def body() -> None:
        async with running(make_bot(core), fake):
            await fake.interact(fake.slash("goal", BEN, thread, "add", {"text": "Read"}), STEP)
            await fake.wait_for(lambda: fake.messages(fake.dm_channel_id(ADA)), STEP)

    scenario(body())
    [notice] = fake.messages(fake.dm_channel_id(ADA))
    assert notice["content"] == "🎯 Ben set goal **1**: Read"
    assert len(fake.messages(thread)) == 1  # only the welcome


def test_a_partner_who_left_is_named_in_the_warning(core, fake, pair_id):
    """Ben left the server before the pair's thread was made: Ada's goal is saved, and she is
    told the pair could not be, with Discord's reason."""
    fake.remove_member(BEN)

    async def body() -> Any:
        async with running(make_bot(core), fake):
            interaction = await fake.send_interaction(
                fake.slash("goal", ADA, LOBBY, "add", {"text": "Read"})
            )
            return await fake.wait_for_response(interaction, STEP, kind="followup")

    warning = scenario(body())
    assert "no longer a member of the Discord server (Discord 10007" in (warning.content or "")
    assert len(rows(core, Goal)) == 1
