"""The console chat as a newcomer types it: in-process, reading scripted lines, printing to a
buffer (and once through the real ``mentorbot run`` entry point)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.console.chat import completions
from storage.db import upgrade
from tests.console.script import scripted_chat
from tests.support.bot import make_core


@pytest.fixture
def chat(db_url, clock):
    """``chat(*lines)`` runs a console chat on a fresh database with those lines typed, and
    returns everything it printed, prompts and typed lines included."""
    core = make_core(db_url, clock)

    def run(*lines: str) -> str:
        return scripted_chat(core, *lines)

    return run


def test_make_run_opens_the_chat_on_a_fresh_database(tmp_path):
    """`mentorbot run` with no tokens: the demo is filled in and the chat starts as a mentee
    of one pair, so the first /goal needs no @partner."""
    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)
    env = {**os.environ, "DATABASE_URL": url, "COLUMNS": "200", "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        input="/who\n/goal\n/quit\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=90,
    )
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "filled it with the demo program" in out
    assert "You are now Ben (mentee of Maria)" in out
    assert "Create a book list of diverse titles for my storytime" in out
    assert "Casey" in out and "coordinator" in out
    assert out.rstrip().endswith("Bye.")


def test_goal_commands_as_a_mentee(chat):
    """Acting as a mentee, goals are added and listed like on Slack."""
    out = chat("/as ben", "/goal add Read three award winners", "/goal list", "/quit")
    assert "You are now Ben" in out
    assert "Added goal 3" in out
    assert "3. Read three award winners" in out


def test_log_meeting_form_asks_field_by_field(chat):
    """A bare /log-meeting asks each field, re-asks a wrong one, and saves."""
    out = chat(
        "/as ben",
        "/log-meeting",
        "",  # date: keep today
        "forever",  # duration: wrong
        "",  # activity: keep
        "We talked",  # notes
        "",  # next steps
        "",  # goals
        "",  # rating
        "45m",  # duration again
        "/log-meeting list",
        "/quit",
    )
    assert "Log a meeting" in out
    assert "✗ “forever” is not a duration" in out
    assert "Logged meeting" in out
    assert "We talked" in out


def test_a_refusal_gives_back_what_was_typed_and_its_button_opens_the_form(chat):
    """A goal over the limit is refused with the text given back; the button opens the goal
    form with it filled in, and a shorter wording is saved."""
    long_goal = "Read " + "very " * 110 + "many books"
    out = chat(
        "/as ben",
        f"/goal add {long_goal}",
        "1",  # the refusal's only button: Open the form
        "Read many books",
        "/quit",
    )
    assert "The goal is 565 characters long; it can be at most 500" in out
    assert f"You typed: /goal add {long_goal}"[:120] in out
    assert "[1] Open the form" in out
    assert "Add a goal" in out
    assert "Added goal 3: Read many books" in out


def test_summary_only_for_coordinator(chat):
    """Members are refused the summary; the coordinator sees totals and gets files."""
    out = chat("/mentoring-summary", "/as casey", "/mentoring-summary", "/quit")
    assert "Sorry, /mentoring-summary is for program coordinators" in out
    assert "Active pairs: 3" in out
    assert "mentoring-summary.csv" in out


def test_skip_days_brings_a_suggestion_with_buttons(chat):
    """Moving the clock delivers the next round; pressing a number answers it."""
    out = chat("/skip-days 21", "/as maria", "10", "/quit")
    # The demo pairs are due a check-in (buttons 1-9) before the next round's suggestions.
    assert "[1] Yes, log it   [2] Not yet   [3] We need help" in out
    assert "[10] We'll do this" in out
    assert "Maria pressed “We'll do this”" in out


def test_bad_console_input_is_explained(chat):
    """Unknown commands, plain text and bad numbers each get a sentence."""
    out = chat("/dance", "hello", "/skip-days lots", "/as nobody", "99", "/quit")
    assert "I don't know /dance" in out
    assert "Commands start with /" in out
    assert "number of days" in out
    assert "No one here is called “nobody”" in out
    assert "no such button" in out


def test_a_command_typed_inside_a_form_leaves_the_form_and_runs(chat):
    out = chat("/log-meeting", "yesterday", "/goal list", "/quit")
    assert "Left the form; nothing was saved." in out
    assert "Your goals" in out
    assert "Logged meeting" not in out


def test_goal_options_are_typed_by_their_own_numbers(chat):
    """The form lists goals by their goal numbers, and takes those numbers."""
    out = chat("/log-meeting", "yesterday", "1h", "", "", "", "2", "", "/log-meeting list", "/quit")
    assert "   2. Create a book list of diverse titles for my storytime" in out
    assert "Goals moved: 2." in out


@pytest.mark.parametrize(
    ("line", "offered"),
    [
        (
            "/",
            [
                "/help",
                "/who",
                "/as",
                "/tick",
                "/skip-days",
                "/press",
                "/quit",
                "/goal",
                "/log-meeting",
                "/mentoring",
                "/mentoring-summary",
                "/mentoring-admin",
            ],
        ),
        ("/me", ["/mentoring", "/mentoring-summary", "/mentoring-admin"]),
        ("/goal ", ["list", "add", "done", "reopen", "drop", "edit", "ideas", "help"]),
        ("/goal d", ["done", "drop"]),
        ("/goal @maria d", ["done", "drop"]),
        ("/log-meeting ", ["list", "delete", "share", "help"]),
        ("/mentoring p", ["pause"]),
        ("/goal add som", []),
        ("/nope ", []),
    ],
)
def test_tab_completes_commands_and_verbs_from_the_declarations(line, offered):
    assert completions(line) == offered


def test_the_issues_examples_read_as_spec_says_in_the_console(chat):
    """A partner named first keeps the action; left-over words, odd digits and huge numbers
    are refused with what was typed given back; nothing answers with an apology."""
    out = chat(
        "/as ben",
        "/goal @maria add Plan storytime",
        "/log-meeting @maria list",
        "/goal done 1 garbage",
        "/goal done ③",
        "/goal drop 18446744073709551616",
        "/mentoring @maria pause ²",
        "/goal add Shadow @ana at storytime",
        "/quit",
    )
    assert "Added goal 3: Plan storytime" in out
    assert "Meetings (3)" in out and "Logged meeting" not in out
    assert "Nothing was done: “garbage” is more than /goal done N takes" in out
    assert "You typed: /goal done 1 garbage" in out
    assert "“③” is not a goal number from 1 to 100,000" in out
    assert "“18446744073709551616” is not a goal number" in out
    assert "“²” is not a number of weeks from 1 to 26" in out
    assert "Added goal 4: Shadow @ana at storytime" in out
    assert "something went wrong" not in out


def test_files_the_console_saves_are_readable_by_their_owner_only(chat):
    """A coordinator's summary CSV and chart, saved under mentorbot-files/, hold members'
    names: with the usual umask they are still owner-only, in an owner-only folder."""
    os.umask(0o022)
    printed = chat("/as casey", "/mentoring-summary")
    assert "saved to mentorbot-files/" in printed
    folder = Path("mentorbot-files")  # in the working folder, as the chat said
    saved = sorted(path.name for path in folder.iterdir())
    assert saved and all(name.endswith((".csv", ".png")) for name in saved)
    assert all(stat.S_IMODE((folder / name).stat().st_mode) == 0o600 for name in saved)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_choice_that_is_none_of_the_options_is_asked_again_at_once(chat):
    """A free-text activity is refused as soon as it is typed, with the numbers to type, and
    the form goes on from there; goal numbers likewise."""
    out = chat(
        "/log-meeting",
        "yesterday",
        "45m",
        "read a picture book together",  # activity: none of the five listed
        "something else",  # by its label
        "We read",
        "",
        "1, 9",  # goals: only 2 is open
        "2",
        "",  # rating
        "/quit",
    )
    refused = "✗ “read a picture book together” is not one of the choices; type its number"
    assert f"{refused} (1 to 5), or /cancel." in out
    assert out.index(refused) < out.index("Notes (private to your pair)")
    assert "✗ “1” is not one of the choices; type their numbers (2), or /cancel." in out
    assert "Logged meeting 4: Mon 9 Nov 2026, 45 min, own activity." in out
    assert "Goals moved: 2." in out


def test_tick_says_when_nothing_is_due(chat):
    """`/tick` with nothing due says so, at the console's time where the person lives."""
    out = chat("/tick", "/quit")
    assert (
        "Nothing is due at Tuesday 10 November 2026, 10:00 (America/New_York); "
        "/skip-days N moves on."
    ) in out


def test_the_folder_of_saved_files_is_ignored_by_git():
    """mentorbot-files/ (summaries with members' names) can never be committed by mistake."""
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    checked = subprocess.run(
        ["git", "check-ignore", "-q", "mentorbot-files/mentoring-summary.csv"],
        cwd=root,
        check=False,
    )
    assert checked.returncode == 0


def test_the_competency_self_assessment_is_asked_area_by_area(chat):
    """`/mentoring competencies` asks each area's 1-to-4 rating in turn, refuses a number off
    the scale as it is typed, and saves them."""
    out = chat("/as ben", "/mentoring competencies", "5", *["3"] * 7, "/quit")
    assert "Where you start" in out
    assert "✗ “5” is not one of the choices" in out
    assert "Saved: that is where you start." in out
