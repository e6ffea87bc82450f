"""``/mentoring-summary`` and the summary's renderings: text, table, CSV, JSON and a chart."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.attention import ANSWER_GRACE, NOT_STARTED, attention_reasons, status_on
from bot.core.chart import meetings_chart_png
from bot.core.context import Request
from bot.core.errors import InputError
from bot.core.grammar import (
    EARLIEST,
    Audience,
    Command,
    Day,
    Name,
    Quarter,
    Verb,
    bind,
    help_verb,
)
from bot.core.paging import PageAction, paged
from bot.core.replies import Attachment, Message, Reply, Table, said
from bot.core.spreadsheet import csv_bytes
from prompts.messages import render
from storage.models import Cohort, Delivery, DeliveryKind, DeliveryStatus, PairStatus
from storage.summary import PairRow, Period, SummaryFacts, cohorts_with_pairs, summary_facts

CSV_COLUMNS = (
    "pair_id",
    "program",
    "cohort",
    "mentor",
    "mentee",
    "status",
    "started",
    "meetings",
    "hours",
    "last_meeting",
    "goals_set",
    "goals_done",
    "suggestions_sent",
    "suggestions_answered",
    "meetings_rated",
    "average_rating",
    "reflections",
    "help_asked_on",
    "help_handled_on",
    "help_handled_by",
    "attention",
)
COHORTS_NAMED = 10  # in the refusal of an unknown cohort, at most
FROM_THE_CLI = "command line"  # who handled a help request marked handled with the CLI
ATTENTION_LISTING = "a"
ALL = "all"


@dataclass
class Totals:
    """The summary's figures, summed over its pairs. Each pair counts once by its status on the
    summary's day (``status_on``: active, paused, ended, or not started); pairs that met in the
    last 30 or 60 days are those whose last meeting up to that day is at most that many days
    before it."""

    active_pairs: int = 0
    paused_pairs: int = 0
    ended_pairs: int = 0
    not_started_pairs: int = 0
    met_last_30: int = 0
    met_last_60: int = 0
    meetings: int = 0
    minutes: int = 0
    goals_set: int = 0
    goals_done: int = 0
    suggestions_sent: int = 0
    announcements: int = 0  # announcements posted to these pairs (each pair's copy counted)
    suggestions_answered: int = 0
    rated_meetings: int = 0
    rating_total: int = 0
    reflections: int = 0

    @property
    def average_rating(self) -> float | None:
        return round(self.rating_total / self.rated_meetings, 1) if self.rated_meetings else None

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    @property
    def answered_share(self) -> float | None:
        if not self.suggestions_sent:
            return None
        return self.suggestions_answered / self.suggestions_sent

    def add(self, row: PairRow, as_of: dt.date) -> None:
        if row.status == PairStatus.ACTIVE:
            self.active_pairs += 1
        elif row.status == PairStatus.PAUSED:
            self.paused_pairs += 1
        elif row.status == PairStatus.ENDED:
            self.ended_pairs += 1
        elif row.status == NOT_STARTED:
            self.not_started_pairs += 1
        if row.last_meeting and as_of - row.last_meeting <= dt.timedelta(days=30):
            self.met_last_30 += 1
        if row.last_meeting and as_of - row.last_meeting <= dt.timedelta(days=60):
            self.met_last_60 += 1
        self.meetings += row.meetings
        self.minutes += row.minutes
        self.goals_set += row.goals_set
        self.goals_done += row.goals_done
        self.suggestions_sent += row.suggestions_sent
        self.suggestions_answered += row.suggestions_answered
        self.rated_meetings += row.rated_meetings
        self.rating_total += row.rating_total
        self.reflections += row.reflections


@dataclass
class ParticipationSummary:
    as_of: dt.date
    cohort: str | None
    period: Period | None
    totals: Totals
    pairs: list[PairRow]
    meetings_per_week: list[tuple[dt.date, int]]
    until: dt.datetime | None = None  # the moment the figures are judged at (``Window``)

    @property
    def needing_attention(self) -> list[PairRow]:
        return [row for row in self.pairs if row.attention]


def compute_summary(
    session: Session,
    now: dt.datetime,
    *,
    cohort: str | None = None,
    period: Period | None = None,
    workspace: str | None = None,
) -> ParticipationSummary:
    """Totals, per-pair rows with their status and attention reasons, and meetings per week,
    judged on the history up to the period's end (or ``now``; see ``storage.summary``), of
    every program or of one ``workspace``'s. A cohort with no pairs is refused
    (``InputError``), the same sentence wherever it is asked for."""
    facts = summary_facts(
        session,
        now,
        answer_grace=ANSWER_GRACE,
        cohort=cohort,
        period=period,
        workspace=workspace,
    )
    if cohort and not facts.pairs:
        raise InputError(no_such_cohort(session, cohort))
    totals = Totals(announcements=_announcements_posted(session, facts, period))
    for row in facts.pairs:
        row.status = status_on(row, facts.as_of, facts.window.until)
        row.attention = attention_reasons(row, facts.as_of)
        totals.add(row, facts.as_of)
    return ParticipationSummary(
        facts.as_of,
        cohort,
        period,
        totals,
        facts.pairs,
        facts.meetings_per_week,
        facts.window.until,
    )


def _announcements_posted(session: Session, facts: SummaryFacts, period: Period | None) -> int:
    """Announcement copies posted to the summary's pairs up to its moment (in its period)."""
    ids = [row.pair_id for row in facts.pairs]
    if not ids:
        return 0
    query = select(func.count(Delivery.id)).where(
        Delivery.pair_id.in_(ids),
        Delivery.kind == DeliveryKind.ANNOUNCEMENT,
        Delivery.status == DeliveryStatus.SENT,
        Delivery.sent_at <= facts.window.until,
    )
    if period is not None:
        query = query.where(Delivery.sent_at >= facts.window.since)
    return session.scalar(query) or 0


