"""A round of Slack pairs through the real Slack outbound, against Slack's rate limits.

The real ``scheduler.tick.Ticker`` (``bot.app.build_ticker``) delivers through the real
``bot.slack_app.outbound.SlackOutbound``, whose ``AsyncWebClient`` (``make_client``, pointed by
``SLACK_API_URL`` at ``web_api.RateLimitedSlack``) calls a local fake of the Web API that
enforces Slack's published tiers. Everything runs on one simulated clock (``clock.py``): the
outbound's ``Pacer`` (with ``pacing.TIERS`` as the code has them at run time) and slack-sdk's
429 retries sleep on it, the fake's calls take 50 simulated ms and its rate windows read it. So
a round that would take Slack hours takes seconds of real time; the database and CPU cost no
simulated time (``bench.round`` measures those).

The program (America/New_York, every 3 weeks, Tuesdays 10:00) started Tue 1 Sep 2026; every
pair started then, two members each, all in the program's zone, so all are due at once. Every
500th pair's mentee is deactivated on Slack (``deleted: true`` in users.list and users.info):
that pair must be flagged, not messaged.

- ``later round``: round 3, Tue 3 Nov 2026 10:00 local; each pair has its welcome and rounds
  1-2 behind it (as in ``bench.round``) and its group DM open and stored in
  ``pairs.conversation_id``.
- ``kickoff``: the welcome, Tue 1 Sep 2026 10:00 local; no conversation opened yet.

The pairs are in the database a day before the moment, and the scheduler ticks every
``MENTORBOT_TICK_SECONDS`` (60) from then on, each tick once the one before has ended (as
APScheduler's ``max_instances=1`` has it). Before the moment, ticks run until one does nothing
new (no conversation opened, no message posted, nothing planned); the ticks after it until the
moment would do the same, so they are skipped (the calls each would repeat are printed). Work
done before the moment is "ahead of the round". From the moment, ticks run until no delivery is
left to send; ticks that would find nothing claimable (every retry waiting for its time) are
skipped.

Printed per scenario and size: simulated time of the round (from the moment to the end of the
tick that recorded the last delivery) and real time, calls and 429s per method, and the ratio
to the floor: the least simulated time the binding limit allows for the calls that must
happen, at its steady rate: the later round's posts at 750 a minute; the kickoff's
conversations.open at 50 a minute (when the code opens conversations ahead of the round, that
time is shown beside this floor, and the round's own time against the posting floor).
Targets: the later round within 1.2 times its floor; 10,000 pairs' round in under 15
simulated minutes.

``--limits bucket`` runs the same against the lenient reading of Slack's limits (see
``web_api``); ``python -m bench.round_slack.clock_check`` checks the simulated clock itself.

    python -m bench.round_slack [--pairs 1000 10000] [--scenario "later round" kickoff]
                                [--limits window|bucket]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from bench.fixtures import (
    GOAL_TEXTS,
    Report,
    add_pairs,
    add_program,
    bulk_insert,
    meetings_and_goals,
    migrated_sqlite,
    render,
)
from bench.round_slack.clock import (
    VirtualClock,
    count_threads,
    use_simulated_time,
    virtual_retry_handlers,
)
from bench.round_slack.web_api import (
    LATENCY,
    LIMITS,
    METHOD_TIERS,
    POSTS_PER_MINUTE,
    TIER_PER_MINUTE,
    RateLimitedSlack,
    Tally,
)

ZONE = ZoneInfo("America/New_York")
START = dt.date(2026, 9, 1)  # a Tuesday
SCENARIOS = {  # name: (the moment the round is due, whether pairs are two rounds in)
    "later round": (dt.datetime(2026, 11, 3, 10, 0, tzinfo=ZONE), True),
    "kickoff": (dt.datetime(2026, 9, 1, 10, 0, tzinfo=ZONE), False),
}
AHEAD = dt.timedelta(days=1)  # the pairs are in the database this long before the moment
DEACTIVATED_EVERY = 500  # pair numbers divisible by this have a deactivated mentee
ROUND_CAP = dt.timedelta(hours=24)  # give up (and say so) after this much simulated time
REAL_TIMEOUT = 900  # seconds of real time per scenario before it counts as hung
RATIO_TARGET = 1.2
MINUTES_TARGET = 15.0
OPEN_PER_MINUTE = TIER_PER_MINUTE[METHOD_TIERS["conversations.open"]]


def user_id(person_id: int) -> str:
    """As ``bench.fixtures.add_pairs`` names them."""
    return f"U{person_id:07d}"


def deactivated_pairs(pairs: int) -> list[int]:
    return list(range(DEACTIVATED_EVERY, pairs + 1, DEACTIVATED_EVERY))


def populate(url: str, pairs: int, with_history: bool) -> None:
    """``pairs`` Slack pairs of the program; with history, two rounds into their year."""
    from prompts.catalog import load_catalog
    from storage.db import make_engine, make_session_factory, session_scope
    from storage.models import Delivery, Goal, Meeting

    activities = sorted(load_catalog().activity_ids)
    history = [
        ("welcome", "start", START),
        *(("suggestion", f"r{n}", START + dt.timedelta(weeks=3 * n)) for n in (1, 2)),
    ]
    deliveries, meetings, goals = [], [], []
    for i in range(1, (pairs if with_history else 0) + 1):
        for k, (kind, key, day) in enumerate(history):
            delivery_id = (i - 1) * len(history) + k + 1
            due = dt.datetime.combine(day, dt.time(14), tzinfo=dt.UTC)
            deliveries.append(
                {
                    "id": delivery_id,
                    "pair_id": i,
                    "kind": kind,
                    "round_key": key,
                    "due_at": due,
                    "activity_id": activities[(i + 5 * k) % len(activities)],
                    "swaps": 0,
                    "status": "sent",
                    "attempts": 1,
                    "next_attempt_at": None,
                    "last_error": None,
                    "claim_token": None,
                    "message_ref": f"1700000000.{delivery_id:06d}",
                    "conversation_ref": f"C{i}",
                    "sent_at": due,
                    "answer": None,
                    "answered_by_id": None,
                    "answered_at": None,
                    "created_at": due,
                }
            )
        past_meetings, open_goals = meetings_and_goals(i, START, GOAL_TEXTS)
        meetings += past_meetings
        goals += open_goals
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        add_program(session, start=START, end=dt.date(2027, 8, 31), timezone=ZONE.key)
        add_pairs(
            session,
            pairs,
            start=lambda i: START,
            conversation=lambda i: f"C{i}" if with_history else None,
            platform="slack",
        )
        for model, rows in ((Delivery, deliveries), (Meeting, meetings), (Goal, goals)):
            bulk_insert(session, model, rows)
    engine.dispose()


@dataclass
class Outcome:
    """What one scenario did, in simulated seconds unless named real."""

    pairs: int
    deactivated: int
    statuses: Counter[str]
    flagged_people: int
    duplicates: int
    ahead: Tally
    ahead_seconds: float
    ahead_ticks: int
    idle_calls: Counter[str]
    during: Tally
    round_seconds: float
    last_post_seconds: float | None
    ticks: int
    finished: bool
    real_seconds: float
    clock_jumps: int
    tiers: dict[str, int]
    retry_handlers: int
    reclocked: list[str]


def _round_state(sessions: Any, since: dt.datetime) -> tuple[Counter[str], dt.datetime | None]:
    """This round's deliveries by status, and the earliest retry still to come."""
    from sqlalchemy import func, select

    from storage.models import Delivery

    with sessions() as session:
        statuses = Counter(
            dict(
                session.execute(
                    select(Delivery.status, func.count())
                    .where(Delivery.created_at >= since)
                    .group_by(Delivery.status)
                ).all()
            )
        )
        earliest = session.scalar(
            select(func.min(Delivery.next_attempt_at)).where(
                Delivery.status.in_(("pending", "sending"))
            )
        )
    if earliest is not None and earliest.tzinfo is None:
        earliest = earliest.replace(tzinfo=dt.UTC)
    return Counter({str(k): v for k, v in statuses.items()}), earliest


