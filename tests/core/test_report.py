"""The funder report: built from a simulated year, read back as HTML, checked against the
database, and kept free of names and private words."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from sqlalchemy import event, text

from bot.core.errors import InputError
from bot.core.report import build_report, render_html
from prompts.competencies import load_competencies
from storage.db import session_scope
from storage.summary import Period
from tests.support.bot import PairSpec, actor, add_pair, add_program
from tests.support.report_html import (
    AFTER_THE_YEAR,
    LAKESIDE,
    MEMBERS,
    NOT_EARLY,
    RIVERSIDE,
    ReportPage,
    simulated_year,
)

CASEY, ADA = actor("casey"), actor("ada")
QUARTERS = {
    None: None,
    "2025Q4": ("2025-10-01", "2025-12-31"),
    "2026Q1": ("2026-01-01", "2026-03-31"),
    "2026Q3": ("2026-07-01", "2026-09-30"),
}
SCOPES = [
    (RIVERSIDE, None),
    (RIVERSIDE, "Fall"),
    (RIVERSIDE, "Spring"),
    (RIVERSIDE, ""),
    (LAKESIDE, None),
    (LAKESIDE, "Fall"),
]
SOURCE = "https://www.ala.org/alsc/edcareeers/alsccorecomps"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def year(core, clock):
    clock.now = AFTER_THE_YEAR
    return simulated_year(core)


def report_page(core, quarter=None, **options) -> ReportPage:
    return ReportPage(report_bytes(core, quarter, **options))


def report_bytes(core, quarter=None, **options) -> bytes:
    period = _period(quarter)
    with session_scope(core.sessions) as session:
        built = build_report(session, core.clock(), core.competencies, period=period, **options)
        return render_html(built)


def _period(quarter):
    if quarter is None:
        return None
    start, end = QUARTERS[quarter]
    return Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))


# -- the database, asked by hand ----------------------------------------------------------------

IN_SCOPE = """
    JOIN pairs p ON p.id = {pair_id}
    JOIN programs g ON g.id = p.program_id
    LEFT JOIN cohorts c ON c.id = p.cohort_id
    WHERE g.name = :program AND (:whole OR c.name IS :cohort)
