"""A private PostgreSQL server for tests, started from the machine's own ``initdb``/``pg_ctl``.

Tests that need PostgreSQL semantics (row locks, ``ON CONFLICT``, concurrent tickers) get a
throwaway cluster on a free loopback port instead of depending on a shared server. The cluster is
started once per session; each test gets its own freshly created database on it.
"""

from __future__ import annotations

import glob
import os
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

SKIP_REASON = "PostgreSQL binaries initdb/pg_ctl not found on PATH"
SUPERUSER = "postgres"
HOST = "127.0.0.1"
START_TIMEOUT_S = 60
_FALLBACK_GLOB = "/usr/lib/postgresql/*/bin"
_PORT_RETRIES = 3
_LOG_TAIL_LINES = 40


def _version_key(bindir: str) -> tuple[int, ...]:
    """Sort key for ``/usr/lib/postgresql/<version>/bin`` so 16 beats 9.6 (not string order)."""
    version = Path(bindir).parent.name
    return tuple(int(part) for part in re.findall(r"\d+", version))


def find_binaries() -> tuple[str, str] | None:
    """Paths of ``initdb`` and ``pg_ctl`` from one installation, or ``None``.

    PATH wins; Debian/Ubuntu keep the binaries off PATH under ``/usr/lib/postgresql/*/bin``,
    so those are tried next, newest version first. Symlinks are resolved because ``pg_ctl``
    finds the ``postgres`` executable next to itself.
    """
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return os.path.realpath(initdb), os.path.realpath(pg_ctl)
    for bindir in sorted(glob.glob(_FALLBACK_GLOB), key=_version_key, reverse=True):
        initdb, pg_ctl = os.path.join(bindir, "initdb"), os.path.join(bindir, "pg_ctl")
        if os.access(initdb, os.X_OK) and os.access(pg_ctl, os.X_OK):
            return initdb, pg_ctl
    return None


def binaries_available() -> bool:
    """Whether a server can be started at all; the fixture skips (visibly) when not."""
    return find_binaries() is not None


