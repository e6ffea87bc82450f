"""Real ``mentorbot nudge tick`` processes, started in waves, some two at once, some killed.

A wave is one moment of the round (``--now``): one ticker, or two at once, each SIGKILLed
after a random delay or left to finish. The second of two tickers is sometimes a later cron
run (its ``--now`` up to ``LATE_START`` minutes on) that overlaps the first: a real round of
hundreds of pairs paced to Slack's tiers takes minutes, so two runs overlap when one is slow.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

LATE_START = 8  # minutes: the most a second, overlapping ticker's --now is ahead of the first
SECOND_DELAY_S = 0.5  # the most the second of two tickers starts after the first, in real time
TICK_TIMEOUT_S = 900.0  # a tick still running after this is killed and counted as hung
SUMMARY = re.compile(r"(\d+) sent, (\d+) to retry, (\d+) failed\.")
OWN_SETTINGS = ("MENTORBOT_", "SLACK_", "DISCORD_")


@dataclass(frozen=True)
class Plan:
    """One ticker of a wave, as the seed drew it."""

    offset: dt.timedelta  # its --now after the wave's moment
    start_delay: float  # real seconds after the wave began
    kill_after: float | None  # real seconds after it started; None: left to finish


@dataclass
class Tick:
    """One ``nudge tick`` process and what became of it."""

    moment: dt.datetime
    process: subprocess.Popen[bytes]
    started: float
    kill_after: float | None
    out: Path
    err: Path
    killed: bool = False
    hung: bool = False
    took: float = 0.0  # real seconds, once it has ended

    def ended(self, now: float) -> bool:
        """Kill it when its time has come; whether it has ended."""
        if self.process.poll() is not None:
            self.took = now - self.started
            return True
        elapsed = now - self.started
        if self.kill_after is not None and elapsed >= self.kill_after:
            self.killed = True
        elif elapsed >= TICK_TIMEOUT_S:
            self.hung = True
        else:
            return False
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.took = elapsed
        return True

    @property
    def completed(self) -> bool:
        return not (self.killed or self.hung) and self.process.returncode == 0

    def summary(self) -> tuple[int, int, int] | None:
        """(sent, to retry, failed) from a completed tick's last line."""
        found = SUMMARY.findall(self.out.read_text(errors="replace"))
        return tuple(map(int, found[-1])) if found else None  # type: ignore[return-value]

    def last_error(self) -> str:
        lines = [ln for ln in self.err.read_text(errors="replace").splitlines() if ln.strip()]
        return lines[-1][:200] if lines else f"exit code {self.process.returncode}"


@dataclass
class TickStats:
    """What the waves did, for the figures."""

    started: int = 0
    killed: int = 0
    completed: int = 0
    crashed: int = 0
    hung: int = 0
    waves: int = 0
    two_at_once: int = 0
    overlapping_later: int = 0  # second tickers whose --now was ahead of the first's
    durations: list[float] = field(default_factory=list)  # real seconds of completed ticks
    errors: Counter[str] = field(default_factory=Counter)  # last stderr line of a crashed tick


class Tickers:
    """Starts tick processes against one database and one Slack URL, and keeps the count."""

    def __init__(self, database_url: str, slack_url: str, workdir: Path) -> None:
        self.workdir = workdir
        self.stats = TickStats()
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(OWN_SETTINGS) and k not in ("DATABASE_URL", "PORT")
        }
        self.env = {
            **inherited,
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": "xoxb-soak",
            "SLACK_API_URL": slack_url,
        }

    def wave(self, moment: dt.datetime, plans: list[Plan]) -> list[Tick]:
        """Run one wave to its end: each planned ticker started, then killed or finished."""
        self.stats.waves += 1
        self.stats.two_at_once += len(plans) > 1
        self.stats.overlapping_later += sum(p.offset > dt.timedelta(0) for p in plans)
        begun = time.monotonic()
        waiting = sorted(plans, key=lambda p: p.start_delay)
        running: list[Tick] = []
        ended: list[Tick] = []
        while waiting or running:
            while waiting and time.monotonic() - begun >= waiting[0].start_delay:
                running.append(self._start(moment, waiting.pop(0)))
            for tick in [t for t in running if t.ended(time.monotonic())]:
                running.remove(tick)
                ended.append(tick)
                self._account(tick)
            time.sleep(0.01)
        return ended

    def _start(self, moment: dt.datetime, plan: Plan) -> Tick:
        self.stats.started += 1
        number = self.stats.started
        at = moment + plan.offset
        out, err = self.workdir / f"tick-{number}.out", self.workdir / f"tick-{number}.err"
        command = [sys.executable, "-m", "bot", "nudge", "tick", "--now", at.isoformat()]
        with out.open("wb") as stdout, err.open("wb") as stderr:
            process = subprocess.Popen(
                command, env=self.env, cwd=self.workdir, stdout=stdout, stderr=stderr
            )
        return Tick(at, process, time.monotonic(), plan.kill_after, out, err)

    def _account(self, tick: Tick) -> None:
        if tick.killed:
            self.stats.killed += 1
        elif tick.hung:
            self.stats.hung += 1
        elif tick.completed:
            self.stats.completed += 1
            self.stats.durations.append(tick.took)
        else:
            self.stats.crashed += 1
            self.stats.errors[tick.last_error()] += 1
