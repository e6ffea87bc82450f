"""Clicks on suggestions and check-ins, through the core as adapters call it."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.core.replies import Actor, DirectPost, MessageRef, unmarked
from storage.db import session_scope
from storage.models import Delivery, Pair, Response
from tests.scheduler.conftest import at
from tests.support.bot import actor, button_actions, rows, snapshot, text_of

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
    assert "Ben pressed “We'll do this”" in unmarked(reply.replacement.text)
    assert [b.label for b in reply.replacement.buttons] == ["Done, log it"]
    again = core.press(ADA, suggestion["We'll do this"])
    assert "already answered: Ben pressed “We'll do this”" in text_of(again)


def test_each_answer_names_the_button_pressed_with_its_own_mark(core, suggestion):
    """Done, log it says so (not "We'll do this"), keeps its button to open the form again,
    and marks the message 📝; Skip is marked ⏭️, not ✅."""
    done = core.press(BEN, suggestion["Done, log it"])
    assert done.form is not None
    assert "📝 Ben pressed “Done, log it”" in unmarked(done.replacement.text)
    assert "We'll do this" not in unmarked(done.replacement.text)
    assert [b.label for b in done.replacement.buttons] == ["Done, log it"]
    assert core.press(ADA, suggestion["Done, log it"]).form is not None  # opens again
    assert "already answered: Ben pressed “Done, log it”" in text_of(
        core.press(BEN, suggestion["Skip this round"])
    )


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
    assert [f.name for f in reply.form.fields] == [
        "date",
        "duration",
        "notes",
        "next_steps",
        "rating",
    ]
    assert core.catalog.activity(suggested).title in reply.form.intro
    logged = core.submit(
        ADA, reply.form.form_id, reply.form.context, {"date": "today", "duration": "45m"}
    )
    assert "Logged meeting **1**" in text_of(logged)
    assert core.catalog.activity(suggested).title in text_of(logged)


def test_only_clicks_that_take_effect_are_stored(core, suggestion):
    """A click is stored with who clicked when it takes effect; one answered "already
    answered", or refused, is not."""
    core.press(BEN, suggestion["Skip this round"])
    assert "already answered" in text_of(core.press(ADA, suggestion["We'll do this"]))
    core.press(actor("mallory"), suggestion["We'll do this"])
    with session_scope(core.sessions) as session:
        clicks = session.execute(select(Response.action, Response.person_id)).all()
    assert [action for action, _ in clicks] == ["skip"]
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
    assert "Ben asked for help" in unmarked(reply.posts[0].message.text)
    assert "coordinators have been told" in text_of(reply)
    assert "already answered" in text_of(core.press(ADA, checkin["Not yet"]))


@pytest.fixture
def checkin(core, ticker, sink, pair_id):
    """The round of Tue 24 Nov and, with no meeting logged, the check-in a week before the
    next; returns the check-in's buttons by label."""
    asyncio.run(ticker.tick(at("2026-11-24")))
    asyncio.run(ticker.tick(at("2026-12-08")))
    return button_actions(sink.delivered[-1].message)


def test_help_after_the_partner_answered_not_yet_still_tells_coordinators(core, checkin):
    """A partner's "Not yet" does not silence "We need help": the coordinators are told, the
    clicker hears so, and the request counts; the same member asking again tells no one twice."""
    core.press(BEN, checkin["Not yet"])
    reply = core.press(ADA, checkin["We need help"])
    assert [p.user_id for p in reply.posts if isinstance(p, DirectPost)] == ["casey"]
    assert "Ada asked for help" in unmarked(reply.posts[0].message.text)
    assert "coordinators have been told" in text_of(reply)
    again = core.press(ADA, checkin["We need help"])
    assert again.posts == ()
    assert "already asked for help" in text_of(again)
    assert [r.action for r in rows(core, Response)] == ["notyet", "help"]
    [delivery] = rows(core, Delivery, Delivery.kind == "checkin")
    assert delivery.answer == "notyet"  # the first answer stands; the help request is its own


def test_a_checkin_verb_on_a_suggestion_alerts_no_one(core, ticker, sink, pair_id):
    """`c:<a suggestion's id>:help` is out of date: no coordinator is told, nothing stored."""
    asyncio.run(ticker.tick(at("2026-11-24")))
    delivery = stored(core)
    before = snapshot(core)
    reply = core.press(BEN, f"c:{delivery.id}:help")
    assert "out of date" in text_of(reply)
    assert (reply.posts, reply.replacement) == ((), None)
    assert snapshot(core) == before


def test_a_suggestion_verb_on_a_checkin_changes_nothing(core, checkin):
    """`s:<a check-in's id>:skip` is out of date: the check-in stays unanswered."""
    [delivery] = rows(core, Delivery, Delivery.kind == "checkin")
    before = snapshot(core)
    reply = core.press(BEN, f"s:{delivery.id}:skip")
    assert "out of date" in text_of(reply) and reply.replacement is None
    assert snapshot(core) == before


def test_a_delivery_never_sent_cannot_be_clicked(core, ticker, sink, pair_id):
    """A suggestion whose sending failed has no message, so its buttons do nothing."""
    sink.fail_next("the platform refused it", permanent=True)
    asyncio.run(ticker.tick(at("2026-11-24")))
    delivery = stored(core)
    assert (delivery.status, delivery.message_ref) == ("failed", None)
    before = snapshot(core)
    reply = core.press(BEN, f"s:{delivery.id}:accept")
    assert "never delivered" in text_of(reply) and reply.replacement is None
    assert snapshot(core) == before


def test_a_platform_click_must_name_the_deliverys_own_message(core, suggestion):
    """Outside the console, a click with no message, or on a message that is not the
    delivery's, is refused; on the delivery's own message it acts."""
    delivery = stored(core)
    ben = Actor("slack", "ben", "Ben")
    with session_scope(core.sessions) as session:  # Ben as a Slack member of the pair
        pair = session.get(Pair, delivery.pair_id)
        pair.mentee.platform = "slack"
    own = MessageRef(delivery.conversation_ref, delivery.message_ref)
    elsewhere = [None, MessageRef("other-conversation", delivery.message_ref)]
    elsewhere.append(MessageRef(delivery.conversation_ref, "another-message"))
    for clicked in elsewhere:
        reply = core.press(ben, suggestion["Skip this round"], message_ref=clicked)
        assert "don't belong to the message" in text_of(reply), clicked
        assert reply.replacement is None
    assert rows(core, Response) == []
    reply = core.press(ben, suggestion["Skip this round"], message_ref=own)
    assert "Ben pressed “Skip this round”" in unmarked(reply.replacement.text)
