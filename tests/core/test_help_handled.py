"""A help request marked handled from the coordinators' alert, and what the summary says then."""

from __future__ import annotations

import csv
import datetime as dt
import io

from bot.core.replies import Reply, unmarked
from bot.core.summary import compute_summary, summary_csv, summary_json
from storage.db import session_scope
from storage.models import AuditEvent, Delivery, Pair, Person, Response
from tests.support.bot import PairSpec, actor, add_pair, rows, snapshot, text_of

UTC = dt.UTC
CASEY, ADA, BEN = actor("casey"), actor("ada"), actor("ben")


def ask_for_help(core, clock, pair_id: int, when: dt.datetime, who=BEN) -> Reply:
    """A check-in sent to the pair an hour before ``when``, and ``who`` pressing **We need
    help** on it at ``when``."""
    with session_scope(core.sessions) as session:
        pair = session.get(Pair, pair_id)
        checkin = Delivery(
            pair_id=pair_id,
            kind="checkin",
            round_key=f"c{when:%Y%m%d%H}",
            due_at=when - dt.timedelta(hours=1),
            status="sent",
            sent_at=when - dt.timedelta(hours=1),
            message_ref=f"m-{when:%Y%m%d%H}",
            conversation_ref=pair.conversation_id,
        )
        session.add(checkin)
        session.flush()
        action = f"c:{checkin.id}:help"
    clock.now = when
    return core.press(who, action)


def mark_handled_button(reply: Reply) -> str:
    """The Mark handled button of the alert the coordinator was sent."""
    [post] = reply.posts
    assert post.user_id == "casey"
    assert [b.label for b in post.message.buttons] == ["Mark handled"]
    return post.message.buttons[0].action


def summary_text(core) -> str:
    return text_of(core.command(CASEY, "mentoring-summary", ""))


def summarise(core):
    with session_scope(core.sessions) as session:
        return compute_summary(session, core.clock())


def test_the_alert_carries_a_mark_handled_button_that_says_who_handled_it(core, pair_id, clock):
    """Ben asks for help; Casey presses Mark handled on the alert: the alert says so without
    the button, Casey hears it, and the summary says who handled it and when."""
    asked = ask_for_help(core, clock, pair_id, dt.datetime(2026, 11, 10, 16, tzinfo=UTC))
    alert = asked.posts[0].message
    assert unmarked(alert.text) == (
        "🆘 Ben asked for help with their mentoring pair Ada (mentor) & Ben (mentee), "
        f"pair {pair_id}. Please get in touch with them."
    )
    button = mark_handled_button(asked)
    assert "asked for help on 2026-11-10" in summary_text(core)
    clock.advance(days=1)
    done = core.press(CASEY, button)
    assert text_of(done) == (
        f"Marked handled: pair {pair_id}'s help request of 2026-11-10. "
        "The summary now shows it as handled by you."
    )
    assert unmarked(done.replacement.text) == (
        unmarked(alert.text) + "\n✅ Handled by Casey on 2026-11-11."
    )
    assert done.replacement.buttons == ()
    # the pair is quiet too, so it is still listed: the help request is reported as handled
    assert (
        "no meeting for two suggestion rounds (none logged); "
        "asked for help on 2026-11-10 — handled by Casey on 2026-11-11"
    ) in summary_text(core)
    [line] = csv.DictReader(io.StringIO(summary_csv(summarise(core)).decode()))
    assert (line["help_asked_on"], line["help_handled_on"], line["help_handled_by"]) == (
        "2026-11-10",
        "2026-11-11",
        "Casey",
    )
    assert summary_json(summarise(core))["pairs"][0]["help_handled_by"] == "Casey"
    again = core.press(CASEY, button)
    assert text_of(again) == "This help request was already handled by Casey on 2026-11-11."
    assert unmarked(again.replacement.text).endswith("✅ Handled by Casey on 2026-11-11.")


