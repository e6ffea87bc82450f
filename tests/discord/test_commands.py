"""Slash commands through real discord.py: what the member is shown, and what is stored."""

from __future__ import annotations

from typing import Any

import pytest

from storage.db import run_in_transaction
from storage.models import Coordinator, Goal, GoalStatus, Pair, Program
from tests.discord.harness import (
    ADA,
    BEN,
    CASEY,
    DANA,
    GUILD_ID,
    LOBBY,
    PAIRS_CHANNEL,
    ROBIN,
    STEP,
    inputs,
    make_bot,
    running,
    scenario,
)
from tests.fakes.discord_api import FakeDiscord
from tests.support.bot import rows

pytestmark = pytest.mark.timeout(60)


def thread_messages(fake: FakeDiscord) -> list[dict]:
    """The messages in the (first) pair thread, once there is one."""
    threads = fake.threads
    return fake.messages(int(threads[0]["id"])) if threads else []


GOAL_SUBCOMMANDS = ["add", "done", "drop", "edit", "help", "ideas", "list", "reopen"]


def test_commands_are_synced_once_to_the_guild_not_on_reconnect(core, fake: FakeDiscord):
    """One bulk overwrite at start-up, to DISCORD_GUILD_ID; a dropped or re-identified gateway
    session does not sync again."""

    async def body() -> None:
        async with running(make_bot(core), fake):
            await fake.drop_gateway()
            await fake.wait_for(lambda: any(p.get("op") == 6 for p in fake.gateway_received), STEP)
            await fake.invalidate_session()
            await fake.wait_ready(STEP, count=2)
            reply = await fake.interact(fake.slash("goal", DANA, LOBBY, "help"), STEP)
            assert "/goal" in (reply.content or "")

    scenario(body())
    assert fake.sync_count == 1
    assert fake.sync_history[0].guild_id == GUILD_ID
    commands = {c["name"]: c for c in fake.synced_commands}
    assert sorted(commands) == [
        "goal",
        "log-meeting",
        "mentoring",
        "mentoring-admin",
        "mentoring-summary",
    ]
    assert sorted(o["name"] for o in commands["goal"]["options"]) == GOAL_SUBCOMMANDS
    mentoring = sorted(o["name"] for o in commands["mentoring"]["options"])
    assert mentoring == [
        "competencies",
        "export",
        "help",
        "pause",
        "reflect",
        "resume",
        "status",
        "timezone",
    ]
    options = {o["name"] for o in commands["log-meeting"]["options"]}
    assert {"date", "duration", "activity", "notes"} <= options
    assert {"from", "to", "period", "cohort", "manage"} == {
        o["name"] for o in commands["mentoring-summary"]["options"]
    }


def test_commands_are_synced_globally_without_a_guild_id(settings_values, clock, fake):
    """Without DISCORD_GUILD_ID the commands are registered for every server."""
    from bot.app import build_core
    from bot.settings import Settings

    settings_values.pop("DISCORD_GUILD_ID")
    core = build_core(Settings(**settings_values), clock)

    async def body() -> None:
        async with running(make_bot(core), fake):
            reply = await fake.interact(fake.slash("mentoring", DANA, LOBBY, "help"), STEP)
            assert "/mentoring" in (reply.content or "")

    scenario(body())
    [sync] = fake.sync_history
    assert sync.guild_id is None


