"""When a time-bound activity next happens, on the pair's clock: a table per kind of schedule,
and properties over moments and zones."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prompts.catalog import MonthlyWeekday, NextDate, Season, load_catalog

CATALOG = load_catalog()
CHAT = CATALOG.activity("alscchat").schedule
DIA = CATALOG.activity("dia-childrens-day").schedule
MOCK_AWARDS = CATALOG.activity("mock-newbery-caldecott").schedule
CHICAGO, TOKYO = ZoneInfo("America/Chicago"), ZoneInfo("Asia/Tokyo")
UTC = dt.UTC


def local(zone: ZoneInfo, *parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=zone)


@pytest.mark.parametrize(
    ("schedule", "after", "zone", "expected"),
    [
        # the chat is at 21:00 New York time: 20:00 in Chicago, the next morning in Tokyo
        (
            CHAT,
            local(UTC, 2027, 3, 2, 16),
            CHICAGO,
            NextDate(local(CHICAGO, 2027, 3, 11, 20), True),
        ),
        (CHAT, local(UTC, 2027, 3, 2, 16), TOKYO, NextDate(local(TOKYO, 2027, 3, 12, 11), True)),
        (CHAT, local(UTC, 2027, 3, 12, 3), CHICAGO, NextDate(local(CHICAGO, 2027, 4, 8, 20), True)),
        # Día is a date: the day itself, in the pair's calendar
        (DIA, local(UTC, 2027, 4, 13, 15), CHICAGO, NextDate(local(CHICAGO, 2027, 4, 30), False)),
        (DIA, local(UTC, 2027, 5, 1, 12), TOKYO, NextDate(local(TOKYO, 2028, 4, 30), False)),
        # a season ahead gives its first and last day; under way, its last
        (
            MOCK_AWARDS,
            local(UTC, 2027, 9, 28, 15),
            CHICAGO,
            NextDate(local(CHICAGO, 2027, 10, 1), False, dt.date(2028, 1, 31)),
        ),
        (
            MOCK_AWARDS,
            local(UTC, 2027, 12, 7, 16),
            CHICAGO,
            NextDate(local(CHICAGO, 2027, 12, 7, 10), False, dt.date(2028, 1, 31), ongoing=True),
        ),
    ],
)
def test_next_date(schedule, after, zone, expected):
    """Each kind of schedule names its next date in the pair's zone."""
    assert schedule.next_date(after, zone) == expected


def test_an_evening_on_the_last_day_of_the_month_is_not_skipped():
    """The last Thursday at 21:00 New York is already next month in UTC: still its month's."""
    last_thursday = MonthlyWeekday(
        kind="monthly_weekday",
        week=-1,
        weekday="thursday",
        time=dt.time(21),
        timezone="America/New_York",
    )
    after = local(UTC, 2027, 10, 1, 0, 30)  # 20:30 on Thu 30 Sep in New York
    occurrence = last_thursday.next_occurrence(after, CHICAGO)
    assert occurrence == local(ZoneInfo("America/New_York"), 2027, 9, 30, 21)


def test_a_season_ending_on_29_february_ends_on_the_28th_in_other_years():
    """A season's last day exists in every year."""
    winter = Season(kind="season", start="12-01", end="02-29")
    assert winter.last_day(dt.date(2026, 12, 1)) == dt.date(2027, 2, 28)
    assert winter.last_day(dt.date(2027, 12, 1)) == dt.date(2028, 2, 29)


moments = st.datetimes(
    min_value=dt.datetime(2026, 1, 1),  # noqa: DTZ001
    max_value=dt.datetime(2030, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
zones = st.sampled_from([ZoneInfo("UTC"), CHICAGO, TOKYO, ZoneInfo("Europe/London")])


@settings(max_examples=200, deadline=None)
@given(after=moments, zone=zones, schedule=st.sampled_from([CHAT, DIA, MOCK_AWARDS]))
def test_the_next_date_is_ahead_on_the_pairs_clock(after, zone, schedule):
    """The next date is in the pair's zone and not before today there; a season's last day
    is not before its first."""
    when = schedule.next_date(after, zone)
    assert when.at.tzinfo == zone
    assert when.at.date() >= after.astimezone(zone).date()
    if when.timed:
        assert when.at >= after
    if when.until is not None:
        assert when.until >= when.at.date()
        assert when.ongoing == (when.at.date() == after.astimezone(zone).date())
