"""The facts behind the participation summary, computed by SQL aggregation.

A fixed handful of grouped queries whatever the number of pairs: one per kind of fact (pairs,
pauses, meetings, goals, suggestions, failures, help requests, who was active, who is
unreachable, meetings per day), joined in Python by pair id. Meeting notes are never read here:
coordinators see counts, not conversations. Which facts make a pair need attention is the
core's rule (``bot.core.attention``).

**When the facts are judged** (``Window``): a summary is as of one day, ``as_of`` (today, or
the period's last day if that is earlier), and judged at one moment, ``until`` (now, or the
end of the period's last day). Nothing that happened after ``until`` is counted, so a period
summary says what was true at the period's end, whenever it is read:

- counts (meetings, hours, goals, suggestions sent) are of what happened inside the period
  (all time without one); a suggestion counts as answered if it was answered before
  ``until``;
- the last meeting is the latest up to the period's last day, wherever it falls, so "met in
  the last 30 days" is measured back from ``as_of`` and agrees with the all-time summary read
  on that day;
- the events that make a pair need attention (unanswered suggestions, failed deliveries,
  help requests, who was active) are looked for from ``since`` to ``until``: inside the
  period, or in the last ``RECENT_DAYS`` without one.

What is not stored as history is judged from the current state: a pause by the latest
``pair.pause`` audit entry (an earlier pause, since resumed, is not known), an unreachable
member by ``unreachable_since``, a failed delivery by when it was due.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from storage.models import (
    AuditEvent,
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
    Reflection,
    Response,
)

SUGGESTION_KINDS = (
    DeliveryKind.WELCOME,
    DeliveryKind.SUGGESTION,
    DeliveryKind.MIDPOINT,
    DeliveryKind.CLOSING,
)
RECENT_DAYS = 60
HELP = "help"  # a Response's action for "We need help"
PAUSE_AUDIT = "pair.pause"


@dataclass(frozen=True)
class Period:
    """Inclusive dates; the figures count only what happened between them."""

    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


@dataclass(frozen=True)
class Window:
    """When a summary's facts are judged (see the module's docstring): ``as_of`` the day,
    ``until`` the moment (now, or the last instant of the period's last day: nothing later
    counts), ``since`` where the events that make a pair
    need attention are looked for from, ``last_day`` the period's last day (None for all
    time)."""

    as_of: dt.date
    until: dt.datetime
    since: dt.datetime
    last_day: dt.date | None

    @classmethod
    def of(cls, now: dt.datetime, period: Period | None) -> Window:
        if period is None:
            return cls(now.date(), now, now - dt.timedelta(days=RECENT_DAYS), None)
        last_moment = _midnight(period.end + dt.timedelta(days=1)) - dt.timedelta(microseconds=1)
        until = min(now, last_moment)
        return cls(min(period.end, now.date()), until, _midnight(period.start), period.end)


@dataclass
class PairRow:
    """One pair's facts. ``status`` is the stored status until the core judges it for the
    summary's day (``bot.core.attention.status_on``); ``stored_status`` keeps the stored one."""

    pair_id: int
    program: str
    cohort: str
    mentor: str
    mentee: str
    status: str
    started: dt.date
    mentor_id: int = 0
    mentee_id: int = 0
    stored_status: str = ""
    program_end: dt.date | None = None
    ended_at: dt.datetime | None = None
    paused_until: dt.date | None = None
    paused_at: dt.datetime | None = None  # the latest pause's audit entry, if any
    meetings: int = 0
    minutes: int = 0
    last_meeting: dt.date | None = None  # the latest up to the period's last day
    rated_meetings: int = 0  # meetings in the period that say how useful they were
    rating_total: int = 0  # the sum of those ratings
    goals_set: int = 0
    goals_done: int = 0
    suggestions_sent: int = 0
    suggestions_answered: int = 0
    reflections: int = 0  # members' reflection answers received in the period
    interval_weeks: int = 3
    unanswered_recent: int = 0  # sent since ``since``, past the grace, unanswered at ``until``
    failed_recent: int = 0  # deliveries due from ``since`` to ``until`` that failed
    last_failure: str | None = None  # the latest of those failures' error
    help_asked_at: dt.datetime | None = None  # the latest help request since ``since``
    help_handled_at: dt.datetime | None = None  # when that request was handled, if by ``until``
    help_handled_by: str | None = None  # the coordinator's name; None from the command line
    active_people: set[int] = field(default_factory=set)
    recent_acts: int = 0  # meetings logged, goals set and clicks since ``since``
    unreachable: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    attention: list[str] = field(default_factory=list)  # the core's rules fill it in

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    @property
    def average_rating(self) -> float | None:
        return round(self.rating_total / self.rated_meetings, 1) if self.rated_meetings else None

    @property
    def help_open(self) -> bool:
        """Whether the latest help request was still waiting at ``until``."""
        return self.help_asked_at is not None and self.help_handled_at is None


