"""The command line, through its entry point."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import select

from storage.db import make_engine, make_session_factory, session_scope
from storage.models import Pair, Program


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def pairs_in(db_url):
    with session_scope(make_session_factory(make_engine(db_url))) as session:
        return session.scalars(select(Pair)).all()


def programs_in(db_url):
    with session_scope(make_session_factory(make_engine(db_url))) as session:
        return session.scalars(select(Program)).all()


def test_help_lists_every_command():
    """`mentorbot --help` runs as installed and names each command."""
    out = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("run", "db", "pairs", "nudge", "summary", "demo", "export"):
        assert command in out


def test_db_upgrade_creates_schema(tmp_path, monkeypatch):
    """`db upgrade` makes a fresh database usable; an old one is refused until then."""
    from click.testing import CliRunner

    from bot.cli import main

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    refused = CliRunner().invoke(main, ["pairs", "list"])
    assert refused.exit_code == 1
    assert "run `mentorbot db upgrade` first" in refused.output
    assert "Traceback" not in refused.output
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0
    assert "No pairs" in CliRunner().invoke(main, ["pairs", "list"]).output


def test_import_good_file(cli, db_url, tmp_path):
    """A good CSV imports every pair, with cohorts and time zones."""
    path = write(
        tmp_path,
        "pairs.csv",
        "mentor,mentee,cohort,timezone\nada,ben,Fall,America/Chicago\ncy,dee,Fall,\n",
    )
    result = cli("pairs", "import", path, "--program", "ALSC 2026")
    assert result.exit_code == 0, result.output
    assert "Imported 2 pair(s) on the console into “ALSC 2026”." in result.output
    assert len(pairs_in(db_url)) == 2
    listed = cli("pairs", "list").output
    assert "ada" in listed.lower() and "Fall" in listed


def test_import_reports_every_bad_row_and_imports_none(cli, db_url, tmp_path):
    """Each bad row is named by line with its reason, and nothing is imported."""
    path = write(
        tmp_path,
        "pairs.csv",
        "mentor,mentee,timezone\n"
        "ada,ben,\n"
        ",ben,\n"
        "cy,cy,\n"
        "ada,ben,\n"
        "dee,eve,Mars/Olympus\n"
        "fay,not@an@email,\n",
    )
    result = cli("pairs", "import", path)
    assert result.exit_code == 1
    out = result.output
    assert "line 3:" in out and "mentor column is empty" in out
    assert "line 4:" in out and "paired with themselves" in out
    assert "line 5:" in out and "same pair as line 2" in out
    assert "line 6:" in out and "Mars/Olympus" in out
    assert "line 7:" in out and "e-mail" in out
    assert "nothing was imported" in out
    assert "Created the program" not in out
    assert pairs_in(db_url) == []
    assert programs_in(db_url) == []  # not even the program the import would have created


def test_import_skip_bad_rows(cli, db_url, tmp_path):
    """--skip-bad-rows imports the good rows and says how many were skipped."""
    path = write(tmp_path, "pairs.csv", "mentor,mentee\nada,ben\ncy,cy\n")
    result = cli("pairs", "import", path, "--skip-bad-rows")
    assert "Imported 1 pair(s)" in result.output and "1 bad row(s) skipped" in result.output
    assert len(pairs_in(db_url)) == 1


def test_import_spreadsheet_quirks(cli, db_url, tmp_path):
    """A UTF-8 BOM and semicolons, as spreadsheets save them, are accepted and explained."""
    path = write(tmp_path, "pairs.csv", "\ufeffMentor;Mentee\nada;ben\n")
    result = cli("pairs", "import", path)
    assert result.exit_code == 0, result.output
    assert "byte-order mark" in result.output and "semicolons" in result.output
    assert len(pairs_in(db_url)) == 1


def test_discord_rows_need_discord_user_ids(cli, db_url, tmp_path):
    """Discord cannot find people by e-mail, so such a row is named before anything is stored."""
    path = write(
        tmp_path,
        "pairs.csv",
        "mentor,mentee,platform\n"
        "345678901234567890,456789012345678901,discord\n"
        "ada@example.org,456789012345678902,discord\n",
    )
    result = cli("pairs", "import", path)
    assert result.exit_code == 1
    assert "line 3:" in result.output and "is not a Discord user id" in result.output
    assert pairs_in(db_url) == []


def test_import_unreadable_files(cli, tmp_path):
    """Missing columns, wrong encodings and missing files get one sentence each."""
    assert (
        "lacks the column(s) mentee"
        in cli("pairs", "import", write(tmp_path, "a.csv", "mentor\nada\n")).output
    )
    latin = write(tmp_path, "b.csv", "mentor,mentee\nJosé,Zoë\n", encoding="latin-1")
    assert "not UTF-8" in cli("pairs", "import", latin).output
    assert "no file" in cli("pairs", "import", str(tmp_path / "none.csv")).output


def test_import_refuses_existing_active_pair(cli, db_url, tmp_path):
    """Importing a pair that is already active is a bad row."""
    path = write(tmp_path, "pairs.csv", "mentor,mentee\nada,ben\n")
    cli("pairs", "import", path)
    again = cli("pairs", "import", path)
    assert "already an active pair" in again.output and again.exit_code == 1


def test_pause_resume_end(cli, db_url, tmp_path):
    """Pairs are paused, resumed and ended by id; a wrong id is explained."""
    cli("pairs", "import", write(tmp_path, "p.csv", "mentor,mentee\nada,ben\n"))
    assert "paused until" in cli("pairs", "pause", "1", "--weeks", "3").output
    assert "resumed" in cli("pairs", "resume", "1").output
    assert "ended" in cli("pairs", "end", "1").output
    assert "already ended" in cli("pairs", "end", "1").output
    assert "no pair 7" in cli("pairs", "pause", "7").output
    assert pairs_in(db_url)[0].status == "ended"


def test_demo_summary_and_export(cli, tmp_path):
    """The demo fills the database; summary and export read it in every format."""
    assert "Created the demo program" in cli("demo").output
    assert "already has a program" in cli("demo").output
    table = cli("summary").output
    assert "Active pairs: 3" in table
    data = json.loads(cli("summary", "--format", "json").output)
    assert data["totals"]["active_pairs"] == 3 and len(data["pairs"]) == 3
    csv_text = cli("summary", "--format", "csv", "--cohort", "Fall 2026").output
    assert csv_text.startswith("pair_id,") and len(csv_text.strip().splitlines()) == 3
    chart = tmp_path / "chart.png"
    cli("summary", "--chart", str(chart))
    assert chart.read_bytes().startswith(b"\x89PNG")
    exported = json.loads(cli("export").output)
    assert len(exported["pairs"]) == 3
    assert all(m["notes"] is None for m in exported["meetings"])
    assert "not a quarter" in cli("summary", "--period", "2027Q9").output


def test_nudge_tick_dry_run_then_real(cli):
    """`nudge tick --dry-run` prints what is due and sends nothing; without it, sends once."""
    cli("demo")
    later = "2030-01-01T00:00:00Z"  # the demo program has ended: each pair gets its closing
    dry = cli("nudge", "tick", "--dry-run", "--now", later)
    assert "would send program_closing" in dry.output
    assert "3 delivery(ies) due; nothing sent (dry run)." in dry.output
    assert "3 sent, 0 to retry, 0 failed." in cli("nudge", "tick", "--now", later).output
    assert "0 sent, 0 to retry, 0 failed." in cli("nudge", "tick", "--now", later).output
    assert "not an ISO time" in cli("nudge", "tick", "--now", "garbage").output


def test_forget_removes_a_members_data(cli, db_url):
    """`forget` deletes what a member wrote and strips their name; the partner's stays."""
    cli("demo")
    result = cli("forget", "ben", "--yes")
    assert "Forgot person 3, Ben (console ben; mentee in pair 1)" in result.output
    with session_scope(make_session_factory(make_engine(db_url))) as session:
        from storage.models import Goal, Meeting, Person

        assert session.scalars(select(Person).where(Person.platform_user_id == "ben")).all() == []
        assert session.scalars(select(Meeting)).all()  # Maria's entries are kept
        assert all(g.created_by.display_name != "Ben" for g in session.scalars(select(Goal)))
    assert "No one matches" in cli("forget", "nobody", "--yes").output


