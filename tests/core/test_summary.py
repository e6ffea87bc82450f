"""The participation summary: arithmetic, attention reasons, privacy, periods."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import event

from bot.core.summary import compute_summary, summary_csv, summary_json
from storage.db import session_scope
from storage.models import Delivery, Person, Response
from storage.summary import Period
from tests.support.bot import PairSpec, actor, add_pair, text_of

ADA, BEN, CASEY = actor("ada"), actor("ben"), actor("casey")


def summarise(core, **options):
    with session_scope(core.sessions) as session:
        return compute_summary(session, core.clock(), **options)


@pytest.fixture
def two_pairs(core, program_id):
    first = add_pair(core, program_id, PairSpec("ada", "ben", cohort="Fall"))
    second = add_pair(core, program_id, PairSpec("dev", "eve", cohort="Spring"))
    core.command(ADA, "log-meeting", "today 1h30m a")
    core.command(BEN, "log-meeting", "3 days ago 30m b")
    core.command(BEN, "goal", "add One")
    core.command(BEN, "goal", "add Two")
    core.command(ADA, "goal", "done 1")
    return first, second


def test_totals_add_up(core, two_pairs):
    """Meetings, hours, goals and pairs met are summed across pairs."""
    totals = summarise(core).totals
    assert (totals.active_pairs, totals.meetings, totals.hours) == (2, 2, 2.0)
    assert (totals.goals_set, totals.goals_done) == (2, 1)
    assert (totals.met_last_30, totals.met_last_60) == (1, 1)


def test_cohort_filter(core, two_pairs):
    """A cohort's summary counts only its pairs."""
    spring = summarise(core, cohort="Spring")
    assert [row.mentor for row in spring.pairs] == ["Dev"]
    assert spring.totals.meetings == 0


def test_quiet_pair_needs_attention(core, two_pairs):
    """A pair with no meeting for two rounds is flagged with that reason."""
    rows = {row.mentor: row for row in summarise(core).pairs}
    assert rows["Dev"].attention == ["no meeting for two suggestion rounds (none logged)"]
    assert not [r for r in rows["Ada"].attention if "no meeting" in r]


def test_one_sided_help_unreachable_and_failed(core, program_id, clock):
    """One-sided engagement, help requests, unreachable members and failures are reasons."""
    pair = add_pair(core, program_id, PairSpec("ada", "ben"))
    core.command(ADA, "log-meeting", "today 1h a")
    core.command(ADA, "goal", "add A")
    with session_scope(core.sessions) as session:
        checkin = Delivery(
            pair_id=pair,
            kind="checkin",
            round_key="r2",
            due_at=clock.now,
            status="sent",
            sent_at=clock.now,
        )
        failed = Delivery(
            pair_id=pair,
            kind="suggestion",
            round_key="r3",
            due_at=clock.now,
            status="failed",
            last_error="channel_not_found",
        )
        session.add_all([checkin, failed])
        session.flush()
        session.add(
            Response(delivery_id=checkin.id, person_id=None, action="help", created_at=clock.now)
        )
        ben = session.query(Person).filter_by(platform_user_id="ben").one()
        ben.unreachable_reason = "deactivated on Slack"
    reasons = summarise(core).pairs[0].attention
    assert "one-sided engagement: only Ada active" in reasons
    assert f"asked for help on {clock.now.date()}" in reasons
    assert "Ben unreachable: deactivated on Slack" in reasons
    assert "a delivery failed: channel_not_found" in reasons


def test_answered_share(core, pair_id, clock):
    """The share of suggestions answered counts sent suggestions only."""
    with session_scope(core.sessions) as session:
        for number, answer in enumerate(("accept", None, "skip", None)):
            session.add(
                Delivery(
                    pair_id=pair_id,
                    kind="suggestion",
                    round_key=f"r{number}",
                    due_at=clock.now,
                    status="sent",
                    answer=answer,
                )
            )
        session.add(
            Delivery(
                pair_id=pair_id,
                kind="suggestion",
                round_key="r9",
                due_at=clock.now,
                status="pending",
            )
        )
    totals = summarise(core).totals
    assert (totals.suggestions_sent, totals.suggestions_answered) == (4, 2)
    assert totals.answered_share == 0.5