@dataclass
class SummaryFacts:
    as_of: dt.date
    cohort: str | None
    period: Period | None
    pairs: list[PairRow]
    meetings_per_week: list[tuple[dt.date, int]]
    window: Window


def summary_facts(
    session: Session,
    now: dt.datetime,
    *,
    answer_grace: dt.timedelta,
    cohort: str | None = None,
    period: Period | None = None,
    workspace: str | None = None,
) -> SummaryFacts:
    """Per-pair facts (meetings, goals, deliveries, help, activity, reachability) and meetings
    per week, judged as the module's docstring says; a suggestion counts as unanswered only
    once ``answer_grace`` has passed since it was due. ``workspace``: only the pairs of that
    workspace's programs (what its coordinators may see)."""
    window = Window.of(now, period)
    pair_filter = _in_scope(cohort, workspace)
    rows = _pair_rows(session, pair_filter)
    for pair_id, at in _pauses(session, pair_filter).items():
        rows[pair_id].paused_at = at
    _add_meetings(session, rows, pair_filter, period)
    _add_goals(session, rows, pair_filter, period)
    _add_reflections(session, rows, pair_filter, period)
    _add_deliveries(session, rows, pair_filter, period, window, answer_grace)
    _add_failures(session, rows, pair_filter, window)
    _add_help(session, rows, pair_filter, window)
    _add_activity(session, rows, pair_filter, window)
    for pair_id, people in _unreachable(session, pair_filter, window, rows).items():
        rows[pair_id].unreachable = people
    weekly = _meetings_per_week(session, pair_filter, period)
    return SummaryFacts(window.as_of, cohort, period, list(rows.values()), weekly, window)


def cohorts_with_pairs(session: Session) -> list[str]:
    """The names of the cohorts that have pairs, in order."""
    query = select(Cohort.name).join(Pair, Pair.cohort_id == Cohort.id).distinct()
    return sorted(session.scalars(query))


InScope = Callable[[ColumnElement[int]], ColumnElement[bool]]


def _in_scope(cohort: str | None, workspace: str | None) -> InScope:
    """A filter on any pair-id column: every pair, or one cohort's, or one workspace's (so no
    query joins pairs just to filter)."""
    if cohort is None and workspace is None:
        return lambda pair_id: literal(True)
    pairs = select(Pair.id)
    if cohort is not None:
        pairs = pairs.join(Cohort, Pair.cohort_id == Cohort.id).where(Cohort.name == cohort)
    if workspace is not None:
        pairs = pairs.join(Program, Pair.program_id == Program.id).where(
            Program.workspace == workspace
        )
    return lambda pair_id: pair_id.in_(pairs)


def _pair_rows(session: Session, pair_filter: InScope) -> dict[int, PairRow]:
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
            Pair.mentor_id,
            Pair.mentee_id,
            Program.end_date,
            Pair.ended_at,
            Pair.paused_until,
            Program.interval_weeks,
        )
        .join(Program, Pair.program_id == Program.id)
        .outerjoin(Cohort, Pair.cohort_id == Cohort.id)
        .join(mentor, Pair.mentor_id == mentor.id)
        .join(mentee, Pair.mentee_id == mentee.id)
        .where(pair_filter(Pair.id))
        .order_by(Pair.id)
    )
    rows = {}
    for values in session.execute(query):
        (pair_id, program, cohort_name, mentor_name, mentee_name, status, started) = values[:7]
        mentor_id, mentee_id, program_end, ended_at, paused_until, every = values[7:]
        rows[pair_id] = PairRow(
            pair_id,
            program,
            cohort_name or "",
            mentor_name,
            mentee_name,
            status,
            _as_date(started),
            mentor_id=mentor_id,
            mentee_id=mentee_id,
            stored_status=status,
            program_end=_as_date(program_end),
            ended_at=ended_at,
            paused_until=_as_date(paused_until) if paused_until else None,
            interval_weeks=every,
        )
    return rows