def test_goal_add_is_private_stored_and_told_in_the_pair_thread(core, fake, pair_id):
    """`/goal add` answers the caller alone, stores the goal, and tells the pair in a new
    private thread with both members, whose id becomes the pair's conversation."""

    async def body() -> None:
        async with running(make_bot(core), fake):
            reply = await fake.interact(
                fake.slash("goal", BEN, LOBBY, "add", {"text": "Read 3 winners"}), STEP
            )
            assert reply.type == 4 and reply.ephemeral
            assert reply.content == "Added goal **1**: Read 3 winners"
            await fake.wait_for(lambda: thread_messages(fake), STEP)
            await fake.wait_for(lambda: rows(core, Pair)[0].conversation_id, STEP)  # kept

    scenario(body())
    [goal] = rows(core, Goal, Goal.pair_id == pair_id)
    assert goal.text == "Read 3 winners"
    [thread] = fake.threads
    assert thread["type"] == 12 and thread["parent_id"] == str(PAIRS_CHANNEL)
    assert thread["name"] == f"Ada & Ben (pair {pair_id})"
    assert set(thread["member_ids"]) == {fake.bot_user_id, ADA, BEN}
    [notice] = fake.messages(int(thread["id"]))
    assert notice["content"] == "🎯 Ben set goal **1**: Read 3 winners"
    [post] = fake.requests_to("POST", f"/channels/{thread['id']}/messages")
    assert post.json["allowed_mentions"]["parse"] == []  # a goal's text never pings anyone
    [pair] = rows(core, Pair)
    assert pair.conversation_id == thread["id"]
    assert fake.messages(LOBBY) == []


def test_commands_in_the_pair_thread_find_the_pair_and_numbers_autocomplete(
    core, fake, program_id, pair_id
):
    """In the pair's thread, /goal acts on that pair even for a member of two pairs; the goal
    number offers only the goals that verb can act on."""
    from tests.discord.harness import add_discord_pair

    add_discord_pair(core, program_id, (str(ADA), "Ada"), (str(DANA), "Dana"))

    async def body() -> None:
        async with running(make_bot(core), fake):
            for text in ("Read 3 winners", "Visit the library", "Write a review"):
                reply = await fake.interact(
                    fake.slash("goal", BEN, LOBBY, "add", {"text": text}), STEP
                )
                assert reply.content and reply.content.startswith("Added goal")
            await fake.wait_for(lambda: len(thread_messages(fake)) == 3, STEP)
            thread = int(fake.threads[0]["id"])
            done = await fake.interact(fake.slash("goal", ADA, thread, "done", {"number": 2}), STEP)
            assert done.content == "Goal **2** marked done 🎉: Visit the library"
            open_ones = await fake.interact(
                fake.autocomplete("goal", ADA, thread, "done", "number", ""), STEP
            )
            reopenable = await fake.interact(
                fake.autocomplete("goal", ADA, thread, "reopen", "number", ""), STEP
            )
            typed = await fake.interact(
                fake.autocomplete("goal", ADA, thread, "edit", "number", "rev"), STEP
            )
            elsewhere = await fake.interact(fake.slash("goal", ADA, LOBBY, "list"), STEP)
            assert "say which by naming your partner" in (elsewhere.content or "")
            nobody = await fake.interact(
                fake.autocomplete("goal", ADA, LOBBY, "done", "number", ""), STEP
            )
            assert nobody.data["choices"] == []

        assert open_ones.type == 8
        assert open_ones.data["choices"] == [
            {"name": "1. Read 3 winners", "value": 1},
            {"name": "3. Write a review", "value": 3},
        ]
        assert reopenable.data["choices"] == [{"name": "2. Visit the library", "value": 2}]
        assert typed.data["choices"] == [{"name": "3. Write a review", "value": 3}]

    scenario(body())
    statuses = {g.number: g.status for g in rows(core, Goal, Goal.pair_id == pair_id)}
    assert statuses == {1: GoalStatus.OPEN, 2: GoalStatus.DONE, 3: GoalStatus.OPEN}


def test_partner_option_picks_the_pair_outside_its_thread(core, fake, program_id, pair_id):
    """A member of two pairs names the partner with the `partner` option (a Discord user)."""
    from tests.discord.harness import add_discord_pair

    other = add_discord_pair(core, program_id, (str(ADA), "Ada"), (str(DANA), "Dana"))

    async def body() -> None:
        async with running(make_bot(core), fake):
            reply = await fake.interact(
                fake.slash("goal", ADA, LOBBY, "add", {"text": "Try a podcast", "partner": DANA}),
                STEP,
            )
            assert reply.content == "Added goal **1**: Try a podcast"
            await fake.wait_for(lambda: thread_messages(fake), STEP)

    scenario(body())
    assert [g.pair_id for g in rows(core, Goal)] == [other]


