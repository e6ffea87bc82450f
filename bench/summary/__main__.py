"""The participation summary at scale.

A SQLite database made by the real migration is filled (core bulk inserts) with 10,000 pairs,
250,000 meetings, 50,000 goals and 100,000 suggestion deliveries with their responses, and a
tenth-size one with 1,000 pairs. Printed: the median wall time of 3 runs of
`mentorbot summary --format json` as a subprocess, start-up included (target < 2 s); the SQL
statements that command issues, counted in-process through the same CLI code path, for 1,000
and 10,000 pairs (target: equal); the median wall time of 5 runs of `mentorbot --help`
(target < 0.5 s).

    python -m bench.summary [--pairs 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.fixtures import (
    BIN,
    GOAL_TEXTS,
    ROOT,
    Report,
    StatementCount,
    add_pairs,
    add_program,
    bulk_insert,
    count_statements,
    median_wall,
    migrated_sqlite,
    render,
    stopwatch,
)

MEETINGS_PER_PAIR = 25
GOALS_PER_PAIR = 5
DELIVERIES_PER_PAIR = 10
SUMMARY_TARGET_S = 2.0
HELP_TARGET_S = 0.5
SMALL_PAIRS = 1_000
ANSWERS = ("accept", "accept", "accept", "done", "done", "skip", None, None, None, None)


def populate(url: str, pairs: int, today: dt.date) -> dict[str, int]:
    """Fill a migrated database with ``pairs`` pairs and their year so far; rows per table."""
    from prompts.catalog import load_catalog
    from storage.db import make_engine, make_session_factory, session_scope
    from storage.models import Delivery, Goal, Meeting, Response

    activities = sorted(load_catalog().activity_ids)
    program_start = today - dt.timedelta(days=220)

    def pair_start(i: int) -> dt.date:
        return program_start + dt.timedelta(days=i % 28)

    def meetings() -> Iterator[dict[str, Any]]:
        for i in range(1, pairs + 1):
            start = pair_start(i)
            span = (today - start).days
            stalled = i % 8 == 0  # these stopped meeting halfway: flagged for attention
            for k in range(MEETINGS_PER_PAIR):
                day = (k * 5 + i) % (span // 2) if stalled else (k * 11 + i) % span
                met_on = start + dt.timedelta(days=day)
                yield {
                    "pair_id": i,
                    "number": k + 1,
                    "met_on": met_on,
                    "duration_minutes": 30 + (i + k) % 4 * 15,
                    "activity_id": activities[(i + k) % len(activities)],
                    "activity_title": None,
                    "notes": "Talked through the plan for the month.",
                    "next_steps": "draft a book list" if k == MEETINGS_PER_PAIR - 1 else "",
                    "notes_shared": False,
                    "delivery_id": None,
                    "logged_by_id": 2 * i - 1 if (i + k) % 3 else 2 * i,
                    "created_at": dt.datetime.combine(met_on, dt.time(17), tzinfo=dt.UTC),
                }

    def goals() -> Iterator[dict[str, Any]]:
        for i in range(1, pairs + 1):
            for g in range(GOALS_PER_PAIR):
                created = dt.datetime.combine(
                    pair_start(i) + dt.timedelta(days=20 * g), dt.time(12), tzinfo=dt.UTC
                )
                status = "done" if g < 2 else ("dropped" if g == 4 and i % 5 == 0 else "open")
                yield {
                    "pair_id": i,
                    "number": g + 1,
                    "text": GOAL_TEXTS[g],
                    "status": status,
                    "created_by_id": 2 * i,
                    "created_at": created,
                    "closed_at": created + dt.timedelta(days=30) if status == "done" else None,
                }

    responses: list[dict[str, Any]] = []

    def deliveries() -> Iterator[dict[str, Any]]:
        for i in range(1, pairs + 1):
            for k in range(DELIVERIES_PER_PAIR):
                delivery_id = (i - 1) * DELIVERIES_PER_PAIR + k + 1
                due = dt.datetime.combine(
                    pair_start(i) + dt.timedelta(weeks=3 * k), dt.time(15), tzinfo=dt.UTC
                )
                activity = activities[(3 * i + k) % len(activities)]
                failed = (i + k) % 97 == 0
                answer = None if failed else ANSWERS[(7 * i + k) % len(ANSWERS)]
                answered_at = due + dt.timedelta(days=1) if answer else None
                if answer:
                    responses.append(_response(delivery_id, 2 * i, answer, activity, answered_at))
                if not failed and (i + k) % 10 == 0:
                    swapped = activities[(3 * i + k + 1) % len(activities)]
                    at = due + dt.timedelta(hours=12)
                    responses.append(_response(delivery_id, 2 * i - 1, "swap", swapped, at))
                if i % 50 == 0 and k == DELIVERIES_PER_PAIR - 1:
                    at = due + dt.timedelta(days=2)
                    responses.append(_response(delivery_id, 2 * i, "help", None, at))
                yield {
                    "id": delivery_id,
                    "pair_id": i,
                    "kind": "welcome" if k == 0 else "suggestion",
                    "round_key": "start" if k == 0 else f"r{k}",
                    "due_at": due,
                    "activity_id": activity,
                    "swaps": 1 if (i + k) % 10 == 0 else 0,
                    "status": "failed" if failed else "sent",
                    "attempts": 1,
                    "next_attempt_at": None,
                    "last_error": "channel_not_found" if failed else None,
                    "claim_token": None,
                    "message_ref": None if failed else f"m{delivery_id}",
                    "conversation_ref": None if failed else f"C{i}",
                    "sent_at": None if failed else due,
                    "answer": answer,
                    "answered_by_id": 2 * i if answer else None,
                    "answered_at": answered_at,
                    "created_at": due,
                }

    engine = make_engine(url)
    sessions = make_session_factory(engine)
    counts: dict[str, int] = {"pairs": pairs}
    with session_scope(sessions) as session:
        add_program(session, start=program_start, end=program_start + dt.timedelta(days=364))
        add_pairs(
            session,
            pairs,
            start=pair_start,
            status=lambda i: "paused" if i % 20 == 0 else ("ended" if i % 20 == 10 else "active"),
            unreachable=lambda i: "account deactivated" if i % 200 == 0 else None,
            conversation=lambda i: f"C{i}",
        )
    with session_scope(sessions) as session:
        counts["meetings"] = bulk_insert(session, Meeting, meetings())
    with session_scope(sessions) as session:
        counts["goals"] = bulk_insert(session, Goal, goals())
        counts["deliveries"] = bulk_insert(session, Delivery, deliveries())
        counts["responses"] = bulk_insert(session, Response, responses)
    engine.dispose()
    return counts


def _response(
    delivery_id: int, person_id: int, action: str, activity: str | None, at: dt.datetime
) -> dict[str, Any]:
    return {
        "delivery_id": delivery_id,
        "person_id": person_id,
        "action": action,
        "activity_id": activity,
        "created_at": at,
    }


def summary_in_process(url: str) -> tuple[StatementCount, float, dict[str, Any]]:
    """Run `mentorbot summary --format json` in this process through click, counting every
    statement it sends; the count, the wall seconds and the parsed output."""
    from click.testing import CliRunner

    from bot.cli import main as cli

    runner = CliRunner()
    with count_statements() as counted, stopwatch() as spent:
        result = runner.invoke(
            cli,
            ["summary", "--format", "json"],
            env={"DATABASE_URL": url},
            catch_exceptions=False,
        )
    if result.exit_code != 0:
        raise RuntimeError(f"mentorbot summary failed: {result.output[-2000:]}")
    return counted, spent["wall"], json.loads(result.output)


def run(pairs: int = 10_000, runs: int = 3) -> Report:
    """Build both databases, time the command and count its statements."""
    report = Report("summary")
    today = dt.datetime.now(dt.UTC).date()
    mentorbot = str(BIN / "mentorbot")
    with tempfile.TemporaryDirectory(prefix="mentorbot-bench-") as tmp:
        folder = Path(tmp)
        statements: dict[int, StatementCount] = {}
        big_url = ""
        for size in sorted({min(SMALL_PAIRS, pairs), pairs}):
            url = migrated_sqlite(folder, f"summary-{size}.db")
            with stopwatch() as filled:
                counts = populate(url, size, today)
            rows = ", ".join(f"{count:,} {table}" for table, count in counts.items())
            report.notes.append(f"{size:,}-pair database filled in {filled['wall']:.1f} s: {rows}")
            counted, wall, output = summary_in_process(url)
            if len(output["pairs"]) != size:
                raise RuntimeError(f"the summary listed {len(output['pairs'])} of {size} pairs")
            statements[size] = counted
            big_url = url
        median, times = median_wall(
            [mentorbot, "summary", "--format", "json"], runs, {"DATABASE_URL": big_url}, folder
        )
        report.add(
            f"summary --format json, {pairs:,} pairs (median of {runs}, subprocess)",
            f"{median:.2f} s",
            f"< {SUMMARY_TARGET_S:g} s",
            median < SUMMARY_TARGET_S,
        )
        report.notes.append("summary runs: " + ", ".join(f"{t:.2f} s" for t in times))
        report.notes.append("where the time goes (fresh interpreter): " + _phases_line(big_url))
        report.add(f"same command in-process, no start-up ({pairs:,} pairs)", f"{wall:.2f} s")
        sizes = sorted(statements)
        for size in sizes:
            same = statements[size].total == statements[sizes[0]].total
            report.add(
                f"SQL statements, {size:,} pairs",
                str(statements[size].total),
                f"= {statements[sizes[0]].total} ({sizes[0]:,} pairs)" if size != sizes[0] else "",
                same if size != sizes[0] else None,
            )
        for count, sql in statements[pairs].top(3):
            report.notes.append(f"{count}× {sql}")
    help_median, _ = median_wall([mentorbot, "--help"], 5)
    report.add(
        "mentorbot --help (median of 5)",
        f"{help_median:.3f} s",
        f"< {HELP_TARGET_S:g} s",
        help_median < HELP_TARGET_S,
    )
    return report


def _phases_line(url: str) -> str:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bench.summary.phases", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    total = time.perf_counter() - started
    spent = json.loads(done.stdout.splitlines()[-1])
    spent = {"interpreter start-up and exit": total - sum(spent.values()), **spent}
    return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in spent.items())


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.summary",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    render([run(args.pairs, args.runs)])


if __name__ == "__main__":
    main()
