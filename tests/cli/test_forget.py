"""`mentorbot forget`, written as the audit that found it leaky: after forgetting a member,
nothing they wrote and nothing that names them can be read back, from the database file, its
write-ahead log, an export, or the audit trail; and a name several people share forgets no one.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select, text

from bot.core.replies import Actor
from storage.db import make_engine
from storage.models import AuditEvent, CoordinatorDigest, Goal, Meeting, Person
from tests.support.bot import PairSpec, add_pair, add_program, answer_a_reflection, make_core, rows

FERN = Actor("slack", "U0FERNXYZ", "Fern Forgettable")
ALEX = Actor("slack", "U0ALEXXYZ", "Alex")
SECRETS = (
    b"SECRET-GOAL-ALPHA",
    b"SECRET-GOAL-BETA",
    b"SECRET-NOTES-GAMMA",
    b"SECRET-STEPS-DELTA",
    b"SECRET-DRAFT-EPSILON",
    b"SECRET-REFLECTION-ZETA",
)
IDENTITY = (b"U0FERNXYZ", b"Fern Forgettable", b"fern@example.org")


def database_bytes(db_url: str) -> bytes:
    """The database file, its write-ahead log and shared memory, as a reader of the disk sees."""
    path = Path(db_url.removeprefix("sqlite:///"))
    files = (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
    return b"".join(file.read_bytes() for file in files if file.exists())


def fern_and_alex(db_url, clock):
    core = make_core(db_url, clock)
    program = add_program(core)
    spec = PairSpec("U0ALEXXYZ", "U0FERNXYZ", platform="slack", mentor_name="Alex")
    spec.mentee_name = "Fern Forgettable"
    add_pair(core, program, spec)
    core.transaction(
        lambda s: s.execute(
            text("UPDATE people SET email = 'fern@example.org' WHERE platform_user_id = :u"),
            {"u": FERN.user_id},
        )
    )
    return core


def test_forget_leaves_no_readable_copy_in_the_file_or_its_log(cli, db_url, clock):
    """Fern sets a goal, rewrites it, logs a meeting with notes and next steps and leaves a
    refused draft, while the bot keeps the database open; after `forget`, neither the file nor
    the log holds any of it, or her id, name or e-mail. Alex's words stay."""
    core = fern_and_alex(db_url, clock)
    running_bot = make_engine(db_url).connect()  # the bot's open connection, idle
    running_bot.execute(text("SELECT count(*) FROM goals")).scalar()
    running_bot.commit()
    core.command(FERN, "goal", "add SECRET-GOAL-ALPHA")
    core.command(FERN, "goal", "edit 1 SECRET-GOAL-BETA")
    core.command(FERN, "log-meeting", "today 45m SECRET-NOTES-GAMMA next: SECRET-STEPS-DELTA")
    refused = core.command(FERN, "goal", "add SECRET-DRAFT-EPSILON " + "x" * 600)
    assert refused.message.buttons  # a draft was kept
    answer_a_reflection(core, FERN, "SECRET-REFLECTION-ZETA")
    core.command(ALEX, "goal", "add ALEX-KEEPS-THIS")
    core.transaction(  # Fern was a coordinator too, and got a weekly digest
        lambda s: s.add(
            CoordinatorDigest(coordinator="slack:U0FERNXYZ", week="2026-W48", status="sent")
        )
    )
    before = database_bytes(db_url)
    assert all(secret in before for secret in SECRETS)  # the test can see a leak

    result = cli("forget", FERN.user_id, "--yes")

    assert result.exit_code == 0, result.output
    assert "Forgot person" in result.output and "Fern Forgettable" in result.output
    assert "1 reflection or self-assessment answer(s)" in result.output
    after = database_bytes(db_url)
    leaked = [item for item in (*SECRETS, *IDENTITY) if item in after]
    assert leaked == []
    assert b"ALEX-KEEPS-THIS" in after
    running_bot.close()