def test_summary_is_for_coordinators_by_setting_role_or_database(core, fake, pair_id):
    """A member gets a polite refusal; coordinators named in MENTORBOT_COORDINATORS, holding
    the coordinator role, or stored in the database get the totals and the CSV."""

    def store(session):
        session.add(Coordinator(platform="discord", platform_user_id=str(DANA)))

    async def body() -> dict[int, object]:
        async with running(make_bot(core), fake):
            answers = {}
            for user in (BEN, CASEY, ROBIN):
                answers[user] = await fake.interact(
                    fake.slash("mentoring-summary", user, LOBBY), STEP
                )
            run_in_transaction(core.sessions, store)
            answers[DANA] = await fake.interact(
                fake.slash("mentoring-summary", DANA, LOBBY, None, {"period": "2026Q4"}), STEP
            )
            return answers

    answers = scenario(body())
    refused = answers[BEN]
    assert refused.ephemeral and "for program coordinators" in (refused.content or "")
    assert refused.files == []
    for user in (CASEY, ROBIN, DANA):
        answer = answers[user]
        assert answer.ephemeral and "**Mentoring summary**" in (answer.content or "")
        assert [f.filename for f in answer.files] == ["mentoring-summary.csv"]
    assert "2026-10-01 to 2026-12-31" in (answers[DANA].content or "")  # period:2026Q4


def test_mentoring_pause_and_status(core, fake, pair_id):
    """`/mentoring pause weeks:2` pauses the pair and `/mentoring status` says so."""

    async def body() -> tuple[str, str]:
        async with running(make_bot(core), fake):
            paused = await fake.interact(
                fake.slash("mentoring", BEN, LOBBY, "pause", {"weeks": 2}), STEP
            )
            status = await fake.interact(fake.slash("mentoring", ADA, LOBBY, "status"), STEP)
            return paused.content or "", status.content or ""

    paused, status = scenario(body())
    assert paused.startswith("Paused for 2 weeks")
    assert "Paused until" in status
    [pair] = rows(core, Pair)
    assert pair.status == "paused"


def test_slow_core_is_deferred_then_answered(core, fake, pair_id):
    """When the core is slower than the bot's ack time, Discord first gets a private
    "thinking" (type 5) and the answer follows, replacing it."""

    async def body() -> None:
        async with running(make_bot(core, ack_within=0), fake):
            interaction = await fake.send_interaction(
                fake.slash("goal", BEN, LOBBY, "add", {"text": "Read slowly"})
            )
            followup = await fake.wait_for_response(interaction, STEP, kind="followup")
            first = fake.responses_for(interaction)[0]
            assert (first.type, first.data) == (5, {"flags": 64})
            assert followup.content == "Added goal **1**: Read slowly"

    scenario(body())


def test_a_failure_in_the_adapter_still_answers(core, fake, pair_id, monkeypatch, caplog):
    """Something unexpected on the bot's side: the caller gets the plain apology, not silence,
    with a reference that the operator's log line carries too."""

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    async def body() -> None:
        bot = make_bot(core)
        monkeypatch.setattr(bot.interactions, "_play", broken)
        async with running(bot, fake):
            reply = await fake.interact(fake.slash("goal", BEN, LOBBY, "list"), STEP)
            assert reply.ephemeral and reply.content.startswith("Sorry, something went wrong")
            reference = reply.content.rstrip(".").rsplit(" ", 1)[-1]
            assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)

    scenario(body())


