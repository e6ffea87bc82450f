"""`mentorbot pairs list` in a terminal 80 columns wide: one line a pair, the dates and ids
whole; wider, nothing is shortened."""

from __future__ import annotations

import pytest

from tests.cli.test_cli import write

LONG = (
    "mentor,mentee,platform,cohort,mentor_name,mentee_name\n"
    "U0AAAAAAA,U0BBBBBBB,slack,Fall 2026 Evening Cohort,"
    "Maximiliana Featherstonehaugh-Worthington,Bartholomew Oyelaran-Castellanos\n"
    "123456789012345678,223456789012345678,discord,Spring,Ann,Bo\n"
)
PROGRAM = "ALSC Children's Services Mentoring 2026-27"


def listed(cli, monkeypatch, columns: int) -> list[str]:
    """The lines of `pairs list` at that terminal width, trailing spaces dropped."""
    monkeypatch.setenv("COLUMNS", str(columns))
    result = cli("pairs", "list")
    assert result.exit_code == 0, result.output
    lines = [line.rstrip() for line in result.output.splitlines()]
    assert all(len(line) <= columns for line in lines)
    return lines


def pair_rows(lines: list[str]) -> list[str]:
    return [line for line in lines if line[:4].strip().isdigit()]


@pytest.fixture
def two_programs(cli, tmp_path):
    """Three pairs in two programs on three platforms, with long names and cohorts."""
    cli("pairs", "import", write(tmp_path, "long.csv", LONG), "--program", PROGRAM)
    cli("pairs", "import", write(tmp_path, "short.csv", "mentor,mentee\nada,ben\n"))


def test_each_pair_is_one_line_at_80_columns_with_its_date_and_ids_whole(
    cli, monkeypatch, two_programs
):
    """Long names and programs shrink with "…"; the id, status, date and person ids do not."""
    rows = pair_rows(listed(cli, monkeypatch, 80))
    assert len(rows) == 3
    first = rows[0].split()
    assert first[0] == "1" and first[-2:] == ["active", first[-1]]
    assert all(row.split()[-1].count("-") == 2 and len(row.split()[-1]) == 10 for row in rows)
    assert "…" in rows[0] and "(1)" in rows[0] and "(2)" in rows[0]
    assert "(3)" in rows[1] and "(4)" in rows[1] and "slack" in rows[0]


def test_a_wide_terminal_shows_everything_in_full(cli, monkeypatch, two_programs):
    """At 200 columns nothing is shortened."""
    lines = listed(cli, monkeypatch, 200)
    text = "\n".join(lines)
    assert "…" not in text
    assert PROGRAM in text and "Fall 2026 Evening Cohort" in text
    assert "Maximiliana Featherstonehaugh-Worthington (1)" in text
    assert "Bartholomew Oyelaran-Castellanos (2)" in text
    assert len(pair_rows(lines)) == 3


def test_the_demo_fits_80_columns_untouched_with_its_program_said_once(cli, monkeypatch):
    """One program and one platform: said above the table instead of in every row, so the
    demo's rows fit whole, start dates included."""
    cli("demo")
    lines = listed(cli, monkeypatch, 80)
    assert lines[0].strip() == "Pairs “Youth Services Mentoring (demo)” on console"
    header = lines[2].split()
    assert header == ["id", "cohort", "mentor", "mentee", "status", "started"]
    assert [row.split() for row in pair_rows(lines)] == [
        ["1", "Fall", "2026", "Maria", "(1)", "Ben", "(3)", "active", "2026-09-23"],
        ["2", "Fall", "2026", "Maria", "(1)", "Aisha", "(4)", "active", "2026-09-23"],
        ["3", "Spring", "2027", "Dev", "(2)", "Lee", "(5)", "active", "2026-10-14"],
    ]
    assert "…" not in "\n".join(lines)
    assert lines[-1].strip() == "(person ids in brackets)"


def test_names_are_shown_as_typed_never_as_markup(cli, monkeypatch, tmp_path):
    """A name holding rich markup is listed as typed, however narrow the terminal."""
    path = write(tmp_path, "pairs.csv", "mentor,mentee,mentee_name\nada,ben,Ben [/b] [red]x\n")
    cli("pairs", "import", path, "--program", "Prog [/i]")
    assert "Ben [/b] [red]x (2)" in "\n".join(listed(cli, monkeypatch, 80))
    assert "Prog [/i]" in "\n".join(listed(cli, monkeypatch, 80))
