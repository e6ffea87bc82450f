"""Suggestions delivered by the scheduler through SlackOutbound, and their buttons clicked."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from typing import Any

import pytest

from bot.app import build_ticker
from bot.core.conversations import PairConversations
from bot.slack_app.outbound import DELIVERY_EVENT, SlackOutbound
from scheduler.tick import TickReport
from storage.models import Delivery, Pair, Person, Response
from tests.slack.harness import COORDINATOR, add_slack_pair, buttons, serve, shown
from tests.support.bot import rows

pytestmark = pytest.mark.timeout(30)


def at(day: str, hour: int = 15, minute: int = 0) -> dt.datetime:
    """A UTC moment; 15:00 UTC is the program's 10:00 in New York in November."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=dt.UTC)


WELCOME = at("2026-11-17")


def tick(ticker: Any, now: dt.datetime) -> TickReport:
    return asyncio.run(ticker.tick(now))


def conversation(core: Any) -> str:
    [pair] = rows(core, Pair)
    assert pair.conversation_id
    return pair.conversation_id


def click(app: Any, fake: Any, label: str, user: str, channel: str) -> str:
    """Press the button ``label`` on the pair's suggestion; returns the reply's key."""

    async def scenario() -> str:
        async with serve(app, fake) as slack:
            message = fake.messages(channel)[0]
            calls = len(fake.calls)
            key = await slack.click(buttons(message)[label], user, channel, message)
            await fake.wait_for(
                lambda: (
                    fake.responses_to(key)
                    or any(c.method in ("chat.update", "views.open") for c in fake.calls[calls:])
                )
            )
            await asyncio.sleep(0.2)  # the rest of the reply (update, private answer, posts)
            return key

    return asyncio.run(scenario())


def test_suggestion_goes_to_a_group_dm_with_its_delivery_key(core, fake, ticker, pair_id):
    """The welcome opens a group DM of both members, carries its key, and the id is kept."""
    report = tick(ticker, WELCOME)
    assert [o.kind for o in report.sent] == ["welcome"]
    [opened] = fake.calls_to("conversations.open")
    assert opened.args["users"] == "U1,U2"
    channel = conversation(core)
    [message] = fake.messages(channel)
    [delivery] = rows(core, Delivery)
    assert message["metadata"] == {
        "event_type": DELIVERY_EVENT,
        "event_payload": {"key": delivery.idempotency_key},
    }
    assert (delivery.status, delivery.message_ref) == ("sent", message["ts"])
    assert list(buttons(message)) == [
        "We'll do this",
        "Show me another",
        "Done, log it",
        "Skip this round",
        "Rate yourself on the competencies",
    ]
    assert "Welcome" in shown(message)


def test_well_do_this_updates_the_message_to_show_who_chose(app, core, fake, ticker, pair_id):
    """“We'll do this” is stored and the suggestion is updated in place naming who chose."""
    tick(ticker, WELCOME)
    channel = conversation(core)
    key = click(app, fake, "We'll do this", "U2", channel)
    [update] = fake.calls_to("chat.update")
    assert update.args["channel"] == channel
    [message] = fake.messages(channel)
    assert "Ben pressed “We'll do this”" in shown(message)
    assert list(buttons(message)) == ["Done, log it", "Rate yourself on the competencies"]
    assert "meeting form" in shown(fake.responses_to(key)[0])
    [response] = rows(core, Response)
    assert response.action == "accept"


def test_show_me_another_replaces_the_suggestion_in_place(app, core, fake, ticker, pair_id):
    """“Show me another” swaps the activity in the same message; no new message is posted."""
    tick(ticker, WELCOME)
    channel = conversation(core)
    [before] = rows(core, Delivery)
    first_text = shown(fake.messages(channel)[0])
    click(app, fake, "Show me another", "U1", channel)
    [after] = rows(core, Delivery)
    assert (after.swaps, after.activity_id != before.activity_id) == (1, True)
    [message] = fake.messages(channel)
    assert shown(message) != first_text
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_done_log_it_opens_the_form_for_the_suggested_activity(app, core, fake, ticker, pair_id):
    """“Done, log it” opens the meeting modal with the suggested activity already selected."""
    tick(ticker, WELCOME)
    click(app, fake, "Done, log it", "U1", conversation(core))
    [delivery] = rows(core, Delivery)
    [view] = fake.views
    block_ids = [b["block_id"] for b in view["blocks"]]
    assert block_ids == ["intro", "date", "duration", "notes", "next_steps", "rating"]
    title = core.catalog.activity(delivery.activity_id).title
    assert view["blocks"][0]["text"]["text"] == f"Activity: *{title}*"


