"""Slash commands and the meeting form over HTTP: what the member is shown, and what is stored."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

import pytest

from bot.core.replies import Actor
from storage.models import Goal, Meeting, Pair, Program
from tests.fakes.slack_requests import datepicker_value, plain_text_value, static_select_value
from tests.slack.harness import (
    COORDINATOR,
    add_slack_pair,
    answer_to,
    buttons,
    eventually,
    press,
    serve,
    shown,
)
from tests.support.bot import rows

pytestmark = pytest.mark.timeout(30)


def meeting_values(duration: str, date: str = "2026-11-19") -> dict[str, dict[str, Any]]:
    """``state.values`` of a filled-in meeting form (block id and action id are the field)."""
    return {
        "date": {"date": datepicker_value(date)},
        "duration": {"duration": plain_text_value(duration)},
        "activity": {"activity": static_select_value("other", "Something else")},
        "notes": {"notes": plain_text_value("We talked about picture books")},
        "next_steps": {"next_steps": plain_text_value(None)},
    }


def test_goal_add_answers_privately_and_stores_the_goal(app, fake, core, pair_id):
    """`/goal add` is answered to the caller alone, and the goal is stored for their pair."""

    async def scenario() -> dict[str, Any]:
        async with serve(app, fake) as slack:
            return await slack.reply_to(await slack.command("/goal", "add Read 3 winners", "U2"))

    reply = asyncio.run(scenario())
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert "Read 3 winners" in shown(reply)
    [goal] = rows(core, Goal, Goal.pair_id == pair_id)
    assert goal.text == "Read 3 winners"


def test_goal_list_shows_the_pairs_goals_in_block_kit(app, fake, core, pair_id):
    """`/goal list` shows the numbered goals, bold in Slack's mrkdwn."""

    async def scenario() -> dict[str, Any]:
        async with serve(app, fake) as slack:
            await slack.reply_to(await slack.command("/goal", "add Read 3 winners", "U2"))
            return await slack.reply_to(await slack.command("/goal", "list", "U1"))

    text = shown(asyncio.run(scenario()))
    assert "*Your goals*" in text and "**" not in text
    assert "Read 3 winners" in text


def test_command_is_acknowledged_before_slow_work(app, fake, core, pair_id, monkeypatch):
    """Slack gets its 200 at once even when the core takes longer than Slack's 3 seconds."""
    real = core.command

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(3.2)
        return real(*args, **kwargs)

    monkeypatch.setattr(core, "command", slow)

    async def scenario() -> tuple[float, dict[str, Any]]:
        async with serve(app, fake) as slack:
            body, key = slack.command_body("/goal", "list", "U1")
            started = time.monotonic()
            answer = await slack.post(body)
            acked = time.monotonic() - started
            assert answer.status == 200
            return acked, await slack.reply_to(key)

    acked, reply = asyncio.run(scenario())
    assert acked < 1.0
    assert "No goals yet" in shown(reply)


def test_a_mention_chooses_among_the_callers_pairs(app, fake, core, program_id):
    """`<@U3|cleo>` reaches the core as @U3, so Ada's goal goes to her pair with Cleo."""
    add_slack_pair(core, program_id, ("U1", "Ada"), ("U2", "Ben"))
    with_cleo = add_slack_pair(core, program_id, ("U1", "Ada"), ("U3", "Cleo"))

    async def scenario() -> dict[str, Any]:
        async with serve(app, fake) as slack:
            key = await slack.command("/goal", "add <@U3|cleo> Visit the library", "U1")
            return await slack.reply_to(key)

    asyncio.run(scenario())
    [goal] = rows(core, Goal)
    assert (goal.pair_id, goal.text) == (with_cleo, "Visit the library")


