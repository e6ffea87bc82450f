"""What members type, as conversations over the real Slack app: each turn is who typed what and
what they were shown (SPEC "How commands read"), then what was stored.

Slack sends a mention as ``<@U2|ben>`` (the manifest sets ``should_escape``); an ``@word`` that
names no one in the workspace arrives as typed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from storage.models import Goal, GoalStatus, Meeting, Pair, PairStatus
from tests.fakes.slack_requests import datepicker_value, plain_text_value, static_select_value
from tests.slack.harness import (
    COORDINATOR,
    add_slack_pair,
    answer_to,
    converse,
    initial_values,
    press,
    serve,
    shown,
)
from tests.support.bot import rows
from tests.support.transcripts import APOLOGY, REFERENCE, Not

pytestmark = pytest.mark.timeout(30)

ADA, BEN, CLEO, DEE = "U1", "U2", "U3", "U4"
AT_ADA, AT_BEN, AT_CLEO, AT_DEE = "<@U1|ada>", "<@U2|ben>", "<@U3|cleo>", "<@U4|dee>"


def run(body: Any) -> Any:
    return asyncio.run(body)


def goals_of(core: Any, pair_id: int) -> dict[int, tuple[str, str]]:
    """A pair's goals: number -> (text, status)."""
    return {g.number: (g.text, g.status) for g in rows(core, Goal, Goal.pair_id == pair_id)}


def meetings_of(core: Any, pair_id: int) -> dict[int, tuple[str, int | None, str]]:
    """A pair's meetings: number -> (day, minutes, notes)."""
    found = rows(core, Meeting, Meeting.pair_id == pair_id)
    return {m.number: (m.met_on.isoformat(), m.duration_minutes, m.notes) for m in found}


def notices(fake: Any, text: str) -> list[str]:
    """Every message the bot posted into a conversation (not a private answer) containing
    ``text``."""
    posted = [str(call.args.get("text") or "") for call in fake.calls_to("chat.postMessage")]
    return [each for each in posted if text in each]


@pytest.fixture
def dee(fake: Any) -> str:
    fake.add_user(DEE, name="dee", display_name="Dee", tz="America/New_York")
    return DEE


@pytest.fixture
def ada_with_ben_and_cleo(core: Any, program_id: int) -> tuple[int, int]:
    """Ada mentors Ben and Cleo, so outside a pair's conversation she names whom she means."""
    with_ben = add_slack_pair(core, program_id, (ADA, "Ada"), (BEN, "Ben"))
    with_cleo = add_slack_pair(core, program_id, (ADA, "Ada"), (CLEO, "Cleo"))
    return with_ben, with_cleo


def test_goal_verbs_with_the_partner_named_first_or_after_the_verb(
    app, fake, core, ada_with_ben_and_cleo
):
    """`/goal @ben add|done|drop|edit …` and `/goal add @cleo …` act on that partner's pair."""
    with_ben, with_cleo = ada_with_ben_and_cleo
    turns = [
        (
            ADA,
            f"/goal {AT_BEN} add Plan storytime",
            ("Added goal *1*: Plan storytime", Not("Your goals")),
        ),
        (ADA, f"/goal add {AT_CLEO} Visit the library", "Added goal *1*: Visit the library"),
        (ADA, f"/goal {AT_BEN} add Read together", "Added goal *2*: Read together"),
        (ADA, f"/goal {AT_BEN} done 1", "Goal *1* marked done 🎉: Plan storytime"),
        (ADA, f"/goal {AT_BEN} drop 2", "Goal *2* dropped: Read together"),
        (
            ADA,
            f"/goal {AT_BEN} edit 2 Read together weekly",
            "Goal *2* now reads: Read together weekly",
        ),
        (ADA, f"/goal {AT_BEN}", ("*Your goals*", "Plan storytime", Not("Visit the library"))),
        (ADA, f"/goal {AT_CLEO} list", ("Visit the library", Not("Plan storytime"))),
    ]

    async def body() -> None:
        async with serve(app, fake) as slack:
            await converse(slack, turns)

    run(body())
    assert goals_of(core, with_ben) == {
        1: ("Plan storytime", GoalStatus.DONE),
        2: ("Read together weekly", GoalStatus.DROPPED),
    }
    assert goals_of(core, with_cleo) == {1: ("Visit the library", GoalStatus.OPEN)}


