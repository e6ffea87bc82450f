"""The facts behind the funder report that the participation summary does not hold: meeting
ratings, reflections, competency ratings, early endings and re-matches, meetings per week.

Each fact is one grouped query by program and cohort, whatever the number of pairs, so the
core can add cohorts up into their program. Periods are judged as ``storage.summary`` judges
them, nothing after the moment ``until`` (its ``Window``) counting: meetings by the day they
were held; reflections by the message that asked for them (due in the period), answered by
``until``; early endings and re-matches by when they happened; competency ratings as they
stood at ``until`` (a kickoff rating is given long before a quarter's closing one, so no period
start applies to them). Meeting notes and next steps are never read here; the free text of a
reflection only where its writer shared it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, func, literal, select
from sqlalchemy.orm import Session, aliased

from storage.models import (
    Cohort,
    CompetencyRating,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Meeting,
    Pair,
    PairStatus,
    Program,
    Reflection,
)
from storage.summary import Period, _as_date, _in_period, _moment_in_period

REFLECTED = (DeliveryKind.MIDPOINT, DeliveryKind.CLOSING)
MEMBERS = 2  # a reflection message asks each member of the pair
KICKOFF, CLOSING = "kickoff", "closing"
Group = tuple[str, str]  # a program's name and a cohort's ("" for pairs without one)


@dataclass
class AreaChange:
    """Sums over the members who rated an area at both kickoff and closing."""

    members: int = 0
    kickoff_total: int = 0
    closing_total: int = 0

    def add(self, other: AreaChange) -> None:
        self.members += other.members
        self.kickoff_total += other.kickoff_total
        self.closing_total += other.closing_total


@dataclass(frozen=True)
class Quote:
    """A reflection's words its writer allowed the report to quote, without their name."""

    cohort: str
    phase: str
    worked: str
    change: str


@dataclass
class GroupFacts:
    """One cohort's facts (or, added up, a program's)."""

    ratings: Counter[int] = field(default_factory=Counter)  # rating -> meetings
    asked: Counter[str] = field(default_factory=Counter)  # phase -> members asked
    answered: Counter[str] = field(default_factory=Counter)  # phase -> answers received
    score_total: Counter[str] = field(default_factory=Counter)  # phase -> sum of their scores
    areas: dict[str, AreaChange] = field(default_factory=dict)
    ended_early: Counter[str] = field(default_factory=Counter)  # reason ("" none) -> pairs
    rematches: int = 0
    weekly: Counter[dt.date] = field(default_factory=Counter)  # Monday -> meetings
    quotes: list[Quote] = field(default_factory=list)

    def add(self, other: GroupFacts) -> None:
        """Add another cohort's facts to these (quotes keep their order)."""
        for mine, theirs in (
            (self.ratings, other.ratings),
            (self.asked, other.asked),
            (self.answered, other.answered),
            (self.score_total, other.score_total),
            (self.ended_early, other.ended_early),
            (self.weekly, other.weekly),
        ):
            mine.update(theirs)
        for area, change in other.areas.items():
            self.areas.setdefault(area, AreaChange()).add(change)
        self.rematches += other.rematches
        self.quotes.extend(other.quotes)


