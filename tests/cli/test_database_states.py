"""Every state a database can be in is named for what it is, from any command, in one line:
only the states `mentorbot db upgrade` can fix send the operator there; and a command that
fails leaves no database file behind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner, Result
from sqlalchemy import inspect, make_url, text

from bot.cli import main
from storage.db import HEAD_REVISION, alembic_config, make_engine, upgrade

UP_TO_DATE = "The database is up to date.\n"
UPGRADE = "run `mentorbot db upgrade` first."
NO_REVISION = (
    "{where} has {tables} table(s) but no schema revision ({record}), so mentorbot cannot tell "
    "which version made it and will not change it; point DATABASE_URL at a new database, or "
    "restore this one from a backup."
)
UNKNOWN = (
    "{where} is at revision 0099, which this version of mentorbot does not know (its newest is "
    f"{HEAD_REVISION}), so a newer mentorbot has most likely upgraded it; run that version, or "
    "restore a backup from before the upgrade."
)


@pytest.fixture
def mentorbot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Result]:
    """``mentorbot("pairs", "list")`` in a folder of its own, with whatever DATABASE_URL is set."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return run


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch) -> str:
    """A database of each kind with nothing in it yet (a SQLite file not made yet), set as
    DATABASE_URL (PostgreSQL skipped, with the reason, where absent)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'mentorbot.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def where(url: str) -> str:
    return f"The database {make_url(url).render_as_string(hide_password=True)}"


def run_sql(url: str, *statements: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def version_of(url: str) -> list[str]:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        found = list(rows)
    engine.dispose()
    return found


def tables_but(url: str, *statements: str) -> int:
    """Migrate, then run ``statements``; the number of tables other than alembic_version."""
    upgrade(url)
    run_sql(url, *statements)
    engine = make_engine(url)
    with engine.connect() as connection:
        count = len(set(inspect(connection).get_table_names()) - {"alembic_version"})
    engine.dispose()
    return count


def test_a_missing_sqlite_file_is_named_and_not_made(mentorbot, tmp_path, monkeypatch):
    """No file yet: the refusal says so and makes none; `db upgrade` creates it."""
    url = f"sqlite:///{tmp_path / 'mentorbot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    refused = mentorbot("pairs", "list")
    assert refused.exit_code == 1
    assert refused.output == f"Error: {where(url)} does not exist yet; {UPGRADE}\n"
    assert list(tmp_path.glob("mentorbot.db*")) == []
    assert mentorbot("db", "upgrade").output == UP_TO_DATE
    assert mentorbot("pairs", "list").exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["pairs", "list"],
        ["pairs", "import", "pairs.csv", "--program", "Fall"],
        ["pairs", "pause", "1"],
        ["summary", "--format", "json"],
        ["export"],
        ["demo"],
        ["coordinators", "list"],
        ["nudge", "tick", "--dry-run"],
        ["forget", "ada", "--yes"],
        ["run", "--platform", "console"],
    ],
    ids=" ".join,
)
def test_a_command_that_fails_leaves_no_database_file(mentorbot, tmp_path, monkeypatch, args):
    """Whichever command meets a database not made yet, it refuses in one line and leaves
    nothing behind: no empty mentorbot.db, no -wal, no -shm."""
    (tmp_path / "pairs.csv").write_text("mentor,mentee\nada,ben\n", encoding="utf-8")
    result = mentorbot(*args)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: The database sqlite:///mentorbot.db does not exist yet; {UPGRADE}\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs.csv"]


def test_an_upgrade_that_fails_removes_the_file_it_made(mentorbot, tmp_path, monkeypatch):
    """A `db upgrade` of a new file that fails part way leaves no empty file behind."""
    url = f"sqlite:///{tmp_path / 'mentorbot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)

    def fails_after_connecting(config, revision):
        engine = make_engine(url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            engine.dispose()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(command, "upgrade", fails_after_connecting)
    result = mentorbot("db", "upgrade")
    assert result.exit_code == 1
    assert result.output == "Error: No space left on device\n"
    assert list(tmp_path.glob("mentorbot.db*")) == []


STATES = [
    # (id, prepare the database, the line, whether `db upgrade` fixes it)
    pytest.param(
        lambda url: run_sql(url, "SELECT 1"),
        "{where} has no tables yet; " + UPGRADE,
        True,
        id="no tables",
    ),
    pytest.param(
        lambda url: run_sql(url, "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"),
        "{where} has no tables yet; " + UPGRADE,
        True,
        id="an empty alembic_version and nothing else",
    ),
    pytest.param(
        lambda url: command.upgrade(alembic_config(url), "0003"),
        "{where} is at revision 0003; " + UPGRADE,
        True,
        id="an older revision",
    ),
    pytest.param(
        lambda url: tables_but(url, "UPDATE alembic_version SET version_num = '0099'"),
        UNKNOWN,
        False,
        id="a newer revision",
    ),
    pytest.param(
        lambda url: tables_but(url, "DELETE FROM alembic_version"),
        NO_REVISION.replace("{record}", "its alembic_version table is empty"),
        False,
        id="tables, an empty alembic_version",
    ),
    pytest.param(
        lambda url: tables_but(url, "DROP TABLE alembic_version"),
        NO_REVISION.replace("{record}", "it has no alembic_version table"),
        False,
        id="tables, no alembic_version",
    ),
]


@pytest.mark.parametrize(("prepare", "line", "upgrade_fixes"), STATES)
def test_every_database_state_is_named_for_what_it_is(
    mentorbot, database, prepare, line, upgrade_fixes
):
    tables = prepare(database)
    expected = "Error: " + line.format(where=where(database), tables=tables) + "\n"
    refused = mentorbot("pairs", "list")
    assert refused.exit_code == 1
    assert refused.output == expected
    upgraded = mentorbot("db", "upgrade")
    if upgrade_fixes:
        assert upgraded.output == UP_TO_DATE
        assert version_of(database) == [HEAD_REVISION]
        assert mentorbot("pairs", "list").exit_code == 0
    else:  # refused the same way, and the database left as it was
        assert upgraded.exit_code == 1
        assert upgraded.output == expected
        assert mentorbot("pairs", "list").output == expected
    assert "Traceback" not in refused.output + upgraded.output
