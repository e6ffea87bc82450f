"""`mentorbot pairs import` says where the pairs went: the summary line names the platform(s),
a bot set up for Slack or Discord asks for `--platform` rather than making console pairs
unasked, and a pair's start outside its program's dates is refused by the file's own line.

Each test is a conversation: the file, the command, the lines printed, what is stored."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from storage.db import make_engine, make_session_factory, session_scope
from storage.models import Pair, Person, Program

SPRING = ("--program", "Spring 2027", "--start", "2027-01-12", "--end", "2027-12-14")
CREATED = (
    "Created the program “Spring 2027”, 2027-01-12 to 2027-12-14, every 3 weeks on Tuesday "
    "at 10:00 (UTC)."
)
ASK = "say which with --platform slack|discord|console."
MIXED = (
    "mentor,mentee,platform\n"
    "U0ADA,U0BEN,slack\n"
    "cy@example.org,dee@example.org,Slack\n"
    "345678901234567890,456789012345678901,discord\n"
)


def lines(result) -> list[str]:
    """What the operator saw, line by line (the progress bar leaves a blank line behind)."""
    return [line for line in result.output.splitlines() if line.strip()]


def stored_pairs(db_url: str) -> list[tuple[str, str, str, dt.date]]:
    with session_scope(make_session_factory(make_engine(db_url))) as session:
        found = []
        for pair in session.scalars(select(Pair).order_by(Pair.id)):
            mentor, mentee = (
                session.get(Person, pair.mentor_id),
                session.get(Person, pair.mentee_id),
            )
            found.append(
                (
                    pair.platform,
                    mentor.platform_user_id or mentor.email,
                    mentee.platform_user_id or mentee.email,
                    pair.start_date,
                )
            )
        return found


def program_names(db_url: str) -> list[str]:
    with session_scope(make_session_factory(make_engine(db_url))) as session:
        return list(session.scalars(select(Program.name)))


@pytest.fixture
def on_slack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-not-real")


@pytest.fixture
def on_discord(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "not-a-real-token")


# -- the summary names the platform ---------------------------------------------------------


def test_the_summary_names_the_platform_given(cli, db_url, tmp_path, on_slack):
    (tmp_path / "pairs.csv").write_text("mentor,mentee\nU0ADA,U0BEN\nU0CY,U0DEE\nU0EVE,U0FAY\n")
    result = cli("pairs", "import", "pairs.csv", "--platform", "slack", *SPRING)
    assert result.exit_code == 0, result.output
    assert lines(result) == [CREATED, "Imported 3 pair(s) on Slack into “Spring 2027”."]
    assert [pair[0] for pair in stored_pairs(db_url)] == ["slack", "slack", "slack"]


def test_a_file_mixing_platforms_is_counted_per_platform(cli, db_url, tmp_path, on_slack):
    """Every row names its platform, so no --platform is needed even on a Slack bot."""
    (tmp_path / "pairs.csv").write_text(MIXED)
    result = cli("pairs", "import", "pairs.csv", *SPRING)
    assert result.exit_code == 0, result.output
    assert lines(result) == [
        CREATED,
        "Imported 3 pair(s) into “Spring 2027”: 2 on Slack, 1 on Discord.",
    ]
    assert [pair[:3] for pair in stored_pairs(db_url)] == [
        ("slack", "U0ADA", "U0BEN"),
        ("slack", "cy@example.org", "dee@example.org"),
        ("discord", "345678901234567890", "456789012345678901"),
    ]


def test_skipped_rows_are_counted_after_the_platforms(cli, db_url, tmp_path):
    (tmp_path / "pairs.csv").write_text(MIXED + "U0GUS,U0GUS,slack\n")
    result = cli("pairs", "import", "pairs.csv", "--skip-bad-rows", *SPRING)
    assert result.exit_code == 0, result.output
    assert lines(result) == [
        CREATED,
        "pairs.csv, line 5: U0GUS is paired with themselves; mentor and mentee must differ",
        "Imported 3 pair(s) into “Spring 2027”: 2 on Slack, 1 on Discord (1 bad row(s) skipped).",
    ]


# -- a Slack or Discord bot asks for --platform -----------------------------------------------


def test_a_slack_bot_asks_which_platform_when_the_file_names_none(cli, db_url, tmp_path, on_slack):
    """Console pairs are never made unasked: nothing is stored, not even the program."""
    (tmp_path / "pairs.csv").write_text("mentor,mentee\nU0ADA,U0BEN\n")
    result = cli("pairs", "import", "pairs.csv", *SPRING)
    assert result.exit_code == 1
    assert result.output == (
        "Error: pairs.csv: No platform is given for these pairs (the file has no platform "
        f"column) and this bot is set up for Slack; {ASK}\n"
    )
    assert stored_pairs(db_url) == [] and program_names(db_url) == []
    again = cli("pairs", "import", "pairs.csv", "--platform", "slack", *SPRING)
    assert lines(again) == [CREATED, "Imported 1 pair(s) on Slack into “Spring 2027”."]
    assert [pair[0] for pair in stored_pairs(db_url)] == ["slack"]


def test_empty_platform_cells_are_named_by_line(cli, db_url, tmp_path, on_slack, on_discord):
    (tmp_path / "pairs.csv").write_text(
        "mentor,mentee,platform\nU0ADA,U0BEN,slack\nU0CY,U0DEE,\n\nU0EVE,U0FAY, \n"
    )
    result = cli("pairs", "import", "pairs.csv", *SPRING)
    assert result.exit_code == 1
    assert result.output == (
        "Error: pairs.csv: No platform is given for these pairs (lines 3, 5 leave the platform "
        f"empty) and this bot is set up for Slack and Discord; {ASK}\n"
    )
    assert stored_pairs(db_url) == []


def test_one_empty_platform_cell_on_a_discord_bot(cli, db_url, tmp_path, on_discord):
    (tmp_path / "pairs.csv").write_text(
        "mentor,mentee,platform\n345678901234567890,456789012345678901,\n"
    )
    result = cli("pairs", "import", "pairs.csv", *SPRING)
    assert result.output == (
        "Error: pairs.csv: No platform is given for these pairs (line 2 leaves the platform "
        f"empty) and this bot is set up for Discord; {ASK}\n"
    )
    given = cli("pairs", "import", "pairs.csv", "--platform", "discord", *SPRING)
    assert lines(given)[-1] == "Imported 1 pair(s) on Discord into “Spring 2027”."


def test_the_platform_given_fills_only_empty_cells(cli, db_url, tmp_path, on_slack):
    (tmp_path / "pairs.csv").write_text(
        "mentor,mentee,platform\nU0ADA,U0BEN,\n345678901234567890,456789012345678901,discord\n"
    )
    result = cli("pairs", "import", "pairs.csv", "--platform", "slack", *SPRING)
    assert lines(result)[-1] == "Imported 2 pair(s) into “Spring 2027”: 1 on Slack, 1 on Discord."
    assert [pair[0] for pair in stored_pairs(db_url)] == ["slack", "discord"]


def test_console_stays_possible_when_asked_for(cli, db_url, tmp_path, on_slack):
    (tmp_path / "pairs.csv").write_text("mentor,mentee\nada,ben\n")
    result = cli("pairs", "import", "pairs.csv", "--platform", "console", *SPRING)
    assert result.exit_code == 0, result.output
    assert lines(result) == [CREATED, "Imported 1 pair(s) on the console into “Spring 2027”."]
    assert [pair[0] for pair in stored_pairs(db_url)] == ["console"]


def test_with_no_token_rows_without_a_platform_are_console_pairs(cli, db_url, tmp_path):
    (tmp_path / "pairs.csv").write_text("mentor,mentee\nada,ben\n")
    result = cli("pairs", "import", "pairs.csv", *SPRING)
    assert result.exit_code == 0, result.output
    assert lines(result) == [CREATED, "Imported 1 pair(s) on the console into “Spring 2027”."]
    assert [pair[0] for pair in stored_pairs(db_url)] == ["console"]


# -- a pair starts within its program ---------------------------------------------------------

BETWEEN = "give a start from 2027-01-12 to 2027-12-14"


def test_starts_outside_a_new_program_are_refused_by_line(cli, db_url, tmp_path):
    """The program the import creates takes its dates from the options; the first and last
    day are inside it."""
    (tmp_path / "pairs.csv").write_text(
        "mentor,mentee,start\n"
        "ada,ben,2027-01-11\n"
        "cy,dee,2027-01-12\n"
        "eve,fay,2027-12-14\n"
        "gus,hal,2027-12-15\n"
    )
    result = cli("pairs", "import", "pairs.csv", *SPRING)
    assert result.exit_code == 1
    assert lines(result) == [
        "pairs.csv, line 2: start 2027-01-11 is before “Spring 2027” begins on 2027-01-12; "
        + BETWEEN,
        "pairs.csv, line 5: start 2027-12-15 is after “Spring 2027” ends on 2027-12-14; " + BETWEEN,
        "Error: 2 bad row(s), so nothing was imported. Fix them, or add --skip-bad-rows to "
        "import the good rows.",
    ]
    assert stored_pairs(db_url) == [] and program_names(db_url) == []
    skipping = cli("pairs", "import", "pairs.csv", "--skip-bad-rows", *SPRING)
    assert lines(skipping)[0] == CREATED
    assert lines(skipping)[-1] == (
        "Imported 2 pair(s) on the console into “Spring 2027” (2 bad row(s) skipped)."
    )
    assert stored_pairs(db_url) == [
        ("console", "cy", "dee", dt.date(2027, 1, 12)),
        ("console", "eve", "fay", dt.date(2027, 12, 14)),
    ]


def test_starts_outside_an_existing_program_name_its_dates(cli, db_url, tmp_path):
    cli("program", "create", "Fall 2026", "--start", "2026-09-01", "--end", "2027-06-30")
    (tmp_path / "pairs.csv").write_text("mentor,mentee,start\nada,ben,2027-07-01\n")
    result = cli("pairs", "import", "pairs.csv", "--program", "fall 2026")
    assert lines(result)[0] == (
        "pairs.csv, line 2: start 2027-07-01 is after “Fall 2026” ends on 2027-06-30; "
        "give a start from 2026-09-01 to 2027-06-30"
    )
    assert stored_pairs(db_url) == []


def test_a_pair_without_a_start_is_not_added_to_an_ended_program(cli, db_url, tmp_path):
    """With no start a pair starts today, which is after a program that has ended."""
    cli("program", "create", "Old", "--start", "2020-01-07", "--end", "2020-12-15")
    (tmp_path / "pairs.csv").write_text("mentor,mentee\nada,ben\n")
    today = dt.datetime.now(dt.UTC).date()
    result = cli("pairs", "import", "pairs.csv", "--program", "Old")
    assert result.exit_code == 1
    assert lines(result)[0] == (
        f"pairs.csv, line 2: it gives no start, so it would start today, {today}, after “Old” "
        "ended on 2020-12-15; give a start from 2020-01-07 to 2020-12-15, or import it into "
        "another program"
    )
    assert stored_pairs(db_url) == []
