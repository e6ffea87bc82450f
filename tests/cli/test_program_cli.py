"""`mentorbot program create/edit/list/show`, and `pairs import --program` with settings: an
operator sets a program up without SQL, and each wrong value is refused in one line."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from storage.db import make_engine, make_session_factory, session_scope
from storage.models import Cohort, Program, ProgramRhythm


def programs(db_url: str) -> list[tuple]:
    with session_scope(make_session_factory(make_engine(db_url))) as session:
        return [
            (
                p.name,
                p.start_date,
                p.end_date,
                p.interval_weeks,
                p.weekday,
                p.local_time,
                p.timezone,
                p.pairs_channel_id,
                sorted(
                    c.name for c in session.scalars(select(Cohort).where(Cohort.program_id == p.id))
                ),
            )
            for p in session.scalars(select(Program).order_by(Program.id))
        ]


def test_create_show_list_and_edit_a_program(cli, db_url):
    created = cli(
        "program", "create", "Spring 2027", "--start", "2027-01-12", "--end", "2027-12-14",
        "--every", "2 weeks", "--on", "Thu", "--at", "3:30pm", "--timezone", "america/chicago",
        "--cohorts", "Fall, Spring",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert created.output.splitlines()[:4] == [
        "Created program 1.",
        "Spring 2027 (program 1)",
        "Dates: 2027-01-12 to 2027-12-14",
        "Rhythm: every 2 weeks on Thursday at 15:30 (America/Chicago)",
    ]
    assert programs(db_url) == [
        (
            "Spring 2027",
            dt.date(2027, 1, 12),
            dt.date(2027, 12, 14),
            2,
            3,
            dt.time(15, 30),
            "America/Chicago",
            None,
            ["Fall", "Spring"],
        )
    ]
    listed = cli("program", "list").output
    assert "Spring 2027" in listed and "2w Thu 15:30" in listed
    edited = cli(
        "program", "edit", "spring 2027", "--every", "1", "--channel", "<#123456789012345678>"
    )
    assert edited.exit_code == 0, edited.output
    assert "Discord pair threads go to channel 123456789012345678 from now on." in edited.output
    assert "every week on Thursday at 15:30" in " ".join(edited.output.split())
    with session_scope(make_session_factory(make_engine(db_url))) as session:
        [kept] = session.scalars(select(ProgramRhythm)).all()
        assert kept.interval_weeks == 2
    shown = cli("program", "show").output
    assert "Cohorts: Fall (0), Spring (0)" in shown
    assert "Discord pair threads: 123456789012345678" in shown


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["--every", "13w"],
            "“13w” is not a number of weeks from 1 to 12; type e.g. `--every 3w`.",
        ),
        (["--on", "th"], "“th” is not a day of the week; type e.g. `--on tuesday`."),
        (["--at", "25:00"], "“25:00” is not a time of day; type e.g. `--at 10:00`."),
        (
            ["--timezone", "America/Chicgo"],
            "“America/Chicgo” is not a time zone name (did you mean `America/Chicago`",
        ),
        (["--start", "2027-02-30"], "“2027-02-30” is not a date like 2027-01-31"),
        (
            ["--start", "2027-03-01", "--end", "2027-02-01"],
            "The end (2027-02-01) must come after the start (2027-03-01).",
        ),
        (["--channel", "pairs"], "“pairs” is not a Discord channel id"),
        (["--cohorts", "Fall, fall"], "The cohort “fall” is named twice."),
    ],
)
def test_a_wrong_setting_is_refused_in_one_line_and_nothing_is_created(cli, db_url, args, said):
    refused = cli("program", "create", "Autumn", *args)
    assert refused.exit_code == 1
    assert said in refused.output
    assert len(refused.output.strip().splitlines()) == 1 and "Traceback" not in refused.output
    assert programs(db_url) == []


def test_names_clash_and_unknown_programs_are_named(cli):
    cli("program", "create", "Spring 2027")
    assert (
        "There is already a program “Spring 2027” (1)."
        in cli("program", "create", "SPRING 2027").output
    )
    unknown = cli("program", "edit", "Winter", "--every", "2w").output
    assert "There is no program “Winter”; the programs are “Spring 2027” (1)." in unknown
    assert "Say what to change" in cli("program", "edit", "1").output


def test_import_creates_its_program_with_the_settings_given_or_refuses_them(cli, db_url, tmp_path):
    (tmp_path / "pairs.csv").write_text("mentor,mentee\nada,ben\n", encoding="utf-8")
    first = cli(
        "pairs", "import", str(tmp_path / "pairs.csv"), "--program", "Library Year",
        "--start", "2027-01-05", "--every", "4w", "--on", "monday", "--at", "9:00",
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    assert (
        "Created the program “Library Year”, 2027-01-05 to 2028-01-04, every 4 weeks on Monday "
        "at 09:00 (UTC)."
    ) in " ".join(first.output.split())
    (tmp_path / "more.csv").write_text("mentor,mentee\ncy,dee\n", encoding="utf-8")
    again = cli(
        "pairs", "import", str(tmp_path / "more.csv"), "--program", "library year", "--every", "2w"
    )
    assert again.exit_code == 1
    assert (
        "The program “Library Year” exists already, so its settings stay as they are"
        in " ".join(again.output.split())
    )
    assert [row[3] for row in programs(db_url)] == [4]
