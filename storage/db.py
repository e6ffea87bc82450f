"""Engines, sessions and the schema version check.

SQLite gets WAL, foreign keys and a busy timeout on every connection so several threads (and a
second process) can share the file; a database still locked after that is retried, not reported.
Every connection also has ``secure_delete`` on, so deleted rows are overwritten rather than left
in free pages, and the file (with its ``-wal`` and ``-shm``, which SQLite creates with the
file's own permissions) is readable by its owner only. The file is made when something first
connects, never by building an engine, and never by the start-up check of a database that is
not there: a command that fails leaves no empty file behind.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
HEAD_REVISION = "0012"  # the newest migration; a test keeps it in step with the scripts
LOCK_RETRIES = 5


class DatabaseUnusable(RuntimeError):
    """The database is not one this code can use as it is; the message says what it is."""


class SchemaBehind(DatabaseUnusable):
    """The database is older than the code (or empty); the message names the command that
    fixes it."""


class SchemaUnknown(DatabaseUnusable):
    """The database's schema is not one this code made (a newer revision, or tables without a
    revision): `db upgrade` cannot fix it, and the message says so."""


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url`` with the connection settings this project relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, **options
        )
        database = engine.url.database
        event.listen(engine, "do_connect", lambda *_: _owner_only(database))
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def make_async_engine(url: str) -> AsyncEngine:
    """An asyncio engine on the same database, for libraries that only speak asyncio (the
    Slack installation stores): aiosqlite for SQLite, with the connection settings above;
    psycopg's own asyncio mode for PostgreSQL."""
    from sqlalchemy.ext.asyncio import create_async_engine

    if url.startswith("sqlite"):
        engine = create_async_engine(
            url.replace("sqlite://", "sqlite+aiosqlite://", 1), connect_args={"timeout": 30}
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


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


def _new_sqlite_file(engine: Engine) -> Path | None:
    """The SQLite file that connecting would create: one not there, in a folder that is."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None
    path = Path(database)
    return path if path.parent.is_dir() and not path.exists() else None


def _remove_if_still_empty(path: Path) -> None:
    """Remove a SQLite file this process created, unless it holds tables by now (another
    process may have migrated it meanwhile)."""
    import sqlite3

    try:
        with contextlib.closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        ) as db:
            if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                return
    except sqlite3.Error:
        return
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        file.unlink(missing_ok=True)


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
    """Create or migrate the database to the newest schema; a database that no migration fits
    is refused with what it is, and a file made by a failed upgrade is removed."""
    from alembic import command
    from sqlalchemy.pool import NullPool

    engine = make_engine(url, poolclass=NullPool)
    created = _new_sqlite_file(engine)
    try:
        problem = None if created else schema_problem(engine)
        if isinstance(problem, SchemaUnknown):
            raise problem
        command.upgrade(alembic_config(url), "head")
    except BaseException:
        if created:
            _remove_if_still_empty(created)
        raise
    finally:
        engine.dispose()


def head_revision() -> str:
    """The newest migration, as Alembic reads it from the scripts (slow: for tests and tools)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every revision the migration scripts know (reads them: only when refusing)."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {script.revision for script in scripts.walk_revisions()}


def schema_problem(engine: Engine) -> DatabaseUnusable | None:
    """What keeps this code from using the database, named for what it is; None at the head.

    Missing, empty and older databases are fixed by `mentorbot db upgrade`; one at a revision
    the scripts do not know (made by a newer mentorbot) or with tables but no revision is not,
    and is not told to run it."""
    where = f"The database {engine.url.render_as_string(hide_password=True)}"
    if _new_sqlite_file(engine):
        return SchemaBehind(f"{where} does not exist yet; run `mentorbot db upgrade` first.")
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        current = None
        if "alembic_version" in tables:
            query = text("SELECT version_num FROM alembic_version")
            current = connection.execute(query).scalar()
    if current == HEAD_REVISION:
        return None
    others = [name for name in tables if name != "alembic_version"]
    if current is None and not others:
        return SchemaBehind(f"{where} has no tables yet; run `mentorbot db upgrade` first.")
    if current is None:
        record = (
            "its alembic_version table is empty"
            if "alembic_version" in tables
            else "it has no alembic_version table"
        )
        return SchemaUnknown(
            f"{where} has {len(others)} table(s) but no schema revision ({record}), so "
            "mentorbot cannot tell which version made it and will not change it; point "
            "DATABASE_URL at a new database, or restore this one from a backup."
        )
    if current not in known_revisions():
        return SchemaUnknown(
            f"{where} is at revision {current}, which this version of mentorbot does not know "
            f"(its newest is {HEAD_REVISION}), so a newer mentorbot has most likely upgraded it; "
            "run that version, or restore a backup from before the upgrade."
        )
    return SchemaBehind(f"{where} is at revision {current}; run `mentorbot db upgrade` first.")


def check_schema(engine: Engine) -> None:
    """Refuse to run on a database this code cannot use, saying what it is and, where a
    command fixes it, which."""
    problem = schema_problem(engine)
    if problem is not None:
        raise problem


def open_database(url: str) -> tuple[Engine, sessionmaker[Session]]:
    """The engine and sessions, refusing a database whose schema is behind the code."""
    engine = make_engine(url)
    check_schema(engine)
    return engine, make_session_factory(engine)
