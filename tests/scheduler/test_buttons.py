"""Clicks on suggestions and check-ins, through the core as adapters call it."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.core.replies import DirectPost
from storage.db import session_scope
from storage.models import Delivery, Response
from tests.scheduler.conftest import at
from tests.support.bot import actor, button_actions, text_of

ADA, BEN = actor("ada"), actor("ben")


@pytest.fixture
def suggestion(core, ticker, sink, pair_id):
    """The round of Tue 24 Nov delivered; returns its buttons by label."""
    asyncio.run(ticker.tick(at("2026-11-24")))
    return button_actions(sink.delivered[-1].message)


def stored(core) -> Delivery:
    with session_scope(core.sessions) as session:
        return session.scalars(select(Delivery)).one()


def test_accept_updates_message_with_who_chose(core, suggestion):
    """We'll do this: the message shows who chose it and keeps only Done, log it."""
    reply = core.press(BEN, suggestion["We'll do this"])
    assert "Ben chose “We'll do this”" in reply.replacement.text
    assert [b.label for b in reply.replacement.buttons] == ["Done, log it"]
    again = core.press(ADA, suggestion["We'll do this"])
    assert "already answered: Ben chose “We'll do this”" in text_of(again)


def test_swap_replaces_in_place_at_most_twice(core, suggestion):
    """Show me another changes the activity in place, twice at most."""
    first = stored(core).activity_id
    swapped = core.press(ADA, suggestion["Show me another"])
    second = stored(core).activity_id
    assert second != first and swapped.replacement is not None
    core.press(ADA, suggestion["Show me another"])
    third = stored(core).activity_id
    assert third not in (first, second)
    refusal = core.press(ADA, suggestion["Show me another"])
    assert "already swapped 2 times" in text_of(refusal)
    assert stored(core).activity_id == third


def test_done_opens_form_for_the_suggested_activity(core, suggestion):
    """Done, log it opens the meeting form for the suggested activity, which the meeting gets."""
    reply = core.press(ADA, suggestion["Done, log it"])
    suggested = stored(core).activity_id
    assert [f.name for f in reply.form.fields] == ["date", "duration", "notes", "next_steps"]
    assert core.catalog.activity(suggested).title in reply.form.intro
    logged = core.submit(
        ADA, reply.form.form_id, reply.form.context, {"date": "today", "duration": "45m"}
    )
    assert "Logged meeting **1**" in text_of(logged)
    assert core.catalog.activity(suggested).title in text_of(logged)


def test_skip_and_every_click_stored(core, suggestion):
    """Every click is stored with who clicked, even a refused one."""
    core.press(BEN, suggestion["Skip this round"])
    core.press(ADA, suggestion["We'll do this"])
    with session_scope(core.sessions) as session:
        clicks = session.execute(select(Response.action, Response.person_id)).all()
    assert [action for action, _ in clicks] == ["skip", "accept"]
    assert stored(core).answer == "skip"


def test_outsider_cannot_click(core, suggestion):
    """Someone outside the pair is told the buttons are not theirs."""
    assert "another pair" in text_of(core.press(actor("mallory"), suggestion["Skip this round"]))


def test_stale_button(core, pair_id):
    """A button for nothing that exists gets a sentence, not an error."""
    assert "no longer exists" in text_of(core.press(ADA, "s:999:accept"))
    assert "out of date" in text_of(core.press(ADA, "nonsense"))


def test_checkin_help_tells_coordinators(core, ticker, sink, pair_id):
    """We need help sends a direct message to every coordinator."""
    asyncio.run(ticker.tick(at("2026-11-24")))
    asyncio.run(ticker.tick(at("2026-12-08")))
    checkin = button_actions(sink.delivered[-1].message)
    reply = core.press(BEN, checkin["We need help"])
    assert [p.user_id for p in reply.posts if isinstance(p, DirectPost)] == ["casey"]
    assert "Ben asked for help" in reply.posts[0].message.text
    assert "coordinators have been told" in text_of(reply)
    assert "already answered" in text_of(core.press(ADA, checkin["Not yet"]))
