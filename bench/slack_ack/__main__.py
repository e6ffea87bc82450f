"""Time to Slack's HTTP ack for `/goal list`: the mentorbot app beside a bare slack-bolt app.

Slack gives an app 3 seconds to acknowledge a slash command. Both apps are served over HTTP on
127.0.0.1 by one server process (as a deployed bot is), against the same local fake of the Slack
Web API in this process, in the same run; each round sends 50 signed `/goal list` requests at
once to one app, then to the other, and waits for every answer to reach its ``response_url``
before the next round. The bare app acks and answers "ok"; mentorbot acks, then runs the real
command (users.info, the database, Block Kit, respond).
Printed: p50 and p99 time from sending a request to its HTTP 200, for both, and the ratio.
Targets: mentorbot's p99 under 100 ms, and under 1.5 times the bare app's.

    python -m bench.slack_ack [--rounds 5] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import build_core
from bot.core.service import Core
from bot.settings import Settings
from bot.slack_app.app import build_slack_app, make_client
from storage.db import run_in_transaction, upgrade
from storage.models import Cohort, Goal, Pair, Person, Program
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import signed_headers, slash_command_body

SECRET = "bench-secret"
MEMBERS = ("U1", "U2")
P99_TARGET_MS = 100.0
APPS = ("mentorbot", "bare bolt")
ROOT = Path(__file__).resolve().parents[2]
RATIO_TARGET = 1.5


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def add_pair_with_goals(core: Core) -> None:
    """One pair with a few goals, so `/goal list` reads and renders something real."""

    def work(session: Any) -> None:
        program = Program(
            name="Bench",
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2026, 12, 31),
            timezone="UTC",
        )
        pair = Pair(
            program=program,
            cohort=Cohort(program=program, name="Bench"),
            platform="slack",
            mentor=Person(platform="slack", platform_user_id=MEMBERS[0], display_name="Ada"),
            mentee=Person(platform="slack", platform_user_id=MEMBERS[1], display_name="Ben"),
            start_date=dt.date(2026, 1, 6),
        )
        session.add(pair)
        session.flush()
        session.add_all(
            Goal(pair_id=pair.id, number=n, text=f"Goal number {n}", created_by=pair.mentee)
            for n in range(1, 6)
        )

    run_in_transaction(core.sessions, work)


def bare_app(client: AsyncWebClient) -> AsyncApp:
    """slack-bolt with nothing of ours: ack, then answer through the response_url."""
    app = AsyncApp(client=client, signing_secret=SECRET)

    @app.command("/goal")
    async def goal(ack: Any, respond: Any) -> None:
        await ack()
        await respond("ok")

    return app


async def serve(app: AsyncApp) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app.web_app(), access_log=None, shutdown_timeout=1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"


async def round_of(
    http: aiohttp.ClientSession, url: str, fake: FakeSlack, label: str, concurrency: int
) -> list[float]:
    """``concurrency`` signed requests at once; milliseconds from send to HTTP status each."""
    bodies = [
        slash_command_body(
            "/goal",
            "list",
            MEMBERS[i % 2],
            response_url=fake.response_url(f"{label}-{i}"),
            trigger_id=f"{label}-{i}",
        )
        for i in range(concurrency)
    ]

    async def one(body: str) -> float:
        headers = signed_headers(body, SECRET)
        started = time.perf_counter()
        async with http.post(url, data=body, headers=headers) as response:
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                raise RuntimeError(f"{url} answered {response.status}")
        return elapsed

    samples = await asyncio.gather(*(one(body) for body in bodies))
    keys = [f"{label}-{i}" for i in range(concurrency)]
    await fake.wait_for(lambda: all(fake.responses_to(k) for k in keys), timeout=30)
    return list(samples)


async def serve_apps(fake_url: str, database_url: str) -> None:
    """The server process: both apps on free ports, until the benchmark closes our stdin."""
    settings = Settings(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake_url,
    )
    client = make_client(settings)
    runners = [
        await serve(build_slack_app(build_core(settings), client)),
        await serve(bare_app(client)),
    ]
    print("ready", *(url for _, url in runners), flush=True)
    try:
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    finally:
        for runner, _ in runners:
            await runner.cleanup()


async def measure(rounds: int, concurrency: int) -> dict[str, list[float]]:
    """Serve both apps from a separate process (as a deployed bot is), load them from this
    one, and let the fake Slack record the answers."""
    with tempfile.TemporaryDirectory() as folder, FakeSlack() as fake:
        for user in MEMBERS:
            fake.add_user(user, tz="UTC")
        database_url = f"sqlite:///{Path(folder) / 'bench.db'}"
        await asyncio.to_thread(upgrade, database_url)
        settings = Settings(DATABASE_URL=database_url, SLACK_API_URL=fake.url)
        await asyncio.to_thread(add_pair_with_goals, build_core(settings))
        server = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.slack_ack",
            "--serve",
            fake.url,
            database_url,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
        )
        assert server.stdin is not None and server.stdout is not None
        try:
            ready = (await asyncio.wait_for(server.stdout.readline(), 60)).decode().split()
            if not ready or ready[0] != "ready":
                raise RuntimeError("the benchmark's server process did not start")
            urls = dict(zip(APPS, ready[1:], strict=True))
            samples: dict[str, list[float]] = {name: [] for name in APPS}
            limits = aiohttp.TCPConnector(limit=concurrency * 2)
            async with aiohttp.ClientSession(connector=limits) as http:
                for name, url in urls.items():  # warm up: auth.test, caches, pools
                    await round_of(http, url, fake, f"warm-{name}", 5)
                for number in range(rounds):
                    for name, url in urls.items():
                        label = f"{name}-{number}"
                        samples[name] += await round_of(http, url, fake, label, concurrency)
            return samples
        finally:
            server.stdin.close()
            await asyncio.wait_for(server.wait(), 10)


def main() -> None:
    """Run the benchmark and print p50/p99 for both apps and their ratio."""
    parser = argparse.ArgumentParser(prog="python -m bench.slack_ack", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--serve", nargs=2, metavar=("SLACK_API_URL", "DATABASE_URL"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.serve:
        asyncio.run(serve_apps(*args.serve))
        return
    samples = asyncio.run(measure(args.rounds, args.concurrency))
    ours, bare = (samples[name] for name in APPS)
    p50, p99 = statistics.median(ours), percentile(ours, 0.99)
    bare_p50, bare_p99 = statistics.median(bare), percentile(bare, 0.99)
    print(
        f"slack_ack: {args.concurrency} concurrent signed /goal list requests, "
        f"{args.rounds} rounds ({len(ours)} per app), time to HTTP ack"
    )
    print(f"  {'':<16}{'p50 ms':>9}{'p99 ms':>9}")
    print(f"  {'mentorbot':<16}{p50:>9.1f}{p99:>9.1f}")
    print(f"  {'bare slack-bolt':<16}{bare_p50:>9.1f}{bare_p99:>9.1f}")
    print(f"  {'ratio':<16}{p50 / bare_p50:>9.2f}{p99 / bare_p99:>9.2f}")
    verdict = "met" if p99 < P99_TARGET_MS and p99 / bare_p99 < RATIO_TARGET else "MISSED"
    print(f"  targets: p99 < {P99_TARGET_MS:.0f} ms and p99 ratio < {RATIO_TARGET}: {verdict}")


if __name__ == "__main__":
    main()
