"""Forgetting a member deletes the bot's own Slack messages that named or quoted them: the
notices of their goals and meetings in the pair's group DM. Their partner's notices stay."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from click.testing import CliRunner

from bot.cli import main
from storage.models import Pair, Person, PostedMessage
from tests.slack.harness import serve, shown
from tests.support.bot import rows

pytestmark = pytest.mark.timeout(30)


def test_forget_deletes_the_bots_notices_about_the_member(app, core, fake, ticker, db_url, pair_id):
    """Ben sets a goal and logs a meeting, Ada sets a goal, Ada marks Ben's goal done; once
    Ben is forgotten the next tick deletes every notice that names or quotes him, and only
    Ada's own goal notice is left in the conversation."""

    async def typed() -> None:
        async with serve(app, fake) as slack:
            for user, command, text in (
                ("U2", "/goal", "add Ben reads the Newbery list"),
                ("U2", "/log-meeting", "today 30m Ben's confidences"),
                ("U1", "/goal", "add Ada plans storytime"),
                ("U1", "/goal", "done 1"),
            ):
                await slack.reply_to(await slack.command(command, text, user))
            await fake.wait_for(lambda: len(rows(core, PostedMessage)) == 4)  # posted, recorded

    asyncio.run(typed())
    [pair] = rows(core, Pair)
    channel = pair.conversation_id
    before = [shown(m) for m in fake.messages(channel)]
    assert len(before) == 4 and sum("Ben" in text for text in before) == 3
    assert len(rows(core, PostedMessage)) == 4

    ben = next(p for p in rows(core, Person) if p.platform_user_id == "U2")
    forgot = CliRunner().invoke(
        main, ["forget", str(ben.id), "--yes"], env={"DATABASE_URL": db_url}
    )
    assert "deletes its 3 message(s)" in forgot.output
    report = asyncio.run(ticker.tick(dt.datetime(2026, 11, 20, 16, tzinfo=dt.UTC)))

    assert report.retracted == 3
    assert [c.args["channel"] for c in fake.calls_to("chat.delete")] == [channel] * 3
    left = [shown(m) for m in fake.messages(channel)]
    assert len(left) == 1 and "Ada plans storytime" in left[0]
    assert [(p.writer_id, p.retract) for p in rows(core, PostedMessage)] == [
        (pair.mentor_id, False)
    ]
