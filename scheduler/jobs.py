"""APScheduler wiring: the ticks run inside the bot's event loop, with fixed job ids."""

from __future__ import annotations

import asyncio
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.settings import Settings
from scheduler.tick import Ticker

log = logging.getLogger(__name__)

TICK_JOB = "mentorbot-tick"


async def run_tick(ticker: Ticker) -> None:
    """One tick; an error is logged and the next tick tries again."""
    try:
        report = await ticker.tick()
    except asyncio.CancelledError:  # the bot is stopping; the next start picks up from the rows
        log.info("scheduler tick stopped with the bot")
        return
    except Exception:
        log.exception("scheduler tick failed; the next tick will try again")
        return
    if report.sent or report.failed or report.retrying:
        log.info(
            "tick: %d sent, %d retrying, %d failed",
            len(report.sent),
            len(report.retrying),
            len(report.failed),
        )


def start_scheduler(ticker: Ticker, settings: Settings) -> AsyncIOScheduler:
    """Start the scheduler on the running loop. The tick plans rounds, check-ins and program
    closings from the database each time, so nothing is held in memory or in pickled jobs and
    a restart simply picks up where the database says things are."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        run_tick,
        "interval",
        seconds=settings.tick_seconds,
        args=[ticker],
        id=TICK_JOB,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        next_run_time=ticker.clock(),
    )
    scheduler.start()
    return scheduler
