"""A check of the simulated clock itself (``python -m bench.round_slack.clock_check``).

Sixteen workers each do a hundred rounds of: a job in a worker thread (holding the GIL for a
while), an HTTP call to a local server that takes 50 simulated ms, and a simulated sleep of 0 or
10 ms. Run truly in parallel that takes 100 × 60 ms = 6.00 simulated seconds; the clock must
say exactly that, run after run (a clock that moved too early would say more).
"""

from __future__ import annotations

import asyncio
import time

import aiohttp
from aiohttp import web

from bench.round_slack.clock import VirtualClock, count_threads

WORKERS, ROUNDS, LATENCY, EXTRA = 16, 100, 0.05, 0.01


async def check() -> tuple[float, float, float]:
    """Simulated seconds taken, expected, and real seconds."""
    loop = asyncio.get_running_loop()
    clock = VirtualClock(0.0)
    count_threads(clock, loop)
    mover = clock.start()

    async def answer(request: web.Request) -> web.Response:
        await clock.sleep(LATENCY)
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/call", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/call"
    started = time.perf_counter()
    try:
        async with aiohttp.ClientSession() as http:

            async def worker(number: int) -> None:
                for _ in range(ROUNDS):
                    await asyncio.to_thread(lambda: sum(range(30_000)))
                    async with http.get(url) as response:
                        await response.json()
                    await clock.sleep(EXTRA * (number % 2))

            await asyncio.gather(*(worker(n) for n in range(WORKERS)))
    finally:
        mover.cancel()
        await runner.cleanup()
    return clock.now, ROUNDS * (LATENCY + EXTRA), time.perf_counter() - started


def main() -> None:
    took, expected, real = asyncio.run(check())
    verdict = "ok" if abs(took - expected) < 1e-6 else "WRONG"
    print(f"simulated {took:.3f} s, expected {expected:.3f} s ({verdict}); real {real:.2f} s")


if __name__ == "__main__":
    main()
