"""The facts behind the participation summary, computed by SQL aggregation.

A fixed handful of grouped queries whatever the number of pairs: one per kind of fact (pairs,
meetings, goals, deliveries, help requests, who was active, meetings per day), joined in Python
by pair id. Meeting notes are never read here: coordinators see counts, not conversations.
Which facts make a pair need attention is the core's rule (``bot.core.attention``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, case, func, literal, select, union_all
from sqlalchemy.orm import Session, aliased

from storage.models import (
    Cohort,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Goal,
    GoalStatus,
    Meeting,
    Pair,
    Person,
    Program,
    Response,
)

SUGGESTION_KINDS = (
    DeliveryKind.WELCOME,
    DeliveryKind.SUGGESTION,
    DeliveryKind.MIDPOINT,
    DeliveryKind.CLOSING,
)
RECENT_DAYS = 60


@dataclass(frozen=True)
class Period:
    """Inclusive dates; the figures count only what happened between them."""

    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


@dataclass
class PairRow:
    pair_id: int
    program: str
    cohort: str
    mentor: str
    mentee: str
    status: str
    started: dt.date
    meetings: int = 0
    minutes: int = 0
    last_meeting: dt.date | None = None
    goals_set: int = 0
    goals_done: int = 0
    suggestions_sent: int = 0
    suggestions_answered: int = 0
    interval_weeks: int = 3
    unanswered_recent: int = 0
    failed_recent: int = 0
    last_failure: str | None = None
    help_asked_at: dt.datetime | None = None
    active_people: set[int] = field(default_factory=set)
    unreachable: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    attention: list[str] = field(default_factory=list)  # the core's rules fill it in

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


@dataclass
class SummaryFacts:
    as_of: dt.date
    cohort: str | None
    period: Period | None
    pairs: list[PairRow]
    meetings_per_week: list[tuple[dt.date, int]]


def summary_facts(
    session: Session, now: dt.datetime, *, cohort: str | None = None, period: Period | None = None
) -> SummaryFacts:
    """Per-pair facts (meetings, goals, deliveries, help, activity, reachability) and meetings
    per week."""
    as_of = min(period.end, now.date()) if period else now.date()
    rows = _pair_rows(session, cohort)
    pair_filter = _in_scope(cohort)
    _add_meetings(session, rows, pair_filter, period)
    _add_goals(session, rows, pair_filter, period)
    recent_from = now - dt.timedelta(days=RECENT_DAYS)
    _add_deliveries(session, rows, pair_filter, period, recent_from)
    for pair_id, at in _help_requests(session, pair_filter, recent_from).items():
        rows[pair_id].help_asked_at = at
    since = as_of - dt.timedelta(days=RECENT_DAYS)
    for pair_id, people in _active_people(session, pair_filter, since).items():
        rows[pair_id].active_people = people
    for pair_id, people in _unreachable(session, pair_filter).items():
        rows[pair_id].unreachable = people
    weekly = _meetings_per_week(session, pair_filter, period)
    return SummaryFacts(as_of, cohort, period, list(rows.values()), weekly)


InScope = Callable[[ColumnElement[int]], ColumnElement[bool]]


def _in_scope(cohort: str | None) -> InScope:
    """A filter on any pair-id column: every pair, or one cohort's (so no query joins pairs
    just to filter)."""
    if cohort is None:
        return lambda pair_id: literal(True)
    of_cohort = select(Pair.id).join(Cohort, Pair.cohort_id == Cohort.id)
    return lambda pair_id: pair_id.in_(of_cohort.where(Cohort.name == cohort))


def _pair_rows(session: Session, cohort: str | None) -> dict[int, PairRow]:
    mentor, mentee = aliased(Person), aliased(Person)
    query = (
        select(
            Pair.id,
            Program.name,
            Cohort.name,
            mentor.display_name,
            mentee.display_name,
            Pair.status,
            Pair.start_date,
            Program.interval_weeks,
        )
        .join(Program, Pair.program_id == Program.id)
        .outerjoin(Cohort, Pair.cohort_id == Cohort.id)
        .join(mentor, Pair.mentor_id == mentor.id)
        .join(mentee, Pair.mentee_id == mentee.id)
        .where(_in_scope(cohort)(Pair.id))
        .order_by(Pair.id)
    )
    return {
        pair_id: PairRow(
            pair_id, program, cohort or "", mentor, mentee, status, started, interval_weeks=every
        )
        for pair_id, program, cohort, mentor, mentee, status, started, every in session.execute(
            query
        )
    }


def _in_period(column: object, period: Period | None) -> object:
    if period is None:
        return literal(True)
    return and_(column >= period.start, column <= period.end)  # type: ignore[operator]


def _moment_in_period(column: object, period: Period | None) -> object:
    if period is None:
        return literal(True)
    start = dt.datetime.combine(period.start, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return and_(column >= start, column < end)  # type: ignore[operator]


def _add_meetings(
    session: Session, rows: dict[int, PairRow], pair_filter: InScope, period: Period | None
) -> None:
    query = (
        select(
            Meeting.pair_id,
            func.count(),
            func.coalesce(func.sum(Meeting.duration_minutes), 0),
            func.max(Meeting.met_on),
        )
        .where(pair_filter(Meeting.pair_id), _in_period(Meeting.met_on, period))
        .group_by(Meeting.pair_id)
    )
    for pair_id, count, minutes, last in session.execute(query):
        row = rows[pair_id]
        row.meetings, row.minutes, row.last_meeting = count, int(minutes), _as_date(last)


def _add_goals(
    session: Session, rows: dict[int, PairRow], pair_filter: InScope, period: Period | None
) -> None:
    done = and_(Goal.status == GoalStatus.DONE, _moment_in_period(Goal.closed_at, period))
    query = (
        select(
            Goal.pair_id,
            func.sum(case((_moment_in_period(Goal.created_at, period), 1), else_=0)),
            func.sum(case((done, 1), else_=0)),
        )
        .where(pair_filter(Goal.pair_id))
        .group_by(Goal.pair_id)
    )
    for pair_id, created, completed in session.execute(query):
        rows[pair_id].goals_set, rows[pair_id].goals_done = int(created), int(completed)


def _add_deliveries(
    session: Session,
    rows: dict[int, PairRow],
    pair_filter: InScope,
    period: Period | None,
    recent_from: dt.datetime,
) -> None:
    sent = Delivery.status == DeliveryStatus.SENT
    is_suggestion = Delivery.kind.in_(SUGGESTION_KINDS)
    recent = Delivery.due_at >= recent_from
    failed = Delivery.status == DeliveryStatus.FAILED
    query = (
        select(
            Delivery.pair_id,
            func.sum(case((and_(sent, is_suggestion), 1), else_=0)),
            func.sum(case((and_(sent, is_suggestion, Delivery.answer.is_not(None)), 1), else_=0)),
            func.sum(
                case((and_(sent, is_suggestion, recent, Delivery.answer.is_(None)), 1), else_=0)
            ),
            func.sum(case((and_(failed, recent), 1), else_=0)),
            func.max(case((failed, Delivery.last_error), else_=None)),
        )
        .where(pair_filter(Delivery.pair_id), _moment_in_period(Delivery.due_at, period))
        .group_by(Delivery.pair_id)
    )
    for pair_id, sent_n, answered, unanswered, failed_n, failure in session.execute(query):
        row = rows[pair_id]
        row.suggestions_sent, row.suggestions_answered = int(sent_n), int(answered)
        row.unanswered_recent, row.failed_recent, row.last_failure = (
            int(unanswered),
            int(failed_n),
            failure,
        )


def _help_requests(
    session: Session, pair_filter: InScope, recent_from: dt.datetime
) -> dict[int, dt.datetime]:
    query = (
        select(Delivery.pair_id, func.max(Response.created_at))
        .join(Response, Response.delivery_id == Delivery.id)
        .where(
            pair_filter(Delivery.pair_id),
            Response.action == "help",
            Response.created_at >= recent_from,
        )
        .group_by(Delivery.pair_id)
    )
    return {pair_id: at for pair_id, at in session.execute(query)}


def _active_people(session: Session, pair_filter: InScope, since: dt.date) -> dict[int, set[int]]:
    """Who did anything lately in each pair: logged a meeting, set a goal or clicked."""
    since_moment = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    acts = union_all(
        select(Meeting.pair_id.label("pair_id"), Meeting.logged_by_id.label("person_id")).where(
            Meeting.met_on >= since
        ),
        select(Goal.pair_id, Goal.created_by_id).where(Goal.created_at >= since_moment),
        select(Delivery.pair_id, Response.person_id)
        .join(Response, Response.delivery_id == Delivery.id)
        .where(Response.created_at >= since_moment),
    ).subquery()
    query = (
        select(acts.c.pair_id, acts.c.person_id)
        .where(pair_filter(acts.c.pair_id), acts.c.person_id.is_not(None))
        .distinct()
    )
    active: dict[int, set[int]] = {}
    for pair_id, person_id in session.execute(query):
        active.setdefault(pair_id, set()).add(person_id)
    return active


def _unreachable(session: Session, pair_filter: InScope) -> dict[int, list[tuple[str, str]]]:
    query = (
        select(Pair.id, Person.display_name, Person.unreachable_reason)
        .join(Person, (Person.id == Pair.mentor_id) | (Person.id == Pair.mentee_id))
        .where(pair_filter(Pair.id), Person.unreachable_reason.is_not(None))
    )
    found: dict[int, list[tuple[str, str]]] = {}
    for pair_id, name, reason in session.execute(query):
        found.setdefault(pair_id, []).append((name, reason))
    return found


def _meetings_per_week(
    session: Session, pair_filter: InScope, period: Period | None
) -> list[tuple[dt.date, int]]:
    query = (
        select(Meeting.met_on, func.count())
        .where(pair_filter(Meeting.pair_id), _in_period(Meeting.met_on, period))
        .group_by(Meeting.met_on)
    )
    weeks: Counter[dt.date] = Counter()
    for day, count in session.execute(query):
        day = _as_date(day)
        weeks[day - dt.timedelta(days=day.weekday())] += count
    return sorted(weeks.items())


def _as_date(value: object) -> dt.date:
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value  # type: ignore[return-value]
