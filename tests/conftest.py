"""Shared fixtures: a migrated SQLite database, a hand-moved clock and a real core."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from bot.core.service import Core
from tests.support.bot import Clock, add_pair, add_program, make_core, migrated_sqlite

pytest_plugins = ["tests.support.postgres"]

# Variables the bot reads; a developer's own (or a .env file's) must never reach a test.
SETTING_PREFIXES = ("MENTORBOT_", "SLACK_", "DISCORD_")
SETTING_NAMES = ("DATABASE_URL", "PORT")

START = dt.datetime(2026, 11, 10, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def isolated_from_the_callers_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Each test starts with none of the bot's settings in the environment, and in a folder of
    its own, so no ``.env`` is read and no file lands in the checkout."""
    for name in list(os.environ):
        if name.startswith(SETTING_PREFIXES) or name in SETTING_NAMES:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrations run once; each test copies the resulting file."""
    folder = tmp_path_factory.mktemp("template")
    migrated_sqlite(folder)
    return folder / "mentorbot.db"


@pytest.fixture
def db_url(tmp_path: Path, migrated_template: Path) -> str:
    target = tmp_path / "mentorbot.db"
    target.write_bytes(migrated_template.read_bytes())
    return f"sqlite:///{target}"


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def core(db_url: str, clock: Clock) -> Core:
    return make_core(db_url, clock)


@pytest.fixture
def program_id(core: Core) -> int:
    return add_program(core)


@pytest.fixture
def pair_id(core: Core, program_id: int) -> int:
    return add_pair(core, program_id)
