"""The year's phases and dates through the scheduler: a year of ticks for several pairs keeps
each phase's activities for its rounds, and a time-bound suggestion says its date on the pair's
clock."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select

from bot.app import build_ticker
from bot.core.deliveries import SUGGESTION, SWAP, ButtonAction
from bot.core.replies import unmarked
from bot.core.rhythm import rhythm_for, slots
from prompts.catalog import Catalog, load_catalog
from prompts.choice import offerable_in, phase_of
from storage.db import session_scope
from storage.models import Delivery, DeliveryKind, Pair, Response
from tests.scheduler.conftest import at
from tests.support.bot import PairSpec, actor, add_pair, add_program, button_actions
from tests.support.sink import RecordingOutbound

CATALOG = load_catalog()
ZONES = (None, "America/Chicago", "America/Los_Angeles", "Europe/London")
CHICAGO = "America/Chicago"
GOALS = ("Get better at interviews", "Write a blog post for ALSC", "Lead a storytime program")


def tick(ticker, now: dt.datetime) -> None:
    asyncio.run(ticker.tick(now))


def seen(message) -> str:
    """What a reader sees: no marks of quoted text, no bold."""
    return unmarked(message.text).replace("**", "")


def due_moments(core) -> list[dt.datetime]:
    """Every moment a message of any pair falls due, then a day after the program's end."""
    with session_scope(core.sessions) as session:
        pairs = session.scalars(select(Pair)).all()
        moments = {slot.due_at for pair in pairs for slot in slots(rhythm_for(pair))}
        end = max(pair.program.end_date for pair in pairs)
    return [*sorted(moments), at((end + dt.timedelta(days=1)).isoformat())]


def swap_new_closings(core, swapped: dict[int, str]) -> None:
    """Press "Show me another" once on each closing reflection delivered since the last call,
    as its mentee; ``swapped`` gets the activity each swap brought."""
    with session_scope(core.sessions) as session:
        fresh = session.scalars(
            select(Delivery).where(
                Delivery.kind == DeliveryKind.CLOSING,
                Delivery.status == "sent",
                Delivery.id.not_in(swapped),
            )
        ).all()
        mentees = {d.id: d.pair.mentee.platform_user_id for d in fresh}
    for delivery_id, mentee in mentees.items():
        core.press(actor(mentee), str(ButtonAction(SUGGESTION, delivery_id, SWAP)))
        with session_scope(core.sessions) as session:
            swapped[delivery_id] = session.get(Delivery, delivery_id).activity_id


def test_a_year_of_eight_pairs_keeps_each_phase_for_its_rounds(core):
    """Eight pairs' years: every closing round gets a closing activity (and another on
    "Show me another"), every midpoint a midpoint one, and no round an activity of another
    phase."""
    program = add_program(core, start=dt.date(2026, 9, 1), end=dt.date(2027, 8, 31))
    for n in range(8):
        start = dt.date(2026, 9, 1) + dt.timedelta(days=6 * n)
        zone = ZONES[n % len(ZONES)]
        add_pair(core, program, PairSpec(f"mentor{n}", f"mentee{n}", start, mentee_timezone=zone))
        if n % 3:
            core.command(actor(f"mentee{n}"), "goal", f"add {GOALS[n % len(GOALS)]}")
    ticker = build_ticker(core, {"console": RecordingOutbound()})
    swapped: dict[int, str] = {}
    for moment in due_moments(core):
        core.clock.now = moment
        tick(ticker, moment)
        core.clock.now = moment + dt.timedelta(hours=2)
        swap_new_closings(core, swapped)
    with session_scope(core.sessions) as session:
        rows = session.scalars(select(Delivery).where(Delivery.activity_id.is_not(None))).all()
        shown = {
            (r.delivery_id, r.activity_id)
            for r in session.scalars(select(Response).where(Response.action == "swap"))
        }
        kinds = {row.id: (row.kind, row.round_key) for row in rows}
        closing = [row.activity_id for row in rows if row.kind == DeliveryKind.CLOSING]
        midpoint = [row.activity_id for row in rows if row.kind == DeliveryKind.MIDPOINT]
        offers = [(kinds[row.id], row.activity_id) for row in rows]
    offers += [(kinds[delivery_id], activity) for delivery_id, activity in shown]
    assert len(closing) == len(midpoint) == len(swapped) == 8
    assert all("closing" in CATALOG.activity(a).phases for a in closing)  # after the swap
    assert all("closing" in CATALOG.activity(a).phases for _, a in shown)  # before it
    assert all("midpoint" in CATALOG.activity(a).phases for a in midpoint)
    for (kind, round_key), activity in offers:
        assert offerable_in(CATALOG.activity(activity), phase_of(kind, round_key)), (
            kind,
            round_key,
            activity,
        )


