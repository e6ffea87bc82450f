"""Coordinators' weekly digest: once a week, at the program's weekday and local time, each
coordinator gets by direct message what newly needs attention; nothing when nothing is new;
never twice in a week."""

from __future__ import annotations

import asyncio

from bot.core.replies import unmarked
from storage.db import session_scope
from storage.models import CoordinatorDigest
from tests.scheduler.conftest import at
from tests.support.bot import PairSpec, add_pair


def tick(ticker, now):
    return asyncio.run(ticker.tick(now))


def digests_to(sink, user: str) -> list[str]:
    return [unmarked(message.text) for who, message in sink.direct if who == user]


def test_the_digest_tells_what_is_new_once_a_week(core, ticker, sink, program_id):
    """Tue 24 Nov 10:00 New York: round 4 fails for Ada & Ben; Casey's digest names it. A tick
    an hour later sends nothing more; the next Tuesday, nothing is new, so nothing is sent; a
    week on, Cy & Dee's failure is new, and only it is told."""
    first = add_pair(core, program_id, PairSpec("ada", "ben"))
    sink.fail_next("channel_not_found", permanent=True)
    tick(ticker, at("2026-11-24", 15, 1))
    tick(ticker, at("2026-11-24", 16))
    [told] = digests_to(sink, "casey")
    assert told.startswith("**Your weekly mentoring digest**")
    assert f"**{first}** Ada & Ben: a delivery failed: channel_not_found" in told
    assert "**Deliveries that failed** (1)" in told
    tick(ticker, at("2026-12-01", 15, 1))
    assert len(digests_to(sink, "casey")) == 1, "nothing new: no digest"
    second = add_pair(core, program_id, PairSpec("cy", "dee", start=at("2026-11-17").date()))
    sink.fail_next("channel_not_found", permanent=True)
    tick(ticker, at("2026-12-08", 15, 1))
    latest = digests_to(sink, "casey")[-1]
    assert f"**{second}** Cy & Dee" in latest and "Ada & Ben" not in latest
    with session_scope(core.sessions) as session:
        weeks = {(d.week, d.status) for d in session.query(CoordinatorDigest).all()}
    assert weeks == {("2026-W48", "sent"), ("2026-W49", "empty"), ("2026-W50", "sent")}


def test_no_digest_before_the_weeks_moment(core, ticker, sink, pair_id):
    tick(ticker, at("2026-11-23", 15))  # a Monday
    tick(ticker, at("2026-11-24", 14, 59))  # Tuesday, a minute before 10:00 New York
    assert digests_to(sink, "casey") == []
