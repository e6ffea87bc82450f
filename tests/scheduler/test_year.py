"""A whole program year, day by day, with the wall clock moved by time-machine."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

import time_machine
from sqlalchemy import select

from bot.app import build_ticker
from bot.core.rhythm import rhythm_for, round_dates
from storage.db import session_scope
from storage.models import Delivery, Pair
from tests.support.bot import Clock, PairSpec, add_pair, add_program, make_core
from tests.support.sink import RecordingOutbound


def test_a_year_of_ticks_delivers_each_round_once(db_url):
    """Every round arrives exactly once, no activity repeats early, and the year closes once."""
    core = make_core(db_url, Clock(dt.datetime(2026, 9, 1, tzinfo=dt.UTC)))
    core.clock = lambda: dt.datetime.now(dt.UTC)
    program = add_program(core, start=dt.date(2026, 9, 1), end=dt.date(2027, 6, 30))
    pair_id = add_pair(core, program, PairSpec(start=dt.date(2026, 9, 1)))
    sink = RecordingOutbound()
    ticker = build_ticker(core, {"console": sink})
    day = dt.datetime(2026, 9, 1, 16, 0, tzinfo=dt.UTC)
    with time_machine.travel(day, tick=False) as traveller:
        while day < dt.datetime(2027, 7, 10, tzinfo=dt.UTC):
            asyncio.run(ticker.tick())
            day += dt.timedelta(days=1)
            traveller.move_to(day)
    with session_scope(core.sessions) as session:
        rows = session.scalars(select(Delivery).order_by(Delivery.due_at)).all()
        pair = session.get(Pair, pair_id)
        rounds = len(round_dates(rhythm_for(pair)))
    kinds = Counter(row.kind for row in rows)
    assert kinds["welcome"] == 1 and kinds["program_closing"] == 1
    assert kinds["suggestion"] + kinds["midpoint"] + kinds["closing"] == rounds
    assert kinds["midpoint"] == 1 and kinds["closing"] == 1
    assert len(sink.delivered) == len(rows) == len({item.key for item in sink.delivered})
    offered = [row.activity_id for row in rows if row.activity_id]
    assert len(offered) == len(set(offered))