def test_export_after_forget_names_no_one_and_the_audit_trail_keeps_no_platform_id(
    cli, db_url, clock
):
    """The audit trail never held a platform id (actors are person rows); after `forget` the
    member's audit entries are gone and the export holds nothing of them."""
    core = fern_and_alex(db_url, clock)
    core.command(FERN, "goal", "add Read the Caldecott winners")
    core.command(ALEX, "goal", "add Visit the branch")
    assert all("U0" not in event.actor for event in rows(core, AuditEvent))

    cli("forget", FERN.user_id, "--yes")

    exported = cli("export").output
    assert "U0FERNXYZ" not in exported and "Fern" not in exported
    assert "Caldecott" not in exported
    data = json.loads(exported)
    assert [g["text"] for g in data["goals"]] == ["Visit the branch"]
    fern = next(p for p in data["people"] if p["display_name"] == "Former member")
    assert all(e["actor"] != f"person:{fern['id']}" for e in data["audit_events"])


def test_a_name_two_people_share_forgets_no_one_and_lists_them(cli, db_url, clock):
    """Members choose their own names: `forget Sam` with two Sams is refused, naming each by
    person id and pair, and deletes nothing; the id then forgets exactly one."""
    core = make_core(db_url, clock)
    program = add_program(core)
    first = add_pair(core, program, PairSpec("U0ADA", "U0SAM1", platform="slack"))
    add_pair(core, program, PairSpec("U0BEA", "U0SAM2", platform="slack"))
    core.transaction(
        lambda s: s.execute(
            text("UPDATE people SET display_name = 'Sam' WHERE platform_user_id LIKE 'U0SAM%'")
        )
    )
    sam1 = Actor("slack", "U0SAM1", "Sam")
    sam2 = Actor("slack", "U0SAM2", "Sam")
    core.command(sam1, "goal", "add First Sam's goal")
    core.command(sam2, "goal", "add Second Sam's goal")
    ids = {p.platform_user_id: p.id for p in rows(core, Person)}

    refused = cli("forget", "sam", "--yes")

    assert refused.exit_code == 1
    assert "“sam” matches 2 people" in refused.output
    assert f"person {ids['U0SAM1']}, Sam (slack U0SAM1; mentee in pair {first})" in refused.output
    assert f"person {ids['U0SAM2']}, Sam (slack U0SAM2" in refused.output
    assert "Traceback" not in refused.output
    assert len(rows(core, Goal)) == 2

    done = cli("forget", str(ids["U0SAM2"]), "--yes")

    assert done.exit_code == 0, done.output
    assert [g.text for g in rows(core, Goal)] == ["First Sam's goal"]
    assert "already" in cli("forget", str(ids["U0SAM2"]), "--yes").output


def test_pairs_list_and_coordinators_list_show_the_ids_forget_takes(cli, db_url, clock):
    core = fern_and_alex(db_url, clock)
    fern_id = next(p.id for p in rows(core, Person) if p.platform_user_id == FERN.user_id)
    listing = cli("pairs", "list").output
    assert f"({fern_id})" in listing and "(person ids in brackets)" in listing
    cli("coordinators", "add", "slack", FERN.user_id)
    assert f"person {fern_id}" in cli("coordinators", "list").output
    cli("forget", str(fern_id), "--yes")
    assert "No coordinators in the database" in cli("coordinators", "list").output


def test_forget_asks_before_deleting_and_deletes_nothing_when_told_no(cli, db_url, clock):
    core = fern_and_alex(db_url, clock)
    core.command(FERN, "log-meeting", "today 30m our notes")
    answer = cli("forget", FERN.user_id, input="n\n")
    assert "Forget person" in answer.output and "Fern Forgettable" in answer.output
    assert len(rows(core, Meeting)) == 1
    with make_engine(db_url).connect() as connection:
        names = connection.execute(select(Person.display_name)).scalars().all()
    assert "Fern Forgettable" in names
