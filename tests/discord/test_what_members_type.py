"""What members fill in, as conversations over real discord.py and the fake Discord: each turn
is who sent which slash command with which options and what they were shown (SPEC "How commands
read"), then what was stored.

On Discord the partner is the ``partner`` user option and options arrive typed; a number is an
integer option with its range synced to Discord, whose client refuses values outside it (the
harness plays that part: ``DISCORD_REFUSES``), so ③ or ² cannot be typed here at all.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from storage.models import Goal, GoalStatus, Meeting, Pair, PairStatus
from tests.discord.harness import (
    ADA,
    BEN,
    CASEY,
    DANA,
    DISCORD_REFUSES,
    LOBBY,
    ROBIN,
    STEP,
    add_discord_pair,
    converse,
    make_bot,
    modal_value,
    pair_thread,
    running,
    scenario,
    slash,
    unchecked,
)
from tests.fakes.discord_api import FakeDiscord
from tests.support.bot import rows
from tests.support.transcripts import APOLOGY, REFERENCE, Not

pytestmark = pytest.mark.timeout(60)


def goals_of(core: Any, pair_id: int) -> dict[int, tuple[str, str]]:
    """A pair's goals: number -> (text, status)."""
    return {g.number: (g.text, g.status) for g in rows(core, Goal, Goal.pair_id == pair_id)}


def meetings_of(core: Any, pair_id: int) -> dict[int, tuple[str, int | None, str]]:
    """A pair's meetings: number -> (day, minutes, notes)."""
    found = rows(core, Meeting, Meeting.pair_id == pair_id)
    return {m.number: (m.met_on.isoformat(), m.duration_minutes, m.notes) for m in found}


def posted(fake: FakeDiscord, text: str = "") -> list[str]:
    """What the bot posted into the pairs' threads (not private answers) containing ``text``."""
    found = [m["content"] for t in fake.threads for m in fake.messages(int(t["id"]))]
    return [content for content in found if text in content]


@pytest.fixture
def ada_with_ben_and_dana(core: Any, program_id: int) -> tuple[int, int]:
    """Ada mentors Ben and Dana, so outside a pair's thread she names whom she means."""
    with_ben = add_discord_pair(core, program_id, (str(ADA), "Ada"), (str(BEN), "Ben"))
    with_dana = add_discord_pair(core, program_id, (str(ADA), "Ada"), (str(DANA), "Dana"))
    return with_ben, with_dana


def test_goal_verbs_with_the_partner_option(core, fake, ada_with_ben_and_dana):
    """`/goal add|done|drop|edit|list … partner:` acts on that partner's pair; without it, a
    member of two pairs is asked to name one."""
    with_ben, with_dana = ada_with_ben_and_dana
    turns = [
        (
            ADA,
            slash("goal add", text="Plan storytime", partner=BEN),
            "Added goal **1**: Plan storytime",
        ),
        (
            ADA,
            slash("goal add", text="Visit the library", partner=DANA),
            "Added goal **1**: Visit the library",
        ),
        (
            ADA,
            slash("goal add", text="Read together", partner=BEN),
            "Added goal **2**: Read together",
        ),
        (
            ADA,
            slash("goal done", number=1, partner=BEN),
            "Goal **1** marked done 🎉: Plan storytime",
        ),
        (ADA, slash("goal drop", number=2, partner=BEN), "Goal **2** dropped: Read together"),
        (
            ADA,
            slash("goal edit", number=2, text="Read together weekly", partner=BEN),
            "now reads: Read together weekly",
        ),
        (
            ADA,
            slash("goal list", partner=BEN),
            ("**Your goals**", "Plan storytime", Not("Visit the library")),
        ),
        (
            ADA,
            slash("goal add", text="Whose goal?"),
            ("You are in 2 pairs", "@Ben", "@Dana", Not("Added")),
        ),
    ]

    async def body() -> None:
        async with running(make_bot(core), fake):
            await converse(fake, turns, LOBBY)
            await fake.wait_for(lambda: len(posted(fake)) == 4, STEP)  # 3 set, 1 done

    scenario(body())
    assert goals_of(core, with_ben) == {
        1: ("Plan storytime", GoalStatus.DONE),
        2: ("Read together weekly", GoalStatus.DROPPED),
    }
    assert goals_of(core, with_dana) == {1: ("Visit the library", GoalStatus.OPEN)}


