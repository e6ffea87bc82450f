"""Set-up that is wrong is refused at start-up with one line naming the setting: a token
without the one it needs, a name that is no setting, a value of the wrong kind."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from bot.settings import known_names

ROOT = Path(__file__).resolve().parents[2]
APP_TOKEN_ALONE = (
    "SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not: Socket Mode needs both, the app-level "
    "token (xapp-…) to connect and the bot token (xoxb-…) to answer; set SLACK_BOT_TOKEN, or "
    "remove SLACK_APP_TOKEN."
)
PORT = "PORT must be a whole number from 1 to 65535 (a TCP port such as 3000)"
ZONE = "MENTORBOT_TIMEZONE must be an IANA time zone such as Europe/London or America/New_York"
URL = (
    "DATABASE_URL must be a SQLAlchemy URL such as sqlite:///mentorbot.db or "
    "postgresql://user@host/mentorbot"
)
NOT_A_SETTING = "is set in the environment but is not a mentorbot setting"

REFUSALS = [
    pytest.param({"SLACK_APP_TOKEN": "xapp-1-A0"}, None, APP_TOKEN_ALONE, id="app token alone"),
    pytest.param(
        {"SLACK_APP_TOKEN": "xapp-1-A0", "SLACK_BOT_TOKEN": ""},
        None,
        APP_TOKEN_ALONE,
        id="app token, empty bot token",
    ),
    pytest.param(
        {"SLACK_SIGNING_SECRET": "abc123"},
        None,
        "SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is not: Slack needs the bot token "
        "(xoxb-…) too; set SLACK_BOT_TOKEN, or remove SLACK_SIGNING_SECRET.",
        id="signing secret alone",
    ),
    pytest.param(
        {"MENTORBOT_TIMEZOEN": "Europe/Paris"},
        None,
        f"MENTORBOT_TIMEZOEN {NOT_A_SETTING}; did you mean MENTORBOT_TIMEZONE?",
        id="misspelt, environment",
    ),
    pytest.param(
        {},
        "MENTORBOT_TIMEZOEN=Europe/Paris\n",
        "MENTORBOT_TIMEZOEN is set in .env but is not a mentorbot setting; "
        "did you mean MENTORBOT_TIMEZONE?",
        id="misspelt, .env",
    ),
    pytest.param(
        {"SLACK_TOKEN": "xoxb-1"},
        None,
        f"SLACK_TOKEN {NOT_A_SETTING}; did you mean SLACK_BOT_TOKEN or SLACK_APP_TOKEN?",
        id="two as close",
    ),
    pytest.param(
        {"MENTORBOT_PORT": "8080"},
        None,
        f"MENTORBOT_PORT {NOT_A_SETTING}; did you mean PORT?",
        id="a setting with a prefix added",
    ),
    pytest.param(
        {"DISCORD_WEBHOOK_SECRET": "s3cret"},
        None,
        f"DISCORD_WEBHOOK_SECRET {NOT_A_SETTING}; the settings are listed in .env.example.",
        id="nothing close",
    ),
    pytest.param(
        {"SLACK_CLIENT_ID": "123.456"},
        None,
        "SLACK_CLIENT_ID is set but SLACK_CLIENT_SECRET and SLACK_STATE_SECRET are not: "
        "installing into many workspaces needs all three; set them, or remove SLACK_CLIENT_ID.",
        id="oauth, one of three",
    ),
    pytest.param(
        {"SLACK_CLIENT_ID": "123.456", "SLACK_CLIENT_SECRET": "abc", "SLACK_STATE_SECRET": "x"},
        None,
        "SLACK_STATE_SECRET must be a long random text of your own (at least 16 characters) "
        "that signs the state of each installation; its value is not shown.",
        id="oauth, short state secret",
    ),
    pytest.param(
        {
            "SLACK_CLIENT_ID": "123.456",
            "SLACK_CLIENT_SECRET": "abc",
            "SLACK_STATE_SECRET": "0123456789abcdef",
        },
        None,
        "SLACK_CLIENT_ID is set but SLACK_SIGNING_SECRET is not: Slack signs every request of "
        "every installed workspace with it; set SLACK_SIGNING_SECRET.",
        id="oauth without signing secret",
    ),
    pytest.param({"PORT": "abc"}, None, f"{PORT}; it is set to “abc”.", id="port, not a number"),
    pytest.param({"PORT": "70000"}, None, f"{PORT}; it is set to “70000”.", id="port, too big"),
    pytest.param({}, "PORT=\n", f"{PORT}; it is empty.", id="port, empty in .env"),
    pytest.param(
        {"MENTORBOT_TIMEZONE": "Mars/Olympus"},
        None,
        f"{ZONE}; it is set to “Mars/Olympus”.",
        id="time zone",
    ),
    pytest.param(
        {"DATABASE_URL": "admin:hunter2@db.example/mentorbot"},
        None,
        f"{URL}; it is set to “admin:***@db.example/mentorbot”.",
        id="url, password not shown",
    ),
    pytest.param(
        {"DISCORD_GUILD_ID": "my-server"},
        None,
        "DISCORD_GUILD_ID must be a Discord server id, a whole number such as "
        "123456789012345678; it is set to “my-server”.",
        id="guild id",
    ),
    pytest.param(
        {"MENTORBOT_TICK_SECONDS": "1"},
        None,
        "MENTORBOT_TICK_SECONDS must be a whole number of seconds from 5 to 3600; "
        "it is set to “1”.",
        id="tick seconds",
    ),
    pytest.param(
        {"MENTORBOT_LATE_ROUND_DAYS": "a week"},
        None,
        "MENTORBOT_LATE_ROUND_DAYS must be a whole number of days from 0 to 60; "
        "it is set to “a week”.",
        id="late round days",
    ),
    pytest.param(
        {"MENTORBOT_COMMANDS_PER_MINUTE": "-1"},
        None,
        "MENTORBOT_COMMANDS_PER_MINUTE must be a whole number from 0 (no limit) to 10000; "
        "it is set to “-1”.",
        id="commands per minute",
    ),
]


@pytest.mark.parametrize(("env", "dotenv", "line"), REFUSALS)
def test_a_wrong_setting_is_refused_in_one_line(cli, monkeypatch, tmp_path, env, dotenv, line):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if dotenv is not None:
        (tmp_path / ".env").write_text(dotenv, encoding="utf-8")
    result = cli("pairs", "list")
    assert result.exit_code == 1
    assert result.output == f"Error: {line}\n"
    assert "Traceback" not in result.output


def test_socket_mode_without_a_bot_token_does_not_start_the_console(cli, monkeypatch):
    """`mentorbot run` with only SLACK_APP_TOKEN refuses instead of opening a local chat."""
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-A0")
    result = cli("run", input="/help\n")
    assert result.exit_code == 1
    assert result.output == f"Error: {APP_TOKEN_ALONE}\n"


def test_a_bad_secret_is_named_but_never_shown(cli, monkeypatch, tmp_path):
    """A value of a *_TOKEN or *_SECRET variable is never printed, even when refused."""
    monkeypatch.setenv("SLACK_BOT_TOKN", "xoxb-very-secret")
    result = cli("pairs", "list")
    assert result.exit_code == 1
    assert "very-secret" not in result.output
    assert result.output == (
        "Error: SLACK_BOT_TOKN is set in the environment but is not a mentorbot setting; "
        "did you mean SLACK_BOT_TOKEN?\n"
    )


def test_every_setting_in_any_case_is_accepted(cli, monkeypatch, tmp_path):
    """Each known name is accepted, also written in lower case in .env (as pydantic reads it)."""
    (tmp_path / ".env").write_text("mentorbot_timezone=Europe/Paris\n", encoding="utf-8")
    monkeypatch.setenv("MENTORBOT_TICK_SECONDS", "30")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")
    result = cli("pairs", "list")
    assert result.exit_code == 0, result.output


def example_settings() -> list[tuple[str, str, str]]:
    """``.env.example``'s settings: (name, value, the comment line just above it)."""
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    found = []
    for above, line in itertools.pairwise(lines):
        if match := re.fullmatch(r"# ([A-Z_]+)=(.*)", line):
            found.append((match[1], match[2], above))
    return found