def no_such_cohort(session: Session, cohort: str) -> str:
    """The refusal of a cohort that has no pairs, naming those that have."""
    known = cohorts_with_pairs(session)
    if not known:
        return render("summary.no_such_cohort_none", cohort=said(cohort))
    names = ", ".join(f"“{said(name)}”" for name in known[:COHORTS_NAMED])
    if len(known) > COHORTS_NAMED:
        names = render("summary.and_more", names=names, more=len(known) - COHORTS_NAMED)
    return render("summary.no_such_cohort", cohort=said(cohort), names=names)


COHORT = Name("cohort", "COHORT", "a cohort", example='"Spring 2027"')
QUARTER = Quarter("period", "QUARTER", "a quarter", example="2027Q1", flag="--period")
START = Day("start", "DATE", "the first day", example="2027-01-01", flag="--from")
END = Day("end", "DATE", "the last day", example="2027-03-31", flag="--to")


def period_of(values: Mapping[str, Any], today: dt.date) -> Period | None:
    """The period ``--period`` or ``--from``/``--to`` name (``--to`` defaults to today), or
    None for all time."""
    quarter, start, end = values.get("period"), values.get("start"), values.get("end")
    if quarter and (start or end):
        raise InputError(render("summary.period_twice"))
    if quarter:
        return Period(*quarter)
    if not (start or end):
        return None
    start = start or EARLIEST
    if start > today:
        raise InputError(
            render("summary.from_future", start=start.isoformat(), today=today.isoformat())
        )
    end = end or today
    if end < start:
        raise InputError(render("summary.to_before_from", end=end, start=start))
    return Period(start, end)


def read_period(raw: Mapping[str, object], today: dt.date) -> Period | None:
    """``period_of`` for raw option values (the CLI's), checked as the chat checks them."""
    values, errors = bind(SUMMARY, SHOW, raw, today)
    if errors:
        raise InputError(" ".join(errors.values()))
    return period_of(values, today)


def _show(request: Request, values: Mapping[str, Any]) -> Reply:
    today = request.today()
    period = period_of(values, today)
    cohort = values.get("cohort") or None
    summary = compute_summary(
        request.session,
        request.now,
        cohort=cohort,
        period=period,
        workspace=request.actor.workspace,
    )
    attachments = [
        Attachment(
            "mentoring-summary.csv",
            summary_csv(summary),
            render("summary.csv_title"),
            "text/csv",
        )
    ]
    if summary.meetings_per_week:
        attachments.append(
            Attachment(
                "meetings-per-week.png",
                meetings_chart_png(summary),
                render("summary.chart_title"),
                "image/png",
            )
        )
    page = summary_page(request, summary, 0)
    return Reply(message=dataclasses.replace(page, attachments=tuple(attachments)))


