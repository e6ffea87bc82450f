"""`/log-meeting`: the modal, the options with an autocompleted activity, errors that keep what
was typed, and forms that outlive a restart."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from storage.models import Delivery, Meeting
from tests.discord.harness import (
    ADA,
    BEN,
    LOBBY,
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


def value_of(modal: dict[str, Any], custom_id: str) -> Any:
    """An input's pre-filled value (text) or chosen options (select) in an opened modal."""
    for label in modal["components"]:
        component = label["component"]
        if component["custom_id"] == custom_id:
            if "options" in component:
                return [o["value"] for o in component["options"] if o.get("default")]
            return component.get("value")
    raise KeyError(custom_id)


def test_log_meeting_without_options_opens_a_modal_and_logs(core, fake: FakeDiscord, pair_id):
    """No options: the meeting form opens as a modal (date filled with today, activity a
    select); submitting it stores the meeting and tells the pair."""

    async def body() -> tuple[Any, Any]:
        async with running(make_bot(core), fake):
            opened = await fake.interact(fake.slash("log-meeting", BEN, LOBBY), STEP)
            values = {"date": "yesterday", "duration": "45m", "notes": "Picture books"}
            values["activity"] = ["other"]
            submitted = await fake.interact(
                fake.modal_submit(opened.data["custom_id"], BEN, LOBBY, values), STEP
            )
            await fake.wait_for(lambda: fake.threads, STEP)
            await fake.wait_for(lambda: fake.messages(int(fake.threads[0]["id"])), STEP)
            return opened, submitted

    opened, submitted = scenario(body())
    assert opened.type == 9 and opened.data["title"] == "Log a meeting"
    assert inputs(opened.data) == ["date", "duration", "activity", "notes", "next_steps"]
    assert value_of(opened.data, "date") == "2026-11-20"
    assert value_of(opened.data, "activity") == ["other"]
    assert submitted.ephemeral and (submitted.content or "").startswith("Logged meeting **1**")
    [meeting] = rows(core, Meeting)
    assert (str(meeting.met_on), meeting.duration_minutes) == ("2026-11-19", 45)
    assert meeting.notes == "Picture books" and meeting.activity_id is None
    [notice] = fake.messages(int(fake.threads[0]["id"]))
    assert notice["content"].startswith("📝 Ben logged a meeting: Thu 19 Nov 2026, 45 min")


def test_log_meeting_options_with_an_autocompleted_activity(core, fake, ticker_for, pair_id):
    """Options log the meeting in one go; the activity is autocompleted from the pair's recent
    suggestions, and next steps and goals are taken as the form takes them."""

    async def body() -> tuple[Any, Any]:
        bot = make_bot(core)
        async with running(bot, fake):
            await ticker_for(bot).tick(at("2026-11-17"))
            [delivery] = rows(core, Delivery)
            title = core.catalog.activity(delivery.activity_id).title
            offered = await fake.interact(
                fake.autocomplete("log-meeting", ADA, LOBBY, None, "activity", title[:5]), STEP
            )
            await fake.interact(fake.slash("goal", ADA, LOBBY, "add", {"text": "Read more"}), STEP)
            options = {
                "date": "2026-11-18",
                "duration": "1h30m",
                "activity": delivery.activity_id,
                "notes": "Went well",
                "next_steps": "Visit the library",
                "goals": "1",
            }
            logged = await fake.interact(fake.slash("log-meeting", ADA, LOBBY, None, options), STEP)
            await fake.wait_for(lambda: len(fake.messages(int(fake.threads[0]["id"]))) == 3, STEP)
            return offered, logged, delivery

    offered, logged, delivery = scenario(body())
    choices = offered.data["choices"]
    assert offered.type == 8
    assert choices[0]["value"] == delivery.activity_id
    assert all(c["value"] != "other" for c in choices)  # "Something else" does not match
    assert logged.type == 4 and "Goals moved: 1." in (logged.content or "")
    [meeting] = rows(core, Meeting)
    assert (meeting.activity_id, meeting.duration_minutes) == (delivery.activity_id, 90)
    assert meeting.next_steps == "Visit the library"


def test_errors_keep_what_was_typed_and_the_form_reopens_filled(core, fake, pair_id):
    """A bad duration saves nothing; the private answer (one message, however long the notes)
    names the field, repeats what was typed, shortened, and its button reopens the modal
    filled in with all of it, ready to correct."""
    notes = ("A long talk about comics. " + "We read panels aloud and compared them. " * 48).strip()
    steps = ("Bring three graphic novels. " * 35).strip()

    async def body() -> tuple[Any, Any, Any, Any]:
        async with running(make_bot(core), fake):
            opened = await fake.interact(fake.slash("log-meeting", BEN, LOBBY), STEP)
            typed = {
                "date": "2026-11-20",
                "duration": "forever",
                "activity": ["other"],
                "notes": notes,
                "next_steps": steps,
            }
            submitted = fake.modal_submit(opened.data["custom_id"], BEN, LOBBY, typed)
            refused = await fake.interact(submitted, STEP)
            await asyncio.sleep(0.3)  # any follow-ups
            answers = fake.responses_for(int(submitted["id"]))
            fix = buttons(fake.message(refused.message_id or 0) or {})["Fix the form"]
            reopened = await fake.interact(
                fake.button(fix, BEN, LOBBY, refused.message_id or 0), STEP
            )
            typed["duration"] = "50m"
            saved = await fake.interact(
                fake.modal_submit(reopened.data["custom_id"], BEN, LOBBY, typed), STEP
            )
            await fake.wait_for(lambda: fake.threads, STEP)
            await fake.wait_for(lambda: fake.messages(int(fake.threads[0]["id"])), STEP)
            return refused, answers, reopened, saved

    refused, answers, reopened, saved = scenario(body())
    assert refused.ephemeral and len(answers) == 1, answers
    assert "**Duration**:" in (refused.content or "")
    assert "A long talk about comics" in (refused.content or "")
    assert len(refused.content or "") <= 2000
    assert reopened.type == 9
    assert value_of(reopened.data, "duration") == "forever"
    assert value_of(reopened.data, "notes") == notes
    assert value_of(reopened.data, "next_steps") == steps
    assert (saved.content or "").startswith("Logged meeting **1**")
    [meeting] = rows(core, Meeting)
    assert (meeting.duration_minutes, meeting.notes) == (50, notes)


