"""Every figure of the summary, recomputed by hand from a simulated year, and the
conversations that read them.

The year is a list of dated events (pairs starting, pausing, ending; suggestions sent,
answered or failed; check-ins and help requests, handled or not; meetings, goals, members
gone). For each moment a fresh database holds exactly what had happened by then, as the bot
would have stored it; the summary's figures for several periods are then compared with ones
recomputed here by plain queries, pair by pair, from the rules as the docs state them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.grammar import EARLIEST
from bot.core.summary import ParticipationSummary, compute_summary, summary_csv, summary_json
from storage.db import session_scope
from storage.models import (
    AuditEvent,
    Cohort,
    Delivery,
    Goal,
    Meeting,
    Pair,
    Person,
    Program,
    Reflection,
    Response,
)
from storage.summary import Period
from tests.core.test_help_handled import ask_for_help
from tests.support.bot import Clock, PairSpec, actor, add_pair, add_program, make_core, text_of

UTC = dt.UTC
SUGGESTING = ("welcome", "suggestion", "midpoint", "closing")
GRACE = dt.timedelta(days=4)  # the grace the docs promise (bot.core.attention.ANSWER_GRACE)
PROGRAM_START, PROGRAM_END = dt.date(2026, 9, 1), dt.date(2027, 6, 30)
CLOSING_TICK = dt.datetime(2027, 7, 1, 15, tzinfo=UTC)  # the tick that ends every pair


def at(day: dt.date, hour: float = 15) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=UTC) + dt.timedelta(hours=hour)


def end_of(day: dt.date) -> dt.datetime:
    """The last instant of ``day``."""
    return at(day + dt.timedelta(days=1), 0) - dt.timedelta(microseconds=1)


# -- the simulated year ------------------------------------------------------------------------


@dataclass
class Click:
    kind: str  # an answer (accept, skip, done) or help
    who: int  # 0 the mentor, 1 the mentee
    at: dt.datetime
    handled_at: dt.datetime | None = None
    handled_by_casey: bool = False


@dataclass
class Sent:
    kind: str
    round_key: str
    due_at: dt.datetime
    failed: str | None = None  # the error, for a delivery that failed
    answer: Click | None = None
    help: list[Click] = field(default_factory=list)


@dataclass
class PairYear:
    number: int
    cohort: str | None
    start: dt.date
    deliveries: list[Sent] = field(default_factory=list)
    meetings: list[tuple[dt.date, int | None, int]] = field(default_factory=list)  # day, min, who
    goals: list[tuple[dt.datetime, int, dt.datetime | None]] = field(default_factory=list)
    paused: tuple[dt.datetime, dt.date, bool] | None = None  # from, until, audited
    ended_at: dt.datetime | None = None
    mentee_gone: tuple[dt.datetime, str] | None = None


def simulate_year(seed: int = 16) -> list[PairYear]:
    """Twelve pairs with the habits a real year shows: regular, sporadic, silent, one-sided,
    stopping in December, starting late; with pauses, an end, a member gone, failures and
    help requests (some handled, in chat by Casey or from the command line)."""
    rng = random.Random(seed)
    habits = [
        ("Fall", PROGRAM_START, "regular", 0.8, False),
        ("Fall", PROGRAM_START, "regular", 0.5, False),
        ("Fall", PROGRAM_START, "sporadic", 0.3, False),
        ("Fall", PROGRAM_START, "silent", 0.1, False),
        ("Fall", PROGRAM_START, "one-sided", 0.6, True),
        ("Fall", PROGRAM_START, "december", 0.6, False),
        ("Fall", dt.date(2026, 9, 15), "regular", 0.9, False),
        ("Spring", dt.date(2027, 1, 5), "regular", 0.7, False),
        ("Spring", dt.date(2027, 2, 1), "sporadic", 0.5, False),  # not started in 2026
        (None, PROGRAM_START, "regular", 0.6, False),
        ("Fall", PROGRAM_START, "sporadic", 0.4, False),
        ("Spring", dt.date(2027, 1, 5), "one-sided", 0.8, True),
    ]
    year = []
    for number, (cohort, start, habit, answering, one_sided) in enumerate(habits, start=1):
        pair = PairYear(number, cohort, start)
        member = (lambda: 0) if one_sided else (lambda: rng.randrange(2))
        pair.meetings = _meetings(rng, habit, start, member)
        rounds = []
        due = at(start)
        while due.date() <= PROGRAM_END:
            rounds.append(due)
            due += dt.timedelta(weeks=3)
        for index, due in enumerate(rounds):
            kind = "welcome" if index == 0 else "suggestion"
            kind = "midpoint" if index == len(rounds) // 2 else kind
            kind = "closing" if index == len(rounds) - 1 and index else kind
            sent = Sent(kind, f"r{index}", due)
            if rng.random() < 0.08:
                sent.failed = rng.choice(["channel_not_found", "internal_error"])
            elif rng.random() < answering:
                late = dt.timedelta(hours=rng.choice([1, 20, 50, 90, 100, 150, 200]))
                sent.answer = Click(rng.choice(["accept", "skip", "done"]), member(), due + late)
            pair.deliveries.append(sent)
            if index + 1 < len(rounds) and rng.random() < 0.5:
                checkin = Sent("checkin", f"c{index}", rounds[index + 1] - dt.timedelta(weeks=1))
                if rng.random() < 0.35:
                    checkin.help.append(
                        Click("help", member(), checkin.due_at + dt.timedelta(hours=5))
                    )
                pair.deliveries.append(checkin)
        for _ in range(rng.randrange(4)):
            created = at(start + dt.timedelta(days=rng.randrange(3, 200)), rng.randrange(9, 22))
            done = (
                created + dt.timedelta(days=rng.randrange(10, 120)) if rng.random() < 0.5 else None
            )
            pair.goals.append((created, member(), done))
        _handle_help(rng, pair)
        year.append(pair)
    year[1].paused = (at(dt.date(2027, 2, 2), 14), dt.date(2027, 3, 2), True)
    year[10].paused = (at(dt.date(2027, 4, 27), 14), dt.date(2027, 5, 25), False)  # its audit gone
    year[2].ended_at = at(dt.date(2027, 2, 15), 16)
    year[6].mentee_gone = (at(dt.date(2027, 1, 20), 9), "deactivated on Slack")
    return year


def _meetings(rng: random.Random, habit: str, start: dt.date, member) -> list:
    if habit == "silent":
        return []
    if habit == "december":
        days = [dt.date(2026, 9, 20), dt.date(2026, 10, 30), dt.date(2026, 12, 19)]
        return [(d, 60, member()) for d in [*days, dt.date(2026, 12, 22)]]
    gaps = {"regular": (10, 25), "sporadic": (20, 70), "one-sided": (12, 30)}[habit]
    meetings, day = [], start + dt.timedelta(days=rng.randrange(2, 12))
    while day <= PROGRAM_END:
        meetings.append((day, rng.choice([30, 45, 60, 90, None]), member()))
        day += dt.timedelta(days=rng.randrange(*gaps))
    return meetings


def _handle_help(rng: random.Random, pair: PairYear) -> None:
    """Some help requests are marked handled a few days later; marking one marks the pair's
    earlier requests still waiting too, as the bot does."""
    requests = sorted((c for d in pair.deliveries for c in d.help), key=lambda c: c.at)
    for request in requests:
        if request.handled_at is None and rng.random() < 0.6:
            when = request.at + dt.timedelta(days=rng.randrange(1, 8), hours=2)
            by_casey = rng.random() < 0.5
            for earlier in requests:
                if earlier.at <= request.at and earlier.handled_at is None:
                    earlier.handled_at, earlier.handled_by_casey = when, by_casey


def build(session: Session, year: list[PairYear], moment: dt.datetime) -> None:
    """The database as the bot would hold it at ``moment``: only what had happened by then."""
    program = Program(
        name="Year",
        start_date=PROGRAM_START,
        end_date=PROGRAM_END,
        timezone="America/New_York",
        interval_weeks=3,
    )
    session.add(program)
    casey = Person(platform="console", platform_user_id="casey", display_name="Casey")
    session.add(casey)
    cohorts = {name: Cohort(program=program, name=name) for name in ("Fall", "Spring")}
    session.add_all(cohorts.values())
    happened = lambda when: when is not None and when <= moment  # noqa: E731
    for item in year:
        n = item.number
        gone = item.mentee_gone if item.mentee_gone and happened(item.mentee_gone[0]) else None
        people = (
            Person(platform="console", platform_user_id=f"mentor{n}", display_name=f"Mentor {n}"),
            Person(
                platform="console",
                platform_user_id=f"mentee{n}",
                display_name=f"Mentee {n}",
                unreachable_reason=gone[1] if gone else None,
                unreachable_since=gone[0] if gone else None,
            ),
        )
        pair = Pair(
            program=program,
            cohort=cohorts[item.cohort] if item.cohort else None,
            platform="console",
            mentor=people[0],
            mentee=people[1],
            start_date=item.start,
            created_at=at(PROGRAM_START, 0) - dt.timedelta(days=30),
        )
        session.add(pair)
        session.flush()
        ended = item.ended_at if happened(item.ended_at) else None
        ended = ended or (CLOSING_TICK if happened(CLOSING_TICK) else None)
        if ended:
            pair.status, pair.ended_at = "ended", ended
        elif item.paused and happened(item.paused[0]) and item.paused[1] > moment.date():
            pair.status, pair.paused_until = "paused", item.paused[1]
        if item.paused and item.paused[2] and happened(item.paused[0]):
            session.add(
                AuditEvent(
                    at=item.paused[0],
                    actor="cli",
                    action="pair.pause",
                    entity="pair",
                    entity_id=pair.id,
                    detail={"weeks": 4},
                )
            )
        number = 0
        for day, minutes, who in item.meetings:
            logged = at(day, 20)  # logged the same evening
            if happened(logged):
                number += 1
                session.add(
                    Meeting(
                        pair=pair,
                        number=number,
                        met_on=day,
                        duration_minutes=minutes,
                        rating=(day.toordinal() + n) % 6 or None,  # some say none
                        logged_by=people[who],
                        created_at=logged,
                    )
                )
        for number, (created, who, done) in enumerate(item.goals, start=1):
            if happened(created):
                session.add(
                    Goal(
                        pair=pair,
                        number=number,
                        text=f"Goal {number}",
                        created_by=people[who],
                        created_at=created,
                        status="done" if happened(done) else "open",
                        closed_at=done if happened(done) else None,
                    )
                )
        for sent in item.deliveries:
            if not happened(sent.due_at):
                continue
            answered = sent.answer if sent.answer and happened(sent.answer.at) else None
            delivery = Delivery(
                pair=pair,
                kind=sent.kind,
                round_key=sent.round_key,
                due_at=sent.due_at,
                status="failed" if sent.failed else "sent",
                attempts=1,
                last_error=sent.failed,
                sent_at=None if sent.failed else sent.due_at,
                answer=answered.kind if answered else None,
                answered_by=people[answered.who] if answered else None,
                answered_at=answered.at if answered else None,
            )
            session.add(delivery)
            session.flush()
            for who in (0, 1) if sent.kind in ("midpoint", "closing") and not sent.failed else ():
                answered_at = sent.due_at + dt.timedelta(days=2 + 5 * who + n % 3)
                if happened(answered_at) and (n + who) % 4:  # some never answer
                    session.add(
                        Reflection(
                            delivery_id=delivery.id,
                            pair_id=pair.id,
                            person_id=people[who].id,
                            phase=sent.kind,
                            score=(n + who) % 5 + 1,
                            created_at=answered_at,
                        )
                    )
            for click in [answered] if answered else []:
                session.add(
                    Response(
                        delivery_id=delivery.id,
                        person_id=people[click.who].id,
                        action=click.kind,
                        created_at=click.at,
                    )
                )
            for click in sent.help:
                if happened(click.at):
                    handled = happened(click.handled_at)
                    session.add(
                        Response(
                            delivery_id=delivery.id,
                            person_id=people[click.who].id,
                            action="help",
                            created_at=click.at,
                            handled_at=click.handled_at if handled else None,
                            handled_by_id=casey.id if handled and click.handled_by_casey else None,
                        )
                    )
    session.flush()


# -- the figures, recomputed by hand -------------------------------------------------------------


def recompute(session: Session, now: dt.datetime, period: Period | None) -> dict:
    """The summary as the docs define it, from plain queries, one pair at a time."""
    if period is None:
        as_of, until, since = now.date(), now, now - dt.timedelta(days=60)
    else:
        as_of = min(period.end, now.date())
        until, since = min(now, end_of(period.end)), at(period.start, 0)

    def in_period_day(day: dt.date) -> bool:
        return period is None or period.start <= day <= period.end

    def in_period_moment(moment: dt.datetime | None) -> bool:
        if moment is None:
            return False
        return period is None or at(period.start, 0) <= moment <= end_of(period.end)

    def in_window(moment: dt.datetime) -> bool:
        return since <= moment <= until

    pairs, totals = {}, Counter()
    weekly: Counter[dt.date] = Counter()
    for pair in session.scalars(select(Pair).order_by(Pair.id)):
        program = session.get(Program, pair.program_id)
        paused_at = session.scalar(
            select(func.max(AuditEvent.at)).where(
                AuditEvent.entity == "pair",
                AuditEvent.entity_id == pair.id,
                AuditEvent.action == "pair.pause",
            )
        )
        ended_by_then = pair.status == "ended" and (pair.ended_at is None or pair.ended_at <= until)
        if ended_by_then or as_of > program.end_date:
            status = "ended"
        elif pair.start_date > as_of:
            status = "not started"
        elif (
            pair.status == "paused"
            and (paused_at is None or paused_at <= until)
            and (pair.paused_until is None or pair.paused_until > as_of)
        ):
            status = "paused"
        else:
            status = "active"

        meetings = session.scalars(select(Meeting).where(Meeting.pair_id == pair.id)).all()
        counted = [m for m in meetings if in_period_day(m.met_on)]
        ratings = [m.rating for m in counted if m.rating is not None]
        reflections = session.scalars(select(Reflection).where(Reflection.pair_id == pair.id)).all()
        reflected = [r for r in reflections if period is None or in_period_moment(r.created_at)]
        known = [m.met_on for m in meetings if period is None or m.met_on <= period.end]
        last = max(known, default=None)
        minutes = sum(m.duration_minutes or 0 for m in counted)
        for m in counted:
            weekly[m.met_on - dt.timedelta(days=m.met_on.weekday())] += 1
        goals = session.scalars(select(Goal).where(Goal.pair_id == pair.id)).all()
        goals_set = sum(1 for g in goals if period is None or in_period_moment(g.created_at))
        goals_done = sum(
            1
            for g in goals
            if g.status == "done" and (period is None or in_period_moment(g.closed_at))
        )
        deliveries = session.scalars(select(Delivery).where(Delivery.pair_id == pair.id)).all()

        def answered_by_then(d: Delivery) -> bool:
            return d.answer is not None and (d.answered_at is None or d.answered_at <= until)

        suggestions = [
            d
            for d in deliveries
            if d.status == "sent"
            and d.kind in SUGGESTING
            and (period is None or in_period_moment(d.due_at))
        ]
        answered = [d for d in suggestions if answered_by_then(d)]
        unanswered = [
            d for d in suggestions if since <= d.due_at <= until - GRACE and not answered_by_then(d)
        ]
        failed = sorted(
            (d for d in deliveries if d.status == "failed" and in_window(d.due_at)),
            key=lambda d: (d.due_at, d.id),
        )
        responses = session.scalars(
            select(Response)
            .join(Delivery, Response.delivery_id == Delivery.id)
            .where(Delivery.pair_id == pair.id)
        ).all()
        helps = sorted(
            (r for r in responses if r.action == "help" and in_window(r.created_at)),
            key=lambda r: (r.created_at, r.id),
        )
        latest_help = helps[-1] if helps else None
        handled = latest_help is not None and latest_help.handled_at is not None
        handled = handled and latest_help.handled_at <= until
        handler = (
            session.get(Person, latest_help.handled_by_id)
            if handled and latest_help.handled_by_id
            else None
        )
        acts = [
            m.logged_by_id
            for m in meetings
            if m.met_on >= since.date() and (period is None or m.met_on <= period.end)
        ]
        acts += [g.created_by_id for g in goals if in_window(g.created_at)]
        acts += [r.person_id for r in responses if in_window(r.created_at)]
        acts = [person for person in acts if person is not None]
        mentor, mentee = session.get(Person, pair.mentor_id), session.get(Person, pair.mentee_id)

        reasons: list[str] = []
        if status not in ("ended", "not started"):
            two_rounds = dt.timedelta(weeks=2 * program.interval_weeks)
            if status == "active" and as_of - pair.start_date >= two_rounds:
                if last is None:
                    reasons.append("no meeting for two suggestion rounds (none logged)")
                elif as_of - last >= two_rounds:
                    reasons.append(f"no meeting for two suggestion rounds (last {last})")
            if len(unanswered) >= 2:
                reasons.append(f"{len(unanswered)} suggestions unanswered")
            if len(set(acts)) == 1 and len(acts) > 1:
                who = mentor if acts[0] == mentor.id else mentee
                reasons.append(f"one-sided engagement: only {who.display_name} active")
            if latest_help is not None and not handled:
                reasons.append(f"asked for help on {latest_help.created_at.date()}")
            for person in (mentor, mentee):
                gone_by_then = person.unreachable_since is None or person.unreachable_since <= until
                if person.unreachable_reason and gone_by_then:
                    reasons.append(
                        f"{person.display_name} unreachable: {person.unreachable_reason}"
                    )
            if len(failed) == 1:
                reasons.append(f"a delivery failed: {failed[0].last_error}")
            elif failed:
                reasons.append(
                    f"{len(failed)} deliveries failed, the last: {failed[-1].last_error}"
                )
            if reasons and handled:
                by = f"by {handler.display_name}" if handler else "from the command line"
                reasons.append(
                    f"asked for help on {latest_help.created_at.date()} — handled {by} on "
                    f"{latest_help.handled_at.date()}"
                )
        pairs[pair.id] = {
            "status": status,
            "meetings": len(counted),
            "hours": round(minutes / 60, 1),
            "last_meeting": last,
            "goals_set": goals_set,
            "goals_done": goals_done,
            "suggestions_sent": len(suggestions),
            "suggestions_answered": len(answered),
            "meetings_rated": len(ratings),
            "average_rating": round(sum(ratings) / len(ratings), 1) if ratings else None,
            "reflections": len(reflected),
            "help_asked_on": latest_help.created_at.date() if latest_help else None,
            "help_handled_on": latest_help.handled_at.date() if handled else None,
            "help_handled_by": (handler.display_name if handler else "command line")
            if handled
            else None,
            "attention": reasons,
        }
        totals[f"{status}_pairs"] += 1
        totals["met_last_30"] += last is not None and as_of - last <= dt.timedelta(days=30)
        totals["met_last_60"] += last is not None and as_of - last <= dt.timedelta(days=60)
        totals["meetings"] += len(counted)
        totals["minutes"] += minutes
        totals["goals_set"] += goals_set
        totals["goals_done"] += goals_done
        totals["suggestions_sent"] += len(suggestions)
        totals["suggestions_answered"] += len(answered)
        totals["rated_meetings"] += len(ratings)
        totals["rating_total"] += sum(ratings)
        totals["reflections"] += len(reflected)
    return {"as_of": as_of, "pairs": pairs, "totals": totals, "weekly": sorted(weekly.items())}


def figures(summary: ParticipationSummary) -> dict:
    """The same figures as the summary reports them (its rows, totals, JSON and CSV)."""
    t = summary.totals
    totals = Counter(
        active_pairs=t.active_pairs,
        paused_pairs=t.paused_pairs,
        ended_pairs=t.ended_pairs,
        **{"not started_pairs": t.not_started_pairs},
        met_last_30=t.met_last_30,
        met_last_60=t.met_last_60,
        meetings=t.meetings,
        minutes=t.minutes,
        goals_set=t.goals_set,
        goals_done=t.goals_done,
        suggestions_sent=t.suggestions_sent,
        suggestions_answered=t.suggestions_answered,
        rated_meetings=t.rated_meetings,
        rating_total=t.rating_total,
        reflections=t.reflections,
    )
    pairs = {
        row.pair_id: {
            "status": row.status,
            "meetings": row.meetings,
            "hours": row.hours,
            "last_meeting": row.last_meeting,
            "goals_set": row.goals_set,
            "goals_done": row.goals_done,
            "suggestions_sent": row.suggestions_sent,
            "suggestions_answered": row.suggestions_answered,
            "meetings_rated": row.rated_meetings,
            "average_rating": row.average_rating,
            "reflections": row.reflections,
            "help_asked_on": row.help_asked_at.date() if row.help_asked_at else None,
            "help_handled_on": row.help_handled_at.date() if row.help_handled_at else None,
            "help_handled_by": (row.help_handled_by or "command line")
            if row.help_handled_at
            else None,
            "attention": row.attention,
        }
        for row in summary.pairs
    }
    return {
        "as_of": summary.as_of,
        "pairs": pairs,
        "totals": +totals,
        "weekly": summary.meetings_per_week,
    }


def renderings_agree(summary: ParticipationSummary) -> None:
    """The JSON and the CSV carry the same figures as the summary's rows and totals."""
    data = summary_json(summary)
    t = summary.totals
    assert data["totals"]["active_pairs"] == t.active_pairs
    assert data["totals"]["ended_pairs"] == t.ended_pairs
    assert data["totals"]["met_last_30_days"] == t.met_last_30
    assert data["totals"]["hours"] == t.hours
    assert data["totals"]["average_rating"] == t.average_rating
    assert data["totals"]["reflections"] == t.reflections
    assert len(data["needing_attention"]) == len(summary.needing_attention)
    table = list(csv.DictReader(io.StringIO(summary_csv(summary).decode())))
    for row, line, listed in zip(summary.pairs, table, data["pairs"], strict=True):
        assert line["status"] == listed["status"] == row.status
        assert int(line["meetings"]) == listed["meetings"] == row.meetings
        assert int(line["reflections"]) == listed["reflections"] == row.reflections
        assert line["attention"] == listed["attention"] == "; ".join(row.attention)
        assert line["help_handled_by"] == listed["help_handled_by"]


