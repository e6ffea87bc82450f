"""Meeting dates and durations: tables and properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.dates import check_meeting_date, format_duration, parse_date, parse_duration
from bot.core.errors import InputError
from bot.core.limits import MAX_MEETING_MINUTES as MAX_MINUTES

TODAY = dt.date(2026, 11, 22)  # a Sunday
D = dt.date


def test_today_is_a_sunday():
    """The tables below count weekdays back from a Sunday."""
    assert TODAY.weekday() == 6


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", D(2026, 11, 22)),
        ("  TODAY ", D(2026, 11, 22)),
        ("yesterday", D(2026, 11, 21)),
        ("Yesterday", D(2026, 11, 21)),
        ("2026-11-03", D(2026, 11, 3)),
        ("2026/11/03", D(2026, 11, 3)),
        ("2026-1-5", D(2026, 1, 5)),
        ("2024-02-29", D(2024, 2, 29)),
        ("2027-01-01", D(2027, 1, 1)),  # future calendar dates pass; check_meeting_date refuses
        ("monday", D(2026, 11, 16)),
        ("tuesday", D(2026, 11, 17)),
        ("tue", D(2026, 11, 17)),
        ("Tues", D(2026, 11, 17)),
        ("last tuesday", D(2026, 11, 17)),
        ("LAST   Tue", D(2026, 11, 17)),
        ("wed", D(2026, 11, 18)),
        ("thursday", D(2026, 11, 19)),
        ("thu", D(2026, 11, 19)),
        ("friday", D(2026, 11, 20)),
        ("saturday", D(2026, 11, 21)),
        ("sat", D(2026, 11, 21)),
        ("sunday", D(2026, 11, 15)),  # strictly before today, so a week back
        ("last sun", D(2026, 11, 15)),
        ("3 days ago", D(2026, 11, 19)),
        ("1 day ago", D(2026, 11, 21)),
        ("a day ago", D(2026, 11, 21)),
        ("0 days ago", D(2026, 11, 22)),
        ("99 days ago", D(2026, 8, 15)),
        ("2 weeks ago", D(2026, 11, 8)),
        ("a week ago", D(2026, 11, 15)),
    ],
)
def test_parse_date_accepts(text, expected):
    """Each accepted spelling means the expected date, counted from a Sunday."""
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-02-30", ["2026-02-30", "February 2026 has 28 days"]),
        ("2026-13-01", ["no month 13"]),
        ("2026-11-31", ["November 2026 has 30 days"]),
        ("2026-11", ["not a date"]),
        ("11/03/2026", ["not a date"]),
        ("-3 days ago", ["whole number"]),
        ("1.5 days ago", ["whole number"]),
        ("some days ago", ["whole number"]),
        ("99999999 days ago", ["too far back"]),
        ("tomorrow", ["future"]),
        ("next friday", ["future"]),
        ("in 3 days", ["future"]),
        ("someday", ["“someday” is not a date", "3 days ago"]),
        ("tuesday we met", ["not a date"]),
        ("", ["Type the date"]),
        ("   ", ["Type the date"]),
    ],
)
def test_parse_date_refuses_with_reason(text, words):
    """Wrong dates are refused with a sentence that says why and what to type."""
    with pytest.raises(InputError) as refused:
        parse_date(text, TODAY)
    assert refused.value.field == "date"
    for word in words:
        assert word in refused.value.message


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("45m", 45),
        ("45min", 45),
        ("45mins", 45),
        ("45 minutes", 45),
        ("1 minute", 1),
        ("1h", 60),
        ("1hr", 60),
        ("2hrs", 120),
        ("2 hours", 120),
        ("1 hour", 60),
        ("1h30m", 90),
        ("1h30", 90),
        ("1h 30m", 90),
        ("1h 30", 90),
        ("1 hour 30 minutes", 90),
        ("1.5h", 90),
        ("1,5 h", 90),
        ("1.25 hours", 75),
        ("90min", 90),
        ("1:30", 90),
        ("0:45", 45),
        ("45", 45),  # the form asks for minutes
        (" 45M ", 45),
        ("12h", MAX_MINUTES),
        ("11h60m", MAX_MINUTES),
        ("12:00", MAX_MINUTES),
    ],
)
def test_parse_duration_accepts(text, minutes):
    """Each accepted spelling is that many minutes."""
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("0m", ["at least a minute"]),
        ("0", ["at least a minute"]),
        ("0h0m", ["at least a minute"]),
        ("0.001h", ["at least a minute"]),
        ("13h", ["at most 12h"]),
        ("12h1m", ["at most 12h"]),
        ("721", ["at most 12h"]),
        ("9" * 5000 + "m", ["at most 12h"]),
        ("forever", ["“forever” is not a duration", "1h30m"]),
        ("-5m", ["not a duration"]),
        ("45.5m", ["not a duration"]),
        ("1:75", ["not a duration"]),
        ("1 day", ["not a duration"]),
        ("", ["Type how long"]),
    ],
)
def test_parse_duration_refuses_with_reason(text, words):
    """0, over 12 hours and non-durations are refused with the reason."""
    with pytest.raises(InputError) as refused:
        parse_duration(text)
    assert refused.value.field == "duration"
    for word in words:
        assert word in refused.value.message


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0 min"),
        (1, "1 min"),
        (45, "45 min"),
        (60, "1 h"),
        (90, "1 h 30 min"),
        (125, "2 h 5 min"),
        (720, "12 h"),
    ],
)
def test_format_duration(minutes, text):
    """Minutes read as people say them."""
    assert format_duration(minutes) == text


def test_format_duration_refuses_negative():
    """A negative duration is a programming error, not a user's."""
    with pytest.raises(ValueError, match="negative"):
        format_duration(-1)


