"""A signed click or form acts only on the member's own pair's message and suggestion.

Slack signs what it sends, but the payload's parts (the container a click names, its action
string, a modal's ``private_metadata``) are checked against what the bot itself sent, never
trusted: each test sends the crafted payload, then checks what must not happen.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import pytest

from storage.models import Delivery, Meeting
from tests.fakes.slack_requests import datepicker_value, plain_text_value
from tests.slack.harness import COORDINATOR, Answer, add_slack_pair, buttons, serve, shown
from tests.support.bot import rows, snapshot

pytestmark = pytest.mark.timeout(30)

WELCOME = dt.datetime(2026, 11, 17, 15, 0, tzinfo=dt.UTC)
ROUND_ONE = dt.datetime(2026, 12, 8, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def welcomes(core, fake, ticker, program_id, pair_id) -> tuple[Delivery, Delivery]:
    """Ada & Ben's welcome and Cleo & Dev's, each in its own group DM."""
    fake.add_user("U4", name="dev", display_name="Dev", tz="Europe/Paris")
    other = add_slack_pair(core, program_id, ("U3", "Cleo"), ("U4", "Dev"))
    assert len(asyncio.run(ticker.tick(WELCOME)).sent) == 2
    [ours] = rows(core, Delivery, Delivery.pair_id == pair_id)
    [theirs] = rows(core, Delivery, Delivery.pair_id == other)
    return ours, theirs


def stored(core) -> dict[str, list[tuple]]:
    """Every table but the requests the bot has handled (a crafted one is handled too)."""
    return {name: found for name, found in snapshot(core).items() if name != "handled_requests"}


def crafted_click(
    app, fake, action: str, user: str, channel: str, message: dict[str, Any]
) -> dict[str, Any]:
    """Send a signed click on ``action`` whose container is ``message`` in ``channel``;
    returns the private answer."""

    async def scenario() -> dict[str, Any]:
        async with serve(app, fake) as slack:
            return await slack.reply_to(await slack.click(action, user, channel, message))

    return asyncio.run(scenario())


def test_a_click_naming_another_pairs_message_updates_nothing(app, core, fake, welcomes):
    """Ada presses her own suggestion's “Skip this round” in a payload whose container is
    Cleo & Dev's message: no chat.update, their message and both suggestions as they were."""
    ours, theirs = welcomes
    skip = buttons(fake.messages(ours.conversation_ref)[0])["Skip this round"]
    target = fake.messages(theirs.conversation_ref)[0]
    before = stored(core)
    answer = crafted_click(app, fake, skip, "U1", theirs.conversation_ref, target)
    assert "don't belong to the message" in shown(answer)
    assert fake.calls_to("chat.update") == []
    assert fake.messages(theirs.conversation_ref) == [target]
    assert stored(core) == before


def test_a_click_on_an_older_message_of_the_pair_updates_nothing(app, core, fake, ticker, welcomes):
    """The welcome's buttons sent on the next round's message (same conversation, another
    ts) neither answer the welcome nor rewrite the other message."""
    ours, _ = welcomes
    asyncio.run(ticker.tick(ROUND_ONE))
    welcome, round_one = fake.messages(ours.conversation_ref)
    before = stored(core)
    accept = buttons(welcome)["We'll do this"]
    answer = crafted_click(app, fake, accept, "U2", ours.conversation_ref, round_one)
    assert "don't belong to the message" in shown(answer)
    assert fake.calls_to("chat.update") == []
    assert fake.messages(ours.conversation_ref) == [welcome, round_one]
    assert stored(core) == before


def test_a_checkin_help_action_on_a_suggestion_alerts_no_one(app, core, fake, welcomes):
    """`c:<the welcome's id>:help` pressed on the welcome itself: no coordinator is told."""
    ours, _ = welcomes
    welcome = fake.messages(ours.conversation_ref)[0]
    dm = fake.open_conversation(COORDINATOR)
    before = stored(core)
    answer = crafted_click(app, fake, f"c:{ours.id}:help", "U2", ours.conversation_ref, welcome)
    assert "out of date" in shown(answer)
    assert fake.messages(dm) == []
    assert fake.calls_to("chat.update") == []
    assert stored(core) == before


def meeting_form(app, fake, user: str, context: str) -> tuple[Answer, dict[str, Any]]:
    """Open `/log-meeting`'s modal, submit it with its ``private_metadata`` context replaced
    by ``context``; returns the HTTP answer to the submission and the private answer."""
    values = {
        "date": {"date": datepicker_value("2026-11-19")},
        "duration": {"duration": plain_text_value("45m")},
        "notes": {"notes": plain_text_value("Read together")},
        "next_steps": {"next_steps": plain_text_value(None)},
    }

    async def scenario() -> tuple[Answer, dict[str, Any]]:
        async with serve(app, fake) as slack:
            key = await slack.command("/log-meeting", "", user)
            view = (await fake.wait_for(lambda: fake.views))[0]
            metadata = {**json.loads(view["private_metadata"]), "context": context}
            crafted = {**view, "private_metadata": json.dumps(metadata)}
            answer = await slack.submit(crafted, values, user)
            return answer, await slack.reply_to(key)

    return asyncio.run(scenario())


def test_a_form_naming_another_pairs_suggestion_logs_the_meeting_unlinked(
    app, core, fake, welcomes
):
    """Ada's meeting form, its context naming Cleo & Dev's welcome: the meeting is Ada's
    pair's, linked to no suggestion and without their activity; their conversation hears
    nothing."""
    ours, theirs = welcomes
    context = f"pair:{ours.pair_id}:delivery:{theirs.id}"
    answer, confirmation = meeting_form(app, fake, "U1", context)
    assert answer.status == 200
    assert "Logged meeting *1*" in shown(confirmation)
    [meeting] = rows(core, Meeting)
    assert (meeting.pair_id, meeting.delivery_id, meeting.activity_id) == (ours.pair_id, None, None)
    assert len(fake.messages(theirs.conversation_ref)) == 1  # their welcome only


def test_a_form_for_another_pair_is_refused(app, core, fake, welcomes):
    """Ada's meeting form with its context naming Cleo & Dev's pair stores nothing for them."""
    _, theirs = welcomes
    context = f"pair:{theirs.pair_id}:delivery:{theirs.id}"
    _, refusal = meeting_form(app, fake, "U1", context)
    assert "a pair you are not in" in shown(refusal)
    assert rows(core, Meeting) == []
    assert len(fake.messages(theirs.conversation_ref)) == 1