def test_meetings_and_pauses_with_the_partner_option(core, fake, ada_with_ben_and_dana):
    """`/log-meeting manage:list` lists and logs nothing; `manage:delete number:2 partner:Dana`
    deletes Ada's meeting 2 with Dana and tells no one a meeting was logged; `/mentoring pause
    weeks:4 partner:Ben` pauses the pair with Ben only."""
    with_ben, with_dana = ada_with_ben_and_dana
    log = "log-meeting"
    turns = [
        (
            ADA,
            slash(log, date="yesterday", duration="30m", notes="read aloud", partner=BEN),
            "Logged meeting **1**: Thu 19 Nov 2026, 30 min",
        ),
        (
            ADA,
            slash(log, manage="list", partner=BEN),
            ("**Meetings** (1)", "read aloud", Not("Logged meeting")),
        ),
        (
            ADA,
            slash(log, date="yesterday", duration="30m", notes="first talk", partner=DANA),
            "Logged meeting **1**",
        ),
        (
            ADA,
            slash(log, date="2 days ago", duration="45m", notes="second talk", partner=DANA),
            "Logged meeting **2**",
        ),
    ]
    then = [
        (
            ADA,
            slash(log, manage="delete", number=2, partner=DANA),
            ("Deleted meeting **2**", Not("Logged")),
        ),
        (
            ADA,
            slash("mentoring pause", weeks=4, partner=BEN),
            "Paused for 4 weeks, until Fri 18 Dec 2026",
        ),
    ]

    async def body() -> None:
        async with running(make_bot(core), fake):
            await converse(fake, turns, LOBBY)
            await fake.wait_for(lambda: len(posted(fake, "logged a meeting")) == 3, STEP)
            await converse(fake, then, LOBBY)
            await fake.wait_for(lambda: posted(fake, "paused suggestions"), STEP)

    scenario(body())
    assert meetings_of(core, with_ben) == {1: ("2026-11-19", 30, "read aloud")}
    assert meetings_of(core, with_dana) == {1: ("2026-11-19", 30, "first talk")}
    assert len(posted(fake, "logged a meeting")) == 3
    assert posted(fake, "deleted") == []
    statuses = {p.id: p.status for p in rows(core, Pair)}
    assert statuses == {with_ben: PairStatus.PAUSED, with_dana: PairStatus.ACTIVE}


def test_inside_the_pairs_thread_the_partner_may_be_named(core, fake, ada_with_ben_and_dana):
    """In the Ada–Ben thread, `/log-meeting date:yesterday duration:45m notes:talked partner:Ben`
    logs for that pair; a future date or 99999999999m is refused with the reason, and naming
    the other partner there is refused."""
    with_ben, with_dana = ada_with_ben_and_dana
    log = "log-meeting"
    turns = [
        (
            ADA,
            slash(log, date="yesterday", duration="45m", notes="talked", partner=BEN),
            "Logged meeting **1**: Thu 19 Nov 2026, 45 min",
        ),
        (
            ADA,
            slash(log, date="2026-12-25", duration="45m", notes="talked", partner=BEN),
            ("2026-12-25 is in the future (today is 2026-11-20)", "_You typed:_", Not("Logged")),
        ),
        (
            ADA,
            slash(log, date="yesterday", duration="99999999999m", notes="talked", partner=BEN),
            ("“99999999999m” is longer than a meeting can be (at most 12h)", Not("Logged")),
        ),
        (
            ADA,
            slash(log, date="yesterday", duration="45m", notes="talked", partner=DANA),
            ("This is your pair's conversation with Ben", Not("Logged")),
        ),
        (
            ADA,
            slash(log, date="yesterday", duration="1h", notes="no name needed here"),
            "Logged meeting **2**: Thu 19 Nov 2026, 1 h",
        ),
    ]

    async def body() -> list[Any]:
        bot = make_bot(core)
        async with running(bot, fake):
            thread = await pair_thread(bot, fake, core, with_ben)
            said = await converse(fake, turns, thread)
            await fake.wait_for(lambda: len(fake.messages(thread)) == 3, STEP)  # hello + 2
            return said

    said = scenario(body())
    assert said[1].typed_back == (
        "/log-meeting partner:@Ben date:2026-12-25 duration:45m notes:talked"
    )
    assert meetings_of(core, with_ben) == {
        1: ("2026-11-19", 45, "talked"),
        2: ("2026-11-19", 60, "no name needed here"),
    }
    assert meetings_of(core, with_dana) == {}
    assert len(posted(fake, "Ada logged a meeting")) == 2