"""


def ask(core, sql: str, scope, quarter, pair_id: str = "x.pair_id"):
    """Rows of ``sql`` for one scope (``{scope}`` joins its pairs on ``pair_id``) and quarter:
    :start and :end are the first and last day, :stop the moment after it."""
    start, end = QUARTERS[quarter] or ("2000-01-01", "2099-12-31")
    stop = "2100-01-01" if quarter is None else _day_after(end)
    program, cohort = scope
    query = sql.replace("{scope}", IN_SCOPE.format(pair_id=pair_id))
    values = {
        "program": program,
        "whole": cohort is None,
        "cohort": cohort or None,
        "start": start,
        "end": end,
        "stop": stop,
    }
    with session_scope(core.sessions) as session:
        return list(session.execute(text(query), values))


def _day_after(day: str) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


def average(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def expected_figures(core, scope, quarter) -> dict[str, str]:
    """Every figure the report gives a scope, computed from the tables directly."""
    figures = {}
    [(pairs,)] = ask(core, "SELECT count(*) FROM pairs x {scope}", scope, quarter, "x.id")
    figures["pairs"] = str(pairs)
    [(meetings, minutes)] = ask(
        core,
        "SELECT count(*), coalesce(sum(duration_minutes), 0) FROM meetings x {scope}"
        " AND x.met_on BETWEEN :start AND :end",
        scope,
        quarter,
    )
    figures["meetings"], figures["hours"] = str(meetings), str(round(minutes / 60, 1))
    ratings = dict(
        ask(
            core,
            "SELECT rating, count(*) FROM meetings x {scope} AND x.rating IS NOT NULL"
            " AND x.met_on BETWEEN :start AND :end GROUP BY rating",
            scope,
            quarter,
        )
    )
    for rating in range(1, 6):
        figures[f"rating_{rating}"] = str(ratings.get(rating, 0))
    rated = sum(ratings.values())
    figures["rated_meetings"] = str(rated)
    figures["rating_average"] = average(
        sum(r * n for r, n in ratings.items()) / rated if rated else None
    )
    [(goals_set, goals_done)] = ask(
        core,
        "SELECT sum(x.created_at >= :start AND x.created_at < :stop),"
        " sum(x.status = 'done' AND x.closed_at >= :start AND x.closed_at < :stop)"
        " FROM goals x {scope}",
        scope,
        quarter,
    )
    figures["goals_set"], figures["goals_reached"] = str(goals_set or 0), str(goals_done or 0)
    [(sent, answered)] = ask(
        core,
        "SELECT count(*), coalesce(sum(x.answer IS NOT NULL"
        " AND (x.answered_at IS NULL OR x.answered_at < :stop)), 0) FROM deliveries x {scope}"
        " AND x.kind IN ('welcome', 'suggestion', 'midpoint', 'closing') AND x.status = 'sent'"
        " AND x.due_at >= :start AND x.due_at < :stop",
        scope,
        quarter,
    )
    figures["suggestions_sent"], figures["suggestions_answered"] = str(sent), str(answered)
    figures["answered_share"] = f"{answered / sent:.0%}" if sent else "—"
    asked = dict(
        ask(
            core,
            "SELECT kind, 2 * count(*) FROM deliveries x {scope}"
            " AND x.kind IN ('midpoint', 'closing') AND x.status = 'sent'"
            " AND x.due_at >= :start AND x.due_at < :stop GROUP BY kind",
            scope,
            quarter,
        )
    )
    received = {
        phase: (count, mean)
        for phase, count, mean in ask(
            core,
            "SELECT x.phase, count(*), avg(x.score) FROM reflections x"
            " JOIN deliveries d ON d.id = x.delivery_id {scope} AND d.status = 'sent'"
            " AND d.due_at >= :start AND d.due_at < :stop AND x.created_at < :stop"
            " GROUP BY x.phase",
            scope,
            quarter,
        )
    }
    for phase in ("midpoint", "closing"):
        count, mean = received.get(phase, (0, None))
        figures[f"reflections_{phase}_asked"] = str(asked.get(phase, 0))
        figures[f"reflections_{phase}_received"] = str(count)
        figures[f"reflections_{phase}_average"] = average(mean)
    changes = {
        area: (members, kickoff, closing)
        for area, members, kickoff, closing in ask(
            core,
            "SELECT x.area, count(*), avg(x.level), avg(l.level) FROM competency_ratings x"
            " JOIN competency_ratings l ON l.pair_id = x.pair_id"
            " AND l.person_id = x.person_id AND l.area = x.area {scope}"
            " AND x.phase = 'kickoff' AND l.phase = 'closing'"
            " AND x.created_at < :stop AND l.created_at < :stop GROUP BY x.area",
            scope,
            quarter,
        )
    }
    for area in load_competencies().areas:
        members, kickoff, closing = changes.get(area.id, (0, None, None))
        key = f"competency_{area.id}"
        figures[f"{key}_members"] = str(members)
        figures[f"{key}_kickoff"], figures[f"{key}_closing"] = average(kickoff), average(closing)
        figures[f"{key}_change"] = "—" if kickoff is None else f"{closing - kickoff:+.1f}"
    [(ended,)] = ask(
        core,
        "SELECT count(*) FROM pairs x {scope} AND x.status = 'ended'"
        " AND x.ended_at >= :start AND x.ended_at < :stop AND date(x.ended_at) < g.end_date",
        scope,
        quarter,
        "x.id",
    )
    [(rematches,)] = ask(
        core,
        "SELECT count(*) FROM pairs x {scope} AND x.rematched_from_id IS NOT NULL"
        " AND x.created_at >= :start AND x.created_at < :stop",
        scope,
        quarter,
        "x.id",
    )
    figures["ended_early"], figures["rematches"] = str(ended), str(rematches)
    return figures


# -- the tests ----------------------------------------------------------------------------------


def test_a_section_per_program_and_cohort(core, year):
    """Each program has its section, and in it one per cohort (pairs without one last)."""
    page = report_page(core)
    assert page.programs == [RIVERSIDE, LAKESIDE]
    assert dict(page.cohorts) == {RIVERSIDE: ["Fall", "Spring", ""], LAKESIDE: ["Fall"]}
    assert "Pairs without a cohort" in page.text


@pytest.mark.parametrize("quarter", list(QUARTERS), ids=str)
def test_every_figure_agrees_with_the_database(core, year, quarter):
    """Meetings, hours, goals, ratings, reflections, competency change and retention: each
    figure of each program and cohort is what a hand-written query of the tables says."""
    page = report_page(core, quarter)
    for scope in SCOPES:
        expected = expected_figures(core, scope, quarter)
        shown = {name: page.figure(scope, name) for name in expected}
        assert shown == expected, scope


def test_the_figures_a_reader_would_count(core, year):
    """A few figures worked out by hand from the simulated year, so the queries above are not
    only checked against themselves."""
    q4, q1, whole = report_page(core, "2025Q4"), report_page(core, "2026Q1"), report_page(core)
    river, fall, spring = (RIVERSIDE, None), (RIVERSIDE, "Fall"), (RIVERSIDE, "Spring")
    assert [q4.figure(river, n) for n in ("meetings", "hours", "rating_average")] == [
        "7",
        "5.8",
        "3.4",
    ]
    assert [q4.figure(spring, n) for n in ("ended_early", "rematches")] == ["1", "1"]
    assert q4.figure(fall, "goals_set") == "2"
    assert [q1.figure(river, f"reflections_midpoint_{n}") for n in ("asked", "received")] == [
        "6",
        "3",
    ]
    assert q1.figure(river, "reflections_midpoint_average") == "4.0"
    assert q1.figure(river, "ended_early") == "2"
    area = "competency_client-group"
    assert [whole.figure(river, f"{area}_{n}") for n in ("members", "kickoff", "change")] == [
        "2",
        "1.5",
        "+2.0",
    ]
    assert q1.figure(river, f"{area}_members") == "0"  # the closing ratings came in August


def test_pairs_counted_by_their_status(core, year):
    """Pairs active, paused, ended and not started are the summary's, on the period's last
    day: in December the re-matched pair is ended and its successor active."""
    page = report_page(core, "2025Q4")
    spring = (RIVERSIDE, "Spring")
    assert [page.figure(spring, f"{s}_pairs") for s in ("active", "ended")] == ["1", "1"]
    whole = report_page(core)
    assert whole.figure((RIVERSIDE, None), "ended_pairs") == "5"  # the year is over


def test_why_pairs_ended_early(core, year):
    """Early endings are counted by reason ("no reason given" where none was); the year's end
    closing a pair is not an early ending."""
    page = report_page(core)
    reasons = {
        tuple(row) for row in page.rows[(RIVERSIDE, None)] if len(row) == 2 and row[0] != "Why"
    }
    assert {
        ("mentor changed roles", "1"),
        ("moved to another library", "1"),
        ("no reason given", "1"),
    } <= reasons
    assert NOT_EARLY not in page.text
    assert page.figure((LAKESIDE, None), "ended_early") == "0"


@pytest.mark.parametrize("with_names", [False, True])
@pytest.mark.parametrize("quarter", list(QUARTERS), ids=str)
def test_no_note_next_step_goal_or_unshared_words(core, year, quarter, with_names):
    """Meeting notes, next steps, goal texts and reflections their writers kept to the
    coordinators appear nowhere in the file, whatever is asked for."""
    content = report_bytes(core, quarter, with_names=with_names).decode("utf-8")
    for private in year.private:
        assert private not in content


def test_shared_words_are_quoted_without_names(core, year):
    """What members shared is quoted, under its phase and cohort, with no name beside it; an
    answer given after the quarter is in the year's report, not the quarter's."""
    whole, q1 = report_page(core), report_page(core, "2026Q1")
    for words in year.shared:
        assert words in whole.text
    assert year.late_shared in whole.text
    assert year.late_shared not in q1.text
    assert "SHARED-WORKED-1" in q1.text
    assert "SHARED-WORKED-4" not in q1.text  # a closing answer, in August
    for name in MEMBERS.values():
        assert name not in whole.text


def test_names_only_when_asked_for(core, year):
    """Without names no member is named, in text or attribute; with them each cohort lists its
    pairs by name."""
    plain = report_page(core)
    for name in MEMBERS.values():
        assert name not in plain.text
        assert all(name not in value for value in plain.attributes)
    named = report_page(core, with_names=True)
    for name in MEMBERS.values():
        assert name in named.text
    fall_rows = named.rows[(RIVERSIDE, "Fall")]
    assert ["Zelda Quill", "Yusuf Marlow"] in [row[1:3] for row in fall_rows if len(row) == 8]


def test_self_contained_and_printable(core, year):
    """Charts are PNG data URIs, nothing is fetched or run, the only link is the competency
    list's source, and the print rules start each program on a page of its own."""
    page = report_page(core)
    assert len(page.images) == 4  # meetings and competencies, for each program
    for image in page.images:
        assert image.startswith("data:image/png;base64,")
        assert base64.b64decode(image.removeprefix("data:image/png;base64,")).startswith(PNG)
    assert not page.tags & {"script", "link", "iframe", "object", "embed"}
    assert page.links == [SOURCE]
    urls = re.findall(r"https?://[^\s\"'<>)]+", " ".join([page.text, *page.attributes]))
    assert set(urls) == {SOURCE}
    assert "@media print" in page.style
    assert "break-before: page" in page.style
    assert "url(" not in page.style