MOMENTS = (
    at(dt.date(2026, 10, 20), 15.5),
    end_of(dt.date(2026, 12, 31)),
    at(dt.date(2027, 1, 10), 12),
    at(dt.date(2027, 2, 20), 9),
    end_of(dt.date(2027, 3, 31)),
    at(dt.date(2027, 4, 22), 12),  # a round went out two days ago: inside the grace
    at(dt.date(2027, 5, 10), 16),
    at(dt.date(2027, 7, 1), 9),  # the program ended yesterday; no tick has ended its pairs
    at(dt.date(2027, 8, 15), 12),
)
Q4, Q1 = (
    Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
    Period(dt.date(2027, 1, 1), dt.date(2027, 3, 31)),
)


def periods_at(moment: dt.datetime) -> list[Period | None]:
    quarter = (moment.month - 1) // 3
    this_quarter = Period(
        dt.date(moment.year, 3 * quarter + 1, 1),
        dt.date(moment.year + (quarter == 3), (3 * quarter + 3) % 12 + 1, 1) - dt.timedelta(days=1),
    )
    return [
        None,
        Q4,
        Q1,
        this_quarter,
        Period(dt.date(2026, 11, 15), dt.date(2027, 2, 10)),
        Period(EARLIEST, moment.date()),
    ]