def test_we_need_help_tells_the_coordinator_by_dm(app, core, fake, ticker, pair_id):
    """A check-in's “We need help” DMs the coordinators and updates the check-in."""
    tick(ticker, WELCOME)
    tick(ticker, at("2026-12-08"))  # round 1; no meeting logged after it
    report = tick(ticker, at("2026-12-22"))  # a week before round 2
    assert [o.kind for o in report.sent] == ["checkin"]
    channel = conversation(core)
    checkin = fake.messages(channel)[2]
    dm = fake.open_conversation(COORDINATOR)  # the id the bot's conversations.open will get

    async def scenario() -> None:
        async with serve(app, fake) as slack:
            await slack.click(buttons(checkin)["We need help"], "U2", channel, checkin)
            await fake.wait_for(lambda: any("help" in m["text"] for m in fake.messages(dm)))

    asyncio.run(scenario())
    alerts = [m for m in fake.messages(dm) if "asked for help" in m["text"]]
    assert len(alerts) == 1 and "Ben asked for help" in alerts[0]["text"]
    assert "pressed “We need help”" in shown(fake.messages(channel)[2])


def test_resend_after_a_crash_finds_the_first_message(core, fake, outbound, pair_id, clock):
    """A process dying between posting and recording, then 250 messages of the members'
    chatter: the next tick searches the history from the first attempt, page by page, finds
    the message by its metadata key and does not post it twice."""

    class CrashAfterPosting(SlackOutbound):
        async def send_to_pair(self, *args: Any, **kwargs: Any) -> Any:
            await super().send_to_pair(*args, **kwargs)
            raise SystemExit("died before recording the delivery")

    crashing = CrashAfterPosting(outbound.client, PairConversations(core.sessions))
    with pytest.raises(SystemExit):
        tick(build_ticker(core, {"slack": crashing}), WELCOME)
    [first] = fake.calls_to("chat.postMessage")
    for number in range(250):
        fake.member_says(first.args["channel"], "U1", f"chatter {number}")
    clock.advance(minutes=6)  # the dead process's lease runs out
    restarted = build_ticker(core, {"slack": outbound})
    report = tick(restarted, WELCOME + dt.timedelta(minutes=6))
    assert len(report.sent) == 1
    assert len(fake.calls_to("chat.postMessage")) == 1
    pages = fake.calls_to("conversations.history")
    assert len(pages) == 2  # 250 messages of chatter, then the welcome on the second page
    assert all(page.args["include_all_metadata"] in (True, "true", "1") for page in pages)
    [delivery] = rows(core, Delivery)
    channel = conversation(core)
    assert (delivery.status, delivery.message_ref) == ("sent", fake.messages(channel)[0]["ts"])
    assert first.args["channel"] == channel


def test_deactivated_member_flags_the_pair_and_nothing_is_posted(core, fake, ticker, pair_id):
    """Slack says deleted: the delivery fails, the member is flagged, nothing is sent."""
    fake.add_user("U2", name="ben", deleted=True)
    report = tick(ticker, WELCOME)
    assert [reason for _, reason in report.failed] == ["deactivated on Slack"]
    [ben] = rows(core, Person, Person.platform_user_id == "U2")
    assert ben.unreachable_reason == "deactivated on Slack"
    assert rows(core, Delivery)[0].status == "failed"
    assert not_to_the_pair(fake) == [], "the only post is the coordinators' weekly digest"
    opened = [call.args["users"] for call in fake.calls_to("conversations.open")]
    assert opened == [COORDINATOR], "no conversation with the pair is opened"


