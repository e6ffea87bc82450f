"""One tick at a time: what is delivered, when, and exactly once."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from bot.app import build_ticker
from bot.core.replies import unmarked
from storage.db import session_scope
from storage.models import Delivery, Pair, Person
from tests.scheduler.conftest import at
from tests.support.bot import PairSpec, actor, add_pair, make_core
from tests.support.sink import RecordingOutbound


def deliveries(core) -> list[Delivery]:
    with session_scope(core.sessions) as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def tick(ticker, now):
    return asyncio.run(ticker.tick(now))


@pytest.fixture
def new_pair(core, program_id):
    """A pair starting on Tue 17 Nov 2026."""
    return add_pair(core, program_id, PairSpec(start=dt.date(2026, 11, 17)))


def test_welcome_sent_once_on_start_day(core, ticker, sink, new_pair):
    """The welcome goes at the program's local time on the start day, once."""
    assert tick(ticker, at("2026-11-17", 14, 59)).sent == []
    report = tick(ticker, at("2026-11-17", 15, 0))
    assert [o.kind for o in report.sent] == ["welcome"]
    text = unmarked(sink.delivered[0].message.text)
    assert "Welcome to your mentoring year, Ada and Ben" in text
    assert "A first activity" in text
    assert [b.label for b in sink.delivered[0].message.buttons] == [
        "We'll do this",
        "Show me another",
        "Done, log it",
        "Skip this round",
        "Rate yourself on the competencies",
    ]
    assert tick(ticker, at("2026-11-17", 15, 1)).sent == []
    assert len(sink.delivered) == 1


def test_first_round_three_weeks_later_with_last_time(core, ticker, sink, new_pair):
    """The next suggestion comes a round later and opens with the agreed next steps."""
    tick(ticker, at("2026-11-17"))
    core.clock.now = at("2026-11-20")
    core.command(actor("ada"), "log-meeting", "today 1h talk next: draft a book list")
    tick(ticker, at("2026-12-08", 14, 59))
    assert len(sink.delivered) == 1
    tick(ticker, at("2026-12-08", 15, 0))
    assert len(sink.delivered) == 2
    assert "Last time you agreed to: _draft a book list_" in unmarked(
        sink.delivered[1].message.text
    )


def test_never_the_same_activity_twice(core, ticker, sink, new_pair):
    """A pair is not offered an activity again before the catalog is used up."""
    now = at("2026-11-17")
    for _ in range(8):
        tick(ticker, now)
        now += dt.timedelta(weeks=3)
    offered = [d.activity_id for d in deliveries(core) if d.activity_id]
    assert len(offered) == 8
    assert len(set(offered)) == len(offered)


def test_paused_pair_gets_nothing_until_pause_ends(core, ticker, sink, pair_id):
    """A paused pair is skipped; after the pause ends it gets the next round."""
    core.command(actor("ben"), "mentoring", "pause 2")  # until Tue 24 Nov
    tick(ticker, at("2026-11-17", 15))  # check-in for r5 would be due: paused, nothing
    assert sink.delivered == []
    tick(ticker, at("2026-11-24", 15))
    assert sorted(d.kind for d in deliveries(core)) == ["resumed", "suggestion"]
    with session_scope(core.sessions) as session:
        assert session.get(Pair, pair_id).status == "active"


def test_ended_pair_and_finished_program(core, ticker, sink, program_id):
    """Ended pairs get nothing; a finished program's pairs get one closing message, and then
    end (their history kept)."""
    ended = add_pair(core, program_id, PairSpec("dev", "eve"))
    active = add_pair(core, program_id, PairSpec("ada", "ben"))
    with session_scope(core.sessions) as session:
        session.get(Pair, ended).status = "ended"
    tick(ticker, at("2027-09-02"))
    tick(ticker, at("2027-09-09"))
    assert [(d.pair_id, d.kind) for d in deliveries(core)] == [(active, "program_closing")]
    assert "has ended" in unmarked(sink.delivered[0].message.text)
    with session_scope(core.sessions) as session:
        pair = session.get(Pair, active)
        assert (pair.status, pair.end_reason) == ("ended", "the program ended")