def test_a_core_slower_than_discords_window_is_still_answered(core, fake, pair_id, monkeypatch):
    """With the bot's own timing, a core taking 3.5 s (the fake refuses first answers after
    Discord's 3 s) is deferred in time and answered after."""
    import time

    real = core.invoke

    def slow(*args, **kwargs):
        time.sleep(3.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(core, "invoke", slow)

    async def body() -> None:
        async with running(make_bot(core), fake):
            interaction = await fake.send_interaction(fake.slash("goal", BEN, LOBBY, "list"))
            followup = await fake.wait_for_response(interaction, STEP, kind="followup")
            assert fake.responses_for(interaction)[0].type == 5
            assert "No goals yet" in (followup.content or "")

    scenario(body())


def test_the_program_form_is_a_modal_of_its_rhythm(core, fake, pair_id):
    """`/mentoring-admin` alone opens a modal with the five settings Discord has room for,
    the rhythm first, filled in; saving a new weekday changes it and says so; the other
    settings are the command's options."""

    async def body() -> tuple[Any, Any]:
        async with running(make_bot(core), fake):
            opened = await fake.interact(fake.slash("mentoring-admin", CASEY, LOBBY), STEP)
            typed = {
                "every": ["3"],
                "on": ["thursday"],
                "at": "10:00",
                "timezone": "America/New_York",
                "start": "2026-09-01",
            }
            saved = await fake.interact(
                fake.modal_submit(opened.data["custom_id"], CASEY, LOBBY, typed), STEP
            )
            return opened, saved

    opened, saved = scenario(body())
    assert opened.type == 9
    assert inputs(opened.data) == ["every", "on", "at", "timezone", "start"]
    assert saved.ephemeral and "on Thursday at 10:00" in (saved.content or "")
    [program] = rows(core, Program)
    assert program.weekday == 3


def test_mentoring_timezone_is_an_option_with_zone_names_suggested(core, fake, pair_id):
    """`/mentoring timezone` shows the member's zone and how to set it with the `zone` option,
    whose names are suggested as typed; `zone:` sets it in any letter case, with the pair's next
    suggestion in the new local time. Dana, in no pair, can set hers too."""
    from storage.models import Person

    async def body() -> dict[str, Any]:
        async with running(make_bot(core), fake):
            return {
                "shown": await fake.interact(fake.slash("mentoring", BEN, LOBBY, "timezone"), STEP),
                "offered": await fake.interact(
                    fake.autocomplete("mentoring", BEN, LOBBY, "timezone", "zone", "europe/l"),
                    STEP,
                ),
                "set": await fake.interact(
                    fake.slash("mentoring", BEN, LOBBY, "timezone", {"zone": "europe/london"}),
                    STEP,
                ),
                "wrong": await fake.interact(
                    fake.slash("mentoring", DANA, LOBBY, "timezone", {"zone": "Asia/Kolkatta"}),
                    STEP,
                ),
                "dana": await fake.interact(
                    fake.slash("mentoring", DANA, LOBBY, "timezone", {"zone": "Asia/Kolkata"}),
                    STEP,
                ),
            }

    replies = scenario(body())
    assert all(reply.ephemeral for name, reply in replies.items() if name != "offered")
    assert replies["shown"].content == (
        "You have not set a time zone, so your program's is used: `America/New_York`. "
        "It is 10:00 on Fri 20 Nov there.\n"
        "Next suggestion with Ada (your mentor): Tue 8 Dec, 10:00 your time (your pair's "
        "suggestions follow the program's time zone, `America/New_York`).\n"
        "To set it, type e.g. `/mentoring timezone zone:Europe/London` (an IANA name, in any "
        "letter case; the option suggests names as you type)."
    )
    assert replies["offered"].type == 8
    assert [c["value"] for c in replies["offered"].data["choices"]] == [
        "Europe/Lisbon",
        "Europe/Ljubljana",
        "Europe/London",
        "Europe/Luxembourg",
    ]
    assert replies["set"].content == (
        "Your time zone is now `Europe/London`, set by you (you had not set one, so your "
        "program's `America/New_York` was used). It is 15:00 on Fri 20 Nov there.\n"
        "Next suggestion with Ada (your mentor): Tue 8 Dec, 10:00 your time, until now 15:00 "
        "(your pair's suggestions follow your time zone)."
    )
    assert replies["wrong"].content.startswith(
        "“Asia/Kolkatta” is not a time zone name (did you mean `Asia/Kolkata`"
    )
    assert "`/mentoring timezone zone:Europe/London`" in replies["wrong"].content
    assert replies["dana"].content.startswith("Your time zone is now `Asia/Kolkata`, set by you")
    zones = {p.platform_user_id: p.timezone for p in rows(core, Person)}
    assert zones == {str(ADA): None, str(BEN): "Europe/London", str(DANA): "Asia/Kolkata"}