def test_option_errors_are_answered_per_field(core, fake, pair_id):
    """Bad options are refused, one sentence each, what was typed given back with a button to
    the form filled in with it; nothing is stored."""

    async def body() -> Any:
        async with running(make_bot(core), fake):
            options = {"date": "next year", "duration": "13h", "notes": "Hm"}
            return await fake.interact(fake.slash("log-meeting", BEN, LOBBY, None, options), STEP)

    refused = scenario(body())
    content = refused.content or ""
    assert refused.ephemeral
    assert "“next year” is not a date" in content and "“13h” is longer than a meeting" in content
    assert "> /log-meeting date:next year duration:13h notes:Hm" in content
    assert list(buttons(fake.message(refused.message_id or 0) or {})) == ["Open the form"]
    assert rows(core, Meeting) == []


def test_a_modal_opened_before_a_restart_is_accepted_after_it(core, fake, pair_id):
    """The modal's custom id carries the form and its pair, so a new run accepts it."""

    async def open_form() -> Any:
        async with running(make_bot(core), fake):
            return await fake.interact(fake.slash("log-meeting", BEN, LOBBY), STEP)

    opened = scenario(open_form())

    async def submit() -> Any:
        async with running(make_bot(core), fake):
            values = {"date": "2026-11-20", "duration": "1h", "activity": ["other"]}
            reply = await fake.interact(
                fake.modal_submit(opened.data["custom_id"], BEN, LOBBY, values), STEP
            )
            await fake.wait_for(lambda: fake.threads, STEP)
            await fake.wait_for(lambda: fake.messages(int(fake.threads[0]["id"])), STEP)
            return reply

    assert (scenario(submit()).content or "").startswith("Logged meeting **1**")
    assert len(rows(core, Meeting)) == 1


def test_a_slow_form_comes_as_a_button_that_opens_it(core, fake, pair_id):
    """When the answer had to be deferred, the modal can no longer be the first answer: a
    private message with a button opens it instead."""

    async def body() -> Any:
        bot = make_bot(core, ack_within=0)
        async with running(bot, fake):
            interaction = await fake.send_interaction(fake.slash("log-meeting", BEN, LOBBY))
            followup = await fake.wait_for_response(interaction, STEP, kind="followup")
            assert fake.responses_for(interaction)[0].type == 5
            bot.interactions.ack_within = 2.0  # the button's own answer comes in time
            message = fake.message(followup.message_id or 0) or {}
            opened = await fake.interact(
                fake.button(buttons(message)["Open the form"], BEN, LOBBY, int(message["id"])),
                STEP,
            )
            return opened

    opened = scenario(body())
    assert opened.type == 9
    assert inputs(opened.data)[:2] == ["date", "duration"]


def test_manage_lists_meetings_and_refuses_mixed_options(core, fake, pair_id):
    """`manage:list` shows the pair's meetings; `manage` with meeting details is refused."""

    async def body() -> tuple[Any, Any]:
        async with running(make_bot(core), fake):
            options = {"duration": "30m", "notes": "Quick call"}
            await fake.interact(fake.slash("log-meeting", ADA, LOBBY, None, options), STEP)
            listed = await fake.interact(
                fake.slash("log-meeting", BEN, LOBBY, None, {"manage": "list"}), STEP
            )
            mixed = await fake.interact(
                fake.slash("log-meeting", BEN, LOBBY, None, {"manage": "list", "notes": "x"}), STEP
            )
            await fake.wait_for(lambda: fake.threads, STEP)
            await fake.wait_for(lambda: fake.messages(int(fake.threads[0]["id"])), STEP)
            return listed, mixed

    listed, mixed = scenario(body())
    assert "**Meetings** (1)" in (listed.content or "")
    assert "Quick call" in (listed.content or "")
    assert "`/log-meeting manage:list` takes no notes" in (mixed.content or "")
    assert len(rows(core, Meeting)) == 1


def test_a_fix_the_form_button_opens_for_its_writer_only(core, fake, pair_id):
    """Ben's refused form leaves him a "Fix the form" button holding his notes; Ada, sending
    a click on that button's id (a modified client can), gets a refusal, no form, and none of
    Ben's words."""

    async def body() -> tuple[Any, Any]:
        async with running(make_bot(core), fake):
            opened = await fake.interact(fake.slash("log-meeting", BEN, LOBBY), STEP)
            typed = {"date": "2026-11-20", "duration": "forever", "notes": "Ben's private notes"}
            refused = await fake.interact(
                fake.modal_submit(opened.data["custom_id"], BEN, LOBBY, typed), STEP
            )
            fix = buttons(fake.message(refused.message_id or 0) or {})["Fix the form"]
            click = fake.button(fix, ADA, LOBBY, refused.message_id or 0)
            return refused, await fake.interact(click, STEP)

    refused, borrowed = scenario(body())
    assert "Ben's private notes" in (refused.content or "")
    assert borrowed.type != 9  # no modal opened
    assert borrowed.ephemeral and "belongs to someone else" in (borrowed.content or "")
    assert "private notes" not in json.dumps(borrowed.data)
    assert rows(core, Meeting) == []
