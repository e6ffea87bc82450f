"""A coordinator changes the rhythm during the year: what was owed before the change stays as
it was (same rounds, same numbers, same times), the new rhythm applies from the next round on,
and no round is sent twice or skipped by the change. Table cases, then properties over
thousands of generated years and changes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.rhythm import Rhythm, Slot, due_slots, local_moment, slots
from storage.models import DeliveryKind

CHICAGO = ZoneInfo("America/Chicago")
BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY, THURSDAY = 1, 3
LATE = dt.timedelta(days=7)
ROUND_KINDS = (DeliveryKind.SUGGESTION, DeliveryKind.MIDPOINT, DeliveryKind.CLOSING)


def year(**changes: object) -> Rhythm:
    base = Rhythm(dt.date(2026, 9, 1), dt.date(2027, 8, 31), 3, TUESDAY, dt.time(10, 0), CHICAGO)
    return dataclasses.replace(base, **changes)


def changed(before: Rhythm, since: dt.datetime, **changes: object) -> Rhythm:
    return dataclasses.replace(before, before=before, since=since, **changes)


def rounds(rhythm: Rhythm) -> list[Slot]:
    return [slot for slot in slots(rhythm) if slot.kind in ROUND_KINDS]


def local_day(slot: Slot, zone: ZoneInfo = CHICAGO) -> dt.date:
    return slot.due_at.astimezone(zone).date()


def test_every_two_weeks_from_the_next_round_on():
    """Every 3 weeks until a change on 1 Dec (rounds 22 Sep … 24 Nov kept); then every 2
    weeks: the next round is 8 Dec, two weeks after the last, and on from there."""
    before = year()
    after = changed(
        before, local_moment(dt.date(2026, 12, 1), dt.time(9), CHICAGO), interval_weeks=2
    )
    days = [local_day(slot) for slot in rounds(after)]
    assert days[:5] == [
        dt.date(2026, 9, 22),
        dt.date(2026, 10, 13),
        dt.date(2026, 11, 3),
        dt.date(2026, 11, 24),
        dt.date(2026, 12, 8),
    ]
    assert {b - a for a, b in itertools.pairwise(days[4:])} == {dt.timedelta(weeks=2)}
    assert [slot.round_key for slot in rounds(after)][:5] == ["r1", "r2", "r3", "r4", "r5"]


def test_a_new_weekday_and_time_take_the_same_week():
    """Tuesday 10:00 becomes Thursday 15:00 (Berlin): the next round is the Thursday of the
    week it would have fallen in, at 15:00 Berlin time."""
    before = year()
    after = changed(
        before,
        local_moment(dt.date(2026, 11, 30), dt.time(12), CHICAGO),
        weekday=THURSDAY,
        local_time=dt.time(15),
        zone=BERLIN,
    )
    upcoming = [slot for slot in rounds(after) if slot.due_at > after.since]
    assert upcoming[0].due_at == local_moment(dt.date(2026, 12, 17), dt.time(15), BERLIN)
    assert upcoming[0].round_key == "r5"


def test_a_change_made_late_starts_at_the_next_new_weekday_not_in_the_past():
    """Every week from the day after round 4 (24 Nov): the next round is a week after it.
    Monday instead of Tuesday, changed on Monday 14 Dec at noon: the Monday of round 5's week
    (14 Dec, 10:00) has just passed, so the next round is the Monday after, never one in the
    past."""
    before = year()
    since = local_moment(dt.date(2026, 11, 25), dt.time(9), CHICAGO)  # the day after r4
    weekly = changed(before, since, interval_weeks=1)
    assert local_day(next(s for s in rounds(weekly) if s.due_at > since)) == dt.date(2026, 12, 1)
    monday = changed(before, local_moment(dt.date(2026, 12, 14), dt.time(12), CHICAGO), weekday=0)
    nxt = next(s for s in rounds(monday) if s.due_at > monday.since)
    assert (local_day(nxt), nxt.round_key) == (dt.date(2026, 12, 21), "r5")


def test_a_pair_that_has_not_started_follows_the_new_rhythm_entirely():
    before = year(start_date=dt.date(2027, 1, 5))
    after = changed(
        before, local_moment(dt.date(2026, 12, 1), dt.time(9), CHICAGO), interval_weeks=4
    )
    assert slots(after) == slots(dataclasses.replace(after, before=None, since=None))


rhythms = st.builds(
    Rhythm,
    start_date=st.dates(dt.date(2026, 6, 1), dt.date(2027, 6, 1)),
    end_date=st.just(dt.date(2028, 1, 1)),
    interval_weeks=st.integers(1, 8),
    weekday=st.integers(0, 6),
    local_time=st.sampled_from([dt.time(0, 30), dt.time(9), dt.time(10), dt.time(23, 30)]),
    zone=st.sampled_from([CHICAGO, BERLIN, ZoneInfo("UTC"), ZoneInfo("Pacific/Auckland")]),
)
moments = st.datetimes(
    dt.datetime(2026, 6, 1),  # noqa: DTZ001 (hypothesis takes naive bounds; made UTC below)
    dt.datetime(2027, 12, 1),  # noqa: DTZ001
).map(lambda moment: moment.replace(tzinfo=dt.UTC))
new_rhythms = st.fixed_dictionaries(
    {
        "interval_weeks": st.integers(1, 8),
        "weekday": st.integers(0, 6),
        "local_time": st.sampled_from([dt.time(7), dt.time(10), dt.time(18, 45)]),
        "zone": st.sampled_from([CHICAGO, BERLIN, ZoneInfo("Asia/Kolkata")]),
        "end_date": st.dates(dt.date(2027, 6, 1), dt.date(2028, 3, 1)),
    }
)


@settings(max_examples=3000, deadline=None)
@given(rhythms, st.lists(st.tuples(moments, new_rhythms), min_size=1, max_size=3))
def test_a_change_keeps_what_was_owed_and_numbers_on(first: Rhythm, changes):
    """Over generated years with up to three changes: everything due up to a change is what
    the earlier rhythm said (same kinds, keys and times); round numbers run 1, 2, 3 … with
    no gap or repeat; each key is due once; rounds after a change fall on its weekday at its
    time, an interval apart, the first no more than an interval and a week after the last
    kept round; at most one midpoint and one closing, the last round when rounds remain."""
    rhythm = first
    for since, new in sorted(changes, key=lambda change: change[0]):
        if rhythm.since is not None and since <= rhythm.since:
            continue
        rhythm = dataclasses.replace(rhythm, before=rhythm, since=since, **new)
        earlier = [slot for slot in slots(rhythm.before) if slot.due_at <= since]
        now = [slot for slot in slots(rhythm) if slot.due_at <= since]
        if not earlier:  # not started: a new time of day may make the welcome due already
            now = [slot for slot in now if slot.kind != DeliveryKind.WELCOME]
        assert now == earlier
    year_slots = slots(rhythm)
    assert [s.due_at for s in year_slots] == sorted(s.due_at for s in year_slots)
    keys = [slot.round_key for slot in year_slots if slot.kind in ROUND_KINDS]
    assert keys == [f"r{n}" for n in range(1, len(keys) + 1)]
    since = rhythm.since or dt.datetime.min.replace(tzinfo=dt.UTC)
    checkins = [slot.round_key for slot in year_slots if slot.kind == DeliveryKind.CHECKIN]
    assert len(checkins) == len(set(checkins))
    later = {s.round_key for s in year_slots if s.kind == DeliveryKind.CHECKIN and s.due_at > since}
    assert later <= set(keys), "a check-in after the change is followed by its round"
    kinds = [slot.kind for slot in year_slots if slot.kind in ROUND_KINDS]
    assert kinds.count(DeliveryKind.MIDPOINT) <= 1 and kinds.count(DeliveryKind.CLOSING) <= 1
    fresh_kinds = [s.kind for s in year_slots if s.kind in ROUND_KINDS and s.due_at > since]
    closed_early = DeliveryKind.CLOSING in kinds[: len(kinds) - len(fresh_kinds)]
    if len(kinds) > 1 and fresh_kinds and not closed_early:
        # (no closing when the end moved before the next round, none again when it moved after)
        assert kinds[-1] == DeliveryKind.CLOSING
    if rhythm.since is not None:
        kept = [s for s in year_slots if s.kind in ROUND_KINDS and s.due_at <= rhythm.since]
        fresh = [s for s in year_slots if s.kind in ROUND_KINDS and s.due_at > rhythm.since]
        for slot in fresh:
            local = slot.due_at.astimezone(rhythm.zone)
            assert local.weekday() == rhythm.weekday
            assert local.time() == rhythm.local_time or local.dst() != rhythm.zone.dst(
                dt.datetime.combine(local.date(), rhythm.local_time)
            )  # a local time a DST jump skips moves forward
        gaps = {
            local_day(b, rhythm.zone) - local_day(a, rhythm.zone)
            for a, b in itertools.pairwise(fresh)
        }
        assert gaps <= {dt.timedelta(weeks=rhythm.interval_weeks)}
        if kept and fresh:
            limit = dt.timedelta(weeks=rhythm.interval_weeks + 1, days=2)
            assert fresh[0].due_at - max(kept[-1].due_at, rhythm.since) <= limit


@settings(max_examples=1000, deadline=None)
@given(rhythms, moments, new_rhythms, st.integers(0, 400))
def test_ticking_through_a_change_sends_each_round_once(first: Rhythm, since, new, hours):
    """Ticks every few hours across the change: a round key is due at only one time, so an
    idempotency key of pair and round is never asked for twice with two meanings."""
    after = dataclasses.replace(first, before=first, since=since, **new)
    due_at: dict[tuple[DeliveryKind, str], set[dt.datetime]] = {}
    moment = since - dt.timedelta(days=30)
    for _ in range(120):
        source = after if moment > since else first
        for slot in due_slots(source, moment, LATE):
            due_at.setdefault((slot.kind == DeliveryKind.CHECKIN, slot.round_key), set()).add(
                slot.due_at
            )
        moment += dt.timedelta(hours=6 + hours % 20)
    assert all(len(times) == 1 for times in due_at.values()), due_at