def test_forget_removes_the_drafts_a_members_refused_input_left(cli, db_url, clock):
    """What a member typed into a refused command (kept for the form button) is never
    exported, and goes when they are forgotten."""
    from storage.models import Draft
    from tests.support.bot import actor, make_core

    cli("demo")
    core = make_core(db_url, clock)
    refused = core.command(actor("ben"), "goal", "add " + "private words " * 40)
    assert [b.label for b in refused.message.buttons] == ["Open the form"]
    with session_scope(make_session_factory(make_engine(db_url))) as session:
        assert len(session.scalars(select(Draft)).all()) == 1
    assert "private words" not in cli("export").output  # never exported either
    cli("forget", "ben", "--yes")
    with session_scope(make_session_factory(make_engine(db_url))) as session:
        assert session.scalars(select(Draft)).all() == []


def test_a_dry_run_contacts_no_platform(cli, monkeypatch):
    """With platform tokens set but no platform reachable, `nudge tick --dry-run` still says
    what is due: it connects to nothing."""
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "not-a-real-token")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-not-real")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")  # nothing listens there
    cli("demo")
    result = cli("nudge", "tick", "--dry-run", "--now", "2027-06-01T15:00:00Z")
    assert result.exit_code == 0, result.output
    assert "nothing sent (dry run)" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "said"),
    [
        pytest.param(b"PK\x03\x04\x14\x00\x06\x00", "a spreadsheet file", id="xlsx"),
        pytest.param(b"mentor,mentee\n", "header line but no pairs", id="header only"),
        pytest.param(b"mentor,mentee\n\n\n", "header line but no pairs", id="header, blanks"),
        pytest.param(
            b"mentor,mentee\nada,ben\n" + b'cy,"' + b"x" * 140_000 + b'"\n',
            "Line 3 cannot be read: a cell is longer than 131,072 characters",
            id="huge cell",
        ),
    ],
)
def test_import_refuses_unusual_files_with_a_sentence(cli, db_url, tmp_path, content, said):
    path = tmp_path / "pairs.csv"
    path.write_bytes(content)
    result = cli("pairs", "import", str(path))
    assert result.exit_code == 1
    assert said in result.output and "Traceback" not in result.output
    assert pairs_in(db_url) == []


