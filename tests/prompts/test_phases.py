"""Activities kept for a phase of the year: which round is in which phase, and over generated
years and catalogs, a phase's activities offered in its rounds only, and there when it comes."""

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.rhythm import Rhythm, slots
from prompts.catalog import PHASE_ORDER, Activity, Catalog, Category, load_catalog
from prompts.choice import KICKOFF_ROUNDS, PairHistory, choose_activity, offerable_in, phase_of
from storage.models import DeliveryKind

CATALOG = load_catalog()
ZONES = [ZoneInfo(name) for name in ("UTC", "America/New_York", "Asia/Tokyo", "Europe/London")]
TIMED = [a.schedule for a in CATALOG.activities if a.schedule is not None]


@pytest.mark.parametrize(
    ("kind", "round_key", "phase"),
    [
        (DeliveryKind.WELCOME, "start", "kickoff"),
        (DeliveryKind.SUGGESTION, "r1", "kickoff"),
        (DeliveryKind.SUGGESTION, f"r{KICKOFF_ROUNDS}", "kickoff"),
        (DeliveryKind.SUGGESTION, f"r{KICKOFF_ROUNDS + 1}", None),
        (DeliveryKind.SUGGESTION, "r11", None),
        (DeliveryKind.MIDPOINT, "r8", "midpoint"),
        (DeliveryKind.MIDPOINT, "r2", "midpoint"),
        (DeliveryKind.CLOSING, "r17", "closing"),
        (DeliveryKind.CLOSING, "r2", "closing"),
        (DeliveryKind.CHECKIN, "r1", None),
        (DeliveryKind.PROGRAM_CLOSING, "end", None),
        (DeliveryKind.SUGGESTION, "start", None),
    ],
)
def test_the_phase_of_a_round(kind, round_key, phase):
    """The welcome and the first rounds are the kickoff; the reflections are their phases."""
    assert phase_of(kind, round_key) == phase


@pytest.mark.parametrize(
    ("tags", "phase", "offerable"),
    [
        ((), None, True),
        ((), "closing", True),
        (("closing",), None, False),
        (("closing",), "kickoff", False),
        (("closing",), "closing", True),
        (("midpoint", "closing"), "midpoint", True),
        (("kickoff", "midpoint"), "closing", False),
    ],
)
def test_what_a_round_may_offer(tags, phase, offerable):
    """An activity tagged for phases is offered only in their rounds; an untagged one in any."""
    activity = CATALOG.activity("journal-article").model_copy(update={"phases": frozenset(tags)})
    assert offerable_in(activity, phase) is offerable


@dataclass
class Round:
    kind: DeliveryKind
    round_key: str
    phase: str | None
    offered: list[Activity] = field(default_factory=list)  # the first, then each swap's


@dataclass(frozen=True)
class Year:
    rhythm: Rhythm
    goals: tuple[str, ...]
    behaviour: int  # seeds the pair's swaps and skips
    taken: float = 0.6  # how likely the pair takes what it is shown


def play_year(catalog: Catalog, year: Year) -> list[Round]:
    """Every round of the year as the scheduler and "Show me another" choose: the history
    grows with each offer, a swap excludes what the round showed, skips weigh on categories."""
    pair = random.Random(year.behaviour)
    offered: list[str] = []
    turned_away: list[tuple[str, str]] = []
    horizon = dt.timedelta(weeks=year.rhythm.interval_weeks)
    rounds = []
    for slot in slots(year.rhythm):
        if slot.kind == DeliveryKind.CHECKIN:
            continue
        played = Round(slot.kind, slot.round_key, phase_of(slot.kind, slot.round_key))
        for swap in range(3):
            history = PairHistory.of(catalog, offered, turned_away, year.goals)
            chosen = choose_activity(
                catalog,
                history,
                now=slot.due_at + dt.timedelta(days=swap),
                horizon=horizon,
                zone=year.rhythm.zone,
                seed=zlib.crc32(f"{year.behaviour}:{slot.round_key}:{swap}".encode()),
                phase=played.phase,
                exclude=[a.id for a in played.offered],
            )
            if chosen is None:
                break
            if swap == 0:
                offered.append(chosen.id)
            else:
                turned_away.append((played.offered[-1].id, "swap"))
            played.offered.append(chosen)
            if pair.random() < year.taken:
                break
            if pair.random() < 0.3:
                turned_away.append((chosen.id, "skip"))
                break
        rounds.append(played)
    return rounds