def test_cites_the_competency_list(core, year):
    """The report names the competency list, its publisher and edition, and links its source."""
    listed = core.competencies
    page = report_page(core)
    for part in (listed.name, listed.source.publisher, listed.source.edition):
        assert part in page.text
    assert page.links == [listed.source.url]


def test_one_cohort_of_one_program(core, year):
    """A cohort name two programs share reports only the chosen program's; a cohort the
    program does not have is refused, naming both."""
    page = report_page(core, program=LAKESIDE, cohort="Fall")
    assert page.programs == [LAKESIDE]
    assert page.figure((LAKESIDE, None), "pairs") == "1"
    both = report_page(core, cohort="Fall")
    assert both.programs == [RIVERSIDE, LAKESIDE]
    assert dict(both.cohorts) == {RIVERSIDE: ["Fall"], LAKESIDE: ["Fall"]}
    with pytest.raises(InputError, match=r"Lakeside Branches.*Spring"):
        report_bytes(core, program=LAKESIDE, cohort="Spring")
    with pytest.raises(InputError, match="Winter"):
        report_bytes(core, cohort="Winter")


def test_what_people_typed_is_escaped(core, clock):
    """A program or cohort named like markup is shown as text, never read as HTML."""
    program = add_program(core, name='<img src="https://evil.example/x">')
    add_pair(core, program, PairSpec(cohort="<script>alert(1)</script>"))
    page = report_page(core)
    assert page.images == []
    assert "script" not in page.tags
    assert page.programs == ['<img src="https://evil.example/x">']
    assert "<script>alert(1)</script>" in page.text


