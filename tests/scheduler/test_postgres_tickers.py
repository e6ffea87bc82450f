"""Two real processes ticking at once against a real PostgreSQL never both send."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from sqlalchemy import func, select

from storage.db import make_engine, make_session_factory, session_scope, upgrade
from storage.models import Delivery
from tests.support.bot import Clock, PairSpec, add_pair, add_program, make_core

PAIRS = 120


def test_two_processes_deliver_each_round_once(postgres_url):
    """Each due pair is sent exactly one suggestion between the two tickers."""
    upgrade(postgres_url)
    core = make_core(postgres_url, Clock(dt.datetime(2026, 11, 1, tzinfo=dt.UTC)))
    program = add_program(core)
    for index in range(PAIRS):
        add_pair(core, program, PairSpec(f"mentor{index}", f"mentee{index}"))
    env = {**os.environ, "DATABASE_URL": postgres_url}
    command = [sys.executable, "-m", "bot", "nudge", "tick", "--now", "2026-11-24T15:00:00Z"]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0]
    sent_lines = [
        line for out in outputs for line in out.splitlines() if line.startswith("sent suggestion")
    ]
    assert len(sent_lines) == PAIRS
    assert len(set(sent_lines)) == PAIRS
    with session_scope(make_session_factory(make_engine(postgres_url))) as session:
        statuses = dict(
            session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
        )
    assert statuses == {"sent": PAIRS}
