"""The participation summary, computed by SQL aggregation.

A fixed handful of grouped queries whatever the number of pairs: one per kind of fact (pairs,
meetings, goals, deliveries, help requests, who was active, meetings per day), joined in Python
by pair id. Meeting notes are never read here: coordinators see counts, not conversations.
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
    PairStatus,
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
UNANSWERED_LIMIT = 2


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
    attention: list[str] = field(default_factory=list)

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


@dataclass
class Totals:
    active_pairs: int = 0
    paused_pairs: int = 0
    met_last_30: int = 0
    met_last_60: int = 0
    meetings: int = 0
    minutes: int = 0
    goals_set: int = 0
    goals_done: int = 0
    suggestions_sent: int = 0
    suggestions_answered: int = 0

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    @property
    def answered_share(self) -> float | None:
        if not self.suggestions_sent:
            return None
        return self.suggestions_answered / self.suggestions_sent


@dataclass
class ParticipationSummary:
    as_of: dt.date
    cohort: str | None
    period: Period | None
    totals: Totals
    pairs: list[PairRow]
    meetings_per_week: list[tuple[dt.date, int]]

    @property
    def needing_attention(self) -> list[PairRow]:
        return [row for row in self.pairs if row.attention]


def compute_summary(
    session: Session, now: dt.datetime, *, cohort: str | None = None, period: Period | None = None
) -> ParticipationSummary:
    """Totals, per-pair rows with attention reasons, and meetings per week."""
    as_of = min(period.end, now.date()) if period else now.date()
    rows = _pair_rows(session, cohort)
    pair_filter = _in_scope(cohort)
    _add_meetings(session, rows, pair_filter, period)
    _add_goals(session, rows, pair_filter, period)
    recent_from = now - dt.timedelta(days=RECENT_DAYS)
    deliveries = _add_deliveries(session, rows, pair_filter, period, recent_from)
    help_asked = _help_requests(session, pair_filter, recent_from)
    active_people = _active_people(session, pair_filter, as_of - dt.timedelta(days=RECENT_DAYS))
    intervals = dict(
        session.execute(
            select(Pair.id, Program.interval_weeks).join(Program).where(pair_filter(Pair.id))
        ).all()
    )
    unreachable = _unreachable(session, pair_filter)
    totals = Totals()
    for row in rows.values():
        _flag(
            row,
            as_of,
            intervals[row.pair_id],
            deliveries.get(row.pair_id),
            help_asked.get(row.pair_id),
            active_people.get(row.pair_id, set()),
            unreachable.get(row.pair_id, []),
        )
        _tally(totals, row, as_of)
    weekly = _meetings_per_week(session, pair_filter, period)
    return ParticipationSummary(as_of, cohort, period, totals, list(rows.values()), weekly)


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
        )
        .join(Program, Pair.program_id == Program.id)
        .outerjoin(Cohort, Pair.cohort_id == Cohort.id)
        .join(mentor, Pair.mentor_id == mentor.id)
        .join(mentee, Pair.mentee_id == mentee.id)
        .where(_in_scope(cohort)(Pair.id))
        .order_by(Pair.id)
    )
    return {
        pair_id: PairRow(pair_id, program, cohort or "", mentor, mentee, status, started)
        for pair_id, program, cohort, mentor, mentee, status, started in session.execute(query)
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


@dataclass(frozen=True)
class DeliveryFacts:
    unanswered_recent: int
    failed_recent: int
    last_failure: str | None


def _add_deliveries(
    session: Session,
    rows: dict[int, PairRow],
    pair_filter: InScope,
    period: Period | None,
    recent_from: dt.datetime,
) -> dict[int, DeliveryFacts]:
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
    facts = {}
    for pair_id, sent_n, answered, unanswered, failed_n, failure in session.execute(query):
        rows[pair_id].suggestions_sent = int(sent_n)
        rows[pair_id].suggestions_answered = int(answered)
        facts[pair_id] = DeliveryFacts(int(unanswered), int(failed_n), failure)
    return facts


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


def _unreachable(session: Session, pair_filter: InScope) -> dict[int, list[str]]:
    query = (
        select(Pair.id, Person.display_name, Person.unreachable_reason)
        .join(Person, (Person.id == Pair.mentor_id) | (Person.id == Pair.mentee_id))
        .where(pair_filter(Pair.id), Person.unreachable_reason.is_not(None))
    )
    found: dict[int, list[str]] = {}
    for pair_id, name, reason in session.execute(query):
        found.setdefault(pair_id, []).append(f"{name} unreachable: {reason}")
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


def _flag(
    row: PairRow,
    as_of: dt.date,
    interval_weeks: int,
    deliveries: DeliveryFacts | None,
    help_at: dt.datetime | None,
    active: set[int],
    unreachable: list[str],
) -> None:
    """Attach the reasons a coordinator should look at this pair."""
    if row.status == PairStatus.ENDED:
        return
    two_rounds = dt.timedelta(weeks=2 * interval_weeks)
    if row.status == PairStatus.ACTIVE and as_of - row.started >= two_rounds:
        last = row.last_meeting
        if last is None or as_of - last >= two_rounds:
            row.attention.append(
                "no meeting for two suggestion rounds"
                + (f" (last {last.isoformat()})" if last else " (none logged)")
            )
    if deliveries and deliveries.unanswered_recent >= UNANSWERED_LIMIT:
        row.attention.append(f"{deliveries.unanswered_recent} suggestions unanswered")
    if len(active) == 1 and row.meetings + row.goals_set > 1:
        row.attention.append("one-sided engagement: only one member active")
    if help_at is not None:
        row.attention.append(f"asked for help on {help_at.date().isoformat()}")
    row.attention.extend(unreachable)
    if deliveries and deliveries.failed_recent:
        row.attention.append(f"a delivery failed: {deliveries.last_failure or 'unknown error'}")


def _tally(totals: Totals, row: PairRow, as_of: dt.date) -> None:
    if row.status == PairStatus.ACTIVE:
        totals.active_pairs += 1
    elif row.status == PairStatus.PAUSED:
        totals.paused_pairs += 1
    if row.last_meeting and as_of - row.last_meeting <= dt.timedelta(days=30):
        totals.met_last_30 += 1
    if row.last_meeting and as_of - row.last_meeting <= dt.timedelta(days=60):
        totals.met_last_60 += 1
    totals.meetings += row.meetings
    totals.minutes += row.minutes
    totals.goals_set += row.goals_set
    totals.goals_done += row.goals_done
    totals.suggestions_sent += row.suggestions_sent
    totals.suggestions_answered += row.suggestions_answered


def _as_date(value: object) -> dt.date:
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value  # type: ignore[return-value]