def _in_period(column: object, period: Period | None) -> object:
    if period is None:
        return literal(True)
    return and_(column >= period.start, column <= period.end)  # type: ignore[operator]


def _moment_in_period(column: object, period: Period | None) -> object:
    if period is None:
        return literal(True)
    start = _midnight(period.start)
    end = _midnight(period.end + dt.timedelta(days=1))
    return and_(column >= start, column < end)  # type: ignore[operator]


def _between(column: object, window: Window) -> ColumnElement[bool]:
    """A moment from ``since`` up to ``until``, both included."""
    return and_(column >= window.since, column <= window.until)  # type: ignore[operator]


def _pauses(session: Session, pair_filter: InScope) -> dict[int, dt.datetime]:
    """When each pair was last paused, by the audit trail (which is the only record of it)."""
    query = (
        select(AuditEvent.entity_id, func.max(AuditEvent.at))
        .where(
            AuditEvent.entity == "pair",
            AuditEvent.action == PAUSE_AUDIT,
            AuditEvent.entity_id.is_not(None),
            pair_filter(AuditEvent.entity_id),
        )
        .group_by(AuditEvent.entity_id)
    )
    return {pair_id: at for pair_id, at in session.execute(query) if at is not None}


def _add_meetings(
    session: Session, rows: dict[int, PairRow], pair_filter: InScope, period: Period | None
) -> None:
    """Meetings and minutes inside the period, and the last meeting up to its last day."""
    inside = _in_period(Meeting.met_on, period)
    rated = and_(inside, Meeting.rating.is_not(None))
    query = select(
        Meeting.pair_id,
        func.sum(case((inside, 1), else_=0)),
        func.coalesce(func.sum(case((inside, Meeting.duration_minutes), else_=0)), 0),
        func.max(Meeting.met_on),
        func.sum(case((rated, 1), else_=0)),
        func.coalesce(func.sum(case((rated, Meeting.rating), else_=0)), 0),
    ).where(pair_filter(Meeting.pair_id))
    if period is not None:
        query = query.where(Meeting.met_on <= period.end)
    for values in session.execute(query.group_by(Meeting.pair_id)):
        pair_id, count, minutes, last, rated_count, rating_total = values
        row = rows[pair_id]
        row.meetings, row.minutes = int(count or 0), int(minutes or 0)
        row.last_meeting = _as_date(last) if last is not None else None
        row.rated_meetings, row.rating_total = int(rated_count or 0), int(rating_total or 0)


def _add_reflections(
    session: Session, rows: dict[int, PairRow], pair_filter: InScope, period: Period | None
) -> None:
    """Members' reflection answers received in the period."""
    query = (
        select(Reflection.pair_id, func.count(Reflection.id))
        .where(pair_filter(Reflection.pair_id), _moment_in_period(Reflection.created_at, period))
        .group_by(Reflection.pair_id)
    )
    for pair_id, count in session.execute(query):
        rows[pair_id].reflections = int(count)


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
    window: Window,
    grace: dt.timedelta,
) -> None:
    """Suggestions sent in the period and answered by ``until``, and those due since
    ``since``, ``grace`` or more before ``until``, still unanswered then."""
    sent = and_(Delivery.status == DeliveryStatus.SENT, Delivery.kind.in_(SUGGESTION_KINDS))
    answered = and_(
        Delivery.answer.is_not(None),
        or_(Delivery.answered_at.is_(None), Delivery.answered_at <= window.until),
    )
    overdue = and_(
        sent,
        Delivery.due_at >= window.since,
        Delivery.due_at <= window.until - grace,
        ~answered,
    )
    query = (
        select(
            Delivery.pair_id,
            func.sum(case((sent, 1), else_=0)),
            func.sum(case((and_(sent, answered), 1), else_=0)),
            func.sum(case((overdue, 1), else_=0)),
        )
        .where(pair_filter(Delivery.pair_id), _moment_in_period(Delivery.due_at, period))
        .group_by(Delivery.pair_id)
    )
    for pair_id, sent_n, answered_n, overdue_n in session.execute(query):
        row = rows[pair_id]
        row.suggestions_sent, row.suggestions_answered = int(sent_n), int(answered_n)
        row.unanswered_recent = int(overdue_n)