def test_at_words_and_mentions_in_text_are_kept_as_typed(core, fake, pair_id):
    """A goal's text keeps "@ana" and a Discord mention exactly as they were typed."""
    mention = f"Shadow <@{ADA}> at storytime"
    turns = [
        (
            BEN,
            slash("goal add", text="Shadow @ana at storytime"),
            "Added goal **1**: Shadow @ana at storytime",
        ),
        (BEN, slash("goal add", text=mention), f"Added goal **2**: {mention}"),
    ]

    async def body() -> None:
        async with running(make_bot(core), fake):
            await converse(fake, turns, LOBBY)
            await fake.wait_for(lambda: len(posted(fake, "set goal")) == 2, STEP)

    scenario(body())
    assert goals_of(core, pair_id) == {
        1: ("Shadow @ana at storytime", GoalStatus.OPEN),
        2: (mention, GoalStatus.OPEN),
    }


def test_numbers_outside_their_range_are_refused_by_discord_itself(core, fake, pair_id):
    """0, a number past 64 bits or 27 weeks never leave Discord's client (the synced options
    carry the ranges); sent anyway, the bot answers with a sentence, never an apology."""
    turns = [
        (BEN, slash("goal done", number=0), DISCORD_REFUSES),
        (BEN, slash("goal drop", number=18446744073709551616), DISCORD_REFUSES),
        (BEN, slash("mentoring pause", weeks=0), DISCORD_REFUSES),
        (BEN, slash("mentoring pause", weeks=27), DISCORD_REFUSES),
        (BEN, slash("log-meeting", manage="delete", number=100001), DISCORD_REFUSES),
        (
            BEN,
            unchecked(slash("goal drop", number=18446744073709551616)),
            ("is not a goal number from 1 to 100,000", "`/goal drop number:2`"),
        ),
        (
            BEN,
            unchecked(slash("mentoring pause", weeks=27)),
            ("is not a number of weeks from 1 to 26", "`/mentoring pause weeks:4`"),
        ),
        (
            BEN,
            unchecked(slash("mentoring pause", weeks=0)),
            ("is not a number of weeks from 1 to 26", Not("Paused")),
        ),
    ]

    async def body() -> None:
        async with running(make_bot(core), fake):
            await converse(fake, turns, LOBBY)

    scenario(body())
    [pair] = rows(core, Pair)
    assert pair.status == PairStatus.ACTIVE


def test_periods_that_can_be_typed_get_a_sentence_or_the_summary(core, fake, pair_id):
    """`period:9999Q4` is refused saying what to type; `from:` a past day without `to:` gives
    the summary up to today."""
    turns = [
        (
            CASEY,
            slash("mentoring-summary", period="9999Q4"),
            (
                "“9999Q4” is not a quarter between 2000 and 2099",
                "`/mentoring-summary period:2027Q1`",
            ),
        ),
        (
            CASEY,
            slash("mentoring-summary", **{"from": "2026-10-01"}),
            ("**Mentoring summary**", "2026-10-01 to 2026-11-20"),
        ),
    ]

    async def body() -> list[Any]:
        async with running(make_bot(core), fake):
            return await converse(fake, turns, LOBBY)

    refused, summary = scenario(body())
    assert refused.typed_back == "/mentoring-summary period:9999Q4"
    assert [f.filename for f in summary.answer.files] == ["mentoring-summary.csv"]