def test_a_partner_mention_is_accepted_where_it_is_not_needed(app, fake, core, pair_id):
    """Ben has one pair; naming Ada first or after the verb still works, and is not text."""
    turns = [
        (BEN, f"/goal {AT_ADA} add Plan storytime", "Added goal *1*: Plan storytime"),
        (BEN, f"/goal add {AT_ADA} Ask about comics", "Added goal *2*: Ask about comics"),
        (BEN, f"/goal {AT_ADA} done 2", "Goal *2* marked done"),
    ]

    async def body() -> None:
        async with serve(app, fake) as slack:
            await converse(slack, turns)

    run(body())
    assert goals_of(core, pair_id) == {
        1: ("Plan storytime", GoalStatus.OPEN),
        2: ("Ask about comics", GoalStatus.DONE),
    }


def test_meetings_and_pauses_with_the_partner_named_first(app, fake, core, program_id, dee):
    """`/log-meeting @ben list` lists and logs nothing; `/log-meeting @dee delete 2` deletes
    Ada's meeting 2 with Dee and tells no one a meeting was logged; `/mentoring @ben pause 4`
    pauses the pair with Ben only."""
    with_ben = add_slack_pair(core, program_id, (ADA, "Ada"), (BEN, "Ben"))
    with_dee = add_slack_pair(core, program_id, (ADA, "Ada"), (DEE, "Dee"))
    turns = [
        (
            ADA,
            f"/log-meeting {AT_BEN} yesterday 30m read aloud",
            "Logged meeting *1*: Thu 19 Nov 2026, 30 min",
        ),
        (
            ADA,
            f"/log-meeting {AT_BEN} list",
            ("*Meetings* (1)", "read aloud", Not("Logged meeting")),
        ),
        (ADA, f"/log-meeting {AT_DEE} yesterday 30m first talk", "Logged meeting *1*"),
        (ADA, f"/log-meeting {AT_DEE} 2 days ago 45m second talk", "Logged meeting *2*"),
    ]
    then = [
        (ADA, f"/log-meeting {AT_DEE} delete 2", ("Deleted meeting *2*", Not("Logged meeting"))),
        (ADA, f"/mentoring {AT_BEN} pause 4", "Paused for 4 weeks, until Fri 18 Dec 2026"),
    ]

    async def body() -> None:
        async with serve(app, fake) as slack:
            await converse(slack, turns)
            await fake.wait_for(lambda: len(notices(fake, "logged a meeting")) == 3)
            await converse(slack, then)
            await fake.wait_for(lambda: notices(fake, "paused suggestions"))

    run(body())
    assert meetings_of(core, with_ben) == {1: ("2026-11-19", 30, "read aloud")}
    assert meetings_of(core, with_dee) == {1: ("2026-11-19", 30, "first talk")}
    assert len(notices(fake, "logged a meeting")) == 3  # the two with Dee and the one with Ben
    assert notices(fake, "deleted") == []
    statuses = {p.id: p.status for p in rows(core, Pair)}
    assert statuses == {with_ben: PairStatus.PAUSED, with_dee: PairStatus.ACTIVE}