def timed_only() -> Catalog:
    """The built-in catalog's time-bound activities alone, so each round's choice is known."""
    activities = tuple(a for a in CATALOG.activities if a.schedule is not None)
    return Catalog(categories=CATALOG.categories, activities=activities, goal_examples=())


def test_a_time_bound_suggestion_says_its_next_date_on_the_pairs_clock(core):
    """Through the tick: the chat's next date and local time in Chicago and in Tokyo, Día's
    date alone, and the mock-award season before and during it."""
    core.catalog = timed_only()
    program = add_program(core, start=dt.date(2027, 3, 1), end=dt.date(2028, 2, 29))
    start = dt.date(2027, 3, 2)
    chicago = add_pair(core, program, PairSpec("ada", "ben", start, mentee_timezone=CHICAGO))
    tokyo = add_pair(core, program, PairSpec("cy", "dee", start, mentee_timezone="Asia/Tokyo"))
    sink = RecordingOutbound()
    ticker = build_ticker(core, {"console": sink})
    expected = {
        "2027-03-02": {  # the welcome
            chicago: "Next: Thu 11 Mar 2027, 20:00 (America/Chicago)",
            tokyo: "Next: Fri 12 Mar 2027, 11:00 (Asia/Tokyo)",
        },
        "2027-04-13": {chicago: "Next: Fri 30 Apr 2027", tokyo: "Next: Fri 30 Apr 2027"},
        "2027-09-28": {chicago: "Next: Fri 1 Oct 2027 to Mon 31 Jan 2028"},
        "2027-10-19": {chicago: "On now: until Mon 31 Jan 2028"},
    }
    for day, lines in expected.items():
        before = len(sink.delivered)
        core.clock.now = at(day, 16)
        tick(ticker, at(day, 16))
        said = {item.pair_id: seen(item.message) for item in sink.delivered[before:]}
        for pair_id, line in lines.items():
            assert line in said[pair_id], (day, said[pair_id])


def test_a_swapped_in_time_bound_activity_says_the_date_it_was_chosen_for(core):
    """Swapped in ten days after the welcome, the chat says its next date from then on, and
    still does when the pair then chooses it."""
    kickoff = CATALOG.activity("alsc-competencies")
    chat = CATALOG.activity("alscchat")
    core.catalog = Catalog(
        categories=CATALOG.categories, activities=(kickoff, chat), goal_examples=()
    )
    program = add_program(core, start=dt.date(2027, 3, 1), end=dt.date(2028, 2, 29))
    add_pair(core, program, PairSpec("ada", "ben", dt.date(2027, 3, 9), mentee_timezone=CHICAGO))
    sink = RecordingOutbound()
    ticker = build_ticker(core, {"console": sink})
    core.clock.now = at("2027-03-09", 16)
    tick(ticker, at("2027-03-09", 16))
    (welcome,) = sink.delivered
    assert kickoff.title in seen(welcome.message) and "Next:" not in seen(welcome.message)
    core.clock.now = at("2027-03-19", 16)  # the 11 March chat has passed
    swap = core.press(actor("ben"), button_actions(welcome.message)["Show me another"])
    assert chat.title in seen(swap.replacement)
    assert "Next: Thu 8 Apr 2027, 20:00 (America/Chicago)" in seen(swap.replacement)
    core.clock.now = at("2027-03-22", 16)
    chosen = core.press(actor("ada"), button_actions(swap.replacement)["We'll do this"])
    assert "Next: Thu 8 Apr 2027, 20:00 (America/Chicago)" in seen(chosen.replacement)
