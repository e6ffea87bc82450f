"""Models, migrations and transactions on both databases."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from storage.db import (
    HEAD_REVISION,
    SchemaBehind,
    check_schema,
    head_revision,
    make_engine,
    make_session_factory,
    run_in_transaction,
    session_scope,
    upgrade,
)
from storage.models import Delivery, Pair, Person, Program


def seed_pair(sessions) -> int:
    with session_scope(sessions) as session:
        program = Program(name="P", start_date=dt.date(2026, 9, 1), end_date=dt.date(2027, 9, 1))
        mentor = Person(platform="slack", platform_user_id="U1", display_name="Ada")
        mentee = Person(platform="slack", platform_user_id="U2", display_name="Ben")
        pair = Pair(
            program=program,
            platform="slack",
            mentor=mentor,
            mentee=mentee,
            start_date=dt.date(2026, 9, 1),
        )
        session.add(pair)
        session.flush()
        return pair.id


def test_migrated_schema_passes_the_check(any_db_url):
    """A database after `db upgrade` is accepted at start-up."""
    check_schema(make_engine(any_db_url))


def test_unmigrated_database_refused_with_command(tmp_path):
    """A database that is behind is refused, naming `mentorbot db upgrade`."""
    with pytest.raises(SchemaBehind, match="run `mentorbot db upgrade` first"):
        check_schema(make_engine(f"sqlite:///{tmp_path / 'empty.db'}"))


def test_one_delivery_per_pair_kind_and_round(any_db_url):
    """The unique constraint that makes rounds exactly-once holds on both databases."""
    sessions = make_session_factory(make_engine(any_db_url))
    pair_id = seed_pair(sessions)
    now = dt.datetime(2026, 11, 24, 15, tzinfo=dt.UTC)
    with session_scope(sessions) as session:
        session.add(Delivery(pair_id=pair_id, kind="suggestion", round_key="r1", due_at=now))
    with pytest.raises(IntegrityError), session_scope(sessions) as session:
        session.add(Delivery(pair_id=pair_id, kind="suggestion", round_key="r1", due_at=now))


def test_times_come_back_aware_utc(any_db_url):
    """Timestamps are stored and returned as aware UTC, whatever zone they were given in."""
    sessions = make_session_factory(make_engine(any_db_url))
    pair_id = seed_pair(sessions)
    eastern = dt.datetime(2026, 11, 24, 10, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    with session_scope(sessions) as session:
        session.add(Delivery(pair_id=pair_id, kind="suggestion", round_key="r1", due_at=eastern))
    with session_scope(sessions) as session:
        due = session.scalars(select(Delivery.due_at)).one()
    assert due == eastern and due.utcoffset() == dt.timedelta(0)


def test_failed_transaction_leaves_nothing(any_db_url):
    """An error inside a transaction leaves nothing half-written."""
    sessions = make_session_factory(make_engine(any_db_url))

    def work(session):
        session.add(Person(platform="slack", platform_user_id="U9", display_name="Half"))
        session.flush()
        raise ValueError("boom")

    with pytest.raises(ValueError):
        run_in_transaction(sessions, work)
    with session_scope(sessions) as session:
        assert session.scalars(select(Person)).all() == []


def test_sqlite_lock_is_waited_out(db_url):
    """A write while another process holds the SQLite write lock waits, then succeeds."""
    path = db_url.removeprefix("sqlite:///")
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    threading.Timer(0.5, lambda: blocker.execute("COMMIT")).start()
    sessions = make_session_factory(make_engine(db_url))
    started = time.monotonic()
    seed_pair(sessions)
    assert time.monotonic() - started >= 0.4
    with session_scope(sessions) as session:
        assert len(session.scalars(select(Person)).all()) == 2


def test_head_revision_constant_matches_the_migration_scripts():
    """Start-up compares against ``HEAD_REVISION`` without importing Alembic; keep it true."""
    assert head_revision() == HEAD_REVISION


def test_migrations_build_exactly_the_models_schema(any_db_url):
    """Alembic finds nothing to autogenerate: the migrations agree with the models and with
    the tables slack-sdk's installation and OAuth state stores define for themselves."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
    from sqlalchemy import MetaData

    from storage.models import Base

    expected = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(expected)
    SQLAlchemyInstallationStore.build_installations_table(expected, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(expected, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(expected, "slack_oauth_states")
    with make_engine(any_db_url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), expected)
    assert differences == []


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """An empty database of each kind, to migrate step by step."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'steps.db'}"
    return request.getfixturevalue("postgres_url")


def test_0012_keeps_existing_people_and_scopes_user_ids_to_a_workspace(empty_db_url):
    """A database at 0011 with people and coordinators migrates to 0012 (workspaces) keeping
    them, in no workspace; afterwards the same user id may be someone else in another
    workspace, but not twice in one; and 0012 goes back down to 0011."""
    from alembic import command

    from storage.db import alembic_config

    config = alembic_config(empty_db_url)
    command.upgrade(config, "0011")
    engine = make_engine(empty_db_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO people (platform, platform_user_id, display_name, timezone_chosen, "
                "created_at) VALUES ('slack', 'U1', 'Ada', false, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO coordinators (platform, platform_user_id, display_name) "
                "VALUES ('slack', 'UC', 'Casey')"
            )
        )
    command.upgrade(config, "0012")
    with engine.begin() as connection:
        kept = connection.execute(text("SELECT workspace, display_name FROM people")).all()
        assert [tuple(row) for row in kept] == [("", "Ada")]
        assert connection.execute(text("SELECT workspace FROM coordinators")).scalar() == ""
        connection.execute(
            text(
                "INSERT INTO people (platform, workspace, platform_user_id, display_name, "
                "timezone_chosen, created_at) "
                "VALUES ('slack', 'T2', 'U1', 'Ada Two', false, CURRENT_TIMESTAMP)"
            )
        )
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO people (platform, workspace, platform_user_id, display_name, "
                "timezone_chosen, created_at) "
                "VALUES ('slack', 'T2', 'U1', 'Again', false, CURRENT_TIMESTAMP)"
            )
        )
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM people WHERE workspace = 'T2'"))
    engine.dispose()
    command.downgrade(config, "0011")
    upgrade(empty_db_url)