@pytest.fixture(scope="module")
def year() -> list[PairYear]:
    return simulate_year()


@pytest.fixture
def database_at(migrated_template: Path, tmp_path: Path, year):
    """A core over a fresh database holding the simulated year up to a moment."""

    def make(moment: dt.datetime):
        target = tmp_path / f"at-{moment:%Y%m%d%H%M%S}.db"
        shutil.copy(migrated_template, target)
        core = make_core(f"sqlite:///{target}", Clock(moment))
        with session_scope(core.sessions) as session:
            build(session, year, moment)
        return core

    return make


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.strftime("%Y-%m-%dT%H"))
def test_every_figure_matches_a_recount_by_hand(database_at, moment):
    """At each moment and for each period, totals, per-pair rows, statuses, attention reasons
    and meetings per week are what plain queries over the stored history give."""
    core = database_at(moment)
    for period in periods_at(moment):
        with session_scope(core.sessions) as session:
            summary = compute_summary(session, moment, period=period)
            expected = recompute(session, moment, period)
        got = figures(summary)
        for pair_id, row in expected["pairs"].items():
            assert got["pairs"][pair_id] == row, (moment, period, pair_id)
        assert got["totals"] == +expected["totals"], (moment, period)
        assert got["weekly"] == expected["weekly"], (moment, period)
        assert got["as_of"] == expected["as_of"]
        renderings_agree(summary)