@pytest.mark.parametrize(
    ("met_on", "started"),
    [(TODAY, D(2026, 9, 1)), (D(2026, 9, 1), D(2026, 9, 1)), (D(2026, 10, 5), D(2026, 9, 1))],
)
def test_check_meeting_date_accepts(met_on, started):
    """Dates from the pair's start up to today pass."""
    check_meeting_date(met_on, TODAY, started)


@pytest.mark.parametrize(
    ("met_on", "started", "words"),
    [
        (D(2026, 11, 23), D(2026, 9, 1), ["2026-11-23", "future", "2026-11-22"]),
        (D(2027, 1, 1), D(2026, 9, 1), ["2027-01-01", "future"]),
        (D(2026, 8, 31), D(2026, 9, 1), ["2026-08-31", "before", "2026-09-01"]),
    ],
)
def test_check_meeting_date_refuses_naming_both_dates(met_on, started, words):
    """The future and days before the pair began are refused, naming both dates."""
    with pytest.raises(InputError) as refused:
        check_meeting_date(met_on, TODAY, started)
    assert refused.value.field == "date"
    for word in words:
        assert word in refused.value.message


@given(hours=st.integers(0, 12), minutes=st.integers(0, 59))
def test_hours_and_minutes_round_trip(hours, minutes):
    """ "XhYm" for every valid X and Y parses back to X*60+Y minutes."""
    total = hours * 60 + minutes
    if 1 <= total <= MAX_MINUTES:
        assert parse_duration(f"{hours}h{minutes}m") == total
    else:
        with pytest.raises(InputError):
            parse_duration(f"{hours}h{minutes}m")


@given(minutes=st.integers(1, MAX_MINUTES))
def test_format_duration_round_trips(minutes):
    """What format_duration writes, parse_duration reads back."""
    assert parse_duration(format_duration(minutes)) == minutes


WORDS = st.sampled_from(
    [
        "today",
        "yesterday",
        "tomorrow",
        "tue",
        "sat",
        "last",
        "friday",
        "next:",
        "NEXT:",
        "3",
        "-3",
        "a",
        "days",
        "weeks",
        "ago",
        "45m",
        "1h",
        "30m",
        "0m",
        "13h",
        "1:30",
        "1.5h",
        "minutes",
        "hours",
        "2026-02-30",
        "2026-11-03",
        "2026/11",
        "notes",
        ",",
        "9" * 30,
    ]
)
ANY_TEXT = st.one_of(st.text(), st.lists(WORDS, max_size=8).map(" ".join))


@given(text=ANY_TEXT, today=st.dates())
def test_parse_date_never_crashes(text, today):
    """Any text gives a date or an InputError for the date field, never another exception."""
    try:
        assert isinstance(parse_date(text, today), dt.date)
    except InputError as error:
        assert error.field == "date"


@given(text=ANY_TEXT)
def test_parse_duration_never_crashes(text):
    """Any text gives minutes within bounds or an InputError, never another exception."""
    try:
        assert 1 <= parse_duration(text) <= MAX_MINUTES
    except InputError as error:
        assert error.field == "duration"


RELATIVE = st.one_of(
    st.sampled_from(
        [
            "today",
            "yesterday",
            "a day ago",
            "a week ago",
            "mon",
            "tuesday",
            "last wed",
            "thu",
            "friday",
            "sat",
            "last sunday",
        ]
    ),
    st.builds("{} days ago".format, st.integers(0, 10**6)),
    st.builds("{} weeks ago".format, st.integers(0, 10**5)),
)


@given(text=RELATIVE, today=st.dates())
def test_relative_words_never_reach_the_future(text, today):
    """Every date that relative words produce is today or earlier."""
    try:
        assert parse_date(text, today) <= today
    except InputError as error:
        assert "too far back" in error.message


@given(
    text=RELATIVE.filter(lambda text: text != "today" and " 0 " not in f" {text}"),
    today=st.dates(min_value=dt.date(2000, 1, 1)),
)
def test_past_words_are_strictly_before_today(text, today):
    """Weekdays, "yesterday" and N>0 days ago are strictly before today."""
    try:
        assert parse_date(text, today) < today
    except InputError as error:
        assert "too far back" in error.message
