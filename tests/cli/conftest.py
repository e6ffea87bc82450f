"""Running the real ``mentorbot`` entry point against a test database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result

from bot.cli import main


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path) -> Callable[..., Result]:
    """``cli("pairs", "list")`` runs the command with DATABASE_URL pointing at the test DB."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("MENTORBOT_COORDINATORS", "casey")
    monkeypatch.chdir(tmp_path)

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)

    return run
