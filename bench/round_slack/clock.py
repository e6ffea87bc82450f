"""A simulated clock for one asyncio process: waits cost simulated seconds, not real ones.

``VirtualClock.sleep`` parks the caller until the clock reaches its wake-up time. The clock
moves only when the process has nothing else to do: no callback ready on the event loop, no job
in a worker thread (the database: ``asyncio.to_thread``, counted by ``count_threads``), and
still nothing after a second pass of the loop (so a reply already sitting in a loopback socket
is read first). Then it jumps to the earliest
wake-up and wakes everyone due by then; tasks parked at the same moment wake together, so
concurrent waits overlap as they would in real time. Work done between waits (SQL, composing,
HTTP on 127.0.0.1) takes no simulated time at all.

Slack's 429s are slept by slack-sdk's retry handlers with ``asyncio.sleep``;
``virtual_retry_handlers`` swaps each rate-limit handler of a client for one that keeps the
project's handler's decisions (whether to retry, how often) and sleeps ``Retry-After`` (plus the
sdk's jitter of up to a second) on this clock; ``use_simulated_time`` points the ``clock``
attributes the outbound's parts hold at it. Anything else that calls ``asyncio.sleep`` or reads
``time.monotonic`` itself still uses real time, which this clock neither sees nor waits for.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import itertools
import random
import time
from collections.abc import Callable, Sized
from typing import Any

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

QUIET_PASSES = 2  # loop passes with nothing ready before the clock may move


class VirtualClock:
    """Simulated POSIX seconds, moved (once ``start``ed) whenever the process is idle."""

    def __init__(self, start: float) -> None:
        self.now = start
        self.jumps = 0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._in_threads = 0
        self._changed = asyncio.Event()

    def time(self) -> float:
        """The simulated time, for ``Pacer(clock=...)``."""
        return self.now

    def datetime(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.now, dt.UTC)

    async def sleep(self, seconds: float) -> None:
        """Return once ``seconds`` of simulated time have passed."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), future))
        self._changed.set()
        await future

    def move_to(self, moment: dt.datetime) -> None:
        """Jump ahead to ``moment`` (never back) while nobody is waiting, e.g. between ticks."""
        if any(not future.done() for _, _, future in self._sleepers):
            raise RuntimeError("the clock cannot jump while tasks are waiting on it")
        self._sleepers.clear()
        self.now = max(self.now, moment.timestamp())

    def thread_started(self) -> None:
        self._in_threads += 1

    def thread_finished(self) -> None:
        self._in_threads -= 1
        self._changed.set()

    def start(self) -> asyncio.Task[None]:
        """Start moving the clock on the running loop; cancel the task to stop."""
        loop = asyncio.get_running_loop()
        if not hasattr(loop, "_ready"):
            raise RuntimeError("VirtualClock needs asyncio's own event loop (it reads _ready)")
        return loop.create_task(self._run(loop._ready))  # type: ignore[attr-defined]

    async def _run(self, ready: Sized) -> None:
        quiet = 0
        while True:
            while self._sleepers and self._sleepers[0][2].done():  # cancelled waits
                heapq.heappop(self._sleepers)
            if self._in_threads or not self._sleepers:
                quiet = 0
                self._changed.clear()
                await self._changed.wait()
                continue
            await asyncio.sleep(0)
            if ready:
                quiet = 0
                continue
            quiet += 1
            if quiet < QUIET_PASSES:
                continue
            quiet = 0
            self.now = max(self.now, self._sleepers[0][0])
            self.jumps += 1
            while self._sleepers and self._sleepers[0][0] <= self.now:
                future = heapq.heappop(self._sleepers)[2]
                if not future.done():
                    future.set_result(None)


def count_threads(clock: VirtualClock, loop: asyncio.AbstractEventLoop) -> None:
    """Tell ``clock`` while any ``run_in_executor`` job (``asyncio.to_thread``: the database)
    is unfinished, until its result is back on the loop: the job's future calls back the clock
    before it wakes the task awaiting it, so that task is ready before the clock may move."""
    original = loop.run_in_executor

    def run_in_executor(executor: Any, func: Callable[..., Any], *args: Any) -> Any:
        future = original(executor, func, *args)
        clock.thread_started()
        future.add_done_callback(lambda _: clock.thread_finished())
        return future

    loop.run_in_executor = run_in_executor  # type: ignore[method-assign]


REAL_CLOCKS = (time.monotonic, time.time, time.perf_counter)


def use_simulated_time(root: object, clock: VirtualClock) -> list[str]:
    """Point each ``clock`` attribute that reads real time, on ``root`` and on the objects it
    holds (e.g. the outbound's directory, whose cache expires by its clock), at ``clock``;
    returns what was changed."""
    changed = []
    for holder in (root, *vars(root).values()):
        if getattr(holder, "clock", None) in REAL_CLOCKS:
            holder.clock = clock.time  # type: ignore[attr-defined]
            changed.append(f"{type(holder).__name__}.clock")
    return changed


class _SleepsRetryAfterVirtually:
    """Mixed into a rate-limit retry handler: the same decisions, a simulated sleep."""

    clock: VirtualClock
    jitter: random.Random

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error or RuntimeError("a retry without a response")
        state.next_attempt_requested = True
        wait = 1.0
        for name, values in response.headers.items():
            if name.lower() == "retry-after":
                wait = float(values[0] if isinstance(values, list) else values)
        await self.clock.sleep(wait + self.jitter.random())  # slack-sdk adds random() too
        state.increment_current_attempt()


def virtual_retry_handlers(client: AsyncWebClient, clock: VirtualClock, seed: int = 15) -> int:
    """Make ``client``'s rate-limit retry handlers sleep on ``clock``; returns how many."""
    swapped = 0
    handlers = []
    for handler in client.retry_handlers:
        if isinstance(handler, AsyncRateLimitErrorRetryHandler):
            kind = type(
                f"Virtual{type(handler).__name__}", (_SleepsRetryAfterVirtually, type(handler)), {}
            )
            virtual = object.__new__(kind)
            virtual.__dict__.update(handler.__dict__)
            virtual.clock = clock
            virtual.jitter = random.Random(seed)
            handler = virtual
            swapped += 1
        handlers.append(handler)
    client.retry_handlers = handlers
    return swapped