def test_a_bad_date_gives_the_options_back_and_the_form_filled_in(core, fake, pair_id):
    """`date:2026-02-30` is refused with the options given back and "Open the form"; the modal
    opens with the date, duration and notes filled in, and a good date saves them."""
    notes = "long notes about the picture books we read, and the one Ben wants to write"
    turns = [
        (
            BEN,
            slash("log-meeting", date="2026-02-30", duration="45m", notes=notes),
            (
                "“2026-02-30” is not a date: February 2026 has 28 days",
                "_You typed:_",
                Not("Logged"),
            ),
        ),
    ]

    async def body() -> tuple[Any, ...]:
        async with running(make_bot(core), fake):
            [refused] = await converse(fake, turns, LOBBY)
            assert rows(core, Meeting) == []
            opened = await fake.interact(
                fake.button(
                    refused.buttons["Open the form"], BEN, LOBBY, refused.answer.message_id
                ),
                STEP,
            )
            values = {
                "date": "2026-11-19",
                "duration": modal_value(opened.data, "duration"),
                "activity": ["other"],
            }  # the notes are sent as the modal holds them
            saved = await fake.interact(
                fake.modal_submit(opened.data["custom_id"], BEN, LOBBY, values), STEP
            )
            await fake.wait_for(lambda: posted(fake, "logged a meeting"), STEP)
            return refused, opened, saved

    refused, opened, saved = scenario(body())
    assert refused.typed_back == f"/log-meeting date:2026-02-30 duration:45m notes:{notes}"
    assert list(refused.buttons) == ["Open the form"]
    assert opened.type == 9 and opened.data["title"] == "Log a meeting"
    assert modal_value(opened.data, "date") == "2026-02-30"  # there to be corrected
    assert modal_value(opened.data, "duration") == "45m"
    assert modal_value(opened.data, "notes") == notes
    assert (saved.content or "").startswith("Logged meeting **1**")
    assert meetings_of(core, pair_id) == {1: ("2026-11-19", 45, notes)}


def test_a_goal_over_500_characters_is_refused_with_its_text_and_the_form(core, fake, pair_id):
    """Discord's client holds the goal option and the goal form to 500 characters; 558 sent
    anyway is refused naming the limit, given back (cut to 300) with "Open the form", which
    opens the goal form holding the whole text to shorten."""
    long_goal = ("Read one picture book together every week, " * 13).strip()
    assert len(long_goal) == 558
    turns = [
        (BEN, slash("goal add", text=long_goal), DISCORD_REFUSES),
        (BEN, slash("goal add"), "[a form opens: Add a goal]"),
        (
            BEN,
            unchecked(slash("goal add", text=long_goal)),
            ("558 characters long", "at most 500", "_You typed:_", Not("Added")),
        ),
    ]

    async def body() -> tuple[Any, ...]:
        async with running(make_bot(core), fake):
            empty, refused = (await converse(fake, turns, LOBBY))[1:]
            with pytest.raises(
                ValueError, match=re.escape("..500 characters")
            ):  # the client says no
                fake.modal_submit(empty.answer.data["custom_id"], BEN, LOBBY, {"text": long_goal})
            assert rows(core, Goal) == []
            opened = await fake.interact(
                fake.button(
                    refused.buttons["Open the form"], BEN, LOBBY, refused.answer.message_id
                ),
                STEP,
            )
            whole = modal_value(opened.data, "text")
            saved = await fake.interact(
                fake.modal_submit(opened.data["custom_id"], BEN, LOBBY, {"text": whole[:120]}),
                STEP,
            )
            await fake.wait_for(lambda: posted(fake, "set goal"), STEP)
            return refused, opened, whole, saved

    refused, opened, whole, saved = scenario(body())
    echoed = refused.typed_back or ""
    assert len(echoed) == 300 and echoed.endswith("…")
    assert f"/goal add text:{long_goal}".startswith(echoed[:-1])
    assert opened.type == 9 and opened.data["title"] == "Add a goal"
    assert whole == long_goal
    assert (saved.content or "").startswith("Added goal **1**")
    assert goals_of(core, pair_id) == {1: (long_goal[:120], GoalStatus.OPEN)}