def test_crash_between_send_and_mark_does_not_send_twice(core, sink, pair_id):
    """A process dying after sending leaves the row claimed; the next tick finds the message."""
    crashing = build_ticker(core, {"console": sink})
    sink.crash_after_send = True
    with pytest.raises(SystemExit):
        tick(crashing, at("2026-11-24"))
    sink.crash_after_send = False
    restarted = build_ticker(core, {"console": sink})
    core.clock.advance(minutes=2)
    assert tick(restarted, at("2026-11-24", 15, 2)).sent == []  # lease still held
    core.clock.advance(minutes=4)
    report = tick(restarted, at("2026-11-24", 15, 6))
    assert len(report.sent) == 1
    assert len(sink.delivered) == 1
    assert [d.status for d in deliveries(core)] == ["sent"]


def test_restart_mid_round_finishes_the_round_without_repeats(core, sink, program_id):
    """The process dies partway through a round of three pairs; after a restart every pair
    has exactly one suggestion."""
    for mentor, mentee in (("ada", "ben"), ("dev", "eve"), ("fay", "gus")):
        add_pair(core, program_id, PairSpec(mentor, mentee))
    sink.crash_after_send = True
    with pytest.raises(SystemExit):
        tick(build_ticker(core, {"console": sink}), at("2026-11-24"))
    assert len(sink.delivered) == 1
    sink.crash_after_send = False
    restarted = build_ticker(core, {"console": sink})
    tick(restarted, at("2026-11-24", 15, 1))
    core.clock.advance(minutes=6)  # the dead process's claim lapses
    tick(restarted, at("2026-11-24", 15, 6))
    assert sorted(d.pair_id for d in sink.delivered) == sorted({d.pair_id for d in sink.delivered})
    assert len(sink.delivered) == 3
    assert [d.status for d in deliveries(core)] == ["sent"] * 3


def test_rate_limit_then_server_error_then_success(core, ticker, sink, pair_id):
    """429 (Retry-After) then 500 are retried with backoff; one message arrives."""
    sink.fail_next("ratelimited", retry_after=90)
    sink.fail_next("internal_error")
    report = tick(ticker, at("2026-11-24"))
    assert [reason for _, reason in report.retrying] == ["ratelimited"]
    assert tick(ticker, at("2026-11-24", 15, 1)).sent == []  # waits for Retry-After
    assert [r for _, r in tick(ticker, at("2026-11-24", 15, 2)).retrying] == ["internal_error"]
    assert len(tick(ticker, at("2026-11-24", 15, 5)).sent) == 1
    assert len(sink.delivered) == 1
    assert deliveries(core)[0].attempts == 3


def test_permanent_error_fails_one_pair_not_others(core, ticker, sink, program_id, clock):
    """A permanent error marks that delivery failed; the other pairs still get theirs."""
    add_pair(core, program_id, PairSpec("ada", "ben"))
    add_pair(core, program_id, PairSpec("dev", "eve"))
    sink.fail_next("channel_not_found", permanent=True)
    report = tick(ticker, at("2026-11-24"))
    assert len(report.sent) == 1 and len(report.failed) == 1
    assert sorted(d.status for d in deliveries(core)) == ["failed", "sent"]
    clock.now = at("2026-11-24", 16)  # the summary counts what happened by its moment
    summary = core.command(actor("casey"), "mentoring-summary", "").message.text
    assert "a delivery failed: channel_not_found" in summary


def test_unreachable_member_flagged_not_messaged(core, ticker, sink, pair_id):
    """A deactivated member is not messaged; the pair is flagged for coordinators."""
    sink.unreachable["ben"] = "deactivated on Slack"
    report = tick(ticker, at("2026-11-24"))
    assert sink.delivered == [] and len(report.failed) == 1
    with session_scope(core.sessions) as session:
        ben = session.scalars(select(Person).where(Person.platform_user_id == "ben")).one()
        assert ben.unreachable_reason == "deactivated on Slack"


def test_member_back_on_the_platform_is_no_longer_flagged(core, ticker, sink, pair_id):
    """Once the platform reports the member present again, the next round goes out and the
    coordinators' flag is cleared."""
    sink.unreachable["ben"] = "deactivated on Slack"
    tick(ticker, at("2026-11-24"))
    del sink.unreachable["ben"]
    tick(ticker, at("2026-12-15"))  # the next round
    assert len(sink.delivered) == 1
    with session_scope(core.sessions) as session:
        ben = session.scalars(select(Person).where(Person.platform_user_id == "ben")).one()
        assert (ben.unreachable_reason, ben.unreachable_since) == (None, None)
    summary = core.command(actor("casey"), "mentoring-summary", "").message.text
    assert "unreachable" not in summary


