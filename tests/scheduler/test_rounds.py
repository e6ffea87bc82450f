"""When rounds fall due: local times across daylight saving, lateness, check-ins."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from bot.core.rhythm import Rhythm, due_slots, local_moment, next_round_at, round_dates, slots
from storage.models import DeliveryKind

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
WEEK = dt.timedelta(days=7)


def rhythm(zone=NY, start=dt.date(2026, 9, 1), end=dt.date(2027, 8, 31), interval=3):
    return Rhythm(start, end, interval, 1, dt.time(10, 0), zone)


@pytest.mark.parametrize(
    ("zone", "day", "utc_hour"),
    [
        (NY, dt.date(2027, 3, 9), 15),  # before DST starts on 14 Mar 2027: EST, UTC-5
        (NY, dt.date(2027, 3, 16), 14),  # after: EDT, UTC-4
        (NY, dt.date(2026, 10, 27), 14),  # before DST ends on 1 Nov 2026
        (NY, dt.date(2026, 11, 3), 15),
        (LONDON, dt.date(2027, 3, 23), 10),  # before BST starts on 28 Mar 2027
        (LONDON, dt.date(2027, 3, 30), 9),
        (LONDON, dt.date(2026, 10, 20), 9),  # before BST ends on 25 Oct 2026
        (LONDON, dt.date(2026, 10, 27), 10),
    ],
)
def test_local_ten_oclock_across_dst(zone, day, utc_hour):
    """A round stays at 10:00 local time on both sides of each daylight-saving change."""
    moment = local_moment(day, dt.time(10, 0), zone)
    assert moment.hour == utc_hour
    assert moment.astimezone(zone).hour == 10


def test_rounds_every_interval_on_the_weekday():
    """Rounds fall every three weeks on the program's weekday and stop before the end."""
    dates = round_dates(rhythm())
    assert dates[:3] == [dt.date(2026, 9, 22), dt.date(2026, 10, 13), dt.date(2026, 11, 3)]
    assert all(day.weekday() == 1 for day in dates)
    assert dates[-1] < dt.date(2027, 8, 31)
    assert {b - a for a, b in itertools.pairwise(dates)} == {3 * WEEK}


def test_year_shape_welcome_midpoint_closing():
    """The year opens with a welcome, has one midpoint and ends with a closing round."""
    kinds = [slot.kind for slot in slots(rhythm()) if slot.kind != DeliveryKind.CHECKIN]
    assert kinds[0] == DeliveryKind.WELCOME
    assert kinds[-1] == DeliveryKind.CLOSING
    assert kinds.count(DeliveryKind.MIDPOINT) == 1
    midpoint = next(s for s in slots(rhythm()) if s.kind == DeliveryKind.MIDPOINT)
    assert dt.date(2027, 2, 1) <= midpoint.due_at.date() <= dt.date(2027, 3, 31)


def test_checkin_a_week_before_each_later_round():
    """Each round after the first has a check-in seven days before it."""
    all_slots = slots(rhythm())
    checkins = [s for s in all_slots if s.kind == DeliveryKind.CHECKIN]
    rounds = {s.round_key: s for s in all_slots if s.kind != DeliveryKind.CHECKIN}
    assert checkins
    for checkin in checkins:
        assert rounds[checkin.round_key].due_at.date() - checkin.due_at.date() == WEEK


def test_after_downtime_only_the_newest_round_is_due():
    """Missed rounds are not all sent: only the newest, once."""
    now = local_moment(dt.date(2026, 11, 5), dt.time(9, 0), NY)
    due = due_slots(rhythm(), now, dt.timedelta(days=7))
    assert [(s.kind, s.round_key) for s in due] == [(DeliveryKind.SUGGESTION, "r3")]


def test_round_more_than_a_week_late_waits():
    """A round more than the late limit overdue is not sent; the next round will be."""
    now = local_moment(dt.date(2026, 11, 11), dt.time(10, 1), NY)
    assert due_slots(rhythm(), now, dt.timedelta(days=7)) == []
    assert next_round_at(rhythm(), now) == local_moment(dt.date(2026, 11, 24), dt.time(10), NY)


def test_checkin_due_between_rounds():
    """Between a check-in and its round, the check-in is what is due."""
    now = local_moment(dt.date(2026, 11, 17), dt.time(10, 30), NY)
    due = due_slots(rhythm(), now, dt.timedelta(days=7))
    assert [(s.kind, s.round_key) for s in due] == [(DeliveryKind.CHECKIN, "r4")]


def test_weekly_program_has_no_checkins():
    """With a one-week interval a check-in would coincide with a round, so there is none."""
    assert not [s for s in slots(rhythm(interval=1)) if s.kind == DeliveryKind.CHECKIN]
