"""Pacing Web API calls to Slack's rate-limit tiers, so a big round never trips them.

A token bucket per method, sized so that no minute ever sees more calls than the published
limit, however the minute is counted: a twentieth of the limit may go at once (a small round
needs no waiting), the rest of the minute's calls are spaced evenly. A 429 that gets through anyway
holds the method for its Retry-After, so the calls behind it wait instead of provoking more
(slack-sdk's retry handler, or the scheduler, retries the refused call itself).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError

T = TypeVar("T")
DEFAULT_RETRY_AFTER = 1.0  # seconds, when a 429 does not say

# Calls per minute, Slack's published tiers: users.info tier 4; conversations.open/history,
# users.lookupByEmail, chat.update and chat.delete tier 3; users.list tier 2. chat.postMessage
# is special: about one a second per conversation (each pair has its own) and "several hundred
# a minute" per workspace; 750 is our reading of that ceiling.
TIERS: Mapping[str, int] = {
    "users.info": 100,
    "users.list": 20,
    "users.lookupByEmail": 50,
    "conversations.open": 50,
    "conversations.history": 50,
    "chat.postMessage": 750,
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
        limit = self.per_minute.get(method)
        if limit is None:
            return
        burst, rate = _shape(limit)
        # No await until the token is taken, so concurrent callers queue up in order.
        now = self.clock()
        bucket = self._bucket(method, burst, now)
        bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.updated) * rate / 60)
        bucket.updated = now
        bucket.tokens -= 1
        delay = -bucket.tokens * 60 / rate if bucket.tokens < 0 else 0.0
        if delay:
            await self.sleep(delay)

    async def call(self, method: str, function: Callable[..., Awaitable[T]], **arguments: Any) -> T:
        """``function(**arguments)``, the Web API call ``method``, in its turn; a 429 holds
        the method."""
        await self.wait(method)
        try:
            return await function(**arguments)
        except SlackApiError as error:
            if rate_limited(error):
                headers = getattr(error.response, "headers", None) or {}
                retry_after = headers.get("Retry-After") or headers.get("retry-after")
                self.hold(method, float(retry_after or DEFAULT_RETRY_AFTER))
            raise

    def hold(self, method: str, seconds: float) -> None:
        """Make the next call of ``method`` wait ``seconds`` (Slack said so with a 429)."""
        limit = self.per_minute.get(method)
        if limit is None:
            return
        burst, rate = _shape(limit)
        now = self.clock()
        bucket = self._bucket(method, burst, now)
        bucket.tokens = min(bucket.tokens, 1 - seconds * rate / 60)  # the next call waits
        bucket.updated = now

    def _bucket(self, method: str, burst: int, now: float) -> _Bucket:
        return self._buckets.setdefault(method, _Bucket(float(burst), now))


def rate_limited(error: SlackApiError) -> bool:
    """Slack answered 429 Too Many Requests."""
    return getattr(error.response, "status_code", None) == 429


def _shape(limit: int) -> tuple[int, int]:
    """(calls that may go at once, calls a minute after them) for a limit a minute: together
    never more than the limit in any minute."""
    burst = max(1, limit // 20)
    return burst, max(1, limit - burst)
