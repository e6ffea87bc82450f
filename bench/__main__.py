"""Run the benchmarks in turn and print their figures in one table, each target beside its
figure with ✓ or ✗. Figures, not assertions: a missed target does not fail the run (a
benchmark that crashes does).

    python -m bench                   # summary, round, round_slack, slack_ack, click
    python -m bench summary round     # only these
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable

from bench.fixtures import Report, render

SLACK_ROUNDS = 5
SLACK_CONCURRENCY = 50


def summary() -> Report:
    from bench.summary.__main__ import run

    return run()


def round_() -> Report:
    from bench.round.__main__ import run

    return run()


def round_slack() -> Report:
    from bench.round_slack.__main__ import run

    return run()


def click() -> Report:
    from bench.click.__main__ import run

    return run()


def slack_ack() -> Report:
    """``bench.slack_ack``'s measurement, its figures put in the table."""
    import asyncio
    import logging
    import statistics

    from bench.slack_ack.__main__ import APPS, P99_TARGET_MS, RATIO_TARGET, measure, percentile

    logging.basicConfig(level=logging.ERROR)
    samples = asyncio.run(measure(SLACK_ROUNDS, SLACK_CONCURRENCY))
    ours, bare = (samples[name] for name in APPS)
    p99, bare_p99 = percentile(ours, 0.99), percentile(bare, 0.99)
    report = Report("slack_ack")
    report.add("mentorbot /goal list, p50 to HTTP ack", f"{statistics.median(ours):.1f} ms")
    report.add(
        "mentorbot /goal list, p99 to HTTP ack",
        f"{p99:.1f} ms",
        f"< {P99_TARGET_MS:g} ms",
        p99 < P99_TARGET_MS,
    )
    report.add("bare slack-bolt, p50 / p99", f"{statistics.median(bare):.1f} / {bare_p99:.1f} ms")
    report.add(
        "p99 ratio mentorbot / bare",
        f"{p99 / bare_p99:.2f}",
        f"< {RATIO_TARGET:g}",
        p99 / bare_p99 < RATIO_TARGET,
    )
    report.notes.append(
        f"{SLACK_CONCURRENCY} concurrent signed requests × {SLACK_ROUNDS} rounds per app "
        f"({len(ours)} samples each)"
    )
    return report


BENCHMARKS: dict[str, Callable[[], Report]] = {
    "summary": summary,
    "round": round_,
    "round_slack": round_slack,
    "slack_ack": slack_ack,
    "click": click,
}


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"which to run: {', '.join(BENCHMARKS)} (default: all)",
    )
    names = parser.parse_args().names or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"no benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    reports, crashed = [], False
    for name in names:
        print(f"running {name} …", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            report = BENCHMARKS[name]()
        except Exception as error:  # one crash must not hide the other benchmarks' figures
            traceback.print_exc()
            report, crashed = Report(name), True
            report.add("crashed", type(error).__name__, "runs", False)
        report.notes.append(f"ran in {time.perf_counter() - started:.0f} s")
        reports.append(report)
    render(reports)
    sys.exit(1 if crashed else 0)


if __name__ == "__main__":
    main()