def test_handling_is_audited_like_other_coordinator_actions(core, pair_id, clock):
    """Marking handled is audited as ``pair.help_handled`` with the coordinator as actor."""
    button = mark_handled_button(
        ask_for_help(core, clock, pair_id, dt.datetime(2026, 11, 10, 16, tzinfo=UTC))
    )
    core.press(CASEY, button)
    [casey] = rows(core, Person, Person.platform_user_id == "casey")
    [event] = rows(core, AuditEvent, AuditEvent.action == "pair.help_handled")
    assert (event.actor, event.entity, event.entity_id, event.detail) == (
        AuditEvent.person_actor(casey.id),
        "pair",
        pair_id,
        {"requests": 1},
    )
    [request] = rows(core, Response, Response.action == "help")
    assert (request.handled_at, request.handled_by_id) == (clock.now, casey.id)


def test_only_a_coordinator_can_mark_handled_and_nothing_changes_otherwise(core, pair_id, clock):
    """A member pressing Mark handled (a forwarded alert) is refused and nothing is stored."""
    button = mark_handled_button(
        ask_for_help(core, clock, pair_id, dt.datetime(2026, 11, 10, 16, tzinfo=UTC))
    )
    before = snapshot(core)
    for who in (BEN, actor("mallory")):
        refused = core.press(who, button)
        assert text_of(refused) == "Only coordinators can mark a help request handled."
        assert refused.replacement is None
    assert snapshot(core) == before
    assert "That help request is no longer stored" in text_of(core.press(CASEY, "helpdone:999"))


def test_a_pair_needing_only_help_drops_from_the_list_once_handled(core, pair_id, clock):
    """A pair that meets and is listed only for its help request needs no attention once the
    request is handled; asking again lists it again."""
    core.command(ADA, "log-meeting", "today 1h met")
    button = mark_handled_button(
        ask_for_help(core, clock, pair_id, dt.datetime(2026, 11, 10, 16, tzinfo=UTC))
    )
    assert "asked for help on 2026-11-10" in summary_text(core)
    clock.advance(hours=2)
    core.press(CASEY, button)
    assert "No pair needs attention. 🎉" in summary_text(core)
    ask_for_help(core, clock, pair_id, dt.datetime(2026, 11, 20, 16, tzinfo=UTC), who=ADA)
    text = summary_text(core)
    assert "asked for help on 2026-11-20" in text and "handled" not in text


def test_marking_the_latest_request_handled_marks_the_earlier_ones(core, pair_id, clock):
    """Both members asked, on two check-ins; handling the later alert handles both, and the
    earlier alert's button then says it was already handled."""
    first = mark_handled_button(
        ask_for_help(core, clock, pair_id, dt.datetime(2026, 11, 10, 16, tzinfo=UTC), who=BEN)
    )
    second = mark_handled_button(
        ask_for_help(core, clock, pair_id, dt.datetime(2026, 11, 12, 16, tzinfo=UTC), who=ADA)
    )
    clock.advance(days=1)
    assert "help request of 2026-11-12" in text_of(core.press(CASEY, second))
    assert [r.handled_at for r in rows(core, Response, Response.action == "help")] == [
        clock.now,
        clock.now,
    ]
    assert "already handled by Casey on 2026-11-13" in text_of(core.press(CASEY, first))
    assert "— handled by Casey on 2026-11-13" in summary_text(core)
    [event] = rows(core, AuditEvent, AuditEvent.action == "pair.help_handled")
    assert event.detail == {"requests": 2}


def test_a_handled_request_is_not_handled_in_a_period_that_ended_before(core, program_id, clock):
    """Asked on Dec 30, handled on Jan 4: 2026Q4, read later, still lists the request as it
    stood at the quarter's end."""
    pair = add_pair(core, program_id, PairSpec("dev", "eve"))
    button = mark_handled_button(
        ask_for_help(core, clock, pair, dt.datetime(2026, 12, 30, 16, tzinfo=UTC), actor("eve"))
    )
    clock.now = dt.datetime(2027, 1, 4, 15, tzinfo=UTC)
    core.press(CASEY, button)
    clock.now = dt.datetime(2027, 1, 20, 15, tzinfo=UTC)
    quarter = text_of(core.command(CASEY, "mentoring-summary", "--period 2026Q4"))
    assert "asked for help on 2026-12-30" in quarter and "handled" not in quarter
    assert "asked for help" not in text_of(
        core.command(CASEY, "mentoring-summary", "--period 2027Q1")
    )
