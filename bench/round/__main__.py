"""One round for every pair, through the real Ticker into an in-process sink.

A program starts Tue 1 Sep 2026 (America/New_York, Tuesdays 10:00, every 3 weeks); every pair
started that day; mentees live in five time zones. Two fixed clocks, each past 10:00 local in
every zone, so every pair is due:

- ``round 3``, Tue 3 Nov 2026 23:00 UTC: each pair has had its welcome and rounds 1 and 2
  (sent, some answered, conversation open), two meetings and two open goals;
- ``kickoff``, Tue 1 Sep 2026 23:00 UTC: a new cohort's welcome day, no conversation opened yet.

Ticks run (a minute apart) until every planned delivery is sent; a tick claims at most
``scheduler.tick.CLAIM_BATCH`` rows, so 10,000 pairs take several ticks. One more tick, with
nothing left due, shows what an idle tick costs.

Each database is measured in a fresh process (its peak RSS is the ticks', not the set-up's).
Printed, for 1,000 and 10,000 pairs: wall time, CPU ms per delivery (``time.process_time``;
target < 2 ms), SQL statements per delivery (target: no more for 10,000 than for 1,000, and far
below one, i.e. no statement per pair) and peak RSS (target < 200 MB).

    python -m bench.round [--pairs 1000 10000] [--scenario "round 3" kickoff]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.fixtures import (
    GOAL_TEXTS,
    ROOT,
    Report,
    add_pairs,
    add_program,
    bulk_insert,
    count_statements,
    meetings_and_goals,
    migrated_sqlite,
    peak_rss_mb,
    render,
    stopwatch,
)
from bot.core.outbound import PairAddress, Sent
from bot.core.replies import Message

START = dt.date(2026, 9, 1)  # a Tuesday
SCENARIOS = {  # name: (the fixed clock, whether pairs are two rounds into their year)
    "round 3": (dt.datetime(2026, 11, 3, 23, 0, tzinfo=dt.UTC), True),
    "kickoff": (dt.datetime(2026, 9, 1, 23, 0, tzinfo=dt.UTC), False),
}
ZONES = (None, "Europe/London", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney")
CPU_TARGET_MS = 2.0
RSS_TARGET_MB = 200.0
MAX_TICKS = 50
PER_PAIR_LIMIT = 0.5  # statements per delivery at or above this mean a statement per pair
PHASES = ("plan", "claim", "_send_all", "record")


@dataclass
class SinkOutbound:
    """Accepts every message at once, as a platform that never fails or waits would."""

    platform: str = "console"
    sent: int = 0
    characters: int = 0

    async def send_to_pair(
        self,
        address: PairAddress,
        message: Message,
        idempotency_key: str,
        *,
        resend_since: dt.datetime | None,
    ) -> Sent:
        self.sent += 1
        self.characters += len(message.text)
        return Sent(idempotency_key, address.conversation_id or f"conv-{address.pair_id}")

    async def send_direct(self, user_id: str, message: Message, *, workspace: str = "") -> None:
        return None

    async def unreachable_reason(self, user_id: str, *, workspace: str = "") -> str | None:
        return None

    async def open_ahead(self, address: PairAddress) -> str | None:
        return None

    async def delete_posted(self, refs: str) -> None:
        return None


def populate(url: str, pairs: int, scenario: str) -> None:
    """``pairs`` pairs of the program; in ``round 3``, two rounds into their year with the
    history the activity choice and the messages read."""
    from prompts.catalog import load_catalog
    from storage.db import make_engine, make_session_factory, session_scope
    from storage.models import Delivery, Goal, Meeting, Response

    _, with_history = SCENARIOS[scenario]
    activities = sorted(load_catalog().activity_ids)
    history = [
        ("welcome", "start", START),
        *(("suggestion", f"r{n}", START + dt.timedelta(weeks=3 * n)) for n in (1, 2)),
    ]
    deliveries, responses, meetings, goals = [], [], [], []
    for i in range(1, (pairs if with_history else 0) + 1):
        for k, (kind, key, day) in enumerate(history):
            delivery_id = (i - 1) * len(history) + k + 1
            due = dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC)
            activity = activities[(i + 5 * k) % len(activities)]
            answer = "accept" if (i + k) % 3 == 0 else None
            deliveries.append(
                {
                    "id": delivery_id,
                    "pair_id": i,
                    "kind": kind,
                    "round_key": key,
                    "due_at": due,
                    "activity_id": activity,
                    "swaps": 0,
                    "status": "sent",
                    "attempts": 1,
                    "next_attempt_at": None,
                    "last_error": None,
                    "claim_token": None,
                    "message_ref": f"m{delivery_id}",
                    "conversation_ref": f"C{i}",
                    "sent_at": due,
                    "answer": answer,
                    "answered_by_id": 2 * i if answer else None,
                    "answered_at": due + dt.timedelta(hours=5) if answer else None,
                    "created_at": due,
                }
            )
            if answer:
                responses.append(
                    {
                        "delivery_id": delivery_id,
                        "person_id": 2 * i,
                        "action": answer,
                        "activity_id": activity,
                        "created_at": due + dt.timedelta(hours=5),
                    }
                )
        past_meetings, open_goals = meetings_and_goals(i, START, GOAL_TEXTS)
        meetings += past_meetings
        goals += open_goals
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        add_program(session, start=START, end=dt.date(2027, 8, 31))
        add_pairs(
            session,
            pairs,
            start=lambda i: START,
            mentee_zone=lambda i: ZONES[i % len(ZONES)],
            conversation=lambda i: f"C{i}" if with_history else None,
        )
        if with_history:
            for model, rows in (
                (Delivery, deliveries),
                (Response, responses),
                (Meeting, meetings),
                (Goal, goals),
            ):
                bulk_insert(session, model, rows)
    engine.dispose()


def instrument(
    ticker: Any, phases: dict[str, dict[str, float]], statements: Callable[[], int]
) -> None:
    """Wrap the ticker's phases to add up each one's wall seconds and statements."""

    def account(name: str, started: float, before: int) -> None:
        phases[name]["wall"] += time.perf_counter() - started
        phases[name]["statements"] += statements() - before

    for name in PHASES:
        phases[name] = {"wall": 0.0, "statements": 0}
        original = getattr(ticker, name)
        if asyncio.iscoroutinefunction(original):

            async def timed_async(*args: Any, _f: Any = original, _n: str = name) -> Any:
                started, before = time.perf_counter(), statements()
                try:
                    return await _f(*args)
                finally:
                    account(_n, started, before)

            setattr(ticker, name, timed_async)
        else:

            def timed(*args: Any, _f: Any = original, _n: str = name) -> Any:
                started, before = time.perf_counter(), statements()
                try:
                    return _f(*args)
                finally:
                    account(_n, started, before)

            setattr(ticker, name, timed)


def measure(url: str, scenario: str) -> dict[str, Any]:
    """Tick until everything due is sent, then once more; what it cost (in a fresh process)."""
    from prompts.catalog import load_catalog
    from scheduler.tick import Ticker
    from storage.db import make_engine, make_session_factory

    now, _ = SCENARIOS[scenario]
    sink = SinkOutbound()
    engine = make_engine(url)
    ticker = Ticker(
        make_session_factory(engine),
        load_catalog(),
        {"console": sink},
        late_limit=dt.timedelta(days=7),
        clock=lambda: now,
    )
    phases: dict[str, dict[str, float]] = {}
    rss_before = peak_rss_mb()

    async def drive() -> list[Any]:
        reports = []
        for number in range(MAX_TICKS):
            report = await ticker.tick(now + dt.timedelta(minutes=number))
            reports.append(report)
            if report.retrying or report.failed or not report.sent:
                break
            if sum(len(r.sent) for r in reports) >= sum(r.planned for r in reports):
                break
        return reports

    with count_statements(engine) as counted, stopwatch() as spent:
        instrument(ticker, phases, lambda: counted.total)
        reports = asyncio.run(drive())
    peak = peak_rss_mb()
    ticking = {name: dict(spent) for name, spent in phases.items()}  # the idle tick adds to phases
    with count_statements(engine) as idle_counted, stopwatch() as idle:
        idle_report = asyncio.run(ticker.tick(now + dt.timedelta(minutes=len(reports))))
    return {
        "planned": sum(r.planned for r in reports),
        "sent": sum(len(r.sent) for r in reports),
        "problems": sum(len(r.retrying) + len(r.failed) for r in reports),
        "ticks": len(reports),
        "first_tick_sent": len(reports[0].sent),
        "wall": spent["wall"],
        "cpu": spent["cpu"],
        "statements": counted.total,
        "phases": ticking,
        "top_sql": counted.top(2),
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak,
        "idle": {
            "wall": idle["wall"],
            "cpu": idle["cpu"],
            "statements": idle_counted.total,
            "sent": len(idle_report.sent) + idle_report.planned,
        },
        "characters": sink.characters,
    }


def run(
    sizes: tuple[int, ...] = (1_000, 10_000), scenarios: tuple[str, ...] = tuple(SCENARIOS)
) -> Report:
    """Fill a database per scenario and size, and measure each in its own process."""
    report = Report("round")
    with tempfile.TemporaryDirectory(prefix="mentorbot-bench-") as tmp:
        for scenario in scenarios:
            results: dict[int, dict[str, Any]] = {}
            for size in sizes:
                url = migrated_sqlite(Path(tmp), f"{scenario.replace(' ', '')}-{size}.db")
                populate(url, size, scenario)
                done = subprocess.run(
                    [sys.executable, "-m", "bench.round", "--measure", url, scenario],
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode != 0:
                    raise RuntimeError(f"the round measurement failed: {done.stderr[-3000:]}")
                results[size] = json.loads(done.stdout.splitlines()[-1])
            _add_figures(report, scenario, results)
    return report


def _add_figures(report: Report, scenario: str, results: dict[int, dict[str, Any]]) -> None:
    smallest = min(results)
    base = results[smallest]["statements"] / max(results[smallest]["sent"], 1)
    for size, r in results.items():
        sent = max(r["sent"], 1)
        per_delivery = r["statements"] / sent
        label = f"{scenario}, {size:,} pairs:"
        report.add(
            f"{label} delivered / due",
            f"{r['sent']:,} / {size:,}",
            "all, no errors",
            r["sent"] == size == r["planned"] and not r["problems"],
        )
        report.add(f"{label} wall, {r['ticks']} tick(s)", f"{r['wall']:.2f} s")
        cpu_ms = r["cpu"] * 1000 / sent
        report.add(
            f"{label} CPU per delivery",
            f"{cpu_ms:.2f} ms",
            f"< {CPU_TARGET_MS:g} ms",
            cpu_ms < CPU_TARGET_MS,
        )
        grows = size != smallest and per_delivery > base * 1.05
        report.add(
            f"{label} SQL statements per delivery",
            f"{per_delivery:.4f} ({r['statements']:,})",
            f"< {PER_PAIR_LIMIT:g}" + ("" if size == smallest else f", ≤ {smallest:,}'s"),
            per_delivery < PER_PAIR_LIMIT and not grows,
        )
        report.add(
            f"{label} peak RSS",
            f"{r['peak_rss_mb']:.0f} MB",
            f"< {RSS_TARGET_MB:g} MB",
            r["peak_rss_mb"] < RSS_TARGET_MB,
        )
        idle = r["idle"]
        report.add(
            f"{label} idle tick afterwards", f"{idle['wall']:.2f} s, {idle['statements']} stmts"
        )
        phases = ", ".join(
            f"{name.strip('_')} {p['wall']:.2f} s/{p['statements']:g} stmts"
            for name, p in r["phases"].items()
        )
        repeated = "; ".join(f"{n:,}× {sql[:70]}" for n, sql in r["top_sql"][:1])
        report.notes.append(
            f"{label} first tick sent {r['first_tick_sent']:,}; {phases}; RSS after imports "
            f"{r['rss_before_mb']:.0f} MB; most repeated statement: {repeated}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.round",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--pairs", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--scenario", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS))
    parser.add_argument(
        "--measure", nargs=2, metavar=("DATABASE_URL", "SCENARIO"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    render([run(tuple(args.pairs), tuple(args.scenario))])


if __name__ == "__main__":
    main()
