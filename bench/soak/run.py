"""One soak: the world set up, waves of tickers run until the round is done, then the verdict.

Between waves the round's clock moves on a minute, or on to the first retry that is due, as a
cron running every minute would find it (the idle minutes in between send nothing). A lease a
killed tick left on its own clock (the wall clock, where the code keeps one) is run out at
once, as waiting five minutes would: no tick is running between waves, so only dead ticks hold
leases then.

The schedule (how many tickers a wave has, when each is killed, which calls fail) follows from
the seed alone; what a tick had done when it was killed depends on the machine's speed.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select, update

from bench.fixtures import Report
from bench.soak.faults import FaultyProxy
from bench.soak.tickers import LATE_START, SECOND_DELAY_S, Plan, Tickers, TickStats
from bench.soak.verdict import Verdict, check
from bench.soak.workspace import WELCOME, populate
from storage.db import make_engine
from storage.models import Delivery, DeliveryStatus
from tests.fakes.slack_api import FakeSlack

STEP = dt.timedelta(minutes=1)
OPEN = (DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value)
LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class SoakConfig:
    """How hard to push: pairs, the seed, the time budget and the odds of each mishap."""

    database_url: str
    workdir: Path
    pairs: int = 50
    seed: int = 15
    budget_s: float = 30.0  # real seconds of waves; what is unsent then counts against it
    fault_rate: float = 0.2  # share of Web API calls answered 429, 500 or 503
    chatter: int = 60  # member messages after a conversation's first delivery
    opened_ahead: bool = False  # pairs' group DMs already open and stored before the round
    two_at_once: float = 0.4  # share of waves with two tickers
    kill_share: float = 0.4  # share of tickers SIGKILLed
    kill_window_s: float = 4.0  # a killed ticker dies within this many seconds of starting
    max_waves: int = 2000


@dataclass
class SoakResult:
    """What one soak did (ticks, calls, faults) and found (the verdict)."""

    config: SoakConfig
    verdict: Verdict
    ticks: TickStats
    calls: Counter[str]
    faults: Counter[str]
    member_messages: int
    leases_run_out: int
    finished: bool  # a tick completed with nothing left to send, within the budget
    simulated: dt.timedelta  # how far the round's clock moved
    real_s: float

    @property
    def dialect(self) -> str:
        return self.config.database_url.split(":", 1)[0].split("+", 1)[0]

    def describe(self) -> str:
        """The figures as plain lines, for a test's failure message or a log."""
        report = self.report()
        lines = [f"{report.name}:"]
        lines += [f"  {f.label}: {f.value}" for f in report.figures]
        lines += [f"  {note}" for note in report.notes]
        return "\n".join(lines)

    def report(self) -> Report:
        """The figures, each promise beside its target."""
        v, t = self.verdict, self.ticks
        report = Report(f"soak ({self.dialect})")
        report.add("seed", str(self.config.seed))
        ahead = ", conversations opened ahead" if self.config.opened_ahead else ""
        report.add("pairs", f"{self.config.pairs}{ahead}")
        report.add("ticks started / killed", f"{t.started} / {t.killed}")
        report.add("ticks completed / crashed / hung", f"{t.completed} / {t.crashed} / {t.hung}")
        report.add("waves / with two tickers", f"{t.waves} / {t.two_at_once}")
        if t.durations:
            report.add("completed tick, median / longest", _seconds(t.durations))
        faults = sum(self.faults.values())
        calls = sum(self.calls.values())
        share = f" ({faults / calls:.0%})" if calls else ""
        report.add("Web API calls / faults injected", f"{calls} / {faults}{share}")
        rows = ", ".join(f"{n} {status}" for status, n in sorted(v.statuses.items()))
        report.add("delivery rows", rows or "none")
        report.add("messages posted (deliveries)", str(v.posted))
        report.add("member messages", str(self.member_messages))
        report.add("duplicates", str(v.duplicates), "0", v.duplicates == 0)
        report.add("lost", str(len(v.lost)), "0", not v.lost)
        report.add("failed rows", str(len(v.failed)), "0", not v.failed)
        report.add("left pending/sending", str(len(v.unfinished)), "0", not v.unfinished)
        report.add("sent rows without their message", str(len(v.wrong_refs)), "0", not v.wrong_refs)
        report.add("most attempts on a row", str(v.max_attempts))
        report.add("nothing left to send", "yes" if self.finished else "no", "yes", self.finished)
        report.add("round's clock moved", _span(self.simulated))
        report.add("real time", f"{self.real_s:.1f} s")
        report.notes.append(
            "faults: " + (", ".join(f"{k}: {n}" for k, n in sorted(self.faults.items())) or "none")
        )
        if self.leases_run_out:
            report.notes.append(f"{self.leases_run_out} lease(s) left by killed ticks run out")
        for error, count in t.errors.most_common(3):
            report.notes.append(f"crashed ×{count}: {error}")
        report.notes.extend(v.problems)
        return report


