"""The funder report: one self-contained HTML file of what a period of mentoring did, per
program and per cohort (``mentorbot report``, ``/mentoring-summary report``).

It is meant to be mailed to a program officer and opened anywhere, so it holds everything
itself: the styles inline (with print rules, so a browser prints it cleanly to PDF, a program a
page), the charts as ``data:`` images, no script and no link but the competency list's source.
The participation figures are the summary's own (``compute_summary``, grouped by program and
cohort), so the two never disagree; ``storage.report`` adds ratings, reflections, competency
change and retention. Members are named only when asked (``with_names``); meeting notes and
next steps never appear, and a reflection's words only where their writer shared them,
quoted without a name. Everything that comes from the database is escaped.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.chart import BAR_COLOUR, meetings_figure
from bot.core.context import Request
from bot.core.errors import InputError
from bot.core.limits import RATING_SCALE
from bot.core.programs import find_program
from bot.core.replies import Attachment, Message, Reply, said
from bot.core.summary import ParticipationSummary, Totals, compute_summary, period_of
from prompts.competencies import RATINGS, CompetencyList
from prompts.messages import render
from storage.models import Program
from storage.report import AreaChange, GroupFacts, Scope, report_facts
from storage.summary import PairRow, Period

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FILENAME = "mentoring-report.html"
MIME_TYPE = "text/html"
PHASES = ("midpoint", "closing")
CLOSING_COLOUR = "#e08a2c"
STYLE = """
body { font: 11pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a;
  background: #fff; max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.8em; margin-bottom: .2em; } h2 { font-size: 1.45em; margin-top: 2em;
  border-bottom: 2px solid #4a7ebb; padding-bottom: .2em; } h3 { font-size: 1.2em; }
h4 { font-size: 1em; margin: 1.2em 0 .4em; }
.meta, .note, figcaption, .empty { color: #555; }
table { border-collapse: collapse; margin: .4em 0 1em; min-width: 22rem; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #eef2f7; font-weight: 600; } td.n { text-align: right; }
section.cohort { border-left: 4px solid #dbe4ef; padding-left: 1rem; margin: 1.5rem 0; }
figure { margin: 1em 0; } img { max-width: 100%; height: auto; }
blockquote { margin: .5em 0 .8em; padding: .3em 1em; border-left: 4px solid #ccc; }
blockquote p { margin: .2em 0; }
@page { margin: 16mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; color: #000; }
  section.program { break-before: page; } section.program:first-of-type { break-before: auto; }
  table, figure, blockquote, h4 { break-inside: avoid; } h2, h3, h4 { break-after: avoid; }
  th { background: #fff; } a { color: #000; }
}
"""


@dataclass
class Figures:
    """One scope's figures: the summary's totals, the report's own facts and its pairs."""

    totals: Totals
    facts: GroupFacts
    pairs: list[PairRow]


@dataclass
class CohortReport:
    name: str  # "" for the program's pairs that have no cohort
    figures: Figures


@dataclass
class ProgramReport:
    name: str
    start: dt.date
    end: dt.date
    figures: Figures
    cohorts: list[CohortReport]


@dataclass
class FunderReport:
    """What the file shows; ``render_html`` writes it."""

    summary: ParticipationSummary
    programs: list[ProgramReport]
    competencies: CompetencyList
    with_names: bool
    made_on: dt.date

    @property
    def pair_count(self) -> int:
        return sum(len(program.figures.pairs) for program in self.programs)


def build_report(
    session: Session,
    now: dt.datetime,
    competencies: CompetencyList,
    *,
    program: str | None = None,
    cohort: str | None = None,
    period: Period | None = None,
    with_names: bool = False,
) -> FunderReport:
    """The report of one program (named or by id) or of all, for one cohort or all, for the
    period (all time without one); an unknown program or a cohort without pairs in it is
    refused (``InputError``) with the names there are."""
    chosen = [find_program(session, program)] if program else _all_programs(session)
    summary = compute_summary(session, now, cohort=cohort, period=period)
    names = {p.name for p in chosen}
    rows = [row for row in summary.pairs if row.program in names]
    if cohort and not rows:
        raise InputError(
            render("report.cohort_not_in", cohort=said(cohort), program=said(chosen[0].name))
        )
    scope = Scope(tuple(p.id for p in chosen) if program else None, cohort)
    facts = report_facts(session, summary.until or now, period, scope)
    by_group: dict[tuple[str, str], list[PairRow]] = defaultdict(list)
    for row in rows:
        by_group[row.program, row.cohort].append(row)
    reports = []
    for found in chosen:
        groups = sorted(
            (key for key in by_group.keys() | facts.keys() if key[0] == found.name),
            key=lambda key: (key[1] == "", key[1].casefold()),  # no cohort last
        )
        if cohort and not groups:
            continue  # the cohort is another program's
        cohorts = [
            CohortReport(key[1], _figures(summary, by_group[key], [facts.get(key, GroupFacts())]))
            for key in groups
        ]
        whole = _figures(
            summary,
            [row for key in groups for row in by_group[key]],
            [facts[key] for key in groups if key in facts],
        )
        reports.append(ProgramReport(found.name, found.start_date, found.end_date, whole, cohorts))
    return FunderReport(summary, reports, competencies, with_names, now.date())


def _all_programs(session: Session) -> list[Program]:
    programs = list(session.scalars(select(Program).order_by(Program.id)))
    if not programs:
        raise InputError(render("programs.no_program_yet"))
    return programs


def _figures(
    summary: ParticipationSummary, rows: list[PairRow], facts: Iterable[GroupFacts]
) -> Figures:
    totals = Totals()
    for row in rows:
        totals.add(row, summary.as_of)
    added = GroupFacts()
    for one in facts:
        added.add(one)
    return Figures(totals, added, rows)


def report_line(report: FunderReport) -> str:
    """What the report holds, in one line."""
    return render(
        "report.holds",
        programs=len(report.programs),
        pairs=report.pair_count,
        when=_when(report.summary),
        names=render("report.with_names" if report.with_names else "report.without_names"),
    )


def _when(summary: ParticipationSummary) -> str:
    if summary.period:
        return summary.period.label
    return render("report.all_time", date=summary.as_of.isoformat())


# -- the HTML -----------------------------------------------------------------------------------


def render_html(report: FunderReport) -> bytes:
    """The whole file, UTF-8."""
    title = render("report.title")
    when = _when(report.summary)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)} — {escape(when)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<header><h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(when)}</p>',
        f'<p class="meta">{escape(render("report.made_on", date=report.made_on.isoformat()))}</p>',
        _about(report),
        "</header>",
    ]
    parts += [_program(report, program) for program in report.programs]
    parts.append("</body></html>")
    return "\n".join(parts).encode("utf-8")


def _about(report: FunderReport) -> str:
    """How to read the report: who is named, what is never in it, and where the competency
    list comes from."""
    source = report.competencies.source
    cited = escape(report.competencies.name)
    details = [source.publisher, source.edition]
    cited += "".join(f", {escape(part)}" for part in details if part)
    if source.url:
        cited += f'. <a href="{escape(source.url)}">{escape(source.url)}</a>'
    privacy = "report.privacy_names" if report.with_names else "report.privacy"
    return (
        '<section class="about">'
        f'<p class="note">{escape(render(privacy))}</p>'
        f'<p class="note">{escape(render("report.periods"))}</p>'
        '<p class="note source">'
        f"{escape(render('report.source'))} <cite>{cited}</cite></p>"
        "</section>"
    )


def _program(report: FunderReport, program: ProgramReport) -> str:
    dates = render("report.program_dates", start=program.start, end=program.end)
    parts = [
        f'<section class="program" data-program="{escape(program.name)}">',
        f"<h2>{escape(program.name)}</h2>",
        f'<p class="meta">{escape(dates)}</p>',
        f'<div class="figures" data-scope="program"><h3>{escape(render("report.whole"))}</h3>',
        _figures_html(report, program.figures, with_pairs=False),
        _charts(report, program.figures),
        _quotes(program.figures.facts),
        "</div>",
    ]
    for cohort in program.cohorts:
        name = cohort.name or render("report.no_cohort")
        heading = render("report.cohort", cohort=name) if cohort.name else name
        parts += [
            f'<section class="cohort" data-cohort="{escape(cohort.name)}">',
            f"<h3>{escape(heading)}</h3>",
            '<div class="figures" data-scope="cohort">',
            _figures_html(report, cohort.figures, with_pairs=report.with_names),
            "</div></section>",
        ]
    parts.append("</section>")
    return "\n".join(parts)


def _figures_html(report: FunderReport, figures: Figures, *, with_pairs: bool) -> str:
    parts = [
        _participation(figures.totals, len(figures.pairs)),
        _ratings(figures.facts),
        _reflections(figures.facts),
        _competencies(report.competencies, figures.facts),
        _retention(figures.facts),
    ]
    if with_pairs:
        parts.append(_pairs(figures.pairs))
    return "\n".join(parts)


def _heading(key: str) -> str:
    return f"<h4>{escape(render(key))}</h4>"


def _cell(key: str, value: object) -> str:
    return f'<td class="n" data-figure="{escape(key)}">{escape(str(value))}</td>'


def _table(head: Sequence[str], rows: Iterable[str]) -> str:
    header = "".join(f"<th>{escape(render(key))}</th>" for key in head)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _figure_rows(figures: Sequence[tuple[str, str, object]]) -> str:
    """A two-column table: what each figure is, and the figure."""
    rows = (
        f"<tr><th>{escape(render(label))}</th>{_cell(key, value)}</tr>"
        for label, key, value in figures
    )
    return f"<table><tbody>{''.join(rows)}</tbody></table>"


def _average(total: int, count: int) -> str:
    return f"{total / count:.1f}" if count else render("report.none")


def _participation(totals: Totals, pairs: int) -> str:
    share = (
        f"{totals.answered_share:.0%}"
        if totals.answered_share is not None
        else render("report.none")
    )
    return _heading("report.participation") + _figure_rows(
        [
            ("report.pairs", "pairs", pairs),
            ("report.active_pairs", "active_pairs", totals.active_pairs),
            ("report.paused_pairs", "paused_pairs", totals.paused_pairs),
            ("report.ended_pairs", "ended_pairs", totals.ended_pairs),
            ("report.not_started_pairs", "not_started_pairs", totals.not_started_pairs),
            ("report.meetings", "meetings", totals.meetings),
            ("report.hours", "hours", totals.hours),
            ("report.goals_set", "goals_set", totals.goals_set),
            ("report.goals_reached", "goals_reached", totals.goals_done),
            ("report.suggestions_sent", "suggestions_sent", totals.suggestions_sent),
            ("report.suggestions_answered", "suggestions_answered", totals.suggestions_answered),
            ("report.answered_share", "answered_share", share),
        ]
    )


def _ratings(facts: GroupFacts) -> str:
    rated = sum(facts.ratings.values())
    total = sum(rating * count for rating, count in facts.ratings.items())
    scale = range(RATING_SCALE[0], RATING_SCALE[1] + 1)
    rows = (f"<tr><td>{n}</td>{_cell(f'rating_{n}', facts.ratings[n])}</tr>" for n in scale)
    return (
        _heading("report.ratings")
        + _figure_rows(
            [
                ("report.rating_average", "rating_average", _average(total, rated)),
                ("report.rated_meetings", "rated_meetings", rated),
            ]
        )
        + _table(("report.rating", "report.rated_meetings"), rows)
    )


def _reflections(facts: GroupFacts) -> str:
    head = ("report.phase", "report.asked", "report.received", "report.score_average")
    rows = (_reflection_row(facts, phase) for phase in PHASES)
    return _heading("report.reflections") + _table(head, rows)


def _reflection_row(facts: GroupFacts, phase: str) -> str:
    answered = facts.answered[phase]
    return (
        f"<tr><td>{escape(render(f'report.phase_{phase}'))}</td>"
        f"{_cell(f'reflections_{phase}_asked', facts.asked[phase])}"
        f"{_cell(f'reflections_{phase}_received', answered)}"
        f"{_cell(f'reflections_{phase}_average', _average(facts.score_total[phase], answered))}"
        "</tr>"
    )


@dataclass(frozen=True)
class AreaRow:
    """One competency area's change, over the members who rated it at both ends."""

    area_id: str
    title: str
    change: AreaChange

    @property
    def kickoff(self) -> float | None:
        return self.change.kickoff_total / self.change.members if self.change.members else None

    @property
    def closing(self) -> float | None:
        return self.change.closing_total / self.change.members if self.change.members else None


def area_rows(competencies: CompetencyList, facts: GroupFacts) -> list[AreaRow]:
    """Every area of the list in its order, then any area rated under an earlier list (by
    its id, as stored)."""
    known = [
        AreaRow(a.id, a.title, facts.areas.get(a.id, AreaChange())) for a in competencies.areas
    ]
    ids = {a.id for a in competencies.areas}
    return known + [AreaRow(i, i, facts.areas[i]) for i in sorted(facts.areas.keys() - ids)]


def _level(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else render("report.none")


def _competencies(competencies: CompetencyList, facts: GroupFacts) -> str:
    rows = []
    for row in area_rows(competencies, facts):
        change = (
            f"{row.closing - row.kickoff:+.1f}"
            if row.kickoff is not None and row.closing is not None
            else render("report.none")
        )
        key = f"competency_{row.area_id}"
        rows.append(
            f"<tr><td>{escape(row.title)}</td>{_cell(f'{key}_members', row.change.members)}"
            f"{_cell(f'{key}_kickoff', _level(row.kickoff))}"
            f"{_cell(f'{key}_closing', _level(row.closing))}{_cell(f'{key}_change', change)}</tr>"
        )
    scale = "; ".join(f"{r} {competencies.label(r)}" for r in RATINGS)
    note = render("report.competency_note", list=competencies.name, scale=scale)
    head = (
        "report.area",
        "report.members_both",
        "report.kickoff",
        "report.closing",
        "report.change",
    )
    return (
        _heading("report.competencies") + f'<p class="note">{escape(note)}</p>' + _table(head, rows)
    )


def _retention(facts: GroupFacts) -> str:
    ended = sum(facts.ended_early.values())
    parts = [
        _heading("report.retention"),
        _figure_rows(
            [
                ("report.ended_early", "ended_early", ended),
                ("report.rematches", "rematches", facts.rematches),
            ]
        ),
    ]
    if ended:
        reasons = sorted(facts.ended_early.items(), key=lambda item: (-item[1], item[0]))
        rows = (
            f"<tr><td>{escape(reason or render('report.no_reason'))}</td>"
            f"{_cell('ended_because', count)}</tr>"
            for reason, count in reasons
        )
        parts.append(_table(("report.reason", "report.pairs"), rows))
    return "\n".join(parts)


def _pairs(rows: list[PairRow]) -> str:
    """Each pair by its members' names: only in a report asked for with names."""
    body = (
        f"<tr><td>{row.pair_id}</td><td>{escape(row.mentor)}</td><td>{escape(row.mentee)}</td>"
        f"<td>{escape(row.status)}</td>{_cell('pair_meetings', row.meetings)}"
        f"{_cell('pair_hours', row.hours)}{_cell('pair_goals_set', row.goals_set)}"
        f"{_cell('pair_goals_reached', row.goals_done)}</tr>"
        for row in rows
    )
    head = (
        "report.pair",
        "report.mentor",
        "report.mentee",
        "report.status",
        "report.meetings",
        "report.hours",
        "report.goals_set",
        "report.goals_reached",
    )
    return _heading("report.pairs_named") + _table(head, body)


def _quotes(facts: GroupFacts) -> str:
    """The words members shared, each under its phase and cohort, never with a name."""
    if not facts.quotes:
        return ""
    parts = [
        _heading("report.quotes"),
        f'<p class="note">{escape(render("report.quotes_note"))}</p>',
    ]
    for quote in facts.quotes:
        phase = render(f"report.phase_{quote.phase}")
        where = (
            render("report.quote_where", phase=phase, cohort=quote.cohort)
            if quote.cohort
            else render("report.quote_phase", phase=phase)
        )
        said_lines = [
            render(key, text=text)
            for key, text in (
                ("report.quote_worked", quote.worked),
                ("report.quote_change", quote.change),
            )
            if text
        ]
        lines = "".join(f"<p>{escape(line)}</p>" for line in said_lines)
        parts.append(
            f'<blockquote class="quote">{lines}<footer>{escape(where)}</footer></blockquote>'
        )
    return "\n".join(parts)


# -- the charts ---------------------------------------------------------------------------------


def _charts(report: FunderReport, figures: Figures) -> str:
    """The program's meetings per week and its competency levels at both ends, as images."""
    parts = []
    if figures.facts.weekly:
        weekly = sorted(figures.facts.weekly.items())
        summary = dataclasses.replace(report.summary, meetings_per_week=weekly)
        parts.append(_image(meetings_figure(summary), render("report.chart_meetings")))
    rows = [row for row in area_rows(report.competencies, figures.facts) if row.change.members]
    if rows:
        parts.append(_image(_competency_figure(rows), render("report.chart_competencies")))
    return "\n".join(parts)


def _image(figure: Figure, caption: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{escape(caption)}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def _competency_figure(rows: Sequence[AreaRow]) -> Figure:
    """Each area's average level at kickoff and at closing, side by side, on the 1–4 scale."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 1.2 + 0.55 * len(rows)), dpi=100, layout="constrained")
    axes = figure.subplots()
    places = range(len(rows))
    height = 0.38
    axes.barh(
        [p - height / 2 for p in places],
        [row.kickoff or 0 for row in rows],
        height,
        label=render("report.kickoff"),
        color=BAR_COLOUR,
    )
    axes.barh(
        [p + height / 2 for p in places],
        [row.closing or 0 for row in rows],
        height,
        label=render("report.closing"),
        color=CLOSING_COLOUR,
    )
    axes.set_yticks(list(places), [row.title for row in rows])
    axes.invert_yaxis()  # the list's first area on top
    axes.set_xlim(0, RATINGS[-1])
    axes.set_xticks(list(RATINGS))
    axes.set_xlabel(render("report.chart_level"))
    axes.legend(loc="lower right")
    axes.spines[["top", "right"]].set_visible(False)
    return figure


# -- /mentoring-summary report ------------------------------------------------------------------


def report_reply(request: Request, values: Mapping[str, Any]) -> Reply:
    """The report as a file attached to a one-line message (no names: a chat file travels)."""
    report = build_report(
        request.session,
        request.now,
        request.core.competencies,
        cohort=values.get("cohort") or None,
        period=period_of(values, request.today()),
    )
    attachment = Attachment(FILENAME, render_html(report), render("report.title"), MIME_TYPE)
    line = render("report.attached", holds=report_line(report))
    return Reply(message=Message(line, attachments=(attachment,)))
