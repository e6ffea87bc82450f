"""Pacing Web API calls to Slack's rate-limit tiers, so a big round never trips them.

A token bucket per method: a minute's worth of calls may go at once (Slack allows bursts), then
calls wait their turn. Slack's 429s are still honoured by slack-sdk's retry handler; pacing only
keeps a round of hundreds of pairs from provoking them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

# Calls per minute, Slack's published tiers: users.info tier 4; conversations.open/history,
# users.lookupByEmail, chat.update and chat.delete tier 3; users.list tier 2. chat.postMessage
# is special: about one a second per conversation (each pair has its own) and "several hundred
# a minute" per workspace, so the pace below is that ceiling; a 429 still waits Retry-After.
TIERS: Mapping[str, int] = {
    "users.info": 100,
    "users.list": 20,
    "users.lookupByEmail": 50,
    "conversations.open": 50,
    "conversations.history": 50,
    "chat.postMessage": 700,
    "chat.update": 50,
    "chat.delete": 50,
}


@dataclass
class _Bucket:
    tokens: float
    updated: float


class Pacer:
    """Waits before a call when its method's bucket is empty."""

    def __init__(
        self,
        per_minute: Mapping[str, int] = TIERS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.per_minute = dict(per_minute)
        self.clock = clock
        self.sleep = sleep
        self._buckets: dict[str, _Bucket] = {}

    async def wait(self, method: str) -> None:
        """Return when ``method`` may be called (at once for methods without a tier)."""
        rate = self.per_minute.get(method)
        if rate is None:
            return
        # No await until the token is taken, so concurrent callers queue up in order.
        now = self.clock()
        bucket = self._buckets.setdefault(method, _Bucket(float(rate), now))
        bucket.tokens = min(float(rate), bucket.tokens + (now - bucket.updated) * rate / 60)
        bucket.updated = now
        bucket.tokens -= 1
        delay = -bucket.tokens * 60 / rate if bucket.tokens < 0 else 0.0
        if delay:
            await self.sleep(delay)