@dataclass(frozen=True)
class Scope:
    """Which pairs: those of some programs (all, when None), of one cohort or of every one."""

    program_ids: tuple[int, ...] | None = None
    cohort: str | None = None

    def where(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.program_ids is not None:
            found.append(Program.id.in_(self.program_ids))
        if self.cohort is not None:
            found.append(Cohort.name == self.cohort)
        return found or [literal(True)]


def report_facts(
    session: Session, until: dt.datetime, period: Period | None, scope: Scope
) -> dict[Group, GroupFacts]:
    """Each cohort's report facts, keyed by program and cohort name; a group without any of
    them is left out."""
    groups: dict[Group, GroupFacts] = {}

    def of(values: Any) -> GroupFacts:
        return groups.setdefault((values[0], values[1] or ""), GroupFacts())

    for values in session.execute(_ratings(period, scope)):
        of(values).ratings[values[2]] += values[3]
    for values in session.execute(_asked(period, scope)):
        of(values).asked[values[2]] += MEMBERS * values[3]
    for values in session.execute(_answered(until, period, scope)):
        facts = of(values)
        facts.answered[values[2]] += values[3]
        facts.score_total[values[2]] += int(values[4] or 0)
    for values in session.execute(_competencies(until, scope)):
        of(values).areas[values[2]] = AreaChange(values[3], int(values[4]), int(values[5]))
    for values in _early_endings(session, until, period, scope):
        of(values).ended_early[values[2] or ""] += 1
    for values in session.execute(_rematches(until, period, scope)):
        of(values).rematches += values[2]
    for values in session.execute(_meeting_days(period, scope)):
        day = _as_date(values[2])
        of(values).weekly[day - dt.timedelta(days=day.weekday())] += values[3]
    for values in session.execute(_quotes(until, period, scope)):
        of(values).quotes.append(Quote(values[1] or "", *values[2:]))
    return groups


def _grouped(scope: Scope, *columns: Any) -> Select[Any]:
    """A query of the scope's pairs, by program and cohort name, then ``columns``."""
    return (
        select(Program.name, Cohort.name, *columns)
        .select_from(Pair)
        .join(Program, Pair.program_id == Program.id)
        .outerjoin(Cohort, Pair.cohort_id == Cohort.id)
        .where(*scope.where())
    )


def _by(query: Select[Any], *columns: Any) -> Select[Any]:
    return query.group_by(Program.name, Cohort.name, *columns)


def _ratings(period: Period | None, scope: Scope) -> Select[Any]:
    query = _grouped(scope, Meeting.rating, func.count(Meeting.id)).join(
        Meeting, Meeting.pair_id == Pair.id
    )
    query = query.where(Meeting.rating.is_not(None), _in_period(Meeting.met_on, period))
    return _by(query, Meeting.rating)


def _reflections_asked(period: Period | None) -> list[Any]:
    """The midpoint and closing messages that reached pairs, due in the period."""
    return [
        Delivery.kind.in_(REFLECTED),
        Delivery.status == DeliveryStatus.SENT,
        _moment_in_period(Delivery.due_at, period),
    ]


def _asked(period: Period | None, scope: Scope) -> Select[Any]:
    query = _grouped(scope, Delivery.kind, func.count(Delivery.id)).join(
        Delivery, Delivery.pair_id == Pair.id
    )
    return _by(query.where(*_reflections_asked(period)), Delivery.kind)


def _answered(until: dt.datetime, period: Period | None, scope: Scope) -> Select[Any]:
    query = (
        _grouped(scope, Reflection.phase, func.count(Reflection.id), func.sum(Reflection.score))
        .join(Reflection, Reflection.pair_id == Pair.id)
        .join(Delivery, Delivery.id == Reflection.delivery_id)
        .where(*_reflections_asked(period), Reflection.created_at <= until)
    )
    return _by(query, Reflection.phase)


def _competencies(until: dt.datetime, scope: Scope) -> Select[Any]:
    """Per area, the members with a kickoff and a closing rating, and the sums of both."""
    kickoff, closing = aliased(CompetencyRating), aliased(CompetencyRating)
    query = (
        _grouped(
            scope,
            kickoff.area,
            func.count(kickoff.id),
            func.sum(kickoff.level),
            func.sum(closing.level),
        )
        .join(kickoff, kickoff.pair_id == Pair.id)
        .join(
            closing,
            (closing.pair_id == kickoff.pair_id)
            & (closing.person_id == kickoff.person_id)
            & (closing.area == kickoff.area),
        )
        .where(
            kickoff.phase == KICKOFF,
            closing.phase == CLOSING,
            kickoff.created_at <= until,
            closing.created_at <= until,
        )
    )
    return _by(query, kickoff.area)


def _early_endings(
    session: Session, until: dt.datetime, period: Period | None, scope: Scope
) -> Iterable[tuple[str, str | None, str | None]]:
    """The pairs that ended in the period before their program's last day (in the program's
    time zone), with why; a pair the year's end closed is not among them."""
    query = _grouped(
        scope, Pair.end_reason, Pair.ended_at, Program.end_date, Program.timezone
    ).where(
        Pair.status == PairStatus.ENDED,
        Pair.ended_at.is_not(None),
        Pair.ended_at <= until,
        _moment_in_period(Pair.ended_at, period),
    )
    for program, cohort, reason, ended_at, last_day, zone in session.execute(query):
        if ended_at.astimezone(ZoneInfo(zone)).date() < _as_date(last_day):
            yield program, cohort, reason


def _rematches(until: dt.datetime, period: Period | None, scope: Scope) -> Select[Any]:
    """The pairs made in the period by re-matching a member of an ended one."""
    query = _grouped(scope, func.count(Pair.id)).where(
        Pair.rematched_from_id.is_not(None),
        Pair.created_at <= until,
        _moment_in_period(Pair.created_at, period),
    )
    return _by(query)


def _meeting_days(period: Period | None, scope: Scope) -> Select[Any]:
    query = _grouped(scope, Meeting.met_on, func.count(Meeting.id)).join(
        Meeting, Meeting.pair_id == Pair.id
    )
    return _by(query.where(_in_period(Meeting.met_on, period)), Meeting.met_on)


def _quotes(until: dt.datetime, period: Period | None, scope: Scope) -> Select[Any]:
    """What members shared of their answers to the period's reflections, oldest first."""
    has_words = (func.length(Reflection.worked) > 0) | (func.length(Reflection.change) > 0)
    return (
        _grouped(scope, Reflection.phase, Reflection.worked, Reflection.change)
        .join(Reflection, Reflection.pair_id == Pair.id)
        .join(Delivery, Delivery.id == Reflection.delivery_id)
        .where(
            *_reflections_asked(period),
            Reflection.shared.is_(True),
            Reflection.created_at <= until,
            has_words,
        )
        .order_by(Reflection.created_at, Reflection.id)
    )
