"""A platform request is acted on the first time it comes, never again."""

from __future__ import annotations

import zlib

from bot.core import replays
from storage.db import session_scope
from storage.models import HandledRequest
from tests.support.bot import rows


def test_a_request_is_new_once(core, clock):
    """The first time a key comes it is new; every later time, even a day on, it is not."""
    assert core.first_time("slack:trig-1")
    assert not core.first_time("slack:trig-1")
    assert core.first_time("slack:trig-2")
    clock.advance(hours=23)
    assert not core.first_time("slack:trig-1")


def test_a_key_longer_than_the_column_is_kept_by_its_hash(core):
    """A very long key still counts once (stored as its hash, within the column)."""
    long_key = "slack:" + "x" * 500
    assert core.first_time(long_key)
    assert not core.first_time(long_key)
    [row] = rows(core, HandledRequest)
    assert len(row.key) <= replays.KEY_LENGTH


def test_prune_deletes_only_rows_older_than_a_day(core, clock):
    """Pruning removes what is past ``KEEP`` and keeps the rest."""
    core.first_time("slack:old")
    clock.advance(hours=25)
    core.first_time("slack:recent")
    with session_scope(core.sessions) as session:
        assert replays.prune(session, clock.now) == 1
    assert [row.key for row in rows(core, HandledRequest)] == ["slack:recent"]


def test_some_requests_also_prune(core, clock):
    """One key in ``PRUNE_ONE_IN`` prunes on its way in, so the table does not grow forever."""
    core.first_time("slack:old")
    clock.advance(days=2)
    pruning = next(
        key
        for n in range(10_000)
        if zlib.crc32((key := f"slack:t{n}").encode()) % replays.PRUNE_ONE_IN == 0
    )
    assert core.first_time(pruning)
    assert [row.key for row in rows(core, HandledRequest)] == [pruning]