def test_inside_the_pairs_group_dm_the_partner_may_be_named(app, fake, core, program_id):
    """In the Ada–Ben group DM, `/log-meeting @ben yesterday 45m talked` logs for that pair; a
    future date or 99999999999m after the mention is refused with the reason, and naming the
    other partner there is refused."""
    group_dm = fake.open_conversation(ADA, BEN)
    with_ben = add_slack_pair(
        core, program_id, (ADA, "Ada"), (BEN, "Ben"), conversation_id=group_dm
    )
    with_cleo = add_slack_pair(core, program_id, (ADA, "Ada"), (CLEO, "Cleo"))
    turns = [
        (
            ADA,
            f"/log-meeting {AT_BEN} yesterday 45m talked",
            "Logged meeting *1*: Thu 19 Nov 2026, 45 min",
        ),
        (
            ADA,
            f"/log-meeting {AT_BEN} 2026-12-25 45m talked",
            ("2026-12-25 is in the future (today is 2026-11-20)", Not("Logged")),
        ),
        (
            ADA,
            f"/log-meeting {AT_BEN} yesterday 99999999999m talked",
            ("“99999999999m” is longer than a meeting can be (at most 12h)", Not("Logged")),
        ),
        (
            ADA,
            f"/log-meeting {AT_CLEO} yesterday 45m talked",
            ("This is your pair's conversation with Ben", Not("Logged")),
        ),
        (
            ADA,
            "/log-meeting yesterday 1h no name needed here",
            "Logged meeting *2*: Thu 19 Nov 2026, 1 h",
        ),
    ]

    async def body() -> list[Any]:
        async with serve(app, fake) as slack:
            said = await converse(slack, turns, channel=group_dm)
            await fake.wait_for(lambda: len(fake.messages(group_dm)) == 2)
            return said

    said = run(body())
    assert (said[1].typed_back or "").endswith(" 2026-12-25 45m talked")  # given back
    assert meetings_of(core, with_ben) == {
        1: ("2026-11-19", 45, "talked"),
        2: ("2026-11-19", 60, "no name needed here"),
    }
    assert meetings_of(core, with_cleo) == {}
    assert [m["text"].split(":")[0] for m in fake.messages(group_dm)] == [
        "📝 Ada logged a meeting",
        "📝 Ada logged a meeting",
    ]


def test_an_at_word_that_names_no_partner_is_text_kept_as_typed(app, fake, core, pair_id):
    """`/goal add Shadow @ana at storytime`: "@ana" (no one in the workspace, so Slack sends it
    as typed) stays in the goal's text."""
    turns = [
        (BEN, "/goal add Shadow @ana at storytime", "Added goal *1*: Shadow @ana at storytime"),
        (BEN, "/goal add Ask @ana's mum about the library", "Added goal *2*: Ask @ana's mum"),
    ]

    async def body() -> None:
        async with serve(app, fake) as slack:
            await converse(slack, turns)

    run(body())
    assert goals_of(core, pair_id) == {
        1: ("Shadow @ana at storytime", GoalStatus.OPEN),
        2: ("Ask @ana's mum about the library", GoalStatus.OPEN),
    }


def test_a_slack_mention_inside_the_text_is_kept_as_the_member_typed_it(app, fake, core, pair_id):
    """Cleo mentioned inside a goal (`<@U3|cleo>` from Slack) is kept as "@cleo", as typed."""
    turns = [(BEN, f"/goal add Shadow {AT_CLEO} at storytime", "Added goal *1*")]

    async def body() -> None:
        async with serve(app, fake) as slack:
            await converse(slack, turns)

    run(body())
    assert goals_of(core, pair_id) == {1: ("Shadow @cleo at storytime", GoalStatus.OPEN)}


def test_bare_mentions_are_named_and_channel_pings_stay_words(app, fake, core, pair_id):
    """Slack may send a mention without its name (`<@U3>`): the goal says "@Cleo", never a
    raw id. `@channel` typed in a goal arrives as `<!channel>` and is kept, and shown, as the
    words "@channel", which ping no one; a goal full of markup shows as typed."""
    turns = [
        (BEN, "/goal add Shadow <@U3> at storytime", "Added goal *1*: Shadow @Cleo at storytime"),
        (BEN, "/goal add Remind <!channel> about <!here>", "Remind @channel about @here"),
        (BEN, "/goal add *Read* _two_ ~books~", "Added goal *3*: \u200b*\u200bRead"),
    ]

    async def body() -> None:
        async with serve(app, fake) as slack:
            await converse(slack, turns)

    run(body())
    assert goals_of(core, pair_id) == {
        1: ("Shadow @Cleo at storytime", GoalStatus.OPEN),
        2: ("Remind @channel about @here", GoalStatus.OPEN),
        3: ("*Read* _two_ ~books~", GoalStatus.OPEN),
    }
    posted = [str(call.args.get("blocks")) for call in fake.calls_to("chat.postMessage")]
    assert not any("<!channel>" in each or "<!here>" in each for each in posted)


