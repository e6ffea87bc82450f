"""Only Slack's signed, fresh requests are acted on, and Slack's retries never act twice."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from storage.models import Goal
from tests.slack.harness import Answer, serve, shown
from tests.support.bot import rows

pytestmark = pytest.mark.timeout(30)


def test_forged_signature_is_refused(app, fake, core, pair_id):
    """A request signed with another secret gets 401 and changes nothing."""

    async def scenario() -> Answer:
        async with serve(app, fake) as slack:
            body, _ = slack.command_body("/goal", "add Forged goal", "U1")
            return await slack.post(body, secret="not-the-secret")

    assert asyncio.run(scenario()).status == 401
    assert rows(core, Goal) == []
    assert fake.responses == []


def test_request_older_than_five_minutes_is_refused(app, fake, core, pair_id):
    """A correctly signed but replayed request (timestamp 6 minutes old) gets 401."""

    async def scenario() -> Answer:
        async with serve(app, fake) as slack:
            body, _ = slack.command_body("/goal", "add Replayed goal", "U1")
            return await slack.post(body, timestamp=int(time.time()) - 6 * 60)

    assert asyncio.run(scenario()).status == 401
    assert rows(core, Goal) == []


def test_slack_retry_does_not_add_a_second_goal(app, fake, core, pair_id):
    """A resend marked X-Slack-Retry-Num is acknowledged but not applied again."""

    async def scenario() -> tuple[Answer, dict[str, Any]]:
        async with serve(app, fake) as slack:
            body, key = slack.command_body("/goal", "add Read 3 winners", "U1")
            assert (await slack.post(body)).status == 200
            await slack.reply_to(key)
            retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
            retried = await slack.post(body, extra=retry)
            listed = await slack.reply_to(await slack.command("/goal", "list", "U1"))
            await asyncio.sleep(0.3)  # room for a wrongly handled retry to show up
            return retried, listed

    retried, listed = asyncio.run(scenario())
    assert retried.status == 200
    assert len(rows(core, Goal)) == 1
    assert shown(listed).count("Read 3 winners") == 1
    assert len(fake.responses) == 2  # the add and the list; nothing for the retry


def test_retry_number_zero_is_a_first_delivery(app, fake, core, pair_id):
    """X-Slack-Retry-Num: 0 (how Socket Mode marks first deliveries) is handled normally."""

    async def scenario() -> None:
        async with serve(app, fake) as slack:
            body, key = slack.command_body("/goal", "add Read 3 winners", "U1")
            assert (await slack.post(body, extra={"X-Slack-Retry-Num": "0"})).status == 200
            await slack.reply_to(key)

    asyncio.run(scenario())
    assert len(rows(core, Goal)) == 1
