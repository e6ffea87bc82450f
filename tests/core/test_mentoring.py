"""/mentoring status, pause, resume, export and the permissions of the summary."""

from __future__ import annotations

import json

from sqlalchemy import select

from storage.db import session_scope
from storage.models import Pair
from tests.support.bot import actor, text_of

ADA, BEN = actor("ada"), actor("ben")


def test_status_shows_next_round_meetings_and_goals(core, pair_id):
    """Status names the partner, the next suggestion, meetings and open goals."""
    core.command(BEN, "goal", "add Read three award winners")
    core.command(ADA, "log-meeting", "today 1h chat")
    status = text_of(core.command(ADA, "mentoring", "status"))
    assert "with Ben (your mentee)" in status
    # Rounds fall on Tuesdays every 3 weeks from the pair's start (Tue 1 Sep 2026) at 10:00 NY
    assert "Next suggestion: Tue 24 Nov, 10:00" in status
    assert "Meetings so far: 1 (1.0 h)" in status
    assert "Read three award winners" in status


def test_pause_and_resume(core, pair_id):
    """Pausing holds suggestions for the weeks asked; resuming brings them back."""
    paused = text_of(core.command(BEN, "mentoring", "pause 2"))
    assert "Paused for 2 weeks, until Tue 24 Nov 2026" in paused
    with session_scope(core.sessions) as session:
        assert session.get(Pair, pair_id).status == "paused"
    assert "Paused until" in text_of(core.command(ADA, "mentoring", "status"))
    assert "back on" in text_of(core.command(ADA, "mentoring", "resume"))
    assert "not paused" in text_of(core.command(ADA, "mentoring", "resume"))


def test_pause_bounds(core, pair_id):
    """A pause is 1 to 26 weeks and a number."""
    assert "“27” is not a number of weeks from 1 to 26" in text_of(
        core.command(ADA, "mentoring", "pause 27")
    )
    assert "“soon” is not a number of weeks" in text_of(
        core.command(ADA, "mentoring", "pause soon")
    )
    with session_scope(core.sessions) as session:
        assert session.scalars(select(Pair.status)).one() == "active"


def test_export_holds_own_goals_and_meetings(core, pair_id):
    """A member's export is a JSON file with their pair's goals and meetings."""
    core.command(ADA, "goal", "add A goal")
    core.command(ADA, "log-meeting", "today 30m private words")
    reply = core.command(BEN, "mentoring", "export")
    data = json.loads(reply.message.attachments[0].content)
    pair = data["pairs"][0]
    assert pair["goals"][0]["text"] == "A goal"
    assert pair["meetings"][0]["notes"] == "private words"


def test_summary_refused_to_members(core, pair_id):
    """Anyone but a coordinator gets a polite refusal and no figures."""
    refusal = text_of(core.command(ADA, "mentoring-summary", ""))
    assert "for program coordinators" in refusal
    assert "Active pairs" not in refusal


def test_unknown_command_and_subcommand(core, pair_id):
    """Unknown commands and subcommands say what exists."""
    assert "/goal" in text_of(core.command(ADA, "gaol", ""))
    assert "/mentoring status" in text_of(core.command(ADA, "mentoring", "statsu"))


def test_coordinator_ids_can_name_their_platform(db_url, clock):
    """`slack:U1` counts on Slack only; a bare id on every platform."""
    from bot.core.replies import Actor
    from tests.support.bot import make_core

    core = make_core(db_url, clock, MENTORBOT_COORDINATORS="slack:U1, 42")
    assert core.settings.coordinator_ids("slack") == ("U1", "42")
    assert core.settings.coordinator_ids("discord") == ("42",)
    refused = core.command(Actor("discord", "U1"), "mentoring-summary", "").message.text
    allowed = core.command(Actor("slack", "U1"), "mentoring-summary", "").message.text
    assert "for program coordinators" in refused
    assert "for program coordinators" not in allowed


def test_status_with_many_long_goals_stays_one_message(core, pair_id, clock):
    """Twelve open goals of 450 characters: the status shows those that fit and says how many
    more `/goal list` has, within one Discord message."""
    from bot.discord_app.render import CONTENT_LIMIT, parts

    ada = actor("ada")
    for number in range(12):
        clock.advance(seconds=3)
        core.command(ada, "goal", f"add Goal {number} " + "read widely " * 36)
    status = core.command(ada, "mentoring", "status").message
    [part] = parts(status)
    assert len(part.content) <= CONTENT_LIMIT
    assert "more (`/goal list`)" in text_of(core.command(ada, "mentoring", "status"))