def summary_message(summary: ParticipationSummary) -> Message:
    """The totals and every pair needing attention as a table, for a terminal."""
    lines = _totals_lines(summary)
    attention = summary.needing_attention
    if not attention:
        return Message("\n".join([*lines, render("summary.no_attention")]))
    lines.append(render("summary.needing_attention", count=len(attention)))
    rows = tuple(
        (str(row.pair_id), f"{row.mentor} & {row.mentee}", row.cohort, "; ".join(row.attention))
        for row in attention
    )
    columns = tuple(
        render(key)
        for key in (
            "summary.column_pair",
            "summary.column_members",
            "summary.column_cohort",
            "summary.column_why",
        )
    )
    return Message("\n".join(lines), table=Table(columns, rows))


def summary_page(request: Request, summary: ParticipationSummary, start: int) -> Message:
    """The totals and one page of the pairs needing attention, for a chat: one message, with
    buttons to the other pages that re-read the summary for the same cohort and period."""
    lines = _totals_lines(summary)
    attention = summary.needing_attention
    if not attention:
        return Message("\n".join([*lines, render("summary.no_attention")]))
    lines.append(render("summary.needing_attention", count=len(attention)))
    entries = [
        f"• **{row.pair_id}** {said(row.mentor)} & {said(row.mentee)}"
        + (f", {said(row.cohort)}" if row.cohort else "")
        + f": {'; '.join(row.attention)}"
        for row in attention
    ]
    scope = _scope_key(request, summary.cohort, summary.period)
    return paged(
        "\n".join(lines),
        entries,
        start,
        lambda at: str(PageAction(ATTENTION_LISTING, scope, at)),
        labels=(render("summary.previous"), render("summary.next")),
    )


def attention_page(request: Request, scope: str, start: int) -> Message:
    """Another page of the pairs needing attention (a click on Previous/Next), for the same
    cohort and period as the page clicked, with the figures as they are now."""
    if not request.is_coordinator:
        raise InputError(render("summary.coordinators_only"))
    cohort, period = _read_scope(request, scope)
    summary = compute_summary(
        request.session,
        request.now,
        cohort=cohort,
        period=period,
        workspace=request.actor.workspace,
    )
    return summary_page(request, summary, start)


def _totals_lines(summary: ParticipationSummary) -> list[str]:
    t = summary.totals
    scope = (
        render("summary.scope_cohort", cohort=said(summary.cohort))
        if summary.cohort
        else render("summary.scope_all")
    )
    when = (
        summary.period.label
        if summary.period
        else render("summary.as_of", date=summary.as_of.isoformat())
    )
    share = (
        f"{t.answered_share:.0%}" if t.answered_share is not None else render("summary.no_share")
    )
    return [
        render("summary.heading", scope=scope, when=when),
        render("summary.active", active=t.active_pairs, paused=t.paused_pairs),
        render("summary.ended_not_started", ended=t.ended_pairs, not_started=t.not_started_pairs)
        if t.not_started_pairs
        else render("summary.ended", ended=t.ended_pairs),
        render("summary.met", met_30=t.met_last_30, met_60=t.met_last_60),
        render("summary.meetings", meetings=t.meetings, hours=t.hours),
        render("summary.goals", set=t.goals_set, done=t.goals_done),
        render(
            "summary.answered",
            share=share,
            answered=t.suggestions_answered,
            sent=t.suggestions_sent,
        ),
        render("summary.rating", average=t.average_rating, rated=t.rated_meetings)
        if t.average_rating is not None
        else render("summary.no_rating"),
        render("summary.reflections", count=t.reflections),
        render("summary.announcements", count=t.announcements),
    ]


def _scope_key(request: Request, cohort: str | None, period: Period | None) -> str:
    """Cohort and period in a few characters for a page button (``20270101-20270331.7``: the
    period's days and a cohort of that name by id; ``all`` for either left out)."""
    days = f"{period.start:%Y%m%d}-{period.end:%Y%m%d}" if period else ALL
    cohort_id = (
        request.session.scalar(select(Cohort.id).where(Cohort.name == cohort).limit(1))
        if cohort
        else None
    )
    return f"{days}.{cohort_id if cohort_id is not None else ALL}"