def test_the_year_shows_every_kind_of_figure(database_at):
    """The simulated year is worth checking: every status and every reason occurs in it."""
    statuses, reasons, rated, reflected = set(), set(), 0, 0
    for moment in MOMENTS:
        core = database_at(moment)
        for period in periods_at(moment):
            with session_scope(core.sessions) as session:
                summary = compute_summary(session, moment, period=period)
            statuses |= {row.status for row in summary.pairs}
            rated += summary.totals.rated_meetings
            reflected += summary.totals.reflections
            reasons |= {
                r.split(":")[0].split(" (")[0] for row in summary.pairs for r in row.attention
            }
    assert statuses == {"active", "paused", "ended", "not started"}
    assert rated and reflected  # ratings and reflections are counted somewhere in the year
    found = " | ".join(sorted(reasons))
    for kind in (
        "no meeting for two suggestion rounds",
        "suggestions unanswered",
        "one-sided engagement",
        "asked for help on",
        "— handled by Casey on",
        "— handled from the command line on",
        "Mentee 7 unreachable",
        "a delivery failed",
    ):
        assert kind in found, f"{kind!r} never occurs: {found}"


@pytest.mark.parametrize("period", [Q4, Q1], ids=["2026Q4", "2027Q1"])
def test_a_period_read_later_agrees_with_the_summary_read_at_its_end(database_at, period):
    """Read months later, a quarter's statuses, last meetings and pairs met in the last 30 and
    60 days are those the all-time summary showed at the quarter's last instant."""
    then = end_of(period.end)
    with session_scope(database_at(then).sessions) as session:
        at_the_end = compute_summary(session, then)
    later = at(dt.date(2027, 8, 15), 12)
    with session_scope(database_at(later).sessions) as session:
        read_later = compute_summary(session, later, period=period)
    assert read_later.as_of == at_the_end.as_of == period.end
    for name in ("active_pairs", "paused_pairs", "ended_pairs", "met_last_30", "met_last_60"):
        assert getattr(read_later.totals, name) == getattr(at_the_end.totals, name), name
    assert [(r.status, r.last_meeting) for r in read_later.pairs] == [
        (r.status, r.last_meeting) for r in at_the_end.pairs
    ]