def _flagged(sessions: Any) -> int:
    from sqlalchemy import func, select

    from storage.models import Person

    with sessions() as session:
        found = session.scalar(select(func.count()).where(Person.unreachable_reason.is_not(None)))
    return int(found or 0)


async def simulate(url: str, pairs: int, scenario: str, limits: str) -> Outcome:
    """Tick through one round on the simulated clock; what the fake Slack saw."""
    from bot.app import build_core, build_ticker
    from bot.core.conversations import PairConversations
    from bot.settings import Settings
    from bot.slack_app import pacing
    from bot.slack_app.app import make_client
    from bot.slack_app.outbound import SlackOutbound

    due, with_history = SCENARIOS[scenario]
    first = due - AHEAD
    loop = asyncio.get_running_loop()
    clock = VirtualClock(first.timestamp())
    count_threads(clock, loop)
    mover = clock.start()
    real_started = time.perf_counter()
    gone = {user_id(2 * i) for i in deactivated_pairs(pairs)}
    async with RateLimitedSlack(clock, limits) as slack, aiohttp.ClientSession() as http:
        slack.add_members([user_id(n) for n in range(1, 2 * pairs + 1)], gone)
        if with_history:
            for i in range(1, pairs + 1):
                slack.add_conversation(f"C{i}", (user_id(2 * i - 1), user_id(2 * i)))
        settings = Settings(
            DATABASE_URL=url,
            SLACK_BOT_TOKEN="xoxb-bench",
            SLACK_SIGNING_SECRET="bench-secret",
            SLACK_API_URL=slack.url,
        )
        core = build_core(settings, clock=clock.datetime)
        client = make_client(settings)
        client.session = http  # one connection pool: real time only, Slack sees the same calls
        swapped = virtual_retry_handlers(client, clock)
        tiers = dict(pacing.TIERS)
        pacer = pacing.Pacer(tiers, clock=clock.time, sleep=clock.sleep)
        outbound = SlackOutbound(client, PairConversations(core.sessions), pacer)
        reclocked = use_simulated_time(outbound, clock)
        ticker = build_ticker(core, {"slack": outbound})
        every = dt.timedelta(seconds=settings.tick_seconds)

        ahead_ticks, ahead_seconds, idle_calls = 0, 0.0, Counter[str]()
        moment = first
        while moment < due:  # the day before: ticks until one does nothing new
            clock.move_to(moment)
            before = slack.tally.copy()
            done = await ticker.tick(moment)
            ahead_ticks += 1
            made = slack.tally.since(before)
            if not (made.changes or done.planned or done.sent):
                idle_calls = made.calls  # what each later tick before the moment repeats
                break
            ahead_seconds = clock.now - first.timestamp()
            moment = max(
                moment + every, first + every * math.ceil((clock.datetime() - first) / every)
            )
        ahead = slack.tally.copy()
        ticks, finished, statuses = 0, False, Counter[str]()
        moment = due + every * max(0, math.ceil((clock.datetime() - due) / every))
        while moment - due <= ROUND_CAP:
            clock.move_to(moment)
            await ticker.tick(moment)
            ticks += 1
            statuses, earliest = await asyncio.to_thread(_round_state, core.sessions, first)
            if not statuses["pending"] and not statuses["sending"]:
                finished = True
                break
            wake = max(clock.datetime(), earliest or clock.datetime(), moment + every)
            moment = due + every * math.ceil((wake - due) / every)
        round_end = clock.now
        flagged = await asyncio.to_thread(_flagged, core.sessions)
        during = slack.tally.since(ahead)
        last_post = slack.tally.last_post_at
        outcome = Outcome(
            pairs=pairs,
            deactivated=len(gone),
            statuses=statuses,
            flagged_people=flagged,
            duplicates=slack.duplicate_posts(),
            ahead=ahead,
            ahead_seconds=ahead_seconds,
            ahead_ticks=ahead_ticks,
            idle_calls=idle_calls,
            during=during,
            round_seconds=round_end - due.timestamp(),
            last_post_seconds=last_post - due.timestamp() if last_post else None,
            ticks=ticks,
            finished=finished,
            real_seconds=time.perf_counter() - real_started,
            clock_jumps=clock.jumps,
            tiers=tiers,
            retry_handlers=swapped,
            reclocked=reclocked,
        )
    mover.cancel()
    bind = core.sessions.kw.get("bind")
    if bind is not None:
        bind.dispose()
    return outcome


