"""A fake Discord server, a real core on a migrated SQLite file, and a pair of Discord members."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from bot.app import build_core, build_ticker
from bot.core.service import Core
from bot.settings import Settings
from tests.discord.harness import (
    ADA,
    APP_ID,
    BEN,
    CASEY,
    COORDINATOR_ROLE,
    DANA,
    GUILD_ID,
    LOBBY,
    PAIRS_CHANNEL,
    ROBIN,
    add_discord_pair,
    add_program,
)
from tests.fakes.discord_api import FakeDiscord
from tests.support.bot import Clock

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def fake() -> Iterator[FakeDiscord]:
    with FakeDiscord(
        application_id=APP_ID,
        guild_id=GUILD_ID,
        channels=[(PAIRS_CHANNEL, "mentoring"), (LOBBY, "lobby")],
        interaction_timeout=3.0,  # Discord's window for the first answer
    ) as server:
        server.add_role(COORDINATOR_ROLE, "Coordinators")
        server.add_member(ADA, "Ada")
        server.add_member(BEN, "Ben")
        server.add_member(CASEY, "Casey")
        server.add_member(ROBIN, "Robin", roles=[COORDINATOR_ROLE])
        server.add_member(DANA, "Dana")
        yield server
        assert server.internal_errors == []


@pytest.fixture
def settings_values(db_url: str) -> dict[str, object]:
    """The environment; a test may change it before ``core`` is built."""
    return {
        "DATABASE_URL": db_url,
        "DISCORD_BOT_TOKEN": "fake-token",
        "DISCORD_GUILD_ID": GUILD_ID,
        "DISCORD_PAIRS_CHANNEL_ID": PAIRS_CHANNEL,
        "MENTORBOT_COORDINATORS": str(CASEY),
        "MENTORBOT_DISCORD_COORDINATOR_ROLE": "Coordinators",
    }


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def core(settings_values: dict[str, object], clock: Clock) -> Core:
    return build_core(Settings(**settings_values), clock)  # type: ignore[arg-type]


@pytest.fixture
def program_id(core: Core) -> int:
    return add_program(core)


@pytest.fixture
def pair_id(core: Core, program_id: int) -> int:
    """Ada mentors Ben from Tue 17 Nov 2026; no conversation yet."""
    return add_discord_pair(core, program_id)


@pytest.fixture
def ticker_for(core: Core):
    """A ticker delivering through a running bot's outbound port."""
    return lambda bot: build_ticker(core, {"discord": bot.outbound})
