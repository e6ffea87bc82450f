"""The console chat through stdin and stdout, as a newcomer types it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from storage.db import upgrade


@pytest.fixture
def run_console(tmp_path):
    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)

    def run(*lines: str) -> str:
        env = {**os.environ, "DATABASE_URL": url, "COLUMNS": "200", "NO_COLOR": "1"}
        for name in ("SLACK_BOT_TOKEN", "DISCORD_BOT_TOKEN", "MENTORBOT_COORDINATORS"):
            env.pop(name, None)
        result = subprocess.run(
            [sys.executable, "-m", "bot", "run"],
            input="\n".join(lines) + "\n",
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=90,
        )
        assert "Traceback" not in result.stderr + result.stdout, result.stderr
        assert result.returncode == 0, result.stderr
        return result.stdout

    return run


def test_first_run_fills_demo_and_acts_as_a_member_of_one_pair(run_console):
    """An empty database gets the demo, and the chat starts as someone whose commands need no
    @partner, so the first /goal works."""
    out = run_console("/who", "/goal", "/quit")
    assert "filled it with the demo program" in out
    assert "You are now Ben (mentee of Maria)" in out
    assert "Create a book list of diverse titles for my storytime" in out
    assert "Casey" in out and "coordinator" in out
    assert out.rstrip().endswith("Bye.")


def test_goal_commands_as_a_mentee(run_console):
    """Acting as a mentee, goals are added and listed like on Slack."""
    out = run_console("/as ben", "/goal add Read three award winners", "/goal list", "/quit")
    assert "You are now Ben" in out
    assert "Added goal 3" in out
    assert "3. Read three award winners" in out


def test_log_meeting_form_asks_field_by_field(run_console):
    """A bare /log-meeting asks each field, re-asks a wrong one, and saves."""
    out = run_console(
        "/as ben",
        "/log-meeting",
        "",  # date: keep today
        "forever",  # duration: wrong
        "",  # activity: keep
        "We talked",  # notes
        "",  # next steps
        "",  # goals
        "45m",  # duration again
        "/log-meeting list",
        "/quit",
    )
    assert "Log a meeting" in out
    assert "✗" in out and "duration" in out.lower()
    assert "Logged meeting" in out
    assert "We talked" in out


def test_summary_only_for_coordinator(run_console):
    """Members are refused the summary; the coordinator sees totals and gets files."""
    out = run_console("/mentoring-summary", "/as casey", "/mentoring-summary", "/quit")
    assert "for program coordinators" in out
    assert "Active pairs: 3" in out
    assert "mentoring-summary.csv" in out


def test_skip_days_brings_a_suggestion_with_buttons(run_console):
    """Moving the clock delivers the next round; pressing a number answers it."""
    out = run_console("/skip-days 21", "/as maria", "10", "/quit")
    # The demo pairs are due a check-in (buttons 1-9) before the next round's suggestions.
    assert "[1] Yes, log it   [2] Not yet   [3] We need help" in out
    assert "[10] We'll do this" in out
    assert "Maria chose “We'll do this”" in out


def test_bad_console_input_is_explained(run_console):
    """Unknown commands, plain text and bad numbers each get a sentence."""
    out = run_console("/dance", "hello", "/skip-days lots", "/as nobody", "99", "/quit")
    assert "I don't know /dance" in out
    assert "Commands start with /" in out
    assert "number of days" in out
    assert "No one here is called “nobody”" in out
    assert "no such button" in out


def test_a_command_typed_inside_a_form_leaves_the_form_and_runs(run_console):
    out = run_console("/log-meeting", "yesterday", "/goal list", "/quit")
    assert "Left the form; nothing was saved." in out
    assert "Your goals" in out
    assert "Logged meeting" not in out


def test_goal_options_are_typed_by_their_own_numbers(run_console):
    """The form lists goals by their goal numbers, and takes those numbers."""
    out = run_console(
        "/log-meeting", "yesterday", "1h", "", "", "", "2", "/log-meeting list", "/quit"
    )
    assert "   2. Create a book list of diverse titles for my storytime" in out
    assert "Goals moved: 2." in out