def run_soak(config: SoakConfig) -> SoakResult:
    """Set up, tick in waves until nothing is left to send (or the budget is spent), check."""
    began = time.perf_counter()
    rng = random.Random(config.seed)
    config.workdir.mkdir(parents=True, exist_ok=True)
    slack = FakeSlack()
    proxy = FaultyProxy(slack, seed=config.seed, rate=config.fault_rate, chatter=config.chatter)
    with slack, proxy:
        populate(config.database_url, config.pairs, slack, opened_ahead=config.opened_ahead)
        engine = make_engine(config.database_url)
        try:
            tickers = Tickers(config.database_url, proxy.url, config.workdir)
            moment, latest, finished, leases = WELCOME, WELCOME, False, 0
            waves_began = time.perf_counter()
            while (
                tickers.stats.waves < config.max_waves
                and time.perf_counter() - waves_began < config.budget_s
            ):
                leases += run_out_dead_leases(engine)
                ticks = tickers.wave(moment, draw_wave(rng, config))
                latest = max([latest, *(tick.moment for tick in ticks)])
                rows, open_rows, next_due = progress(engine)
                if rows >= config.pairs and open_rows == 0:
                    # One more tick, left alone: it must complete and find nothing to send.
                    [last] = tickers.wave(latest + STEP, [Plan(dt.timedelta(0), 0.0, None)])
                    latest = last.moment
                    finished = last.completed and last.summary() == (0, 0, 0)
                    break
                moment = max(latest + STEP, next_due or latest)
            verdict = check(engine, slack, config.pairs)
        finally:
            engine.dispose()
        return SoakResult(
            config=config,
            verdict=verdict,
            ticks=tickers.stats,
            calls=Counter(proxy.calls),
            faults=Counter(proxy.faults),
            member_messages=proxy.member_messages,
            leases_run_out=leases,
            finished=finished,
            simulated=latest - WELCOME,
            real_s=time.perf_counter() - began,
        )


def draw_wave(rng: random.Random, config: SoakConfig) -> list[Plan]:
    """One or two tickers, each maybe killed; the same number of draws every wave, so the
    schedule of wave N never depends on what happened before it."""
    two = rng.random() < config.two_at_once
    plans = []
    for index in range(2):
        killed = rng.random() < config.kill_share
        kill_after = rng.uniform(0.05, 1.0) * config.kill_window_s
        later = rng.random() < 0.5
        offset = dt.timedelta(minutes=rng.randint(1, LATE_START)) if later else dt.timedelta(0)
        delay = rng.uniform(0.0, SECOND_DELAY_S)
        if index == 0:
            plans.append(Plan(dt.timedelta(0), 0.0, kill_after if killed else None))
        elif two:
            plans.append(Plan(offset, delay, kill_after if killed else None))
    return plans


def progress(engine: Engine) -> tuple[int, int, dt.datetime | None]:
    """Delivery rows, how many are still pending or sending, and when the first of those is
    next due (None when one is due at once)."""
    with engine.connect() as connection:
        rows = connection.scalar(select(func.count()).select_from(Delivery)) or 0
        open_rows = connection.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.status.in_(OPEN))
        )
        waiting = connection.execute(
            select(func.count(Delivery.next_attempt_at), func.min(Delivery.next_attempt_at)).where(
                Delivery.status.in_(OPEN)
            )
        ).one()
    due_at_once = waiting[0] < (open_rows or 0)
    next_due = None if due_at_once or waiting[1] is None else _aware(waiting[1])
    return rows, open_rows or 0, next_due


def run_out_dead_leases(engine: Engine) -> int:
    """End the wall-clock leases that killed ticks left (only called with no tick running);
    a schema without such leases keeps them on the round's clock, which the waves move."""
    lease = Delivery.__table__.c.get("lease_until")
    if lease is None:
        return 0
    with engine.begin() as connection:
        done = connection.execute(
            update(Delivery.__table__)
            .where(Delivery.status == DeliveryStatus.SENDING, lease.is_not(None), lease > LONG_AGO)
            .values(lease_until=LONG_AGO)
        )
    return done.rowcount or 0


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _seconds(durations: list[float]) -> str:
    return f"{statistics.median(durations):.1f} / {max(durations):.1f} s"


def _span(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
