"""`mentorbot coordinators add/remove/list`: ids are checked for their platform, rights from
the environment are not taken away where they cannot be, and the list names every source."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core.replies import Actor, unmarked
from storage.models import AuditEvent, Coordinator
from tests.support.bot import make_core, rows

DISCORD_ID = "123456789012345678"
REFUSED = "for program coordinators"


def summary_as(db_url, clock, who: Actor) -> str:
    """What `/mentoring-summary` answers ``who``, with the settings the CLI saw."""
    core = make_core(db_url, clock, MENTORBOT_COORDINATORS="casey")
    return unmarked(core.command(who, "mentoring-summary", "").message.text)


@pytest.mark.parametrize(
    ("platform", "user_id", "looks_like", "where"),
    [
        ("discord", "not-a-number", "looks like 123456789012345678", "Copy User ID"),
        ("discord", "12345", "17 to 20 digits", "Developer Mode"),
        ("discord", "1" * 21, "17 to 20 digits", "Copy User ID"),
        ("slack", "u012abcdef", "looks like U012ABCDEF", "Copy member ID"),
        ("slack", "fern@example.org", "U or W, then capital letters and digits", "profile"),
        ("slack", "B012ABCDEF", "U or W", "Copy member ID"),
        ("console", "two words", "without spaces or commas", "`/who` in the console"),
        ("console", "a,b", "without spaces or commas", "`/who`"),
    ],
)
def test_add_refuses_an_id_that_is_not_the_platforms_in_one_line(
    cli, db_url, clock, platform, user_id, looks_like, where
):
    """A wrong id is refused with one line saying what an id looks like and where to find it."""
    result = cli("coordinators", "add", platform, user_id)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: “{user_id}” is not a {platform} user id: ")
    assert looks_like in result.output and where in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert rows(make_core(db_url, clock), Coordinator) == []


@pytest.mark.parametrize(
    ("platform", "user_id"),
    [
        ("slack", "U012ABCDEF"),
        ("slack", "W0123456789"),
        ("discord", DISCORD_ID),
        ("discord", "12345678901234567890"),
        ("console", "casey.b"),
    ],
)
def test_add_keeps_an_id_of_the_platforms_shape(cli, db_url, clock, platform, user_id):
    """A well-formed id is kept, and saying it again changes nothing."""
    assert cli("coordinators", "add", platform, user_id).output == (
        f"{user_id} on {platform} is now a coordinator.\n"
    )
    again = cli("coordinators", "add", platform, f" {user_id} ")
    assert again.output == f"{user_id} on {platform} is already a coordinator.\n"
    kept = rows(make_core(db_url, clock), Coordinator)
    assert [(c.platform, c.platform_user_id) for c in kept] == [(platform, user_id)]


def test_an_added_coordinator_has_rights_until_removed(cli, db_url, clock):
    """Added, a Discord user reads the summary; removed, they are refused again."""
    pat = Actor("discord", DISCORD_ID, "Pat")
    assert REFUSED in summary_as(db_url, clock, pat)
    cli("coordinators", "add", "discord", DISCORD_ID, "--name", "Pat")
    assert REFUSED not in summary_as(db_url, clock, pat)
    removed = cli("coordinators", "remove", "discord", DISCORD_ID)
    assert removed.exit_code == 0
    assert removed.output == f"{DISCORD_ID} on discord is no longer a coordinator.\n"
    assert REFUSED in summary_as(db_url, clock, pat)


def test_add_and_remove_are_audited_like_other_coordinator_actions(cli, db_url, clock):
    """Each change leaves an audit entry by the command line, naming the platform."""
    cli("coordinators", "add", "slack", "U012ABCDEF")
    cli("coordinators", "remove", "slack", "U012ABCDEF")
    cli("coordinators", "remove", "slack", "U012ABCDEF")  # nothing left to remove: no entry
    core = make_core(db_url, clock)
    events = core.transaction(
        lambda s: [
            (e.actor, e.action, e.entity, e.detail)
            for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]
    )
    assert events == [
        ("cli", "coordinator.add", "coordinator", {"platform": "slack"}),
        ("cli", "coordinator.remove", "coordinator", {"platform": "slack"}),
    ]


def test_remove_says_when_the_id_was_not_a_coordinator(cli):
    """Removing someone who was never added says so, and is not an error."""
    result = cli("coordinators", "remove", "slack", "U0NOBODY1")
    assert result.exit_code == 0
    assert result.output == (
        "U0NOBODY1 on slack was not a coordinator, so nothing was removed; "
        "`mentorbot coordinators list` shows who is.\n"
    )


def test_remove_takes_away_an_id_kept_before_ids_were_checked(cli, db_url, clock):
    """An id of the wrong shape already in the database can still be removed."""
    make_core(db_url, clock).transaction(
        lambda s: s.add(Coordinator(platform="discord", platform_user_id="not-a-number"))
    )
    result = cli("coordinators", "remove", "discord", "not-a-number")
    assert result.output == "not-a-number on discord is no longer a coordinator.\n"


@pytest.mark.parametrize(
    ("setting", "platform", "user_id"),
    [("casey", "console", "casey"), ("slack:U012ABCDEF", "slack", "U012ABCDEF")],
)
def test_remove_refuses_an_id_from_the_environment(cli, monkeypatch, setting, platform, user_id):
    """An id MENTORBOT_COORDINATORS names is refused with a sentence saying it comes from
    the environment, where it must be changed."""
    monkeypatch.setenv("MENTORBOT_COORDINATORS", setting)
    result = cli("coordinators", "remove", platform, user_id)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {user_id} on {platform} comes from the environment (MENTORBOT_COORDINATORS), "
        "so it cannot be removed here; take it out of MENTORBOT_COORDINATORS (in the "
        "environment or .env) and restart mentorbot.\n"
    )


def test_remove_of_an_id_in_both_places_keeps_the_database_entry_and_says_so(cli, db_url, clock):
    """Named by the environment and kept in the database, the id is refused as a whole, and
    the refusal says the database holds it too."""
    cli("coordinators", "add", "console", "casey")
    result = cli("coordinators", "remove", "console", "casey")
    assert result.exit_code == 1
    assert "comes from the environment (MENTORBOT_COORDINATORS)" in result.output
    assert "(it is in the database too: run this again afterwards)" in result.output
    assert len(rows(make_core(db_url, clock), Coordinator)) == 1


def test_list_shows_every_source_labelled(cli, monkeypatch):
    """The database entries, MENTORBOT_COORDINATORS and the Discord role each appear under a
    heading naming where they come from."""
    monkeypatch.setenv("MENTORBOT_COORDINATORS", "casey,slack:U0ENVXYZ1,discord:abc")
    monkeypatch.setenv("MENTORBOT_DISCORD_COORDINATOR_ROLE", "987654321098765432")
    cli("coordinators", "add", "discord", DISCORD_ID, "--name", "Pat")
    cli("coordinators", "add", "slack", "U0DBXYZ12")
    assert cli("coordinators", "list").output == (
        "In the database (`mentorbot coordinators add` / `remove`):\n"
        f"  discord  {DISCORD_ID}  Pat        not met yet\n"
        "  slack    U0DBXYZ12           (no name)  not met yet\n"
        "\n"
        "From MENTORBOT_COORDINATORS (the environment or .env; change them there):\n"
        "  every platform  casey\n"
        "  slack           U0ENVXYZ1\n"
        "  discord         abc        (not a discord user id: matches no one)\n"
        "\n"
        "From MENTORBOT_DISCORD_COORDINATOR_ROLE (Discord only):\n"
        "  discord  everyone holding the role with id 987654321098765432\n"
    )


def test_list_says_which_sources_are_empty(cli, monkeypatch):
    """With no coordinators anywhere, each source says so."""
    monkeypatch.setenv("MENTORBOT_COORDINATORS", "")
    assert cli("coordinators", "list").output == (
        "In the database (`mentorbot coordinators add` / `remove`):\n"
        "  No coordinators in the database; add one with "
        "`mentorbot coordinators add PLATFORM ID`.\n"
        "\n"
        "From MENTORBOT_COORDINATORS (the environment or .env; change them there):\n"
        "  not set.\n"
        "\n"
        "From MENTORBOT_DISCORD_COORDINATOR_ROLE (Discord only):\n"
        "  not set.\n"
    )


def test_list_says_a_role_name_counts_only_in_the_configured_server(cli, monkeypatch):
    """A role named, not numbered, counts in DISCORD_GUILD_ID only: the list says which, or
    that it counts nowhere while that is unset."""
    monkeypatch.setenv("MENTORBOT_DISCORD_COORDINATOR_ROLE", "Coordinators")
    nowhere = cli("coordinators", "list").output
    assert "discord  nobody: the role is named “Coordinators”" in nowhere
    assert "DISCORD_GUILD_ID, which is not set" in nowhere
    monkeypatch.setenv("DISCORD_GUILD_ID", "111111111111111111")
    there = cli("coordinators", "list").output
    assert "everyone holding the role “Coordinators” in server 111111111111111111" in there
