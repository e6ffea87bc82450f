"""Ctrl-C in the console, as a person at a terminal presses it: `mentorbot run` leaves at once,
at the prompt, inside a form or while the clock is moving, with no traceback, and gives the
terminal back as it was (echo on)."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage.db import upgrade

pty = pytest.importorskip("pty")
termios = pytest.importorskip("termios")

CTRL_C = b"\x03"
AT_ONCE = 5.0  # seconds from the key to the process's end: generous for a loaded CI machine; a
# chat that waited for Enter (or ran the 400 days) would never end by itself


@pytest.fixture
def console_env(tmp_path) -> dict[str, str]:
    """The environment of `mentorbot run` on a fresh database of its own."""
    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)
    return {**os.environ, "DATABASE_URL": url, "COLUMNS": "120", "NO_COLOR": "1"}


class Terminal:
    """`mentorbot run` on a pseudo-terminal: type into it and read what it shows."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: becomes the console, and never runs the tests on
            try:
                os.chdir(cwd)
                os.execve(sys.executable, [sys.executable, "-m", "bot", "run"], env)
            finally:
                os._exit(127)
        self.shown = b""
        self.status: int | None = None

    def read_until(self, text: bytes, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.shown:
            assert time.monotonic() < deadline, self.shown.decode(errors="replace")
            self._read(0.05)

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def echo_is_on(self) -> bool:
        return bool(termios.tcgetattr(self.fd)[3] & termios.ECHO)

    def seconds_to_exit(self, limit: float = 10) -> float:
        """How long the process takes to end from now (``limit`` when it does not)."""
        start = time.monotonic()
        while time.monotonic() - start < limit:
            self._read(0.02)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                taken = time.monotonic() - start
                self._read(0.1)  # what it printed last
                return taken
        return limit

    def close(self) -> None:
        if self.status is None:  # still running: the test failed; end the child it started
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        os.close(self.fd)

    def _read(self, wait: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], wait)
        if ready:
            with contextlib.suppress(OSError):  # the child has gone
                self.shown += os.read(self.fd, 65536)


@pytest.fixture
def terminal(console_env, tmp_path):
    opened: list[Terminal] = []

    def start() -> Terminal:
        opened.append(Terminal(console_env, tmp_path))
        return opened[-1]

    yield start
    for one in opened:
        one.close()


@pytest.mark.parametrize(
    ("typed", "waiting_for"),
    [
        (b"", b"[Ben] > "),  # at the prompt
        (b"/log-meeting\ryesterday\r", b"Duration (e.g. 45m"),  # in the middle of a form
    ],
    ids=["at the prompt", "inside a form"],
)
def test_ctrl_c_quits_at_once_and_gives_the_terminal_back(terminal, typed, waiting_for):
    """Ctrl-C ends the chat within a second, saying Bye and no traceback, with echo on."""
    console = terminal()
    console.read_until(b"[Ben] > ")
    console.type(typed)
    console.read_until(waiting_for)
    time.sleep(0.2)  # readline is waiting for a key (and has turned echo off)
    console.type(CTRL_C)
    taken = console.seconds_to_exit()
    shown = console.shown.decode(errors="replace")
    assert taken < AT_ONCE, shown
    assert console.status == 0
    assert "Traceback" not in shown and "Error" not in shown
    assert shown.rstrip().endswith("Bye.")
    assert console.echo_is_on()


def test_sigint_while_the_clock_moves_stops_the_chat_at_once(console_env, tmp_path):
    """An interrupt during `/skip-days 400`, input from a pipe, ends it at once."""
    chat = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**console_env, "PYTHONUNBUFFERED": "1"},  # each line as it is printed
        cwd=tmp_path,
    )
    try:
        assert chat.stdin is not None and chat.stdout is not None
        chat.stdin.write(b"/skip-days 400\n")
        chat.stdin.flush()
        shown = b""
        while b"We'll do this" not in shown:  # the first round has come: days are passing
            line = chat.stdout.readline()
            assert line, "the chat ended before the first round"
            shown += line
        chat.send_signal(signal.SIGINT)
        start = time.monotonic()
        out, err = chat.communicate(timeout=10)
        taken = time.monotonic() - start
    finally:
        if chat.poll() is None:
            chat.kill()
    assert taken < AT_ONCE
    assert chat.returncode == 0, err.decode()
    assert b"Traceback" not in out + err
    assert out.decode().rstrip().endswith("Bye.")
    assert "The clock now reads" not in out.decode()  # the 400 days were not all run