@st.composite
def years(draw: st.DrawFn, min_weeks: int = 4) -> Year:
    start = draw(st.dates(dt.date(2026, 1, 1), dt.date(2029, 12, 31)))
    rhythm = Rhythm(
        start_date=start,
        end_date=start + dt.timedelta(weeks=draw(st.integers(min_weeks, 80))),
        interval_weeks=draw(st.integers(1, 6)),
        weekday=draw(st.integers(0, 6)),
        local_time=dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30]))),
        zone=draw(st.sampled_from(ZONES)),
    )
    goals = draw(
        st.lists(
            st.sampled_from(
                ["Get better at interviews", "Write a blog post", "Join an ALSC committee"]
            ),
            max_size=2,
        )
    )
    return Year(rhythm, tuple(goals), draw(st.integers(0, 2**32)))


@st.composite
def catalogs(draw: st.DrawFn) -> Catalog:
    categories = tuple(Category(id=f"c{n}", title=f"C{n}") for n in range(draw(st.integers(1, 4))))
    activities = tuple(
        Activity(
            id=f"a{n}",
            category=draw(st.sampled_from(categories)).id,
            title=f"Activity {n}",
            what="Do it together.",
            tags=tuple(draw(st.lists(st.sampled_from(["interviews", "writing", "association"])))),
            phases=frozenset(draw(st.lists(st.sampled_from(PHASE_ORDER), max_size=2))),
            schedule=draw(st.none() | st.sampled_from(TIMED)),
        )
        for n in range(draw(st.integers(1, 14)))
    )
    return Catalog(categories=categories, activities=activities, goal_examples=())


def kept_for_this_phase_first(catalog: Catalog, phase: str) -> bool:
    """The catalog has an untimed activity kept for ``phase`` and for no phase before it, so
    nothing before the phase's round can have used it up."""
    earlier = set(PHASE_ORDER[: PHASE_ORDER.index(phase)])
    return any(
        phase in a.phases and not a.phases & earlier and a.schedule is None
        for a in catalog.activities
    )


@settings(max_examples=150, deadline=None)
@given(catalog=catalogs(), year=years())
def test_a_phase_tagged_activity_is_never_offered_outside_its_phase(catalog, year):
    """In generated catalogs and years, every offer (swaps too) fits its round's phase."""
    for played in play_year(catalog, year):
        for activity in played.offered:
            assert offerable_in(activity, played.phase), (played, activity.id)


@settings(max_examples=150, deadline=None)
@given(catalog=catalogs(), year=years())
def test_each_reflection_round_gets_its_phase_when_the_catalog_keeps_one(catalog, year):
    """The midpoint and closing rounds each get an activity of their phase whenever the
    catalog keeps one for that phase and no earlier one."""
    for played in play_year(catalog, year):
        reflection = played.phase in ("midpoint", "closing")
        if reflection and kept_for_this_phase_first(catalog, played.phase):
            assert played.phase in played.offered[0].phases, (played, catalog)


@settings(max_examples=300, deadline=None)
@given(year=years(min_weeks=8))
def test_the_closing_round_of_every_year_gets_a_closing_activity(year):
    """With the built-in catalog, a year's closing round always has a closing activity left."""
    rounds = play_year(CATALOG, year)
    closing = [r for r in rounds if r.kind == DeliveryKind.CLOSING]
    midpoint = [r for r in rounds if r.kind == DeliveryKind.MIDPOINT]
    assert all("closing" in r.offered[0].phases for r in closing)
    assert all("midpoint" in r.offered[0].phases for r in midpoint)


@settings(max_examples=100, deadline=None)
@given(year=years(min_weeks=8))
def test_the_welcome_and_first_rounds_use_the_kickoff_activities(year):
    """With the built-in catalog, the welcome and each first round offer a kickoff activity
    while one is left unoffered."""
    kickoff_ids = {a.id for a in CATALOG.activities if "kickoff" in a.phases}
    seen: set[str] = set()
    for played in play_year(CATALOG, year):
        if played.phase == "kickoff":
            first = played.offered[0]
            assert "kickoff" in first.phases or kickoff_ids <= seen, played
        seen |= {a.id for a in played.offered}


def test_a_year_without_swaps_keeps_each_phase_and_repeats_nothing():
    """A September-to-August year taking every first offer: the welcome and first rounds get
    kickoff activities, the reflections theirs, the other rounds untagged ones, none twice."""
    rhythm = Rhythm(
        dt.date(2026, 9, 1), dt.date(2027, 8, 31), 3, 1, dt.time(10), ZoneInfo("America/Chicago")
    )
    rounds = play_year(CATALOG, Year(rhythm, (), behaviour=11, taken=1.0))
    assert len(rounds) == 18  # the welcome and 17 rounds
    for played in rounds:
        (activity,) = played.offered
        if played.phase is None:
            assert not activity.phases, played
        else:
            assert played.phase in activity.phases, played
    offered = [played.offered[0].id for played in rounds]
    assert len(set(offered)) == len(offered)
