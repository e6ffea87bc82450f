"""The scheduler inside the bot's event loop: one tick job under a fixed id that delivers."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.core.replies import unmarked
from bot.settings import Settings
from scheduler.jobs import TICK_JOB, start_scheduler
from tests.support.bot import PairSpec, add_pair


def test_tick_job_runs_on_the_running_loop_and_delivers(core, program_id, ticker, sink):
    """A pair starting today gets its welcome from the job, without anyone calling tick."""
    add_pair(core, program_id, PairSpec(start=dt.date(2026, 11, 10)))

    async def run() -> list[str]:
        scheduler = start_scheduler(ticker, Settings(MENTORBOT_TICK_SECONDS=5))
        try:
            for _ in range(100):
                if sink.delivered:
                    break
                await asyncio.sleep(0.05)
            return [job.id for job in scheduler.get_jobs()]
        finally:
            scheduler.shutdown(wait=False)

    jobs = asyncio.run(run())
    assert jobs == [TICK_JOB]
    assert len(sink.delivered) == 1
    assert "Welcome" in unmarked(sink.delivered[0].message.text)


def test_the_tick_job_has_a_fixed_id_and_never_overlaps(core, ticker):
    async def run() -> list[str]:
        scheduler = start_scheduler(ticker, Settings(MENTORBOT_TICK_SECONDS=30))
        try:
            job = scheduler.get_job(TICK_JOB)
            assert job.trigger.interval == dt.timedelta(seconds=30)
            assert job.max_instances == 1 and job.coalesce
            return [j.id for j in scheduler.get_jobs()]
        finally:
            scheduler.shutdown(wait=False)

    assert asyncio.run(run()) == [TICK_JOB]