def test_log_meeting_without_text_opens_the_form(app, fake, core, pair_id):
    """`/log-meeting` alone opens a modal: date picker, duration, activity select and notes."""

    async def scenario() -> tuple[str, dict[str, Any]]:
        async with serve(app, fake) as slack:
            key = await slack.command("/log-meeting", "", "U1")
            return key, (await fake.wait_for(lambda: fake.views))[0]

    key, view = asyncio.run(scenario())
    assert fake.calls_to("views.open")[0].args["trigger_id"] == f"trig-{key}"
    assert view["callback_id"] == "log-meeting"
    elements = {block["block_id"]: block["element"] for block in view["blocks"]}
    assert elements["date"]["type"] == "datepicker"
    assert elements["date"]["initial_date"] == "2026-11-20"
    assert elements["duration"]["type"] == "plain_text_input"
    assert elements["activity"]["type"] == "static_select"
    assert elements["activity"]["options"][-1]["value"] == "other"
    assert elements["notes"] == {**elements["notes"], "type": "plain_text_input", "multiline": True}


def test_bad_duration_comes_back_beside_the_field(app, fake, core, pair_id):
    """A duration the core refuses keeps the modal open with the error on that field only."""

    async def scenario() -> Any:
        async with serve(app, fake) as slack:
            await slack.command("/log-meeting", "", "U1")
            view = (await fake.wait_for(lambda: fake.views))[0]
            return await slack.submit(view, meeting_values("forever"), "U1")

    answer = asyncio.run(scenario())
    assert answer.status == 200
    assert answer.body["response_action"] == "errors"
    assert list(answer.body["errors"]) == ["duration"]
    assert rows(core, Meeting) == []


def test_good_form_stores_the_meeting_and_tells_the_pair(app, fake, core, pair_id):
    """A valid form closes, stores the meeting and posts a notice into the pair's group DM."""

    async def scenario() -> tuple[Any, dict[str, Any]]:
        async with serve(app, fake) as slack:
            key = await slack.command("/log-meeting", "", "U1")
            view = (await fake.wait_for(lambda: fake.views))[0]
            answer = await slack.submit(view, meeting_values("45m"), "U1")
            await eventually(lambda: rows(core, Pair)[0].conversation_id)  # posted, kept
            return answer, await slack.reply_to(key)

    answer, confirmation = asyncio.run(scenario())
    assert (answer.status, answer.text) == (200, "")
    [meeting] = rows(core, Meeting)
    assert (meeting.pair_id, meeting.duration_minutes, str(meeting.met_on)) == (
        pair_id,
        45,
        "2026-11-19",
    )
    assert "Logged meeting *1*" in shown(confirmation)
    [pair] = rows(core, Pair)
    assert fake.conversation_users(pair.conversation_id) == ["U1", "U2"]
    [notice] = fake.messages(pair.conversation_id)
    assert "Ada logged a meeting" in notice["text"]
    assert "picture books" not in notice["text"]  # notes stay private


def test_summary_is_politely_refused_to_members(app, fake, core, pair_id):
    """`/mentoring-summary` from a member gets a polite refusal and no files."""

    async def scenario() -> dict[str, Any]:
        async with serve(app, fake) as slack:
            return await slack.reply_to(await slack.command("/mentoring-summary", "", "U1"))

    text = shown(asyncio.run(scenario()))
    assert "for program coordinators" in text
    assert fake.uploads == []


def test_summary_for_a_coordinator_uploads_the_csv_and_chart(app, fake, core, pair_id):
    """A coordinator gets the totals privately and the CSV and chart in a DM from the bot."""
    core.command(Actor("slack", "U1", "Ada"), "log-meeting", "yesterday 45m talked")

    async def scenario() -> dict[str, Any]:
        async with serve(app, fake) as slack:
            return await slack.reply_to(await slack.command("/mentoring-summary", "", COORDINATOR))

    text = shown(asyncio.run(scenario()))
    assert "*Mentoring summary*" in text
    assert "mentoring-summary.csv" in text
    uploads = {upload.filename: upload for upload in fake.uploads}
    assert set(uploads) == {"mentoring-summary.csv", "meetings-per-week.png"}
    assert uploads["mentoring-summary.csv"].data.startswith(b"pair_id,")
    assert uploads["meetings-per-week.png"].data.startswith(b"\x89PNG")
    assert fake.conversation_users(uploads["mentoring-summary.csv"].channel) == [COORDINATOR]