def test_checkin_only_when_no_meeting_since_last_suggestion(core, ticker, sink, program_id):
    """A week before a round, a quiet pair is checked in on; a pair that met is not."""
    quiet = add_pair(core, program_id, PairSpec("ada", "ben"))
    busy = add_pair(core, program_id, PairSpec("dev", "eve"))
    tick(ticker, at("2026-11-24"))
    core.clock.now = at("2026-11-26")
    core.command(actor("dev"), "log-meeting", "today 1h")
    tick(ticker, at("2026-12-08"))
    checkins = [d.pair_id for d in deliveries(core) if d.kind == "checkin"]
    assert checkins == [quiet]
    assert busy not in checkins
    assert [b.label for b in sink.delivered[-1].message.buttons] == [
        "Yes, log it",
        "Not yet",
        "We need help",
    ]


def test_dry_run_sends_and_writes_nothing(core, ticker, sink, pair_id):
    """A dry run reports what is due and leaves the platform and database untouched."""
    report = asyncio.run(ticker.tick(at("2026-11-24"), dry_run=True))
    assert [o.kind for o in report.would_send] == ["suggestion"]
    assert sink.delivered == [] and deliveries(core) == []


def test_two_tickers_at_once_send_once(db_url, clock, pair_id, sink):
    """Two tickers with their own engines ticking together deliver each round once."""
    first = build_ticker(make_core(db_url, clock), {"console": sink})
    second = build_ticker(make_core(db_url, clock), {"console": sink})

    async def both():
        await asyncio.gather(first.tick(at("2026-11-24")), second.tick(at("2026-11-24")))

    asyncio.run(both())
    assert len(sink.delivered) == 1
    assert sink.calls == 1


def test_members_timezone_sets_the_hour(core, ticker, sink, program_id):
    """A mentee in Los Angeles gets the round at 10:00 Los Angeles time."""
    add_pair(core, program_id, PairSpec(mentee_timezone="America/Los_Angeles"))
    tick(ticker, at("2026-11-24", 15))
    assert sink.delivered == []
    tick(ticker, at("2026-11-24", 18))
    assert len(sink.delivered) == 1


def test_a_crash_loop_gives_no_delivery_up_early(core, sink, pair_id):
    """Eight ticks killed after claiming and before sending, then eight sends that fail: only
    real sends count as attempts, and a failing delivery is retried through its round's
    window, so the suggestion still goes, once."""

    class KilledBeforeSending(RecordingOutbound):
        async def unreachable_reason(self, user_id: str, *, workspace: str = "") -> str | None:
            raise SystemExit("killed")

    moment = at("2026-11-24")
    for _ in range(8):
        with pytest.raises(SystemExit):
            tick(build_ticker(core, {"console": KilledBeforeSending()}), moment)
        core.clock.advance(minutes=6)  # its lease runs out
        moment += dt.timedelta(minutes=6)
    assert deliveries(core)[0].attempts == 0
    for _ in range(8):
        sink.fail_next("internal_error")
    ticker = build_ticker(core, {"console": sink})
    for _ in range(9):
        report = tick(ticker, moment)
        moment += dt.timedelta(hours=1)  # past any backoff
    assert [o.kind for o in report.sent] == ["suggestion"]
    [delivery] = deliveries(core)
    assert (delivery.status, delivery.attempts) == ("sent", 9)
    assert len(sink.delivered) == 1


def test_a_delivery_failing_past_its_rounds_window_is_given_up_and_flagged(
    core, ticker, sink, pair_id, clock
):
    """Retried while its round is still on; once the round's window (a week) has passed, the
    next failure gives it up, and the coordinators see it."""
    for _ in range(3):
        sink.fail_next("internal_error")
    assert [r for _, r in tick(ticker, at("2026-11-24")).retrying] == ["internal_error"]
    assert [r for _, r in tick(ticker, at("2026-11-27")).retrying] == ["internal_error"]
    late = tick(ticker, at("2026-12-01", 15, 1))
    assert [r for _, r in late.failed] == ["internal_error"]
    assert [d.status for d in deliveries(core)] == ["failed"]
    clock.now = at("2026-12-01", 16)  # the summary counts what happened by its moment
    summary = core.command(actor("casey"), "mentoring-summary", "").message.text
    assert "a delivery failed: internal_error" in summary