# -- figures ----------------------------------------------------------------------------------


def _per_minute(method: str) -> int | None:
    if method == "chat.postMessage":
        return POSTS_PER_MINUTE
    tier = METHOD_TIERS.get(method)
    return TIER_PER_MINUTE[tier] if tier else None


def binding(tally: Tally) -> tuple[str, float]:
    """The method whose accepted calls need the most time at its limit, and that time."""
    needs = {}
    for method, calls in tally.calls.items():
        rate = _per_minute(method)
        if rate:
            needs[method] = (calls - tally.limited[method]) * 60 / rate
    if not needs:
        return "none", 0.0
    method = max(needs, key=lambda m: needs[m])
    return method, needs[method]


def calls_by_method(tally: Tally) -> str:
    parts = []
    for method, calls in sorted(tally.calls.items(), key=lambda item: -item[1]):
        limited = tally.limited[method]
        parts.append(f"{method} {calls:,}" + (f" ({limited:,}×429)" if limited else ""))
    return ", ".join(parts) or "none"


def minutes(seconds: float) -> str:
    return f"{seconds:,.0f} s = {seconds / 60:.1f} min"


def add_figures(report: Report, scenario: str, o: Outcome) -> None:
    label = f"{scenario}, {o.pairs:,} pairs:"
    must_post = o.pairs - o.deactivated
    sent, failed = o.statuses["sent"], o.statuses["failed"]
    report.add(
        f"{label} sent / flagged / left",
        f"{sent:,} / {failed:,} / {o.statuses['pending'] + o.statuses['sending']:,}",
        f"{must_post:,} / {o.deactivated} / 0, none twice",
        sent == must_post
        and failed == o.deactivated == o.flagged_people
        and o.finished
        and not o.duplicates,
    )
    post_floor = must_post * 60 / POSTS_PER_MINUTE
    open_floor = must_post * 60 / OPEN_PER_MINUTE
    opened_ahead = o.ahead.calls["conversations.open"]
    if scenario == "kickoff" and not opened_ahead:
        floor, floor_text = open_floor, f"{must_post:,} conversations.open at {OPEN_PER_MINUTE}/min"
    else:
        floor, floor_text = post_floor, f"{must_post:,} chat.postMessage at {POSTS_PER_MINUTE}/min"
    if scenario == "kickoff" or sum(o.ahead.calls.values()):
        report.add(f"{label} calls ahead of the round", calls_by_method(o.ahead))
    if o.ahead.changes:
        report.add(
            f"{label} ahead of the round, simulated ({o.ahead_ticks} ticks)",
            minutes(o.ahead_seconds),
        )
    if opened_ahead:
        report.add(
            f"{label} ahead / conversations.open floor",
            f"{o.ahead_seconds / open_floor:.2f}",
            f"floor {minutes(open_floor)}",
        )
    if o.idle_calls:
        report.add(
            f"{label} calls each idle tick ahead repeats", calls_by_method(Tally(o.idle_calls))
        )
    big = o.pairs >= 10_000
    report.add(
        f"{label} round, simulated ({o.ticks} ticks)",
        minutes(o.round_seconds) + ("" if o.finished else " (gave up)"),
        f"< {MINUTES_TARGET:g} min" if big else "",
        o.round_seconds < MINUTES_TARGET * 60 if big else None,
    )
    report.add(f"{label} real time", f"{o.real_seconds:.1f} s")
    report.add(f"{label} calls in the round", calls_by_method(o.during))
    report.add(f"{label} 429s received", f"{sum(o.during.limited.values()):,}")
    ratio = o.round_seconds / floor
    later = scenario == "later round"
    report.add(
        f"{label} round / floor",
        f"{ratio:.2f}",
        f"≤ {RATIO_TARGET:g}" if later else "",
        ratio <= RATIO_TARGET if later else None,
    )
    report.add(f"{label} floor", f"{minutes(floor)}: {floor_text}")
    method, needed = binding(o.during)
    report.add(f"{label} binding limit", f"{method}: {minutes(needed)} of accepted calls")
    report.notes.append(
        f"{label} last post {minutes(o.last_post_seconds or 0)} after the moment; "
        f"{o.clock_jumps:,} clock moves"
    )