def test_env_example_lists_every_setting_each_under_its_own_comment():
    settings = example_settings()
    assert sorted(name for name, _, _ in settings) == sorted(known_names())
    for name, _, comment in settings:
        assert comment.startswith("# ") and not re.fullmatch(r"# [A-Z_]+=.*", comment), name


def test_env_example_uncommented_is_accepted(monkeypatch, tmp_path):
    """Every line of .env.example, uncommented into a .env, is read without a refusal."""
    from click.testing import CliRunner

    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    text = "".join(f"{name}={value}\n" for name, value, _ in example_settings())
    (tmp_path / ".env").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["db", "upgrade"], catch_exceptions=False)
    assert result.output == "The database is up to date.\n"


# Where the project reads or sets a variable: an environment look-up, a keyword argument
# (Settings(SLACK_BOT_TOKEN=…)), a quoted name, a shell assignment.
NAME_IN_USE = re.compile(
    r"""(?:["']|\b)((?:MENTORBOT|SLACK|DISCORD)_[A-Z0-9_]*[A-Z0-9])(?:["']|=)"""
)
DELIBERATELY_UNKNOWN = {Path(__file__).resolve()}  # this file names wrong ones on purpose


def test_every_variable_the_project_uses_is_a_setting():
    """No test, bench, CI script or module sets or reads a MENTORBOT_/SLACK_/DISCORD_ variable
    that start-up would refuse."""
    files = [ROOT / "Makefile", *sorted((ROOT / ".ci").iterdir())]
    for folder in ("bot", "storage", "scheduler", "prompts", "bench", "tests"):
        files += sorted((ROOT / folder).rglob("*.py"))
    used = {
        (name, str(file.relative_to(ROOT)))
        for file in files
        if file.resolve() not in DELIBERATELY_UNKNOWN
        for name in NAME_IN_USE.findall(file.read_text(encoding="utf-8"))
    }
    assert len({name for name, _ in used}) > 10  # the pattern finds the settings themselves
    allowed = set(known_names())
    assert sorted((name, file) for name, file in used if name not in allowed) == []
