"""What the benchmarks share: migrated SQLite files filled by bulk inserts, a statement counter,
wall-clock timing of commands, peak memory, and the table of figures."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert
from sqlalchemy.orm import Session

from storage.db import upgrade
from storage.models import Cohort, Pair, Person, Program

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the venv's bin: python and the mentorbot script
CHUNK = 50_000
PROGRAM_ID = 1
GOAL_TEXTS = (
    "Prepare for interviews for a head of children's services job",
    "Read more professional journals and articles",
    "Join an ALSC committee",
    "Plan a storytime program for toddlers",
    "Write a blog post about early literacy",
)


# -- databases --------------------------------------------------------------------------------


def migrated_sqlite(folder: Path, name: str = "bench.db") -> str:
    """A SQLite URL in ``folder`` whose schema the real migrations created."""
    url = f"sqlite:///{folder / name}"
    upgrade(url)
    return url


def bulk_insert(session: Session, model: type[Any], rows: Iterable[dict[str, Any]]) -> int:
    """Core ``INSERT`` executemany of ``rows`` into ``model``'s table, in chunks (the table, not
    the ORM entity: ORM bulk mode splits rows by which columns are None, into thousands of
    small statements); returns how many went in."""
    count = 0
    iterator = iter(rows)
    statement = insert(model.__table__)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        session.execute(statement, chunk)
        count += len(chunk)
    return count


def add_program(
    session: Session,
    *,
    start: dt.date,
    end: dt.date,
    timezone: str = "America/New_York",
    weekday: int = 1,
    local_time: dt.time = dt.time(10, 0),
    interval_weeks: int = 3,
    cohorts: int = 4,
) -> None:
    """Program ``PROGRAM_ID`` and its cohorts (ids 1…``cohorts``)."""
    created = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    bulk_insert(
        session,
        Program,
        [
            {
                "id": PROGRAM_ID,
                "name": "Bench program",
                "interval_weeks": interval_weeks,
                "weekday": weekday,
                "local_time": local_time,
                "timezone": timezone,
                "start_date": start,
                "end_date": end,
                "created_at": created,
            }
        ],
    )
    bulk_insert(
        session,
        Cohort,
        ({"id": n, "program_id": PROGRAM_ID, "name": f"Cohort {n}"} for n in range(1, cohorts + 1)),
    )


def add_pairs(
    session: Session,
    count: int,
    *,
    start: Callable[[int], dt.date],
    status: Callable[[int], str] = lambda i: "active",
    mentee_zone: Callable[[int], str | None] = lambda i: None,
    unreachable: Callable[[int], str | None] = lambda i: None,
    conversation: Callable[[int], str | None] = lambda i: None,
    cohorts: int = 4,
    platform: str = "console",
) -> None:
    """Pairs 1…``count`` of the program: pair ``i`` has mentor ``2i-1`` and mentee ``2i``."""
    created = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    def people() -> Iterator[dict[str, Any]]:
        for i in range(1, count + 1):
            for person_id, role in ((2 * i - 1, "mentor"), (2 * i, "mentee")):
                zone = mentee_zone(i) if role == "mentee" else None
                reason = unreachable(i) if role == "mentee" else None
                yield {
                    "id": person_id,
                    "platform": platform,
                    "platform_user_id": f"U{person_id:07d}",
                    "display_name": f"{role.title()} {i}",
                    "email": f"{role}{i}@example.org",
                    "timezone": zone,
                    "unreachable_reason": reason,
                    "unreachable_since": created if reason else None,
                    "created_at": created,
                }

    bulk_insert(session, Person, people())
    bulk_insert(
        session,
        Pair,
        (
            {
                "id": i,
                "program_id": PROGRAM_ID,
                "cohort_id": (i - 1) % cohorts + 1,
                "platform": platform,
                "mentor_id": 2 * i - 1,
                "mentee_id": 2 * i,
                "status": status(i),
                "paused_until": None,
                "conversation_id": conversation(i),
                "start_date": start(i),
                "ended_at": created if status(i) == "ended" else None,
                "created_at": created,
            }
            for i in range(1, count + 1)
        ),
    )


# -- counting statements ----------------------------------------------------------------------


@dataclass
class StatementCount:
    """Every statement sent to a DB-API cursor (an executemany counts once), by SQL text."""

    total: int = 0
    by_sql: Counter[str] = field(default_factory=Counter)

    def top(self, n: int = 5, width: int = 110) -> list[tuple[int, str]]:
        return [(count, sql[:width]) for sql, count in self.by_sql.most_common(n)]


def meetings_and_goals(
    pair_id: int, start: dt.date, goal_texts: Sequence[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows for a pair two rounds into its year: two meetings (days 9 and 50, the second with
    next steps a later round quotes) logged by the mentor, and two open goals of the mentee's
    (people are numbered two a pair, mentor first, as ``add_pairs`` makes them)."""
    meetings = [
        {
            "pair_id": pair_id,
            "number": n,
            "met_on": day,
            "duration_minutes": 60,
            "activity_id": None,
            "activity_title": None,
            "notes": "",
            "notes_shared": False,
            "next_steps": "draft a book list" if n == 2 else "",
            "delivery_id": None,
            "logged_by_id": 2 * pair_id - 1,
            "created_at": dt.datetime.combine(day, dt.time(18), tzinfo=dt.UTC),
        }
        for n, day in enumerate((start + dt.timedelta(days=9), start + dt.timedelta(days=50)), 1)
    ]
    goals = [
        {
            "pair_id": pair_id,
            "number": n,
            "text": goal_texts[(pair_id + n) % len(goal_texts)],
            "status": "open",
            "created_by_id": 2 * pair_id,
            "closed_at": None,
            "created_at": dt.datetime.combine(start, dt.time(16), tzinfo=dt.UTC),
        }
        for n in (1, 2)
    ]
    return meetings, goals