# -- conversations -------------------------------------------------------------------------------

CASEY, ADA, BEN = actor("casey"), actor("ada"), actor("ben")


def summary_text(core, typed: str = "") -> str:
    return text_of(core.command(CASEY, "mentoring-summary", typed))


def test_a_pair_that_met_in_december_is_not_quiet_in_january(core, pair_id, clock):
    """Met on Dec 19 and 22: in January, 2027Q1 does not call the pair quiet, and "met in the
    last 30 days" agrees with the all-time view; at the quarter's end it is quiet, truly."""
    for day in ("2026-12-19", "2026-12-22"):
        clock.now = dt.datetime.fromisoformat(day).replace(hour=20, tzinfo=UTC)
        core.command(ADA, "log-meeting", f"{day} 1h met")
    clock.now = dt.datetime(2027, 1, 10, 15, tzinfo=UTC)
    quarter, all_time = summary_text(core, "--period 2027Q1"), summary_text(core)
    assert "no meeting for two suggestion rounds" not in quarter
    met = "Pairs that met in the last 30 days: 1; in the last 60 days: 1"
    assert met in quarter and met in all_time
    assert "Meetings: 0, 0.0 hours" in quarter and "Meetings: 2, 2.0 hours" in all_time
    clock.now = dt.datetime(2027, 5, 2, 15, tzinfo=UTC)
    assert "no meeting for two suggestion rounds (last 2026-12-22)" in summary_text(
        core, "--period 2027Q1"
    )
    assert "Pairs that met in the last 30 days: 0; in the last 60 days: 0" in summary_text(
        core, "--period 2027Q1"
    )


