"""Which activity a pair gets: the rules of SPEC's "Suggestions", pinned by seed and by property."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from prompts.catalog import load_catalog
from prompts.choice import PairHistory, choose_activity, goal_tags

CATALOG = load_catalog()
NEW_YORK = ZoneInfo("America/New_York")
ROUND = dt.timedelta(weeks=3)
moments = st.datetimes(
    min_value=dt.datetime(2026, 1, 1),  # noqa: DTZ001
    max_value=dt.datetime(2030, 12, 31),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)
zones = st.sampled_from(
    [ZoneInfo("UTC"), NEW_YORK, ZoneInfo("Europe/London"), ZoneInfo("Asia/Tokyo")]
)


def play_rounds(start: dt.datetime, zone: ZoneInfo, seed: int, rounds: int) -> list[str]:
    """The activities a pair is offered over ``rounds`` consecutive rounds."""
    offered: Counter[str] = Counter()
    categories: list[str] = []
    chosen = []
    for number in range(rounds):
        now = start + number * ROUND
        history = PairHistory(offered=Counter(offered), recent_categories=tuple(categories[-3:]))
        activity = choose_activity(CATALOG, history, now=now, horizon=ROUND, zone=zone, seed=seed)
        assert activity is not None
        offered[activity.id] += 1
        categories.append(activity.category)
        chosen.append(activity.id)
    return chosen


@settings(max_examples=60, deadline=None)
@given(start=moments, zone=zones, seed=st.integers(0, 2**32))
def test_never_repeats_while_an_available_activity_is_unoffered(start, zone, seed):
    chosen = play_rounds(start, zone, seed, rounds=30)
    # In rounds of no phase, the activities kept for a phase are not theirs to use up.
    untimed = {a.id for a in CATALOG.activities if a.schedule is None and not a.phases}
    for index, activity_id in enumerate(chosen):
        if activity_id in chosen[:index]:
            # A repeat only once every always-available activity has had its turn.
            assert untimed <= set(chosen[:index]), (index, activity_id)


def second_thursday(year: int, month: int) -> dt.datetime:
    thursdays = [
        w[calendar.THURSDAY] for w in calendar.monthcalendar(year, month) if w[calendar.THURSDAY]
    ]
    return dt.datetime(year, month, thursdays[1], 21, 0, tzinfo=NEW_YORK)


def next_chat(after: dt.datetime) -> dt.datetime:
    local = after.astimezone(NEW_YORK)
    this_month = second_thursday(local.year, local.month)
    if this_month >= after:
        return this_month
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return second_thursday(year, month)


@settings(max_examples=200, deadline=None)
@given(now=moments, zone=zones, seed=st.integers(0, 2**32))
def test_time_bound_items_only_before_their_date_and_within_reach(now, zone, seed):
    """Each time-bound item, when offered, has its date ahead and within the round (or lead)."""
    untimed_done = Counter({a.id: 1 for a in CATALOG.activities if a.schedule is None})
    activity = choose_activity(
        CATALOG, PairHistory(offered=untimed_done), now=now, horizon=ROUND, zone=zone, seed=seed
    )
    if activity is None or activity.schedule is None:
        return
    local = now.astimezone(zone).date()
    if activity.id == "alscchat":
        assert now <= next_chat(now) <= now + ROUND
    elif activity.id == "dia-childrens-day":
        april_30 = dt.date(local.year, 4, 30)
        assert april_30 - dt.timedelta(days=21) <= local <= april_30
    elif activity.id == "mock-newbery-caldecott":
        in_season = local.month in (10, 11, 12, 1)
        assert in_season or dt.date(local.year, 10, 1) - local <= dt.timedelta(weeks=3)
    else:
        raise AssertionError(f"untested time-bound item {activity.id}")


def test_time_bound_items_are_offered_when_near():
    before_dia = dt.datetime(2027, 4, 20, 14, tzinfo=dt.UTC)
    everything_once = Counter({a.id: 1 for a in CATALOG.activities})
    offered = {
        choose_activity(
            CATALOG,
            PairHistory(offered=everything_once),
            now=before_dia,
            horizon=ROUND,
            zone=NEW_YORK,
            seed=seed,
        ).id
        for seed in range(20)
    }
    assert "dia-childrens-day" in offered
    after_dia = dt.datetime(2027, 5, 3, 14, tzinfo=dt.UTC)
    for seed in range(20):
        chosen = choose_activity(
            CATALOG,
            PairHistory(offered=everything_once),
            now=after_dia,
            horizon=ROUND,
            zone=NEW_YORK,
            seed=seed,
        )
        assert chosen.id != "dia-childrens-day"


@given(now=moments, seed=st.integers(0, 2**32))
def test_same_seed_same_choice(now, seed):
    first = choose_activity(
        CATALOG, PairHistory(), now=now, horizon=ROUND, zone=NEW_YORK, seed=seed
    )
    again = choose_activity(
        CATALOG, PairHistory(), now=now, horizon=ROUND, zone=NEW_YORK, seed=seed
    )
    assert first == again


JUNE = dt.datetime(2027, 6, 11, 14, tzinfo=dt.UTC)  # the day after a chat: nothing timed is near


def choose(history: PairHistory, seed: int = 7, phase: str | None = None):
    return choose_activity(
        CATALOG, history, now=JUNE, horizon=ROUND, zone=NEW_YORK, seed=seed, phase=phase
    )


def test_open_goals_bring_matching_activities_first():
    tags = goal_tags(["Get better at interviews"])
    assert "interviews" in tags
    for seed in range(10):
        assert "interviews" in choose(PairHistory(goal_tags=tags), seed).tags


def test_the_last_category_is_not_offered_again_next():
    for seed in range(10):
        for category in ("create", "interviews", "discussion"):
            chosen = choose(PairHistory(recent_categories=("association", category)), seed)
            assert chosen.category != category


def test_skipped_categories_weigh_less():
    disliked = Counter({"discussion": 3, "create": 3, "interviews": 3})
    chosen = {
        choose(PairHistory(disliked_categories=disliked), seed).category for seed in range(20)
    }
    assert chosen <= {"reading-writing", "association"}


def test_the_years_phase_is_preferred():
    for phase in ("kickoff", "midpoint", "closing"):
        for seed in range(5):
            assert phase in choose(PairHistory(), seed, phase=phase).phases


def test_nothing_left_gives_none():
    everything = [a.id for a in CATALOG.activities]
    assert (
        choose_activity(
            CATALOG,
            PairHistory(),
            now=JUNE,
            horizon=ROUND,
            zone=NEW_YORK,
            seed=1,
            exclude=everything,
        )
        is None
    )