def test_leftover_words_are_refused_naming_them(app, fake, core, pair_id):
    """`/goal done 1 garbage` and `/goal list @cy whatever` do nothing and name the extra words,
    giving back what was typed."""
    turns = [
        (BEN, "/goal add Read 3 winners", "Added goal *1*"),
        (
            BEN,
            "/goal done 1 garbage",
            ("Nothing was done", "“garbage”", "`/goal done 2`", Not("marked done")),
        ),
        (BEN, "/goal list @cy whatever", ("Nothing was done", "“whatever”", Not("Your goals"))),
        (
            BEN,
            f"/log-meeting {AT_ADA} delete 1 extra",
            ("Nothing was done", "“extra”", Not("Deleted")),
        ),
    ]

    async def body() -> list[Any]:
        async with serve(app, fake) as slack:
            return await converse(slack, turns)

    said = run(body())
    assert [turn.typed_back for turn in said[1:3]] == [
        "/goal done 1 garbage",
        "/goal list @cy whatever",
    ]
    assert goals_of(core, pair_id) == {1: ("Read 3 winners", GoalStatus.OPEN)}
    assert rows(core, Meeting) == []


def test_odd_numbers_and_periods_get_a_sentence_saying_what_to_type(app, fake, core, pair_id):
    """③, ², a number past 64 bits, a quarter in 9999 and `--from` alone each get a sentence
    (or, for `--from`, the summary), never an apology."""
    turns = [
        (BEN, "/goal done ③", ("“③” is not a goal number from 1 to 100,000", "`/goal done 2`")),
        (
            BEN,
            "/mentoring pause ²",
            ("“²” is not a number of weeks from 1 to 26", "`/mentoring pause 4`"),
        ),
        (
            BEN,
            "/goal drop 18446744073709551616",
            ("is not a goal number from 1 to 100,000", "`/goal drop 2`"),
        ),
        (BEN, "/mentoring pause 0", "is not a number of weeks from 1 to 26"),
        (
            COORDINATOR,
            "/mentoring-summary --period 9999Q4",
            (
                "“9999Q4” is not a quarter between 2000 and 2099",
                "`/mentoring-summary --period 2027Q1`",
            ),
        ),
        (
            COORDINATOR,
            "/mentoring-summary --from 2026-10-01",
            ("*Mentoring summary*", "2026-10-01 to 2026-11-20"),
        ),
    ]

    async def body() -> list[Any]:
        async with serve(app, fake) as slack:
            said = await converse(slack, turns)
            await fake.wait_for(lambda: fake.uploads)
            return said

    said = run(body())
    assert [turn.typed_back for turn in said[:5]] == [typed for _, typed, _ in turns[:5]]
    [pair] = rows(core, Pair)
    assert pair.status == PairStatus.ACTIVE
    assert rows(core, Goal) == []


def test_a_bad_date_gives_the_text_back_and_the_form_filled_in(app, fake, core, pair_id):
    """`/log-meeting 2026-02-30 45m …` is refused with the text given back and "Open the form";
    the modal opens with the duration and notes filled in, and a good date saves them."""
    notes = "long notes about the picture books we read, and the one Ben wants to write"
    typed = f"/log-meeting 2026-02-30 45m {notes}"
    turns = [
        (BEN, typed, ("“2026-02-30” is not a date: February 2026 has 28 days", "You typed:")),
    ]

    async def body() -> tuple[Any, ...]:
        async with serve(app, fake) as slack:
            [refused] = await converse(slack, turns)
            assert rows(core, Meeting) == []
            key = await press(slack, refused.buttons["Open the form"], BEN, "C1")
            [view] = await fake.wait_for(lambda: fake.views)
            filled = initial_values(view)
            values = {
                "date": {"date": datepicker_value("2026-11-19")},
                "duration": {"duration": plain_text_value(filled["duration"])},
                "activity": {"activity": static_select_value("other", "Something else")},
                "notes": {"notes": plain_text_value(filled["notes"])},
                "next_steps": {"next_steps": plain_text_value(None)},
            }
            answer = await slack.submit(view, values, BEN)
            return refused, view, answer, await answer_to(fake, key)

    refused, view, answer, confirmation = run(body())
    assert refused.typed_back == typed
    assert list(refused.buttons) == ["Open the form"]
    assert refused.buttons["Open the form"].startswith("form:")
    assert fake.calls_to("views.open")[0].args["view"]["callback_id"] == "log-meeting"
    filled = initial_values(view)
    assert (filled["duration"], filled["notes"]) == ("45m", notes)
    assert "date" not in filled  # no calendar holds 30 February; the picker is left to choose
    assert (answer.status, answer.text) == (200, "")
    assert "Logged meeting *1*" in shown(confirmation)
    assert meetings_of(core, pair_id) == {1: ("2026-11-19", 45, notes)}