def _add_failures(
    session: Session, rows: dict[int, PairRow], pair_filter: InScope, window: Window
) -> None:
    """Deliveries due from ``since`` to ``until`` that failed, and the latest one's error."""
    query = (
        select(Delivery.pair_id, Delivery.last_error)
        .where(
            pair_filter(Delivery.pair_id),
            Delivery.status == DeliveryStatus.FAILED,
            _between(Delivery.due_at, window),
        )
        .order_by(Delivery.pair_id, Delivery.due_at, Delivery.id)
    )
    for pair_id, error in session.execute(query):
        row = rows[pair_id]  # the last one read per pair is the latest
        row.failed_recent += 1
        row.last_failure = error


def _add_help(
    session: Session, rows: dict[int, PairRow], pair_filter: InScope, window: Window
) -> None:
    """Each pair's latest help request since ``since``, and whether (and by whom) it was
    handled by ``until``. Marking a request handled marks its pair's earlier ones too, so the
    latest is the one that says whether any is still waiting."""
    handler = aliased(Person)
    query = (
        select(Delivery.pair_id, Response.created_at, Response.handled_at, handler.display_name)
        .join(Response, Response.delivery_id == Delivery.id)
        .outerjoin(handler, Response.handled_by_id == handler.id)
        .where(
            pair_filter(Delivery.pair_id),
            Response.action == HELP,
            _between(Response.created_at, window),
        )
        .order_by(Delivery.pair_id, Response.created_at, Response.id)
    )
    for pair_id, asked, handled, name in session.execute(query):
        row = rows[pair_id]  # the last one read per pair is the latest
        row.help_asked_at = asked
        in_time = handled is not None and handled <= window.until
        row.help_handled_at = handled if in_time else None
        row.help_handled_by = name if in_time else None


def _add_activity(
    session: Session, rows: dict[int, PairRow], pair_filter: InScope, window: Window
) -> None:
    """Who did anything in the window, and how much: logged a meeting (by the day it was
    held), set a goal or clicked."""
    met = Meeting.met_on >= window.since.date()
    if window.last_day is not None:
        met = and_(met, Meeting.met_on <= window.last_day)
    acts = union_all(
        select(Meeting.pair_id.label("pair_id"), Meeting.logged_by_id.label("person_id")).where(
            met
        ),
        select(Goal.pair_id, Goal.created_by_id).where(_between(Goal.created_at, window)),
        select(Delivery.pair_id, Response.person_id)
        .join(Response, Response.delivery_id == Delivery.id)
        .where(_between(Response.created_at, window)),
    ).subquery()
    query = (
        select(acts.c.pair_id, acts.c.person_id, func.count())
        .where(pair_filter(acts.c.pair_id), acts.c.person_id.is_not(None))
        .group_by(acts.c.pair_id, acts.c.person_id)
    )
    for pair_id, person_id, count in session.execute(query):
        row = rows[pair_id]
        row.active_people.add(person_id)
        row.recent_acts += int(count)


def _unreachable(
    session: Session, pair_filter: InScope, window: Window, rows: dict[int, PairRow]
) -> dict[int, list[tuple[str, str]]]:
    """The members the platform reported gone by ``until``, the mentor first."""
    query = (
        select(Pair.id, Person.id, Person.display_name, Person.unreachable_reason)
        .join(Person, (Person.id == Pair.mentor_id) | (Person.id == Pair.mentee_id))
        .where(
            pair_filter(Pair.id),
            Person.unreachable_reason.is_not(None),
            or_(Person.unreachable_since.is_(None), Person.unreachable_since <= window.until),
        )
    )
    found: dict[int, list[tuple[int, str, str]]] = {}
    for pair_id, person_id, name, reason in session.execute(query):
        order = 0 if person_id == rows[pair_id].mentor_id else 1
        found.setdefault(pair_id, []).append((order, name, reason))
    return {pair_id: [(n, r) for _, n, r in sorted(people)] for pair_id, people in found.items()}


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
