"""A click on a suggestion's buttons, in a database of 1,000 and of 10,000 pairs.

Each pair (console) is a year into its program: 12 deliveries, 8 meetings with notes and next
steps, 3 goals, the responses of its earlier answers (see ``bench.click.database``). The core
is built as the bot builds it (``bot.app.build_core``), on a fixed clock, and each click is
``Core.press`` by the pair's mentor on a delivery nobody answered yet, a different pair's for
every click, pairs spread over the whole database: **We'll do this** (``s:<id>:accept``) and
**Show me another** (``s:<id>:swap``).

Per kind of click and size: a few warm-up clicks, then the median CPU time
(``time.process_time``) and wall time of 50 clicks, then the median SQL statements of 10 more
clicks, counted apart so the counting costs no CPU in the timed ones. Targets: statements per
click the same at both sizes; CPU < 10 ms per click at 10,000 pairs.

    python -m bench.click [--pairs 1000 10000]
    python -m bench.click --profile swap [--pairs 10000]   # cProfile of the timed clicks
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.click.database import fresh_delivery, populate
from bench.fixtures import Report, count_statements, migrated_sqlite, render, stopwatch
from bot.core.deliveries import ACCEPT, SUGGESTION, SWAP, ButtonAction
from bot.core.replies import Actor, Reply
from bot.core.service import Core

CLICKS = {ACCEPT: "We'll do this", SWAP: "Show me another"}
SIZES = (1_000, 10_000)
WARMUP = 5
TIMED = 50
COUNTED = 10
CPU_TARGET_MS = 10.0


@dataclass
class Clicks:
    """What the clicks of one kind cost in one database."""

    cpu_ms: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    by_sql: Counter[str] = field(default_factory=Counter)  # over the counted clicks

    @property
    def median_statements(self) -> float:
        return statistics.median(self.statements)


def build(url: str, now: dt.datetime) -> Core:
    """The core as the running bot builds it, on a clock stopped at ``now``."""
    from bot.app import build_core
    from bot.settings import Settings

    settings = Settings(DATABASE_URL=url, _env_file=None)  # type: ignore[call-arg]
    return build_core(settings, lambda: now)


def clicked_pairs(pairs: int, verb: str) -> list[int]:
    """One pair per click of ``verb`` (warm-up, timed, counted), spread over all ``pairs``;
    the two kinds of click never share a pair."""
    per_kind = WARMUP + TIMED + COUNTED
    step = pairs // (len(CLICKS) * per_kind)
    if step < 1:
        raise ValueError(f"{pairs} pairs are too few for {len(CLICKS) * per_kind} clicks")
    offset = list(CLICKS).index(verb)
    return [1 + (len(CLICKS) * n + offset) * step for n in range(per_kind)]


def press(core: Core, pair_id: int, verb: str) -> Reply:
    """The pair's mentor clicks ``verb`` on the pair's fresh suggestion; the click must have
    been answered as the button promises (``press`` turns a crash into an apology)."""
    actor = Actor("console", f"U{2 * pair_id - 1:07d}", f"Mentor {pair_id}")
    action = str(ButtonAction(SUGGESTION, fresh_delivery(pair_id), verb))
    reply = core.press(actor, action)
    said = reply.message.text if reply.message else ""
    # a swap only replaces the suggestion; an accept also says to press "Done, log it" later
    answered = reply.message is None if verb == SWAP else "Done, log it" in said
    if reply.replacement is None or not answered:
        text = said or repr(reply)
        raise RuntimeError(f"{action} by {actor.user_id} was not answered as expected: {text}")
    return reply


def clicks(core: Core, pairs: int, verb: str) -> Clicks:
    """Warm up, then time ``TIMED`` clicks, then count the statements of ``COUNTED``."""
    spent = Clicks()
    chosen = iter(clicked_pairs(pairs, verb))
    for pair_id in _take(chosen, WARMUP):
        press(core, pair_id, verb)
    for pair_id in _take(chosen, TIMED):
        wall, cpu = time.perf_counter(), time.process_time()
        press(core, pair_id, verb)
        spent.cpu_ms.append((time.process_time() - cpu) * 1000)
        spent.wall_ms.append((time.perf_counter() - wall) * 1000)
    for pair_id in _take(chosen, COUNTED):
        with count_statements(core.sessions.kw["bind"]) as counted:
            press(core, pair_id, verb)
        spent.statements.append(counted.total)
        spent.by_sql.update(counted.by_sql)
    return spent


def _take(iterator: Iterator[int], count: int) -> list[int]:
    return [next(iterator) for _ in range(count)]


def run(sizes: tuple[int, ...] = SIZES) -> Report:
    """Fill a database per size and click in each."""
    report = Report("click")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    results: dict[int, dict[str, Clicks]] = {}
    with tempfile.TemporaryDirectory(prefix="mentorbot-bench-") as tmp:
        for size in sizes:
            url = migrated_sqlite(Path(tmp), f"click-{size}.db")
            with stopwatch() as filled:
                counts = populate(url, size, now)
            rows = ", ".join(f"{count:,} {table}" for table, count in counts.items())
            report.notes.append(f"{size:,}-pair database filled in {filled['wall']:.1f} s: {rows}")
            core = build(url, now)
            results[size] = {verb: clicks(core, size, verb) for verb in CLICKS}
            core.sessions.kw["bind"].dispose()
    _add_figures(report, results)
    return report


def _add_figures(report: Report, results: dict[int, dict[str, Clicks]]) -> None:
    sizes = sorted(results)
    smallest, largest = sizes[0], sizes[-1]
    names = " / ".join(f"{size:,}" for size in sizes)
    for verb, label in CLICKS.items():
        by_size = [results[size][verb] for size in sizes]
        statements = [spent.median_statements for spent in by_size]
        report.add(
            f"{label}: SQL statements per click ({names} pairs)",
            " / ".join(f"{count:g}" for count in statements),
            f"same at {_short(smallest)} and {_short(largest)}",
            len(set(statements)) == 1,
        )
        cpu = [statistics.median(spent.cpu_ms) for spent in by_size]
        report.add(
            f"{label}: CPU per click, median of {TIMED} ({names} pairs)",
            " / ".join(f"{ms:.1f}" for ms in cpu) + " ms",
            f"< {CPU_TARGET_MS:g} ms at {_short(largest)}",
            cpu[-1] < CPU_TARGET_MS,
        )
        wall = [statistics.median(spent.wall_ms) for spent in by_size]
        report.add(
            f"{label}: wall per click, median ({names} pairs)",
            " / ".join(f"{ms:.1f}" for ms in wall) + " ms",
        )
    for verb, label in CLICKS.items():
        spent = results[largest][verb]
        each = "; ".join(
            f"{count / COUNTED:g}× {sql[:60]}" for sql, count in spent.by_sql.most_common()
        )
        report.notes.append(f"{label}, one click at {largest:,} pairs: {each}")


def _short(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else f"{size:,}"


def profile(pairs: int, verb: str, top: int = 30) -> None:
    """Fill a database of ``pairs`` pairs and print cProfile's view of ``TIMED`` clicks."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="mentorbot-bench-") as tmp:
        url = migrated_sqlite(Path(tmp), "click.db")
        populate(url, pairs, now)
        core = build(url, now)
        chosen = iter(clicked_pairs(pairs, verb))
        for pair_id in _take(chosen, WARMUP):
            press(core, pair_id, verb)
        profiler = cProfile.Profile()
        for pair_id in _take(chosen, TIMED):
            profiler.runcall(press, core, pair_id, verb)
        stats = pstats.Stats(profiler).strip_dirs()
        print(f"{CLICKS[verb]}: {TIMED} clicks at {pairs:,} pairs")
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
        core.sessions.kw["bind"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.click",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--pairs", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--profile", choices=list(CLICKS), help="profile this click instead")
    args = parser.parse_args()
    if args.profile:
        profile(max(args.pairs), args.profile)
        return
    render([run(tuple(args.pairs))])


if __name__ == "__main__":
    main()
