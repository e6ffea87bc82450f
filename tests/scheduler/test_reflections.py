"""The year's reflections ask, and keep the answers: the midpoint and closing messages carry a
button to a form each member answers for themselves; a week on, a member who has not answered is
reminded once; the closing one also asks which goals were reached and leads to the competency
self-assessment, which the welcome asks for first."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bot.core.replies import Actor, Reply, unmarked
from storage.db import session_scope
from storage.models import CompetencyRating, Delivery, Goal, Reflection
from tests.scheduler.conftest import at
from tests.support.bot import (
    PairSpec,
    actor,
    add_pair,
    add_program,
    button_actions,
    rows,
    text_of,
)

ADA, BEN = actor("ada"), actor("ben")


def tick(ticker, day: str, hour: int = 15) -> None:
    asyncio.run(ticker.tick(at(day, hour)))


def a_short_year(core) -> int:
    """Weekly rounds on Tuesdays: a welcome on Mon 2 Nov, the midpoint on 1 Dec, the closing
    on 22 Dec."""
    program = add_program(
        core, start=dt.date(2026, 11, 2), end=dt.date(2026, 12, 29), interval_weeks=1
    )
    return add_pair(core, program, PairSpec(start=dt.date(2026, 11, 2)))


def delivered(sink, pair_id: int, words: str):
    found = [d for d in sink.delivered if d.pair_id == pair_id and words in d.message.text]
    assert found, f"nothing delivered with {words!r}: {[d.message.text for d in sink.delivered]}"
    return found[-1].message


def digests_to(sink, user: str) -> list[str]:
    return [unmarked(message.text) for who, message in sink.direct if who == user]


def submit(core, who, reply: Reply, **values: object) -> Reply:
    assert reply.form is not None, f"expected a form, got {reply!r}"
    return core.submit(who, reply.form.form_id, reply.form.context, values)


def test_a_midpoint_reflection_is_answered_by_each_member_and_reminded_once(
    core, ticker, sink, clock
):
    pair_id = a_short_year(core)
    for day in ("2026-11-03", "2026-11-10", "2026-11-17", "2026-11-24", "2026-12-01"):
        tick(ticker, day)
    midpoint = delivered(sink, pair_id, "Halfway through")
    assert "Answer the reflection" in button_actions(midpoint)
    action = button_actions(midpoint)["Answer the reflection"]

    clock.now = at("2026-12-01", 16)
    form = core.press(ADA, action)
    assert form.form is not None and "coordinators" in form.form.intro
    names = [f.name for f in form.form.fields]
    assert names == ["score", "worked", "change", "share"]  # no goals asked at the midpoint

    refused = submit(core, ADA, form, score="9", worked="x" * 1001, change="", share="no")
    assert set(refused.field_errors) == {"score", "worked"}
    assert "from 1 to 5" in refused.field_errors["score"]
    assert "1,001 characters" in refused.field_errors["worked"]
    assert rows(core, Reflection) == []

    thanks = submit(core, ADA, form, score=["4"], worked="Mock interview", change="", share="no")
    assert "went to your coordinators" in text_of(thanks)
    again = core.press(ADA, action)  # the form again shows what she answered
    assert {f.name: f.initial for f in again.form.fields}["worked"] == "Mock interview"

    outsider = core.press(actor("zed"), action)
    assert outsider.form is None and "a pair you are not in" in text_of(outsider)

    tick(ticker, "2026-12-08")  # a week on: Ben has not answered
    digest = digests_to(sink, "casey")[-1]  # and the coordinators' digest has Ada's answers
    assert "**Reflections in** (1)" in digest
    assert f"**{pair_id}** Ada, midpoint: 4 of 5; worked: Mock interview" in digest
    reminder = delivered(sink, pair_id, "A week ago your pair got the midpoint reflection")
    assert "Ben" in unmarked(reminder.text) and "Ada" not in unmarked(reminder.text)
    assert button_actions(reminder)["Answer the reflection"] == action

    clock.now = at("2026-12-08", 16)
    typed = core.command(BEN, "mentoring", "reflect")
    assert typed.form is not None and typed.form.context == form.form.context
    submit(core, BEN, typed, score="3", worked="", change="More time", share="yes")
    tick(ticker, "2026-12-09")
    tick(ticker, "2026-12-15")
    reminders = [d for d in sink.delivered if "A week ago" in d.message.text]
    assert len(reminders) == 1
    digest = digests_to(sink, "casey")[-1]
    assert "Ben, midpoint: 3 of 5; would change: More time" in digest and "Ada," not in digest
    answers = sorted((r.person.display_name, r.score, r.shared) for r in _reflections(core))
    assert answers == [("Ada", 4, False), ("Ben", 3, True)]


def test_the_closing_reflection_marks_goals_reached_and_leads_to_the_self_assessment(
    core, ticker, sink, clock
):
    pair_id = a_short_year(core)
    clock.now = at("2026-11-02", 16)
    core.command(ADA, "goal", "add Run a storytime")
    core.command(ADA, "goal", "add Build a book list")
    tick(ticker, "2026-11-03")
    welcome = delivered(sink, pair_id, "Welcome to your mentoring year")
    kickoff = core.press(BEN, button_actions(welcome)["Rate yourself on the competencies"])
    assert kickoff.form is not None and kickoff.form.title == "Where you start"
    areas = [f.name for f in kickoff.form.fields]
    assert len(areas) == len(core.competencies.areas) == 7
    wrong = submit(core, BEN, kickoff, **dict.fromkeys(areas, "5"))
    assert set(wrong.field_errors) == set(areas) and "from 1 to 4" in wrong.field_errors[areas[0]]
    saved = submit(core, BEN, kickoff, **dict.fromkeys(areas, "2"))
    assert "that is where you start" in text_of(saved)

    for week in range(1, 9):
        tick(ticker, (dt.date(2026, 11, 3) + dt.timedelta(weeks=week)).isoformat())
    closing = delivered(sink, pair_id, "Your mentoring year ends on")
    form = core.press(BEN, button_actions(closing)["Answer the reflection"])
    assert [f.name for f in form.form.fields] == ["score", "worked", "change", "reached", "share"]
    unknown = submit(core, BEN, form, score="5", reached=["1", "7"], share="no")
    assert "no goal 7" in unknown.field_errors["reached"]
    done = submit(core, BEN, form, score="5", reached=["1"], share="no")
    assert "goal 1" in text_of(done)
    assert any("Ben marked goal **1** done" in unmarked(p.message.text) for p in done.posts)
    assert [g.status for g in sorted(rows(core, Goal), key=lambda g: g.number)] == [
        "done",
        "open",
    ]
    assess = done.message.buttons[0]
    now = core.press(BEN, assess.action)
    assert now.form.title == "Where you are now"
    submit(core, BEN, now, **dict.fromkeys(areas, "3"))
    levels = sorted({(r.phase, r.level) for r in rows(core, CompetencyRating)})
    assert levels == [("closing", 3), ("kickoff", 2)]
    assert len(rows(core, CompetencyRating)) == 14


def test_discord_asks_the_competencies_five_at_a_time(core, ticker, sink, clock):
    """A Discord modal holds five inputs: the seven areas come as two pages."""
    pair_id = add_pair(core, add_program(core), PairSpec("111", "222", platform="discord"))
    member = Actor("discord", "222", "Ben")
    first = core.press(member, f"o:assess:{pair_id}:kickoff:0")
    assert first.form.title == "Where you start (1 of 2)" and len(first.form.fields) == 5
    saved = submit(core, member, first, **{f.name: "1" for f in first.form.fields})
    more = saved.message.buttons[0]
    second = core.press(member, more.action)
    assert second.form.title == "Where you start (2 of 2)" and len(second.form.fields) == 2
    submit(core, member, second, **{f.name: "4" for f in second.form.fields})
    assert len(rows(core, CompetencyRating)) == 7


def _reflections(core) -> list[Reflection]:
    with session_scope(core.sessions) as session:
        found = list(session.scalars(select(Reflection).options(joinedload(Reflection.person))))
        session.expunge_all()
        return found


def test_no_reminder_once_both_answered(core, ticker, sink, clock):
    pair_id = a_short_year(core)
    for day in ("2026-11-03", "2026-11-10", "2026-11-17", "2026-11-24", "2026-12-01"):
        tick(ticker, day)
    midpoint = [d for d in rows(core, Delivery) if d.kind == "midpoint"]
    assert len(midpoint) == 1 and midpoint[0].pair_id == pair_id
    clock.now = at("2026-12-02")
    for who in (ADA, BEN):
        submit(core, who, core.command(who, "mentoring", "reflect"), score="4", share="no")
    tick(ticker, "2026-12-08")
    tick(ticker, "2026-12-09")
    assert not [d for d in sink.delivered if "A week ago" in d.message.text]