def test_a_quarter_lists_only_the_help_asked_for_in_it(core, pair_id, clock):
    """Help asked for on 2027-01-05 is not in the 2026Q4 report, read later; it is in 2027Q1's."""
    ask_for_help(core, clock, pair_id, dt.datetime(2027, 1, 5, 16, tzinfo=UTC))
    clock.now = dt.datetime(2027, 1, 20, 15, tzinfo=UTC)
    assert "asked for help" not in summary_text(core, "--period 2026Q4")
    assert "asked for help on 2027-01-05" in summary_text(core, "--period 2027Q1")
    assert "asked for help on 2027-01-05" in summary_text(core)


def add_suggestion(core, pair_id: int, due: dt.datetime, key: str) -> None:
    with session_scope(core.sessions) as session:
        session.add(
            Delivery(
                pair_id=pair_id,
                kind="suggestion",
                round_key=key,
                due_at=due,
                status="sent",
                sent_at=due,
            )
        )


def test_a_suggestion_counts_as_unanswered_only_after_the_grace(core, pair_id, clock):
    """Two suggestions left unanswered flag the pair only once four days have passed since the
    second was delivered; one delivered hours ago is not yet unanswered."""
    core.command(ADA, "log-meeting", "today 1h met")  # not quiet
    add_suggestion(core, pair_id, dt.datetime(2026, 11, 3, 15, tzinfo=UTC), "r1")
    add_suggestion(core, pair_id, dt.datetime(2026, 11, 10, 15, tzinfo=UTC), "r2")
    clock.now = dt.datetime(2026, 11, 10, 18, tzinfo=UTC)
    assert "suggestions unanswered" not in summary_text(core)
    clock.now = dt.datetime(2026, 11, 14, 14, tzinfo=UTC)
    assert "suggestions unanswered" not in summary_text(core)
    clock.now = dt.datetime(2026, 11, 14, 15, tzinfo=UTC)
    assert "2 suggestions unanswered" in summary_text(core)