def test_a_pair_paused_while_its_delivery_waits_gets_nothing(core, ticker, sink, pair_id):
    """A suggestion waiting for a retry is not sent once the pair pauses; nor to an ended
    pair; after the pause ends within the round it goes."""
    core.clock.now = at("2026-11-24")
    sink.fail_next("internal_error")
    assert tick(ticker, at("2026-11-24")).retrying
    core.command(actor("ada"), "mentoring", "pause 1")  # until Tue 1 Dec
    assert tick(ticker, at("2026-11-24", 16)).sent == []
    assert asyncio.run(ticker.tick(at("2026-11-24", 16), dry_run=True)).would_send == []
    assert sink.delivered == []
    assert sorted(o.kind for o in tick(ticker, at("2026-12-01", 16)).sent) == [
        "resumed",
        "suggestion",
    ]  # the pause ran out by itself: the pair is told, and gets its round


def test_dry_run_counts_every_delivery_due(core, sink, program_id):
    """However many are due, a dry run names them all (claims come in batches; a dry run
    does not)."""
    from scheduler import tick as tick_module

    for number in range(5):
        add_pair(core, program_id, PairSpec(f"m{number}", f"e{number}"))
    batched = build_ticker(core, {"console": sink})
    original = tick_module.CLAIM_BATCH
    tick_module.CLAIM_BATCH = 2
    try:
        report = asyncio.run(batched.tick(at("2026-11-24"), dry_run=True))
    finally:
        tick_module.CLAIM_BATCH = original
    assert len(report.would_send) == 5
    assert sink.delivered == []


def test_last_time_quotes_the_latest_meeting_by_date_and_not_an_old_agreement(
    core, ticker, sink, new_pair
):
    """A meeting logged later for an earlier day does not displace the latest meeting's next
    steps; a later meeting without next steps ends the quoting of the earlier agreement."""
    tick(ticker, at("2026-11-17"))
    core.clock.now = at("2026-11-27")
    core.command(actor("ada"), "log-meeting", "2026-11-25 1h talk next: draft a book list")
    core.command(actor("ada"), "log-meeting", "2026-11-20 30m earlier next: an old plan")
    tick(ticker, at("2026-12-08"))
    assert "Last time you agreed to: _draft a book list_" in unmarked(
        sink.delivered[-1].message.text
    )
    core.clock.now = at("2026-12-15")
    core.command(actor("ben"), "log-meeting", "2026-12-14 45m talked, no plan this time")
    tick(ticker, at("2026-12-29"))
    assert "Last time you agreed to" not in unmarked(sink.delivered[-1].message.text)


def test_a_pair_imported_late_gets_its_welcome_once_then_the_rounds(core, ticker, sink, program_id):
    """Imported on 2 Nov though it started on 1 Sep: the next tick brings its welcome (not
    round 3, due the next day), once; round 4 comes on its day. A pair imported on its start
    date while the bot was down gets the round it is in, as after any downtime."""
    late = add_pair(core, program_id, PairSpec("ada", "ben", imported=at("2026-11-02", 12)))
    on_time = add_pair(core, program_id, PairSpec("dev", "eve"))
    tick(ticker, at("2026-11-03", 15, 5))
    tick(ticker, at("2026-11-04", 15, 5))
    tick(ticker, at("2026-11-24", 15, 5))
    sent = [(d.pair_id, d.kind, d.round_key) for d in deliveries(core) if d.status == "sent"]
    assert sorted(sent) == sorted(
        [
            (late, "welcome", "start"),
            (late, "suggestion", "r4"),
            (on_time, "suggestion", "r3"),
            (on_time, "suggestion", "r4"),
        ]
    )
    [welcome] = [d for d in sink.delivered if d.pair_id == late][:1]
    assert "Welcome to your mentoring year" in unmarked(welcome.message.text)