def test_period_counts_only_inside(core, pair_id):
    """A period's figures leave out meetings outside it."""
    core.command(ADA, "log-meeting", "2026-10-05 1h a")
    core.command(ADA, "log-meeting", "2026-11-02 1h b")
    october = summarise(core, period=Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31)))
    assert october.totals.meetings == 1
    quarter = Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert summarise(core, period=quarter).totals.meetings == 2


def test_notes_never_in_summary_outputs(core, pair_id):
    """Meeting notes appear in no summary rendering."""
    core.command(ADA, "log-meeting", "today 1h SECRET-NOTE")
    summary = summarise(core)
    assert b"SECRET-NOTE" not in summary_csv(summary)
    assert "SECRET-NOTE" not in str(summary_json(summary))


def test_csv_has_one_row_per_pair(core, two_pairs):
    """The CSV holds the full per-pair table."""
    rows = list(csv.DictReader(io.StringIO(summary_csv(summarise(core)).decode())))
    assert [(r["mentor"], r["meetings"], r["hours"]) for r in rows] == [
        ("Ada", "2", "2.0"),
        ("Dev", "0", "0.0"),
    ]


def test_coordinator_gets_text_csv_and_chart(core, two_pairs):
    """/mentoring-summary answers a coordinator with totals, a CSV and a PNG chart."""
    reply = core.command(CASEY, "mentoring-summary", "")
    assert "Active pairs: 2" in text_of(reply)
    names = [a.filename for a in reply.message.attachments]
    assert names == ["mentoring-summary.csv", "meetings-per-week.png"]
    assert reply.message.attachments[1].content.startswith(b"\x89PNG")
    assert "No pairs in cohort “Nope”" in text_of(core.command(CASEY, "mentoring-summary", "Nope"))


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        ("", "all cohorts, as of 2026-11-10"),
        ("Fall", "cohort Fall, as of 2026-11-10"),
        ("--period 2026Q3", "all cohorts, 2026-07-01 to 2026-09-30"),
        ("Fall --period=2026Q4", "cohort Fall, 2026-10-01 to 2026-12-31"),
        ('"Fall" --from 2026-09-01 --to 2026-10-01', "cohort Fall, 2026-09-01 to 2026-10-01"),
        ("--from 2026-09-01", "all cohorts, 2026-09-01 to 2026-11-10"),
        ("--to 2026-10-01", "all cohorts, 2000-01-01 to 2026-10-01"),
    ],
)
def test_summary_cohort_and_period(core, two_pairs, text, heading):
    """Cohort and period options choose what the summary covers; --to defaults to today."""
    assert f"**Mentoring summary**: {heading}" in text_of(
        core.command(CASEY, "mentoring-summary", text)
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("--period 2027Q5", "not a quarter"),
        ("--period 9999Q4", "between 2000 and 2099"),
        ("--period", "needs a value"),
        ("--from 2026-10-01 --to 2026-09-01", "before --from"),
        ("--period 2026Q1 --from 2026-01-01", "either --period or --from/--to"),
        ("--from 2027-01-01", "is in the future"),
        ("--cohort x", "is not an option"),
        ("a b", "in quotes"),
    ],
)
def test_summary_argument_errors(core, two_pairs, text, words):
    """Bad summary options are explained, and what was typed is given back."""
    reply = core.command(CASEY, "mentoring-summary", text)
    assert words in text_of(reply)
    assert reply.message.typed == f"/mentoring-summary {text}"
    assert reply.message.attachments == ()


def test_statement_count_does_not_grow_with_pairs(core, program_id):
    """The summary issues the same number of SQL statements for 2 pairs as for 20."""

    def count_for(pairs: int) -> int:
        for index in range(pairs):
            add_pair(core, program_id, PairSpec(f"m{pairs}-{index}", f"e{pairs}-{index}"))
        statements = []
        engine = core.sessions.kw["bind"]
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            summarise(core)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    assert count_for(2) == count_for(18)