def test_an_ended_programs_pairs_are_not_active(core, clock):
    """Once the program's end date has passed, its pairs count as ended, none needs attention,
    even before the scheduler has ended them."""
    program = add_program(core, start=dt.date(2026, 9, 1), end=dt.date(2027, 6, 30))
    add_pair(core, program, PairSpec("ada", "ben", start=dt.date(2026, 9, 1)))
    clock.now = dt.datetime(2027, 6, 30, 15, tzinfo=UTC)
    assert "Active pairs: 1 (paused: 0)\nEnded pairs: 0" in summary_text(core)
    clock.now = dt.datetime(2027, 7, 1, 9, tzinfo=UTC)
    text = summary_text(core)
    assert "Active pairs: 0 (paused: 0)\nEnded pairs: 1" in text
    assert "No pair needs attention" in text
    assert "Active pairs: 1" in summary_text(core, "--period 2027Q2")


def test_a_pair_not_started_yet_is_said_so(core, program_id, clock):
    """A pair whose start date is still ahead is neither active nor quiet."""
    add_pair(core, program_id, PairSpec("ada", "ben", start=dt.date(2027, 1, 11)))
    text = summary_text(core)
    assert "Active pairs: 0 (paused: 0)\nEnded pairs: 0; not started yet: 1" in text
    assert "No pair needs attention" in text


def test_an_unknown_cohort_is_refused_naming_the_cohorts(core, program_id):
    """A cohort with no pairs is refused in one sentence that names the cohorts there are."""
    add_pair(core, program_id, PairSpec("ada", "ben", cohort="Fall 2026"))
    add_pair(core, program_id, PairSpec("dev", "eve", cohort="Spring 2027"))
    reply = core.command(CASEY, "mentoring-summary", "Nope --period 2026Q4")
    assert text_of(reply) == (
        "No pairs in cohort “Nope”; the cohorts with pairs are “Fall 2026”, “Spring 2027”."
    )
    assert reply.message.attachments == ()
    assert "cohort Fall 2026" in summary_text(core, '"Fall 2026"')
