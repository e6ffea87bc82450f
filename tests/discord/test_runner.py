"""How `mentorbot run` starts the Discord side: settings checked, connected, stopped cleanly."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from bot.app import run_platforms
from bot.discord_app.bot import DiscordRunner
from bot.settings import Settings, SettingsError
from tests.discord.harness import DANA, LOBBY, STEP, scenario
from tests.fakes.discord_api import FakeDiscord

pytestmark = pytest.mark.timeout(60)


def test_the_runner_needs_a_token(settings_values, clock):
    from bot.app import build_core

    settings_values.pop("DISCORD_BOT_TOKEN")
    core = build_core(Settings(**settings_values), clock)  # type: ignore[arg-type]
    with pytest.raises(SettingsError, match=r"^DISCORD_BOT_TOKEN: expected the bot token"):
        DiscordRunner(core)


def test_a_refused_token_stops_start_up_with_one_line(core, settings_values):
    """Discord refusing the token (401) is a settings error naming the variable."""
    with FakeDiscord(token="the-real-token") as fake, fake.patch_route_base():
        runner = DiscordRunner(core)
        with pytest.raises(SettingsError, match=r"^DISCORD_BOT_TOKEN: expected a valid bot token"):
            scenario(runner.run())


def test_run_platforms_serves_discord_and_the_scheduler_on_one_loop(
    settings_values, fake: FakeDiscord, program_id
):
    """`mentorbot run --platform discord`: the bot connects, answers a command, and stops
    cleanly when cancelled, with the scheduler running beside it."""
    settings = Settings(**settings_values)  # type: ignore[arg-type]

    async def body() -> str:
        with fake.patch_route_base():
            task = asyncio.create_task(run_platforms(settings, ["discord"]))
            try:
                await fake.wait_ready(STEP)
                await fake.wait_for(lambda: fake.sync_count, STEP)
                reply = await fake.interact(fake.slash("goal", DANA, LOBBY, "help"), STEP)
                return reply.content or ""
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait_for(task, STEP)

    assert "/goal" in scenario(body())
    assert fake.sync_count == 1
    # the gateway notices the closed connection a moment after the bot stops
    assert fake.wait_for_sync(lambda: not fake.is_connected(), timeout=STEP)


def test_a_one_off_tick_connects_delivers_and_leaves(core, fake: FakeDiscord, pair_id):
    """`mentorbot nudge tick` with a Discord token: the welcome reaches the pair's thread."""
    import datetime as dt

    from bot.app import build_ticker, tick_outbounds

    async def one_tick():
        with fake.patch_route_base():
            async with tick_outbounds(core) as outbounds:
                assert set(outbounds) == {"console", "discord"}
                return await build_ticker(core, outbounds).tick(
                    dt.datetime(2026, 11, 17, 15, 0, tzinfo=dt.UTC)
                )

    report = scenario(one_tick())
    assert [item.kind for item in report.sent] == ["welcome"]
    [thread] = fake.threads
    [message] = fake.messages(int(thread["id"]))
    assert "Welcome" in message["content"]


def test_an_unreachable_discord_is_one_line_from_run_and_from_a_tick(db_url, monkeypatch):
    """No route to Discord: `mentorbot run --platform discord` and `nudge tick` each print one
    sentence saying so, not the network library's traceback."""
    import discord.http
    from click.testing import CliRunner

    from bot.cli import main

    monkeypatch.setattr(discord.http.Route, "BASE", "http://127.0.0.1:9/api/v10")  # refused
    env = {"DATABASE_URL": db_url, "DISCORD_BOT_TOKEN": "a-token"}
    for command in (["run", "--platform", "discord"], ["nudge", "tick"]):
        result = CliRunner().invoke(main, command, env=env)
        assert result.exit_code == 1, (command, result.output)
        assert result.output.startswith("Error: Discord could not be reached"), result.output
        assert "Traceback" not in result.output and len(result.output.splitlines()) == 1