@contextmanager
def count_statements(target: Engine | type[Engine] = Engine) -> Iterator[StatementCount]:
    """Count statements issued through ``target`` (by default every engine) while inside."""
    counted = StatementCount()

    def before(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        counted.total += 1
        counted.by_sql[re.sub(r"\s+", " ", statement).strip()] += 1

    event.listen(target, "before_cursor_execute", before)
    try:
        yield counted
    finally:
        event.remove(target, "before_cursor_execute", before)


# -- timing and memory ------------------------------------------------------------------------


def run_command(
    command: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> tuple[float, str]:
    """Run ``command`` to completion; its wall time in seconds and its standard output."""
    started = time.perf_counter()
    done = subprocess.run(
        list(command), env={**os.environ, **(env or {})}, cwd=cwd, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, done.stdout


def median_wall(
    command: Sequence[str], runs: int, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> tuple[float, list[float]]:
    """The median and every wall time of ``runs`` runs of ``command``."""
    times = [run_command(command, env, cwd)[0] for _ in range(runs)]
    return statistics.median(times), times


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB.

    Linux's VmHWM where there is one: ``ru_maxrss`` also counts the parent's memory a child
    shared between fork and exec, so a child of a big parent would report the parent's peak.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


@contextmanager
def stopwatch() -> Iterator[dict[str, float]]:
    """Wall seconds (``wall``) and process CPU seconds (``cpu``) of the block, once it ends."""
    spent: dict[str, float] = {}
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield spent
    finally:
        spent["wall"] = time.perf_counter() - wall
        spent["cpu"] = time.process_time() - cpu


# -- reporting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One printed figure; ``met`` is None for a figure that has no target."""

    label: str
    value: str
    target: str = ""
    met: bool | None = None


@dataclass
class Report:
    """What one benchmark printed."""

    name: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, label: str, value: str, target: str = "", met: bool | None = None) -> None:
        self.figures.append(Figure(label, value, target, met))


def render(reports: Sequence[Report]) -> None:
    """Print every figure in one table, each target beside its figure with ✓ or ✗."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="mentorbot benchmarks", show_lines=False)
    for column, justify in (
        ("bench", "left"),
        ("figure", "left"),
        ("value", "right"),
        ("target", "left"),
        ("", "center"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for number, report in enumerate(reports):
        for index, figure in enumerate(report.figures):
            mark = {True: "[green]✓[/green]", False: "[red]✗[/red]", None: ""}[figure.met]
            table.add_row(
                report.name if index == 0 else "",
                figure.label,
                figure.value,
                figure.target,
                mark,
                end_section=index == len(report.figures) - 1 and number < len(reports) - 1,
            )
    console = Console(width=None if sys.stdout.isatty() else 140)
    console.print(table)
    for report in reports:
        for note in report.notes:
            console.print(f"[bold]{report.name}[/bold]: {note}", highlight=False)