def test_a_goal_over_500_characters_is_refused_with_its_text_and_the_form(app, fake, core, pair_id):
    """A 558-character goal is refused naming the limit, given back (cut to 300 characters)
    with "Open the form", which opens the goal form holding the whole text."""
    long_goal = ("Read one picture book together every week, " * 13).strip()
    assert len(long_goal) == 558
    turns = [
        (
            BEN,
            f"/goal add {long_goal}",
            ("558 characters long", "at most 500", Not("Added")),
        ),
    ]

    async def body() -> tuple[Any, ...]:
        async with serve(app, fake) as slack:
            [refused] = await converse(slack, turns)
            assert rows(core, Goal) == []
            key = await press(slack, refused.buttons["Open the form"], BEN, "C1")
            [view] = await fake.wait_for(lambda: fake.views)
            shorter = long_goal[:120]
            answer = await slack.submit(view, {"text": {"text": plain_text_value(shorter)}}, BEN)
            return refused, view, answer, await answer_to(fake, key)

    refused, view, answer, confirmation = run(body())
    echoed = refused.typed_back or ""
    assert len(echoed) == 300 and echoed.endswith("…")
    assert f"/goal add {long_goal}".startswith(echoed[:-1])
    assert view["callback_id"] == "goal"
    assert initial_values(view) == {"text": long_goal}
    assert (answer.status, answer.text) == (200, "")
    assert "Added goal *1*" in shown(confirmation)
    assert goals_of(core, pair_id) == {1: (long_goal[:120], GoalStatus.OPEN)}


def test_someone_not_a_partner_is_refused_listing_the_partners(
    app, fake, core, ada_with_ben_and_cleo, dee
):
    """Dee (or @zed, no one at all) named at either partner position, by any command, is
    refused with Ada's partners listed; nothing is stored."""
    listed = ("is not your partner", "@Ben", "@Cleo")
    turns = [
        (ADA, f"/goal {AT_DEE} add Plan storytime", (*listed, Not("Added"))),
        (ADA, f"/goal add {AT_DEE} Plan storytime", (*listed, Not("Added"))),
        (ADA, "/goal @zed done 1", (*listed, Not("marked done"))),  # no one in Slack
        (ADA, f"/log-meeting {AT_DEE} yesterday 45m talked", (*listed, Not("Logged"))),
        (ADA, f"/mentoring {AT_DEE} pause 4", (*listed, Not("Paused"))),
    ]

    async def body() -> None:
        async with serve(app, fake) as slack:
            await converse(slack, turns)

    run(body())
    assert rows(core, Goal) == [] and rows(core, Meeting) == []
    assert {p.status for p in rows(core, Pair)} == {PairStatus.ACTIVE}


def test_a_refusal_gives_a_mention_back_as_the_member_typed_it(
    app, fake, core, ada_with_ben_and_cleo, dee
):
    """The refusal names Dee as typed and gives back "/goal @dee add Plan storytime"."""
    turns = [(ADA, f"/goal {AT_DEE} add Plan storytime", ("@dee is not your partner", Not("U4")))]

    async def body() -> list[Any]:
        async with serve(app, fake) as slack:
            return await converse(slack, turns)

    [refused] = run(body())
    assert refused.typed_back == "/goal @dee add Plan storytime"


def test_a_failure_on_the_bots_side_is_an_apology_with_a_reference(
    app, fake, core, pair_id, monkeypatch, caplog
):
    """Something unexpected in the core: "Sorry, something went wrong" with a reference the
    operator's log carries too, and nothing stored."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr("bot.core.service.execute", broken)
    turns = [(BEN, "/goal add Read 3 winners", (APOLOGY, Not("Added")))]

    async def body() -> list[Any]:
        async with serve(app, fake) as slack:
            return await converse(slack, turns)

    [sorry] = run(body())
    found = REFERENCE.search(sorry.text)
    assert found is not None
    assert any(found[1] in r.getMessage() and r.exc_info for r in caplog.records)
    assert rows(core, Goal) == []
