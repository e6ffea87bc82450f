"""Pacing Web API calls to Slack's tiers: bursts go at once, then calls take turns."""

from __future__ import annotations

import asyncio

import pytest

from bot.slack_app.pacing import Pacer


class FakeTime:
    """A clock that only moves when the pacer sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))


def test_a_tenth_goes_at_once_then_calls_are_spaced():
    """With 60 calls a minute, 3 go at once and the rest of the minute's 57 are spaced evenly,
    so no 60 seconds ever see more than 60 calls."""
    time = FakeTime()
    pacer = Pacer({"chat.postMessage": 60}, clock=time, sleep=time.sleep)

    async def scenario() -> None:
        for _ in range(6):
            await pacer.wait("chat.postMessage")

    asyncio.run(scenario())
    assert time.slept == [1.052632, 2.105263, 3.157895]


def test_a_quiet_spell_refills_the_burst_and_no_more():
    """After a quiet half minute, three calls go at once again (not thirty): a burst is a
    twentieth of the limit however long the pause."""
    time = FakeTime()
    pacer = Pacer({"users.info": 60}, clock=time, sleep=time.sleep)

    async def scenario() -> None:
        for _ in range(3):
            await pacer.wait("users.info")
        time.now += 30
        for _ in range(4):
            await pacer.wait("users.info")

    asyncio.run(scenario())
    assert time.slept == [1.052632]


@pytest.mark.parametrize("limit", [1, 20, 50, 100, 750])
def test_no_minute_sees_more_than_the_limit(limit):
    """Counted in any 60-second window, paced calls never pass the published limit."""

    class Advancing(FakeTime):
        async def sleep(self, seconds: float) -> None:
            self.now += seconds

    time = Advancing()
    pacer = Pacer({"m": limit}, clock=time, sleep=time.sleep)
    moments: list[float] = []

    async def scenario() -> None:
        for _ in range(limit * 3 + 5):
            await pacer.wait("m")
            moments.append(time.now)

    asyncio.run(scenario())
    assert max(sum(1 for t in moments if start <= t < start + 60) for start in moments) <= limit


def test_methods_without_a_tier_are_not_paced():
    """A method not in the table never waits."""
    time = FakeTime()
    pacer = Pacer({}, clock=time, sleep=time.sleep)
    asyncio.run(pacer.wait("views.open"))
    assert time.slept == []


def test_a_429_holds_the_method_for_its_retry_after():
    """Slack refuses a call with 429 and Retry-After: 30 although the bucket had room (another
    process shares the workspace): the next call of that method waits the 30 seconds, and
    other methods do not."""
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_slack_response import AsyncSlackResponse

    time = FakeTime()
    pacer = Pacer({"chat.postMessage": 60, "users.info": 60}, clock=time, sleep=time.sleep)

    async def refused(**_: object) -> None:
        response = AsyncSlackResponse(
            client=None,
            http_verb="POST",
            api_url="chat.postMessage",
            req_args={},
            data={"ok": False, "error": "ratelimited"},
            headers={"Retry-After": "30"},
            status_code=429,
        )
        raise SlackApiError("ratelimited", response)

    async def ok(**_: object) -> str:
        return "ok"

    async def scenario() -> None:
        with pytest.raises(SlackApiError):
            await pacer.call("chat.postMessage", refused)
        assert await pacer.call("users.info", ok) == "ok"
        assert await pacer.call("chat.postMessage", ok, channel="C1") == "ok"

    asyncio.run(scenario())
    assert time.slept == [30.0]