def test_a_round_reads_the_workspace_once_not_every_member(core, fake, ticker, program_id):
    """Who is deactivated comes from users.list (1,000 a page) once for the round, not from
    users.info per member: three pairs, one of them with a deactivated mentee, cost one
    users.list call and no users.info."""
    for number in range(3):
        fake.add_user(f"UM{number}", name=f"mentor{number}")
        fake.add_user(f"UE{number}", name=f"mentee{number}", deleted=number == 2)
        add_slack_pair(core, program_id, (f"UM{number}", "Mentor"), (f"UE{number}", "Mentee"))
    report = tick(ticker, WELCOME)
    assert len(report.sent) == 2
    assert [reason for _, reason in report.failed] == ["deactivated on Slack"]
    assert len(fake.calls_to("users.list")) == 1
    assert fake.calls_to("users.info") == []


def test_member_unknown_to_slack_is_a_clear_failure(core, fake, ticker, program_id):
    """users.info answering user_not_found flags the member as not found on Slack."""
    add_slack_pair(core, program_id, ("U1", "Ada"), ("U404", "Gone"))
    report = tick(ticker, WELCOME)
    assert [reason for _, reason in report.failed] == ["not found on Slack"]
    assert rows(core, Person, Person.platform_user_id == "U404")[0].unreachable_reason == (
        "not found on Slack"
    )
    assert not_to_the_pair(fake) == [], "the only post is the coordinators' weekly digest"


def test_user_not_found_when_opening_the_dm_fails_the_delivery(core, fake, ticker, pair_id):
    """conversations.open refusing with user_not_found is permanent, in plain words."""
    fake.fail_next("conversations.open", error="user_not_found")
    report = tick(ticker, WELCOME)
    [(_, reason)] = report.failed
    assert reason == "a member's Slack account was not found (Slack: user_not_found)"
    assert rows(core, Delivery)[0].last_error == reason


def test_rate_limited_post_is_retried_then_sent_once(core, fake, ticker, pair_id):
    """A 429 with a short Retry-After is retried in place; one message arrives."""
    fake.fail_next("chat.postMessage", status=429, retry_after=0)
    report = tick(ticker, WELCOME)
    assert len(report.sent) == 1
    assert len(fake.calls_to("chat.postMessage")) == 2
    assert len(fake.messages(conversation(core))) == 1


def test_long_rate_limit_is_left_to_the_scheduler(core, fake, ticker, pair_id):
    """A 429 asking for minutes is not slept on: the delivery waits for Retry-After."""
    fake.fail_next("chat.postMessage", status=429, retry_after=120)
    report = tick(ticker, WELCOME)
    [(_, reason)] = report.retrying
    assert reason == "Slack is rate-limiting the bot"
    [delivery] = rows(core, Delivery)
    assert delivery.next_attempt_at == WELCOME + dt.timedelta(seconds=120)
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_server_error_is_retried_on_a_later_tick(core, fake, ticker, pair_id):
    """HTTP 500 is transient: retried later, then sent once."""
    fake.fail_next("chat.postMessage", status=500)
    assert [r for _, r in tick(ticker, WELCOME).retrying] == ["Slack had a server error (HTTP 500)"]
    assert len(tick(ticker, WELCOME + dt.timedelta(minutes=1)).sent) == 1
    assert len(fake.messages(conversation(core))) == 1


def test_gone_conversation_is_reopened_and_kept(core, fake, ticker, program_id):
    """channel_not_found for the stored group DM: a new one is opened, used and stored."""
    add_slack_pair(core, program_id, ("U1", "Ada"), ("U2", "Ben"), conversation_id="GOLD0001")
    fake.fail_next("chat.postMessage", error="channel_not_found")
    assert len(tick(ticker, WELCOME).sent) == 1
    channel = conversation(core)
    assert channel != "GOLD0001"
    assert fake.conversation_users(channel) == ["U1", "U2"]
    assert len(fake.messages(channel)) == 1


def test_conversation_gone_for_good_fails_in_plain_words(core, fake, ticker, program_id):
    """When even the reopened conversation is not found, the delivery fails and says why."""
    add_slack_pair(core, program_id, ("U1", "Ada"), ("U2", "Ben"), conversation_id="GOLD0001")
    fake.fail_next("chat.postMessage", error="channel_not_found", times=2)
    [(_, reason)] = tick(ticker, WELCOME).failed
    assert reason == ("the pair's Slack conversation no longer exists (Slack: channel_not_found)")


