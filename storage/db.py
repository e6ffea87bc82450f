"""Engines, sessions and the schema version check.

SQLite gets WAL, foreign keys and a busy timeout on every connection so several threads (and a
second process) can share the file; a database still locked after that is retried, not reported.
Every connection also has ``secure_delete`` on, so deleted rows are overwritten rather than left
in free pages, and the file (with its ``-wal`` and ``-shm``, which SQLite creates with the
file's own permissions) is readable by its owner only.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
HEAD_REVISION = "0005"  # the newest migration; a test keeps it in step with the scripts
LOCK_RETRIES = 5


class SchemaBehind(RuntimeError):
    """The database is older than the code; the message names the command that fixes it."""


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url`` with the connection settings this project relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, **options
        )
        _owner_only(engine.url.database)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


OWNER_ONLY = stat.S_IRUSR | stat.S_IWUSR


def _owner_only(database: str | None) -> None:
    """Create the SQLite file readable by its owner only, and tighten one that is not."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.is_dir():
        return  # SQLite will say that the folder is missing
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, OWNER_ONLY))
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists() and file.stat().st_mode & 0o077 and file.stat().st_uid == os.getuid():
            file.chmod(OWNER_ONLY)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module's own transaction handling starts transactions late and lets a
    # SAVEPOINT commit on its own; SQLAlchemy's recipe: switch it off and BEGIN ourselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Every transaction takes the write lock at its start (waiting up to the busy timeout):
    one that read first and wrote later could otherwise be refused at once when another
    process wrote in between, which no waiting can fix."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def _is_lock_error(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return "database is locked" in text or "database table is locked" in text


def run_in_transaction(factory: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction, committed on success, rolled back on any error.

    A locked SQLite database is retried with a short backoff, so a busy moment is a delay for
    the user rather than an error. Nothing half-written survives a failure.
    """
    for attempt in range(LOCK_RETRIES):
        session = factory()
        try:
            result = work(session)
            session.commit()
            return result
        except OperationalError as error:
            session.rollback()
            if not _is_lock_error(error) or attempt == LOCK_RETRIES - 1:
                raise
            time.sleep(0.05 * 2**attempt)
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
    raise AssertionError("unreachable")


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session committed on success and rolled back on error (for scripts and tests)."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Any:
    """Alembic's config pointing at our migrations and ``url``; imported lazily (it is slow)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Create or migrate the database to the newest schema."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")


def head_revision() -> str:
    """The newest migration, as Alembic reads it from the scripts (slow: for tests and tools)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's migration, read directly so start-up needs no Alembic import."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check_schema(engine: Engine) -> None:
    """Refuse to run on a database that is behind the code, naming the command to run."""
    current = current_revision(engine)
    if current != HEAD_REVISION:
        state = "has no tables yet" if current is None else f"is at revision {current}"
        raise SchemaBehind(
            f"The database {engine.url.render_as_string(hide_password=True)} {state}; "
            "run `mentorbot db upgrade` first."
        )


def open_database(url: str) -> tuple[Engine, sessionmaker[Session]]:
    """The engine and sessions, refusing a database whose schema is behind the code."""
    engine = make_engine(url)
    check_schema(engine)
    return engine, make_session_factory(engine)