def test_someone_not_a_partner_is_refused_listing_the_partners(core, fake, ada_with_ben_and_dana):
    """Robin as Ada's `partner:` on any command is refused with her partners listed; nothing is
    stored."""
    listed = ("is not your partner", "@Ben", "@Dana")
    turns = [
        (ADA, slash("goal add", text="Plan storytime", partner=ROBIN), (*listed, Not("Added"))),
        (ADA, slash("goal done", number=1, partner=ROBIN), (*listed, Not("marked done"))),
        (
            ADA,
            slash("log-meeting", date="yesterday", duration="45m", partner=ROBIN),
            (*listed, Not("Logged")),
        ),
        (ADA, slash("log-meeting", manage="list", partner=ROBIN), (*listed, Not("Meetings"))),
        (ADA, slash("mentoring pause", weeks=4, partner=ROBIN), (*listed, Not("Paused"))),
    ]

    async def body() -> None:
        async with running(make_bot(core), fake):
            await converse(fake, turns, LOBBY)

    scenario(body())
    assert rows(core, Goal) == [] and rows(core, Meeting) == []
    assert {p.status for p in rows(core, Pair)} == {PairStatus.ACTIVE}


def test_a_partner_who_is_not_one_is_named_as_the_member_picked_them(
    core, fake, ada_with_ben_and_dana
):
    """The refusal says "Robin", the name the member picked, not a user id."""
    turns = [
        (ADA, slash("goal add", text="Plan storytime", partner=ROBIN), ("Robin", Not(str(ROBIN)))),
    ]

    async def body() -> None:
        async with running(make_bot(core), fake):
            await converse(fake, turns, LOBBY)

    scenario(body())


def test_a_failure_in_the_core_is_an_apology_with_a_reference(
    core, fake, pair_id, monkeypatch, caplog
):
    """Something unexpected in the core: "Sorry, something went wrong" with a reference the
    operator's log carries too, and nothing stored."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr("bot.core.service.execute", broken)
    turns = [(BEN, slash("goal add", text="Read 3 winners"), (APOLOGY, Not("Added")))]

    async def body() -> list[Any]:
        async with running(make_bot(core), fake):
            return await converse(fake, turns, LOBBY)

    [sorry] = scenario(body())
    found = REFERENCE.search(sorry.text)
    assert found is not None and sorry.answer.ephemeral
    assert any(found[1] in r.getMessage() and r.exc_info for r in caplog.records)
    assert rows(core, Goal) == []


def test_the_synced_options_carry_the_ranges_discord_checks(core, fake):
    """Goal and meeting numbers 1–100,000, pause 1–26 weeks, a goal 1–500 characters."""

    async def body() -> None:
        async with running(make_bot(core), fake):
            pass

    scenario(body())
    commands = {c["name"]: c for c in fake.synced_commands}

    def option(command: str, sub: str | None, name: str) -> dict[str, Any]:
        specs = commands[command]["options"]
        if sub:
            specs = next(o for o in specs if o["name"] == sub)["options"]
        return next(o for o in specs if o["name"] == name)

    ranges = {
        "goal done number": option("goal", "done", "number"),
        "log-meeting number": option("log-meeting", None, "number"),
        "mentoring pause weeks": option("mentoring", "pause", "weeks"),
    }
    assert {k: (o["type"], o["min_value"], o["max_value"]) for k, o in ranges.items()} == {
        "goal done number": (4, 1, 100_000),
        "log-meeting number": (4, 1, 100_000),
        "mentoring pause weeks": (4, 1, 26),
    }
    text = option("goal", "add", "text")
    assert (text["type"], text["min_length"], text["max_length"]) == (3, 1, 500)
    assert option("goal", "add", "partner")["type"] == 6  # a user, picked from the server


def test_naming_the_partner_is_explained_as_discord_takes_it(core, fake, ada_with_ben_and_dana):
    """The refusal points to the `partner:` option, the way a partner is named on Discord."""
    turns = [
        (ADA, slash("goal add", text="Whose goal?"), ("partner:", Not("`/goal @"))),
    ]

    async def body() -> None:
        async with running(make_bot(core), fake):
            await converse(fake, turns, LOBBY)

    scenario(body())
