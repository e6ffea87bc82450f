"""Only Slack's signed, fresh requests are acted on, and neither Slack's retries nor a replayed
copy of a signed request (the identical body sent again within the five minutes) acts twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

import pytest

from storage.models import Delivery, Goal, Meeting, Response
from tests.fakes.slack_requests import datepicker_value, plain_text_value
from tests.slack.harness import COORDINATOR, Answer, buttons, serve, shown
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


def test_a_replayed_command_adds_one_goal(app, fake, core, pair_id, caplog):
    """The same signed `/goal add` sent twice, no retry header: one goal, one answer, and the
    replay logged."""

    async def scenario() -> list[Answer]:
        async with serve(app, fake) as slack:
            body, key = slack.command_body("/goal", "add Read 3 winners", "U1")
            first = await slack.post(body)
            await slack.reply_to(key)
            again = await slack.post(body)
            await asyncio.sleep(0.3)  # room for a wrongly handled replay to show up
            return [first, again]

    with caplog.at_level("INFO", logger="bot.slack_app.listeners"):
        statuses = [answer.status for answer in asyncio.run(scenario())]
    assert statuses == [200, 200]
    assert [goal.text for goal in rows(core, Goal)] == ["Read 3 winners"]
    assert len(fake.responses) == 1
    assert "replayed Slack request from U1" in caplog.text


def test_a_replayed_help_click_alerts_the_coordinator_once(app, fake, core, ticker, pair_id):
    """The same signed click on a check-in's “We need help” sent twice: one alert, one stored
    click, one answer."""
    for day in ("2026-11-17", "2026-12-08", "2026-12-22"):  # welcome, round 1, the check-in
        asyncio.run(ticker.tick(dt.datetime.fromisoformat(f"{day}T15:00+00:00")))
    [checkin] = rows(core, Delivery, Delivery.kind == "checkin")
    message = fake.messages(checkin.conversation_ref)[-1]
    dm = fake.open_conversation(COORDINATOR)

    async def scenario() -> None:
        async with serve(app, fake) as slack:
            help_ = buttons(message)["We need help"]
            body, key = slack.click_body(help_, "U2", checkin.conversation_ref, message)
            assert (await slack.post(body)).status == 200
            await fake.wait_for(lambda: fake.messages(dm) and fake.responses_to(key))
            assert (await slack.post(body)).status == 200
            await asyncio.sleep(0.3)

    asyncio.run(scenario())
    assert len(fake.messages(dm)) == 1, [m["text"][:80] for m in fake.messages(dm)]
    assert [response.action for response in rows(core, Response)] == ["help"]
    assert len(fake.responses) == 1
    assert len(fake.calls_to("chat.update")) == 1


def test_a_replayed_form_submission_logs_one_meeting(app, fake, core, pair_id):
    """The same signed meeting form sent twice: one meeting, one notice to the pair."""
    values = {
        "date": {"date": datepicker_value("2026-11-19")},
        "duration": {"duration": plain_text_value("45m")},
        "notes": {"notes": plain_text_value("Read together")},
        "next_steps": {"next_steps": plain_text_value(None)},
    }

    async def scenario() -> list[int]:
        async with serve(app, fake) as slack:
            await slack.command("/log-meeting", "", "U1")
            view = (await fake.wait_for(lambda: fake.views))[0]
            body = slack.submission_body(view, values, "U1")
            first = await slack.post(body)
            await fake.wait_for(lambda: fake.calls_to("chat.postMessage"))
            again = await slack.post(body)
            await asyncio.sleep(0.3)
            return [first.status, again.status]

    assert asyncio.run(scenario()) == [200, 200]
    assert len(rows(core, Meeting)) == 1
    assert len(fake.calls_to("chat.postMessage")) == 1
