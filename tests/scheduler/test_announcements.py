"""A coordinator announces something to every active pair: each gets it once, at the next
tick, through the same exactly-once deliveries as rounds; a cohort's announcement reaches only
that cohort; a paused pair gets nothing; and a pause that runs out by itself is told."""

from __future__ import annotations

import asyncio
import contextlib

from bot.app import build_ticker
from bot.core.replies import unmarked
from storage.db import session_scope
from storage.models import Delivery
from tests.scheduler.conftest import at
from tests.support.bot import PairSpec, actor, add_pair, text_of
from tests.support.sink import RecordingOutbound

CASEY = actor("casey")


def tick(ticker, now):
    return asyncio.run(ticker.tick(now))


def announced(core) -> list[tuple[int, str]]:
    with session_scope(core.sessions) as session:
        rows = session.query(Delivery).filter(Delivery.kind == "announcement").all()
        return sorted((d.pair_id, d.status) for d in rows)


def test_an_announcement_reaches_each_active_pair_once(core, ticker, sink, program_id, clock):
    fall = add_pair(core, program_id, PairSpec("ada", "ben", cohort="Fall"))
    spring = add_pair(core, program_id, PairSpec("cy", "dee", cohort="Spring"))
    paused = add_pair(core, program_id, PairSpec("eve", "fay", cohort="Fall"))
    core.command(actor("fay"), "mentoring", "pause 4")
    clock.now = at("2026-12-02", 16)
    told = core.command(CASEY, "mentoring-admin", "announce The webinar is on {12 Jan}, 4pm")
    assert unmarked(text_of(told)) == (
        "Announcement 1 goes to the 2 active pair(s) of “Test program” at the next tick, once "
        "to each."
    )
    tick(ticker, at("2026-12-02", 16, 1))
    tick(ticker, at("2026-12-02", 16, 2))
    assert announced(core) == [(fall, "sent"), (spring, "sent")]
    posts = [d for d in sink.delivered if "webinar" in unmarked(d.message.text)]
    assert sorted(d.pair_id for d in posts) == [fall, spring]
    assert "📣 **From Casey, for Test program:**\nThe webinar is on {12 Jan}, 4pm" in unmarked(
        posts[0].message.text
    )
    only_fall = core.command(CASEY, "mentoring-admin", 'announce "fall" Bring your book lists')
    assert "cohort “Fall”" in unmarked(text_of(only_fall))
    tick(ticker, at("2026-12-02", 16, 5))
    assert [d.pair_id for d in sink.delivered if "book lists" in unmarked(d.message.text)] == [fall]
    assert paused not in {d.pair_id for d in sink.delivered}
    clock.now = at("2026-12-02", 16, 10)
    summary = unmarked(text_of(core.command(CASEY, "mentoring-summary", "")))
    assert "Announcements posted: 3" in summary


def test_refusals_say_what_to_type(core, pair_id, clock):
    clock.now = at("2026-12-02", 16)
    empty = core.command(CASEY, "mentoring-admin", "announce")  # nothing to tell: the form
    assert empty.form is not None and empty.form.form_id == "announce"
    blank = core.command(CASEY, "mentoring-admin", 'announce "Fall"')
    assert "The announcement is empty" in text_of(blank)
    long = core.command(CASEY, "mentoring-admin", "announce " + "x" * 3001)
    assert "3,001 characters long; it can be at most 3,000" in text_of(long)
    member = core.command(actor("ben"), "mentoring-admin", "announce Hello")
    assert "is for program coordinators" in text_of(member)
    assert announced(core) == []


def test_a_pause_that_runs_out_is_told_once(core, ticker, sink, pair_id):
    core.command(actor("ben"), "mentoring", "pause 2")  # until Tue 24 Nov
    tick(ticker, at("2026-11-24", 15))
    tick(ticker, at("2026-11-24", 16))
    notices = [d for d in sink.delivered if "Your pause is over" in unmarked(d.message.text)]
    assert len(notices) == 1 and notices[0].pair_id == pair_id


class KilledHalfway(RecordingOutbound):
    """The process is killed right after the platform took its ``limit``-th post: that post,
    and any others in flight, are stored there but never recorded by the bot."""

    limit: int = 100
    reached: asyncio.Event | None = None

    async def send_to_pair(self, *args, **kwargs):
        sent = await super().send_to_pair(*args, **kwargs)
        if self.reached is not None and len(self.delivered) >= self.limit:
            self.reached.set()
            await asyncio.sleep(3600)  # never heard back: the kill comes first
        return sent


async def killed_halfway(ticker, sink: KilledHalfway, now) -> None:
    sink.reached = asyncio.Event()
    running = asyncio.create_task(ticker.tick(now))
    await sink.reached.wait()
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running


def test_an_announcement_to_200_pairs_survives_a_kill_halfway_each_pair_once(
    core, program_id, clock
):
    pairs = [add_pair(core, program_id, PairSpec(f"m{n}", f"e{n}")) for n in range(200)]
    clock.now = at("2026-12-02", 16)
    core.command(CASEY, "mentoring-admin", "announce The webinar is on 12 January")
    sink = KilledHalfway()
    asyncio.run(
        killed_halfway(build_ticker(core, {"console": sink}), sink, at("2026-12-02", 16, 1))
    )
    assert 100 <= len([d for d in sink.delivered if "webinar" in d.message.text]) < 200
    assert any(status != "sent" for _, status in announced(core))  # some were never recorded
    clock.advance(minutes=10)  # the dead process's leases run out
    sink.reached = None
    tick(build_ticker(core, {"console": sink}), at("2026-12-02", 16, 11))
    told = sorted(d.pair_id for d in sink.delivered if "webinar" in d.message.text)
    assert told == pairs  # every pair once: none lost, none twice
    assert announced(core) == [(pair, "sent") for pair in pairs]