def test_nudge_tick_from_the_command_line_posts_to_slack(core, fake, settings, pair_id):
    """`mentorbot nudge tick` with Slack tokens delivers through the Slack Web API."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": fake.url,
    }
    env.pop("DISCORD_BOT_TOKEN", None)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "nudge", "tick", "--now", WELCOME.isoformat()],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert f"sent welcome to pair {pair_id}" in result.stdout
    [posted] = fake.calls_to("chat.postMessage")
    assert "Welcome" in shown(fake.messages(posted.args["channel"])[0])


def test_a_tick_slower_than_its_lease_never_posts_twice(core, fake, outbound, pair_id, clock):
    """Ticker A posts the welcome and then stalls before hearing back; its lease runs out
    while the members chat 60 messages. Ticker B takes the row over, finds the message past
    the chatter and records it; when A wakes, nothing is posted or recorded twice."""
    posted, release = asyncio.Event(), asyncio.Event()

    class Stalling(SlackOutbound):
        async def send_to_pair(self, *args: Any, **kwargs: Any) -> Any:
            sent = await super().send_to_pair(*args, **kwargs)
            posted.set()
            await release.wait()
            return sent

    stalling = Stalling(outbound.client, PairConversations(core.sessions))

    async def scenario() -> tuple[TickReport, TickReport]:
        first = asyncio.ensure_future(build_ticker(core, {"slack": stalling}).tick(WELCOME))
        await posted.wait()
        channel = fake.calls_to("chat.postMessage")[0].args["channel"]
        for number in range(60):
            fake.member_says(channel, "U2", f"chatter {number}")
        clock.advance(minutes=6)
        second = await build_ticker(core, {"slack": outbound}).tick(
            WELCOME + dt.timedelta(minutes=6)
        )
        release.set()
        return await first, second

    _, taken_over = asyncio.run(scenario())
    assert len(fake.calls_to("chat.postMessage")) == 1
    assert len(taken_over.sent) == 1
    [delivery] = rows(core, Delivery)
    channel = conversation(core)
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert delivery.message_ref == fake.messages(channel)[0]["ts"]


def test_conversations_are_opened_ahead_so_the_kickoff_only_posts(core, fake, ticker, pair_id):
    """A tick before the pair's start opens its group DM (conversations.open is tier 3, too
    slow for a kickoff of thousands) and stores it; the welcome round then only posts."""
    report = tick(ticker, WELCOME - dt.timedelta(days=2))
    assert report.sent == [] and report.opened == 1
    assert len(fake.calls_to("conversations.open")) == 1
    channel = conversation(core)
    fake.reset_calls()
    assert len(tick(ticker, WELCOME).sent) == 1
    assert fake.calls_to("conversations.open") == []
    [posted] = fake.calls_to("chat.postMessage")
    assert posted.args["channel"] == channel


def test_a_pair_with_a_deactivated_member_is_flagged_not_opened_ahead(
    core, fake, ticker, program_id
):
    """Opening ahead asks the workspace list first: a deactivated member's pair gets no
    conversations.open (tick after tick) and is flagged for the coordinators at once."""
    fake.add_user("U9", name="gone", deleted=True)
    add_slack_pair(core, program_id, ("U1", "Ada"), ("U9", "Gone"))
    for days in (3, 2):
        assert tick(ticker, WELCOME - dt.timedelta(days=days)).opened == 0
    assert fake.calls_to("conversations.open") == []
    [gone] = rows(core, Person, Person.platform_user_id == "U9")
    assert gone.unreachable_reason == "deactivated on Slack"


def test_a_server_error_on_the_workspace_list_is_asked_again_not_member_by_member(
    core, fake, ticker, pair_id
):
    """One 500 from users.list costs a retry of that page, not a users.info per member."""
    fake.fail_next("users.list", status=500, error="internal_error")
    assert len(tick(ticker, WELCOME).sent) == 1
    assert len(fake.calls_to("users.list")) == 2
    assert fake.calls_to("users.info") == []


def not_to_the_pair(fake) -> list[str]:
    """The texts posted other than the coordinators' weekly digest (a DM at the program's
    weekday and time, which these rounds fall on)."""
    return [
        call.args["text"]
        for call in fake.calls_to("chat.postMessage")
        if not call.args["text"].startswith("Your weekly mentoring digest")
    ]
