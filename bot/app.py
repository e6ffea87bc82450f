"""Building the running bot from settings: the core, the ticker, and the platforms to start."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager

from bot.core.outbound import Outbound
from bot.core.service import Core, utc_now
from bot.settings import Settings
from prompts.catalog import load_catalog
from scheduler.digests import Digests
from scheduler.tick import Ticker
from storage.db import open_database

log = logging.getLogger(__name__)


def build_core(settings: Settings, clock: Callable[[], dt.datetime] = utc_now) -> Core:
    _, sessions = open_database(settings.database_url)
    return Core(sessions, load_catalog(settings.catalog_files), settings, clock)


def build_ticker(core: Core, outbounds: dict[str, Outbound]) -> Ticker:
    return Ticker(
        core.sessions,
        core.catalog,
        outbounds,
        late_limit=dt.timedelta(days=core.settings.late_round_days),
        clock=core.clock,
        digests=Digests(core.sessions, core.settings, outbounds),
    )


@asynccontextmanager
async def tick_outbounds(core: Core) -> AsyncIterator[dict[str, Outbound]]:
    """Where a one-off tick (``mentorbot nudge tick``) delivers: the terminal for console pairs,
    and Slack and Discord for their pairs when their tokens are set, without serving either."""
    from bot.console.outbound import PrintingOutbound

    outbounds: dict[str, Outbound] = {"console": PrintingOutbound()}
    async with AsyncExitStack() as stack:
        if core.settings.slack_enabled:
            from bot.slack_app.app import build_slack_outbound

            engine = core.async_engine() if core.settings.slack_oauth else None
            if engine is not None:
                stack.push_async_callback(engine.dispose)
            outbounds["slack"] = build_slack_outbound(core, engine)
        if core.settings.discord_enabled:
            from bot.discord_app.bot import open_discord_outbound

            outbounds["discord"] = await stack.enter_async_context(open_discord_outbound(core))
        yield outbounds


def platforms_to_start(settings: Settings, choice: str) -> list[str]:
    """``auto``: every platform whose token is set, or the console when none is."""
    if choice != "auto":
        return [choice]
    chosen = [
        name
        for name, enabled in (
            ("slack", settings.slack_enabled),
            ("discord", settings.discord_enabled),
        )
        if enabled
    ]
    return chosen or ["console"]


async def run_platforms(settings: Settings, names: list[str]) -> None:
    """Run the chosen platforms and the scheduler on one event loop until stopped."""
    from scheduler.jobs import start_scheduler

    core = build_core(settings)
    if names == ["console"]:
        from bot.console.chat import ConsoleChat, complete_with_readline

        if sys.stdin.isatty():
            complete_with_readline()
        await ConsoleChat(core, lambda outbound: build_ticker(core, {"console": outbound})).run()
        return
    outbounds: dict[str, Outbound] = {}
    runners = []
    if "slack" in names:
        from bot.slack_app.app import SlackRunner

        slack = SlackRunner(core)
        outbounds["slack"] = slack.outbound
        runners.append(slack.run())
    if "discord" in names:
        from bot.discord_app.bot import DiscordRunner

        discord_runner = DiscordRunner(core)
        outbounds["discord"] = discord_runner.outbound
        runners.append(discord_runner.run())
    ticker = build_ticker(core, outbounds)
    if "slack" in names:  # a pair's new suggestion shows on its members' Home tabs
        ticker.after_delivery["slack"] = slack.listeners.home.delivered
    scheduler = start_scheduler(ticker, settings)
    try:
        await asyncio.gather(*runners)
    finally:
        scheduler.shutdown(wait=False)