def _free_port() -> int:
    """A port the kernel just handed out on loopback; tiny race, covered by a retry in start()."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _traversable_by_all(path: Path) -> bool:
    """Whether every ancestor lets "other" users in, so the postgres user can reach our dirs."""
    resolved = path.resolve()
    return all(folder.stat().st_mode & stat.S_IXOTH for folder in (resolved, *resolved.parents))


class PostgresStartError(RuntimeError):
    """The server did not come up; the message carries the command output and the log tail."""


class PostgresServer:
    """One throwaway cluster: initdb into a temp dir, ``pg_ctl start``, ``pg_ctl stop``.

    initdb and pg_ctl refuse to run as root, so under root they run as the ``postgres`` user
    through ``runuser`` and the directories they write are handed to that user.
    """

    def __init__(self, binaries: tuple[str, str] | None = None) -> None:
        found = binaries or find_binaries()
        if found is None:
            raise PostgresStartError(SKIP_REASON)
        self.initdb, self.pg_ctl = found
        self.as_root = os.geteuid() == 0
        self.port = 0
        self.data_dir: Path | None = None
        self.run_dir: Path | None = None  # unix socket and server log
        self._running = False

    @property
    def log_path(self) -> Path | None:
        return None if self.run_dir is None else self.run_dir / "server.log"

    def _command(self, *args: str) -> list[str]:
        if self.as_root:
            return ["runuser", "-u", SUPERUSER, "--", *args]
        return list(args)

    def _run(
        self, *args: str, timeout: float = START_TIMEOUT_S
    ) -> subprocess.CompletedProcess[str]:
        # cwd is our own dir: the postgres user may not be allowed into the test runner's cwd.
        return subprocess.run(
            self._command(*args),
            cwd=self.run_dir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def _make_dir(self, prefix: str) -> Path:
        """A private temp dir the server user owns (mode 0700, as PostgreSQL insists)."""
        base = tempfile.gettempdir()
        if self.as_root and not _traversable_by_all(Path(base)):
            base = "/tmp"
        path = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
        if self.as_root:
            shutil.chown(path, user=SUPERUSER, group=None)
        return path

    def _log_tail(self) -> str:
        if self.log_path is None:
            return "(no server log)"
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no server log)"
        return "\n".join(lines[-_LOG_TAIL_LINES:]) or "(server log is empty)"

    def _fail(self, step: str, result: subprocess.CompletedProcess[str]) -> PostgresStartError:
        return PostgresStartError(
            f"{step} failed with exit code {result.returncode}\n"
            f"command: {shlex.join(result.args)}\n"
            f"stdout:\n{result.stdout.strip()}\n"
            f"stderr:\n{result.stderr.strip()}\n"
            f"server log tail ({self.log_path}):\n{self._log_tail()}"
        )

    def start(self) -> None:
        """Create and start the cluster; on any failure clean up and raise with the log tail."""
        if self._running:
            return
        try:
            self.data_dir = self._make_dir("mentorbot-pgdata-")
            self.run_dir = self._make_dir("mentorbot-pgrun-")
            result = self._run(
                self.initdb,
                "-D",
                str(self.data_dir),
                "--auth=trust",
                "-U",
                SUPERUSER,
                "--encoding=UTF8",
                # A fixed locale: the ambient one may not exist in a container and break initdb.
                "--locale=C",
                "--no-sync",
            )
            if result.returncode != 0:
                raise self._fail("initdb", result)
            for attempt in range(_PORT_RETRIES):
                self.port = _free_port()
                result = self._pg_ctl_start()
                if result.returncode == 0:
                    self._running = True
                    return
                port_taken = "could not bind" in self._log_tail()
                if not port_taken or attempt == _PORT_RETRIES - 1:
                    raise self._fail("pg_ctl start", result)
        except BaseException:
            self.stop()
            raise

    def _pg_ctl_start(self) -> subprocess.CompletedProcess[str]:
        assert self.data_dir is not None and self.run_dir is not None and self.log_path
        options = [
            f"-p {self.port}",
            f"-c listen_addresses={HOST}",
            f"-c unix_socket_directories={shlex.quote(str(self.run_dir))}",
            # Durability is worthless for a throwaway cluster and costs seconds per test run.
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
        ]
        return self._run(
            self.pg_ctl,
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_path),
            "-o",
            " ".join(options),
            "-w",
            "-t",
            str(START_TIMEOUT_S),
            "start",
            timeout=START_TIMEOUT_S + 15,
        )

    def stop(self) -> None:
        """Stop the server (immediate: nothing to keep) and delete its dirs; safe to repeat."""
        data_dir, run_dir = self.data_dir, self.run_dir
        if data_dir is not None and (data_dir / "postmaster.pid").exists():
            try:
                result = self._run(
                    self.pg_ctl, "-D", str(data_dir), "stop", "-m", "immediate", "-w"
                )
                stopped = result.returncode == 0
            except (OSError, subprocess.SubprocessError):
                stopped = False
            if not stopped:
                self._kill_postmaster(data_dir)
        self._running = False
        for path in (data_dir, run_dir):
            if path is not None:
                shutil.rmtree(path, ignore_errors=True)
        self.data_dir = self.run_dir = None

    @staticmethod
    def _kill_postmaster(data_dir: Path) -> None:
        """Last resort when pg_ctl stop fails: SIGQUIT is PostgreSQL's immediate shutdown."""
        try:
            pid = int((data_dir / "postmaster.pid").read_text().splitlines()[0])
            os.kill(pid, signal.SIGQUIT)
        except (OSError, ValueError, IndexError):
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except OSError:
                return
            time.sleep(0.05)

    def url(self, dbname: str) -> str:
        """SQLAlchemy URL for ``dbname`` over TCP loopback (trust auth, so no password)."""
        return URL.create(
            "postgresql+psycopg",
            username=SUPERUSER,
            host=HOST,
            port=self.port,
            database=dbname,
        ).render_as_string(hide_password=False)

    def _admin_execute(self, template: str, dbname: str) -> None:
        """Run a database-level statement; CREATE/DROP DATABASE refuse to run in a transaction."""
        # Imported here so a missing driver only affects the tests that want PostgreSQL.
        import psycopg
        from psycopg import sql

        statement = sql.SQL(template).format(sql.Identifier(dbname))
        with psycopg.connect(
            host=HOST, port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(statement)

    def create_database(self, name: str) -> None:
        """Create an empty database owned by the superuser."""
        self._admin_execute("CREATE DATABASE {}", name)

    def drop_database(self, name: str) -> None:
        """Drop ``name``, disconnecting sessions a test may have leaked (needs PostgreSQL 13+)."""
        self._admin_execute("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


def _database_name(test_name: str) -> str:
    """Unique, readable and within PostgreSQL's 63-byte identifier limit."""
    stem = re.sub(r"[^a-z0-9]+", "_", test_name.lower()).strip("_")[:40]
    return f"t_{stem}_{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One server per session: initdb is the slow part, databases are cheap."""
    if not binaries_available():
        pytest.skip(SKIP_REASON)
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty database per test, dropped afterwards so tests cannot see each other."""
    name = _database_name(request.node.name)
    postgres_server.create_database(name)
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)
