"""Forgetting a member deletes the bot's own Discord messages that named or quoted them, in
the pair's thread or, where the pair has no thread, in each member's DM; the partner's stay."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from bot.app import build_core, build_ticker
from bot.cli import main
from bot.settings import Settings
from storage.models import Person, PostedMessage
from tests.discord.harness import (
    ADA,
    BEN,
    LOBBY,
    STEP,
    add_discord_pair,
    add_program,
    make_bot,
    running,
    scenario,
)
from tests.support.bot import rows


@pytest.mark.parametrize("thread", [True, False], ids=["in the pair's thread", "in DMs"])
def test_forget_deletes_the_bots_posts_about_the_member(
    fake, settings_values, clock, db_url, thread
):
    values = {**settings_values}
    if not thread:
        del values["DISCORD_PAIRS_CHANNEL_ID"]
    core = build_core(Settings(**values), clock)  # type: ignore[arg-type]
    add_discord_pair(core, add_program(core))

    def where() -> list[int]:
        if thread:
            return [int(t["id"]) for t in fake.threads]
        return [fake.dm_channel_id(ADA), fake.dm_channel_id(BEN)]

    def posted() -> list[str]:
        return [m.get("content") or "" for c in where() for m in fake.messages(c)]

    async def typed() -> None:
        async with running(make_bot(core), fake):
            for user, options in (
                (BEN, {"text": "Ben reads the Newbery list"}),
                (ADA, {"text": "Ada plans storytime"}),
            ):
                await fake.interact(fake.slash("goal", user, LOBBY, "add", options), STEP)
            await fake.wait_for(lambda: len(posted()) == (2 if thread else 4), STEP)
            await fake.wait_for(lambda: len(rows(core, PostedMessage)) == 2, STEP)  # recorded

    scenario(typed())
    assert sum("Newbery" in text for text in posted()) == (1 if thread else 2)
    ben = next(p for p in rows(core, Person) if p.platform_user_id == str(BEN))
    forgot = CliRunner().invoke(
        main, ["forget", str(ben.id), "--yes"], env={"DATABASE_URL": db_url}
    )
    assert "deletes its 1 message(s)" in forgot.output

    async def tick() -> int:
        bot = make_bot(core)
        async with running(bot, fake):
            report = await build_ticker(core, {"discord": bot.outbound}).tick(
                dt.datetime(2026, 11, 20, 16, tzinfo=dt.UTC)
            )
            return report.retracted

    assert scenario(tick()) == 1
    assert not any("Newbery" in text for text in posted())
    assert sum("Ada plans storytime" in text for text in posted()) == (1 if thread else 2)
    assert [p.retract for p in rows(core, PostedMessage)] == [False]