def test_import_names_the_files_own_lines(cli, db_url, tmp_path):
    """After a blank line, a cell spanning two lines and CR-only line ends (Excel's "CSV
    (Macintosh)"), a bad row is still named by the line a spreadsheet shows it on; extra
    cells are refused, not dropped."""
    text = 'mentor,mentee,mentee_name\r\rada,ben,"Ben\rBenson"\rcy,cy,Cy\rdee,eve,Eve,extra\r'
    path = tmp_path / "pairs.csv"
    path.write_bytes(text.encode())
    result = cli("pairs", "import", str(path))
    assert "line 5: cy is paired with themselves" in result.output
    assert "line 6: it has 4 cells but the header names 3 columns" in result.output
    assert pairs_in(db_url) == []


def test_import_output_never_reads_a_name_as_markup(cli, db_url, tmp_path):
    """A name holding rich markup ([/b]) is printed as typed, after the import committed."""
    path = write(tmp_path, "pairs.csv", "mentor,mentee,mentee_name\nada,ben,Ben [/b] [red]x\n")
    result = cli("pairs", "import", path, "--program", "Prog [/i]")
    assert result.exit_code == 0, result.output
    assert "Imported 1 pair(s) on the console into “Prog [/i]”." in result.output
    listed = cli("pairs", "list")
    assert listed.exit_code == 0 and "Traceback" not in listed.output
    with session_scope(make_session_factory(make_engine(db_url))) as session:
        from storage.models import Person

        names = session.scalars(select(Person.display_name)).all()
    assert "Ben [/b] [red]x" in names


def test_file_and_database_failures_are_one_line_from_any_command(cli, tmp_path, monkeypatch):
    """An export to a folder that does not exist, a chart likewise, a database in one: one
    line each naming what failed, never a traceback."""
    cli("demo")
    missing = tmp_path / "no-such-folder"
    for command in (
        ["export", "-o", str(missing / "all.json")],
        ["summary", "--chart", str(missing / "chart.png")],
    ):
        result = cli(*command)
        assert result.exit_code == 1, result.output
        assert (
            result.output
            == f"Error: {missing}/{command[-1].rsplit('/', 1)[1]}: No such file or directory\n"
        )
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing / 'x.db'}")
    result = cli("db", "upgrade")
    assert result.exit_code == 1
    assert result.output == "Error: The database could not be used: unable to open database file\n"
