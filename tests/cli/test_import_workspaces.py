"""`mentorbot pairs import --workspace T…`: for a bot installed into many Slack workspaces,
the Slack pairs (and a program made for them) belong to the workspace named, and to no other."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.db import make_engine, make_session_factory, session_scope
from storage.models import Person, Program

OAUTH = {
    "SLACK_CLIENT_ID": "1111.2222",
    "SLACK_CLIENT_SECRET": "client-secret",
    "SLACK_STATE_SECRET": "a-state-secret-long-enough",
    "SLACK_SIGNING_SECRET": "secret",
}
ROWS = "mentor,mentee\nU0ADA,U0BEN\n"


@pytest.fixture
def many(monkeypatch):
    for name, value in OAUTH.items():
        monkeypatch.setenv(name, value)


def stored(db_url: str) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(user id, workspace) of everyone, and (name, workspace) of every program."""
    with session_scope(make_session_factory(make_engine(db_url))) as session:
        people = {(p.platform_user_id, p.workspace) for p in session.scalars(select(Person))}
        programs = {(p.name, p.workspace) for p in session.scalars(select(Program))}
    return people, programs


def test_pairs_and_their_new_program_belong_to_the_workspace_named(cli, many, db_url, tmp_path):
    """The members and the program made for them are of T2."""
    (tmp_path / "pairs.csv").write_text(ROWS, encoding="utf-8")
    result = cli(
        "pairs",
        "import",
        "pairs.csv",
        "--platform",
        "slack",
        "--program",
        "Hillview",
        "--workspace",
        "T02HILL",
    )
    assert result.exit_code == 0, result.output
    assert stored(db_url) == (
        {("U0ADA", "T02HILL"), ("U0BEN", "T02HILL")},
        {("Hillview", "T02HILL")},
    )


def test_a_program_of_another_workspace_is_refused(cli, many, db_url, tmp_path):
    """Importing into T1's program with --workspace T2 imports nothing and says why."""
    (tmp_path / "pairs.csv").write_text(ROWS, encoding="utf-8")
    first = ("pairs", "import", "pairs.csv", "--platform", "slack", "--program", "Lakeside")
    assert cli(*first, "--workspace", "T01LAKE").exit_code == 0
    (tmp_path / "more.csv").write_text("mentor,mentee\nU0CY,U0DEE\n", encoding="utf-8")
    result = cli(
        "pairs",
        "import",
        "more.csv",
        "--platform",
        "slack",
        "--program",
        "Lakeside",
        "--workspace",
        "T02HILL",
    )
    assert result.exit_code == 1
    assert "“Lakeside” belongs to the Slack workspace T01LAKE, not to the Slack workspace " in (
        result.output
    )
    assert ("U0CY", "T02HILL") not in stored(db_url)[0]


@pytest.mark.parametrize(
    ("oauth", "workspace", "refusal"),
    [
        (True, None, "many Slack workspaces: say which one with --workspace T012ABCDEF"),
        (True, "lakeside", "--workspace “lakeside” is not a Slack team id"),
        (False, "T01LAKE", "--workspace is for a bot installed into many Slack workspaces"),
    ],
    ids=["many workspaces, none named", "not a team id", "one workspace, one named"],
)
def test_a_missing_or_needless_workspace_is_refused(
    cli, monkeypatch, tmp_path, db_url, oauth, workspace, refusal
):
    """With many workspaces Slack rows need one; with one workspace there is none to name."""
    if oauth:
        for name, value in OAUTH.items():
            monkeypatch.setenv(name, value)
    else:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    (tmp_path / "pairs.csv").write_text(ROWS, encoding="utf-8")
    extra = ("--workspace", workspace) if workspace else ()
    result = cli("pairs", "import", "pairs.csv", "--platform", "slack", *extra)
    assert result.exit_code == 1
    assert refusal in result.output
    assert stored(db_url) == (set(), set())


def test_coordinators_and_programs_can_be_given_a_workspace(cli, many, db_url):
    """`coordinators add slack U… --workspace T…` keeps them for that workspace (and one is
    needed on Slack); `program create … --workspace T…` makes the program that workspace's."""
    assert "--workspace T012ABCDEF" in cli("coordinators", "add", "slack", "U0CASEY").output
    added = cli("coordinators", "add", "slack", "U0CASEY", "--workspace", "T02HILL")
    assert added.output == "U0CASEY on slack is now a coordinator.\n"
    assert "slack (T02HILL)  U0CASEY" in cli("coordinators", "list").output
    assert cli("program", "create", "Hillview", "--workspace", "T02HILL").exit_code == 0
    assert stored(db_url)[1] == {("Hillview", "T02HILL")}
    removed = cli("coordinators", "remove", "slack", "U0CASEY", "--workspace", "T02HILL")
    assert removed.output == "U0CASEY on slack is no longer a coordinator.\n"