def test_a_long_meeting_list_pages_in_place_with_older_and_newer(app, fake, core, pair_id, clock):
    """Eighty meetings: `/log-meeting list` answers the newest page with an Older button;
    pressing it replaces that private answer (response_url, replace_original) with the next
    page, never a second message, and every page fits Slack's limits."""
    ben = Actor("slack", "U2", "Ben")
    clock.now = dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC)
    for day in range(80):
        clock.advance(seconds=3)
        moment = dt.date(2026, 11, 17) + dt.timedelta(days=day % 3)  # since the pair began
        logged = core.command(ben, "log-meeting", f"{moment} 10m notes of the {day}th " + "x " * 20)
        assert logged.message is not None and "Logged meeting" in logged.message.text

    async def body() -> tuple[dict[str, Any], dict[str, Any]]:
        async with serve(app, fake) as slack:
            first = await slack.reply_to(await slack.command("/log-meeting", "list", "U2"))
            key = await press(slack, buttons(first)["Older"], "U2", "C1")
            return first, await answer_to(fake, key)

    first, older = asyncio.run(body())
    assert "notes of the 77th" in shown(first) and "notes of the 0th" not in shown(first)
    assert older["replace_original"] is True
    assert "notes of the 77th" not in shown(older)
    assert list(buttons(older)) == ["Newer", "Older"]
    assert fake.refusals == []


def program_values(form: dict[str, Any], **changed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``state.values`` of the program form as it opened, with ``changed`` fields."""
    values: dict[str, dict[str, Any]] = {}
    for block in form["blocks"]:
        element = block.get("element")
        if element is None:
            continue
        name = block["block_id"]
        if element["type"] == "static_select":
            chosen = element.get("initial_option") or {}
            value = static_select_value(chosen.get("value"), chosen.get("text", {}).get("text"))
        elif element["type"] == "datepicker":
            value = datepicker_value(element.get("initial_date"))
        else:
            value = plain_text_value(element.get("initial_value"))
        values[name] = {name: changed.get(name, value)}
    return values


def test_the_program_form_opens_filled_in_and_saves_a_new_rhythm(app, fake, core, pair_id):
    """A coordinator's `/mentoring-admin` opens the program settings filled in with the
    program as it is (the rhythm first); a wrong time comes back beside its field; changing
    the weekday saves it and says what changed, from the next round on."""

    async def scenario() -> tuple[dict[str, Any], Any, Any, Any]:
        async with serve(app, fake) as slack:
            key = await slack.command("/mentoring-admin", "", COORDINATOR)
            form = (await fake.wait_for(lambda: fake.views))[0]
            wrong = await slack.submit(
                form, program_values(form, at=plain_text_value("25:00")), COORDINATOR
            )
            thursday = static_select_value("thursday", "Thursday")
            saved = await slack.submit(form, program_values(form, on=thursday), COORDINATOR)
            return form, wrong, saved, await slack.reply_to(key)

    form, wrong, saved, confirmation = asyncio.run(scenario())
    assert form["callback_id"] == "program"
    fields = [b["block_id"] for b in form["blocks"] if "element" in b]
    assert fields == ["every", "on", "at", "timezone", "start", "end", "new_name", "cohorts"]
    elements = {b["block_id"]: b["element"] for b in form["blocks"] if "element" in b}
    assert elements["every"]["initial_option"]["value"] == "3"
    assert elements["start"] == {
        **elements["start"],
        "type": "datepicker",
        "initial_date": "2026-09-01",
    }
    assert wrong.body["response_action"] == "errors" and list(wrong.body["errors"]) == ["at"]
    assert (saved.status, saved.text) == (200, "")
    assert "Rhythm: every 3 weeks on Thursday at 10:00" in shown(confirmation)
    [program] = rows(core, Program)
    assert (program.weekday, program.interval_weeks) == (3, 3)
