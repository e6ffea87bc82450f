"""A coordinator changes the program's rhythm in chat during the year, and the scheduler
follows it from the next round on: nothing sent twice, nothing skipped, the numbers running on."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.core.replies import unmarked
from storage.db import session_scope
from storage.models import Delivery, Program, ProgramRhythm
from tests.scheduler.conftest import at
from tests.support.bot import actor, text_of

CASEY = actor("casey")


def tick_daily(ticker, start: dt.datetime, days: int) -> None:
    for day in range(days):
        asyncio.run(ticker.tick(start + dt.timedelta(days=day)))


def rounds(core) -> list[tuple[str, str, dt.date]]:
    with session_scope(core.sessions) as session:
        found = session.query(Delivery).order_by(Delivery.due_at).all()
        return [(d.kind, d.round_key, d.due_at.date()) for d in found if d.kind != "checkin"]


def test_every_two_weeks_on_thursday_from_the_next_round(core, ticker, sink, pair_id, clock):
    """Rounds every 3 weeks on Tuesdays (New York) until Casey changes the program on Wed
    2 Dec; the next round is two weeks after round 4 (Tue 24 Nov), on that week's Thursday
    (10 Dec), then every 2 weeks; each round goes once, numbered on."""
    tick_daily(ticker, at("2026-09-01"), 92)  # welcome and rounds 1-4, to 1 Dec
    assert [key for _, key, _ in rounds(core)] == ["start", "r1", "r2", "r3", "r4"]
    clock.now = at("2026-12-02", 16)
    reply = core.command(CASEY, "mentoring-admin", "program --every 2w --on thursday")
    assert unmarked(text_of(reply)).startswith(
        "Rhythm: every 2 weeks on Thursday at 10:00 (America/New_York) (was every 3 weeks on "
        "Tuesday at 10:00 (America/New_York)), from the next round on."
    )
    tick_daily(ticker, at("2026-12-02"), 42)
    later = rounds(core)[5:]
    assert [(key, day) for _, key, day in later] == [
        ("r5", dt.date(2026, 12, 10)),
        ("r6", dt.date(2026, 12, 24)),
        ("r7", dt.date(2027, 1, 7)),
    ]
    keys = [key for _, key, _ in rounds(core)]
    assert len(keys) == len(set(keys))
    with session_scope(core.sessions) as session:
        sent = session.query(Delivery).filter(Delivery.status == "sent").count()
    assert sent == len(sink.delivered), "each delivery went once"
    with session_scope(core.sessions) as session:
        [kept] = session.query(ProgramRhythm).all()
        assert (kept.interval_weeks, kept.weekday, kept.until) == (3, 1, at("2026-12-02", 16))


def test_the_form_shows_the_program_and_saves_what_changed(core, pair_id, clock):
    """`/mentoring-admin` on its own opens the form filled in with the program as it is;
    saving it changes only what was changed; wrong values are shown beside their fields and
    nothing changes; members get the coordinators-only refusal, and a form sent by one is
    refused too."""
    clock.now = at("2026-12-02")
    form = core.command(CASEY, "mentoring-admin", "").form
    assert form is not None and form.title == "Program settings"
    shown = unmarked(form.intro)
    assert "**Test program** (program 1)" in shown
    assert "Next round: Tue 15 Dec 2026, 10:00" in shown
    values = {f.name: f.initial for f in form.fields}
    assert values["every"] == "3" and values["on"] == "tuesday" and values["cohorts"] == "Fall"
    refused = core.submit(
        CASEY, form.form_id, form.context, {**values, "every": ["0"], "at": "9 pm x"}
    )
    assert set(refused.field_errors) == {"every", "at"}
    assert "“0” is not a number of weeks from 1 to 12" in refused.field_errors["every"]
    saved = core.submit(
        CASEY, form.form_id, form.context, {**values, "on": ["thursday"], "at": "3pm"}
    )
    assert unmarked(text_of(saved)).startswith(
        "Rhythm: every 3 weeks on Thursday at 15:00 (America/New_York)"
    )
    with session_scope(core.sessions) as session:
        program = session.get(Program, 1)
        assert (program.weekday, program.local_time, program.name) == (
            3,
            dt.time(15),
            "Test program",
        )
    member = core.command(actor("ben"), "mentoring-admin", "")
    assert "is for program coordinators" in text_of(member) and member.form is None
    sneaked = core.submit(actor("ben"), form.form_id, form.context, {**values, "every": "1"})
    assert "Only coordinators can change a program." in text_of(sneaked)
    with session_scope(core.sessions) as session:
        assert session.get(Program, 1).interval_weeks == 3


def test_typed_options_are_refused_each_by_name(core, pair_id, clock):
    clock.now = at("2026-12-02")
    refused = core.command(CASEY, "mentoring-admin", "program --every 0w --at 9pm --timezone Mars")
    said = unmarked(text_of(refused))
    assert "“0w” is not a number of weeks from 1 to 12" in said
    assert "“Mars” is not a time zone name" in said
    with session_scope(core.sessions) as session:
        assert session.get(Program, 1).interval_weeks == 3


def test_nothing_changes_when_the_settings_are_the_same(core, pair_id, clock):
    clock.now = at("2026-12-02")
    reply = core.command(CASEY, "mentoring-admin", "program --every 3w --on tue")
    assert text_of(reply) == "Nothing changed: those are its settings already."
    with session_scope(core.sessions) as session:
        assert session.query(ProgramRhythm).count() == 0