def _read_scope(request: Request, scope: str) -> tuple[str | None, Period | None]:
    days, _, cohort_id = scope.partition(".")
    try:
        period = (
            None if days == ALL else Period(*(dt.date.fromisoformat(d) for d in days.split("-")))
        )
        cohort = None if cohort_id == ALL else request.session.get(Cohort, int(cohort_id))
    except (TypeError, ValueError):
        raise InputError(render("summary.out_of_date")) from None
    if cohort_id != ALL and cohort is None:
        raise InputError(render("summary.out_of_date"))
    return (cohort.name if cohort else None), period


def _row_values(row: Any) -> list[object]:
    return [
        row.pair_id,
        row.program,
        row.cohort,
        row.mentor,
        row.mentee,
        row.status,
        row.started.isoformat(),
        row.meetings,
        row.hours,
        row.last_meeting.isoformat() if row.last_meeting else "",
        row.goals_set,
        row.goals_done,
        row.suggestions_sent,
        row.suggestions_answered,
        row.rated_meetings,
        row.average_rating if row.average_rating is not None else "",
        row.reflections,
        row.help_asked_at.date().isoformat() if row.help_asked_at else "",
        row.help_handled_at.date().isoformat() if row.help_handled_at else "",
        (row.help_handled_by or FROM_THE_CLI) if row.help_handled_at else "",
        "; ".join(row.attention),
    ]


def summary_csv(summary: ParticipationSummary) -> bytes:
    return csv_bytes(CSV_COLUMNS, (_row_values(row) for row in summary.pairs))


def summary_json(summary: ParticipationSummary) -> dict[str, Any]:
    t = summary.totals
    return {
        "as_of": summary.as_of.isoformat(),
        "judged_at": summary.until.isoformat() if summary.until else None,
        "cohort": summary.cohort,
        "period": (
            {"from": summary.period.start.isoformat(), "to": summary.period.end.isoformat()}
            if summary.period
            else None
        ),
        "totals": {
            "active_pairs": t.active_pairs,
            "paused_pairs": t.paused_pairs,
            "ended_pairs": t.ended_pairs,
            "not_started_pairs": t.not_started_pairs,
            "met_last_30_days": t.met_last_30,
            "met_last_60_days": t.met_last_60,
            "meetings": t.meetings,
            "hours": t.hours,
            "goals_set": t.goals_set,
            "goals_done": t.goals_done,
            "suggestions_sent": t.suggestions_sent,
            "suggestions_answered": t.suggestions_answered,
            "announcements": t.announcements,
            "meetings_rated": t.rated_meetings,
            "average_rating": t.average_rating,
            "reflections": t.reflections,
            "answered_share": round(t.answered_share, 3) if t.answered_share is not None else None,
        },
        "needing_attention": [
            {
                "pair_id": row.pair_id,
                "mentor": row.mentor,
                "mentee": row.mentee,
                "reasons": row.attention,
            }
            for row in summary.needing_attention
        ],
        "pairs": [dict(zip(CSV_COLUMNS, _row_values(row), strict=True)) for row in summary.pairs],
        "meetings_per_week": [
            {"week": week.isoformat(), "meetings": count}
            for week, count in summary.meetings_per_week
        ],
    }


SHOW = Verb(
    "show",
    "program totals, the pairs needing attention, a CSV of every pair and a chart; "
    "for one cohort, or a period",
    _show,
    (COHORT, QUARTER, START, END),
    example="/mentoring-summary --period 2027Q1",
    needs_pair=False,
    shown_name=False,
)


def _report(request: Request, values: Mapping[str, Any]) -> Reply:
    """The funder report; imported here because ``bot.core.report`` builds on this module."""
    from bot.core.report import report_reply

    return report_reply(request, values)


REPORT = Verb(
    "report",
    "the funder report as one HTML file (prints to PDF); for one cohort, or a period",
    _report,
    (COHORT, QUARTER, START, END),
    example="/mentoring-summary report --period 2027Q1",
    needs_pair=False,
)

SUMMARY = Command(
    "mentoring-summary",
    "program totals and the pairs needing attention (coordinators).",
    verbs=(SHOW, REPORT, help_verb("/mentoring-summary")),
    default="show",
    audience=Audience.COORDINATORS,
    notes=("A period given only its first day runs to today.",),
    text_notes=('Put a cohort name with spaces in quotes: `/mentoring-summary "Spring 2027"`.',),
)