def run(
    sizes: tuple[int, ...] = (1_000, 10_000),
    scenarios: tuple[str, ...] = tuple(SCENARIOS),
    limits: str = "window",
) -> Report:
    """Fill a database per scenario and size and tick its round on the simulated clock."""
    report = Report("round_slack")
    outcome: Outcome | None = None
    with tempfile.TemporaryDirectory(prefix="mentorbot-bench-") as tmp:
        for scenario in scenarios:
            for size in sizes:
                url = migrated_sqlite(Path(tmp), f"{scenario.replace(' ', '')}-{size}.db")
                started = time.perf_counter()
                populate(url, size, SCENARIOS[scenario][1])
                filled = time.perf_counter() - started
                outcome = asyncio.run(
                    asyncio.wait_for(simulate(url, size, scenario, limits), REAL_TIMEOUT)
                )
                add_figures(report, scenario, outcome)
                report.notes[-1] += f"; database filled in {filled:.1f} s"
    if outcome is not None:
        report.notes.append(
            f"pacer TIERS at run time: {outcome.tiers}; {outcome.retry_handlers} slack-sdk "
            "retry handler(s) made to sleep simulated time; clocks set to simulated time: "
            + (", ".join(outcome.reclocked) or "none")
        )
    report.notes.append(
        f"rate limits: {limits} (a call accepted only within the published per-minute figure"
        + (" in any 60 s" if limits == "window" else ", a minute's burst allowed")
        + f"); {LATENCY * 1000:g} ms simulated latency per call"
    )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.round_slack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--pairs", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--scenario", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS))
    parser.add_argument("--limits", choices=LIMITS, default="window")
    args = parser.parse_args()
    render([run(tuple(args.pairs), tuple(args.scenario), args.limits)])


if __name__ == "__main__":
    main()