def test_a_fixed_number_of_queries(core, clock):
    """The report asks the database as often for 30 pairs as for 3."""
    clock.now = AFTER_THE_YEAR

    def count_for(pairs: int) -> int:
        program = add_program(core, name=f"Program of {pairs}")
        for index in range(pairs):
            spec = PairSpec(f"m{pairs}-{index}", f"e{pairs}-{index}", cohort=f"C{index % 3}")
            add_pair(core, program, spec)
        statements = []
        engine = core.sessions.kw["bind"]
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            report_bytes(core, program=f"Program of {pairs}")
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    assert count_for(3) == count_for(30)


def test_in_chat_as_an_attached_file(core, year):
    """`/mentoring-summary report` attaches the same HTML file the command line writes, with
    a one-line message."""
    reply = core.command(CASEY, "mentoring-summary", "report --period 2026Q1")
    message = reply.message
    assert message is not None and "\n" not in message.text
    assert "2 program(s), 6 pair(s)" in message.text
    [attachment] = message.attachments
    assert (attachment.filename, attachment.mime_type) == ("mentoring-report.html", "text/html")
    assert attachment.content == report_bytes(core, "2026Q1")
    page = ReportPage(attachment.content)
    assert page.programs == [RIVERSIDE, LAKESIDE]
    for private in year.private:
        assert private.encode() not in attachment.content


def test_in_chat_for_one_cohort(core, year):
    """The chat report takes a cohort like the summary, and refuses one without pairs."""
    reply = core.command(CASEY, "mentoring-summary", "report Spring")
    page = ReportPage(reply.message.attachments[0].content)
    assert dict(page.cohorts) == {RIVERSIDE: ["Spring"]}
    refused = core.command(CASEY, "mentoring-summary", "report Winter")
    assert not refused.message.attachments
    assert "Winter" in refused.message.text


def test_in_chat_for_coordinators_only(core, year):
    """Anyone else gets the summary's polite refusal and no file."""
    reply = core.command(ADA, "mentoring-summary", "report")
    assert reply.message is not None
    assert not reply.message.attachments
    assert "coordinator" in reply.message.text.lower()
